//go:build linux && cgo

// Command umockdevbed drives a umockdev testbed while a program runs on it,
// for tests that need devices to come and go at run time (a phone that
// leaves USB and comes back in another mode). It loads libumockdev.so.0
// with dlopen (no development package or GObject introspection needed).
//
//	umockdev-wrapper umockdevbed SCRIPT -- PROGRAM ARGS...
//
// It must itself run under umockdev-wrapper, so that its libudev sees the
// testbed (uevent fails otherwise), and it starts PROGRAM with UMOCKDEV_DIR
// set explicitly (a setenv of the testbed is not in os.Environ). PROGRAM's
// stdout is copied to ours. SCRIPT has one command a line:
//
//	add FILE.umockdev      add the devices of a umockdev file, then an "add" uevent for each
//	remove SYSFS-PATH      a "remove" uevent, then remove the device (/sys/devices/…)
//	expect TEXT            wait (at most 20 s) until PROGRAM has printed a line containing TEXT
//	interrupt              send PROGRAM SIGINT and wait for it to exit
//
// The exit status is PROGRAM's, or 3 when the script failed.
package main

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

typedef void *(*bed_new_fn)(void);
typedef char *(*bed_root_fn)(void *);
typedef int (*bed_add_file_fn)(void *, const char *, void **);
typedef void (*bed_uevent_fn)(void *, const char *, const char *);
typedef void (*bed_remove_fn)(void *, const char *);

static void *lib, *bed;
static bed_add_file_fn add_file;
static bed_uevent_fn uevent;
static bed_remove_fn remove_device;

static const char *bed_open(void) {
	lib = dlopen("libumockdev.so.0", RTLD_NOW | RTLD_GLOBAL);
	if (!lib) return dlerror();
	bed_new_fn n = (bed_new_fn)dlsym(lib, "umockdev_testbed_new");
	add_file = (bed_add_file_fn)dlsym(lib, "umockdev_testbed_add_from_file");
	uevent = (bed_uevent_fn)dlsym(lib, "umockdev_testbed_uevent");
	remove_device = (bed_remove_fn)dlsym(lib, "umockdev_testbed_remove_device");
	if (!n || !add_file || !uevent || !remove_device) return "libumockdev.so.0 lacks a testbed function";
	bed = n();
	return bed ? NULL : "umockdev_testbed_new failed";
}

static char *bed_root(void) {
	bed_root_fn r = (bed_root_fn)dlsym(lib, "umockdev_testbed_get_root_dir");
	return r ? r(bed) : NULL;
}

static int bed_add_file(const char *path) { void *err = NULL; return add_file(bed, path, &err) && err == NULL; }
static void bed_uevent(const char *dev, const char *action) { uevent(bed, dev, action); }
static void bed_remove(const char *dev) { remove_device(bed, dev); }
*/
import "C"

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) < 3 || args[1] != "--" {
		fmt.Fprintln(os.Stderr, "usage: umockdev-wrapper umockdevbed SCRIPT -- PROGRAM ARGS...")
		return 2
	}
	script, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "umockdevbed:", err)
		return 3
	}
	if e := C.bed_open(); e != nil {
		fmt.Fprintln(os.Stderr, "umockdevbed:", C.GoString(e))
		return 3
	}
	root := C.GoString(C.bed_root())
	cmd := exec.Command(args[2], args[3:]...)
	cmd.Env = append(os.Environ(), "UMOCKDEV_DIR="+root)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "umockdevbed:", err)
		return 3
	}
	var mu sync.Mutex
	var lines []string
	changed := make(chan struct{}, 1)
	// Devices of the script's first adds are there before PROGRAM starts.
	cmds := strings.Split(strings.TrimSpace(string(script)), "\n")
	i := 0
	for ; i < len(cmds) && strings.HasPrefix(cmds[i], "add "); i++ {
		if !step(cmds[i], nil) {
			return 3
		}
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "umockdevbed:", err)
		return 3
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Println(sc.Text())
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	}()
	seen := 0
	expect := func(text string) bool {
		deadline := time.After(20 * time.Second)
		for {
			mu.Lock()
			for ; seen < len(lines); seen++ {
				if strings.Contains(lines[seen], text) {
					seen++
					mu.Unlock()
					return true
				}
			}
			mu.Unlock()
			select {
			case <-changed:
			case <-copied:
				fmt.Fprintf(os.Stderr, "umockdevbed: the program ended before printing %q\n", text)
				return false
			case <-deadline:
				fmt.Fprintf(os.Stderr, "umockdevbed: no line with %q within 20 s\n", text)
				return false
			}
		}
	}
	ok := true
	for ; i < len(cmds) && ok; i++ {
		ok = step(cmds[i], func(c string) bool {
			switch {
			case strings.HasPrefix(c, "expect "):
				return expect(strings.TrimPrefix(c, "expect "))
			case c == "interrupt":
				return cmd.Process.Signal(syscall.SIGINT) == nil
			}
			return false
		})
	}
	if !ok {
		_ = cmd.Process.Kill()
	}
	<-copied
	err = cmd.Wait()
	if !ok {
		return 3
	}
	if err != nil {
		if ee, isExit := err.(*exec.ExitError); isExit {
			return ee.ExitCode()
		}
		return 3
	}
	return 0
}

// step runs one script command; other handles the ones that need PROGRAM.
func step(c string, other func(string) bool) bool {
	c = strings.TrimSpace(c)
	switch {
	case c == "" || strings.HasPrefix(c, "#"):
		return true
	case strings.HasPrefix(c, "add "):
		return add(strings.TrimPrefix(c, "add "))
	case strings.HasPrefix(c, "remove "):
		dev := cstr(strings.TrimPrefix(c, "remove "))
		defer C.free(unsafe.Pointer(dev))
		action := cstr("remove")
		defer C.free(unsafe.Pointer(action))
		C.bed_uevent(dev, action)
		C.bed_remove(dev)
		return true
	}
	if other != nil && other(c) {
		return true
	}
	fmt.Fprintf(os.Stderr, "umockdevbed: %q failed\n", c)
	return false
}

// add loads a umockdev file and sends "add" for each device in it.
func add(file string) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "umockdevbed:", err)
		return false
	}
	p := cstr(file)
	defer C.free(unsafe.Pointer(p))
	if C.bed_add_file(p) == 0 {
		fmt.Fprintf(os.Stderr, "umockdevbed: cannot add %s\n", file)
		return false
	}
	for _, l := range strings.Split(string(data), "\n") {
		if dev, ok := strings.CutPrefix(l, "P: "); ok {
			d := cstr("/sys" + strings.TrimSpace(dev))
			a := cstr("add")
			C.bed_uevent(d, a)
			C.free(unsafe.Pointer(d))
			C.free(unsafe.Pointer(a))
		}
	}
	return true
}

func cstr(s string) *C.char { return C.CString(s) }
