package mallocarena

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// vmSizeKB is this process's address space (VmSize in /proc/self/status).
func vmSizeKB(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmSize:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Skip("no VmSize")
	return 0
}

const threads = 32

// TestHelperThreads runs in a child process (see TestArenaLimit): it prints
// the address space 32 threads that malloc at once added.
func TestHelperThreads(t *testing.T) {
	if os.Getenv("MALLOCARENA_CHILD") == "" {
		t.Skip("run by TestArenaLimit")
	}
	before := vmSizeKB(t)
	if n := mallocOnThreads(threads); n != threads {
		t.Fatalf("%d threads", n)
	}
	os.Stdout.WriteString("ADDED_KB=" + strconv.Itoa(vmSizeKB(t)-before) + " ARENAS=" + strconv.Itoa(Arenas()) + "\n")
}

// TestArenaLimit: on Linux with glibc the limit is set at start-up, and 32
// threads that malloc at once (as libusb calls on many cgo threads do) then
// cost little address space; with glibc's default (MALLOC_ARENA_MAX=64 in
// the environment, which the package leaves alone) they cost an arena each,
// 64 MB of address space per arena, which is what ran check and watch out
// of a 2 GB ulimit -v (issue 18, item 7).
func TestArenaLimit(t *testing.T) {
	if runtime.GOOS != "linux" || Arenas() == 0 && os.Getenv("MALLOC_ARENA_MAX") == "" {
		t.Skip("no glibc here: nothing to bound")
	}
	run := func(env ...string) (addedMB, arenas int) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperThreads$", "-test.count=1")
		cmd.Env = append(os.Environ(), append(env, "MALLOCARENA_CHILD=1")...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		_, rest, ok := strings.Cut(string(out), "ADDED_KB=")
		if !ok {
			t.Fatalf("child said:\n%s", out)
		}
		f := strings.Fields(rest)
		kb, _ := strconv.Atoi(f[0])
		arenas, _ = strconv.Atoi(strings.TrimPrefix(f[1], "ARENAS="))
		return kb / 1024, arenas
	}
	limited, arenas := run()
	if arenas != MaxArenas {
		t.Fatalf("Arenas() = %d at start-up, want %d", arenas, MaxArenas)
	}
	unlimited, _ := run("MALLOC_ARENA_MAX=64")
	t.Logf("address space added by %d threads that malloc at once: %d MB with M_ARENA_MAX=%d, %d MB with one arena per thread allowed",
		threads, limited, MaxArenas, unlimited)
	if limited > 200 || unlimited < 2*limited {
		t.Errorf("limited %d MB, unlimited %d MB", limited, unlimited)
	}
}
