//go:build linux && cgo

package mallocarena

/*
#include <stdlib.h>
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
// rd_arena_max_set is mallopt's answer, from a constructor: it runs when
// the program is loaded, before the Go runtime starts its threads. Each of
// those threads gets an arena of its own on its first malloc (glibc does
// not wait for contention), so a limit set later, from a Go init, comes too
// late for them. A MALLOC_ARENA_MAX in the environment is glibc's own
// setting and is left alone.
static int rd_arena_max_set;
__attribute__((constructor)) static void rd_limit_arenas(void) {
	if (getenv("MALLOC_ARENA_MAX") == NULL) {
		rd_arena_max_set = mallopt(M_ARENA_MAX, 2);
	}
}
static int rd_arenas_limited(void) { return rd_arena_max_set; }
#else
static int rd_arenas_limited(void) { return 0; }
#endif

// rd_malloc_on_threads: n threads that each malloc a small block and hold
// it until all have one, so none can take over an exited thread's arena:
// each needs an arena of its own unless the limit makes them share.
static pthread_barrier_t rd_barrier;
static void *rd_alloc(void *arg) {
	void *p = malloc(1024);
	volatile char *c = p;
	if (c) c[0] = 1;
	pthread_barrier_wait(&rd_barrier);
	return p;
}
static int rd_malloc_on_threads(int n) {
	pthread_t t[256];
	void *blocks[256];
	if (n > 256) n = 256;
	if (pthread_barrier_init(&rd_barrier, NULL, n) != 0) return 0;
	int made = 0;
	for (int i = 0; i < n; i++) {
		if (pthread_create(&t[i], NULL, rd_alloc, NULL) != 0) break;
		made++;
	}
	if (made < n) return -1; // the others wait forever: never here in practice
	for (int i = 0; i < made; i++) pthread_join(t[i], &blocks[i]);
	for (int i = 0; i < made; i++) free(blocks[i]);
	pthread_barrier_destroy(&rd_barrier);
	return made;
}
*/
import "C"

// set reports whether the constructor set the limit (mallopt returned 1).
var set = C.rd_arenas_limited() == 1

// Arenas returns the arena limit in force (MaxArenas), 0 when none could be
// set.
func Arenas() int {
	if set {
		return MaxArenas
	}
	return 0
}

// mallocOnThreads starts n C threads that each malloc a small block, as
// libusb's calls on many OS threads do; the test measures the address space
// this costs.
func mallocOnThreads(n int) int { return int(C.rd_malloc_on_threads(C.int(n))) }
