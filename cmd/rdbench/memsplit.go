package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/restoredoctor/restoredoctor/internal/memstats"
)

// smapsSplit is a process's RSS from /proc/PID/smaps by kind of mapping, in MB.
type smapsSplit struct {
	rss    float64 // every mapping
	mesa   float64 // Mesa's libraries: libLLVM, the *_dri.so driver, libgallium
	exe    float64 // the executable's own file (code, read-only data, data)
	shm    float64 // shared memory (/SYSV*, /dev/shm, memfd): the X server's MIT-SHM images
	goHeap float64 // the anonymous mapping holding the Go heap (memstats.Snapshot.HeapAddr)
	anon   float64 // [heap] and the other anonymous mappings: malloc, C thread stacks, Go's runtime metadata
}

func isMesaLib(path string) bool {
	base := filepath.Base(path)
	return strings.HasPrefix(base, "libLLVM") || strings.HasSuffix(base, "_dri.so") || strings.HasPrefix(base, "libgallium")
}

// parseSmaps splits /proc/PID/smaps; exe is the executable's path and
// heapAddr an address on the Go heap (0: unknown, no mapping is the heap).
func parseSmaps(b []byte, exe string, heapAddr uint64) smapsSplit {
	var s smapsSplit
	var bucket *float64
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if !strings.HasSuffix(f[0], ":") { // a mapping header: "addr-addr perms off dev inode [path]"
			path := ""
			if len(f) >= 6 {
				path = strings.Join(f[5:], " ")
			}
			bucket = s.bucket(f[0], path, exe, heapAddr)
			continue
		}
		if f[0] != "Rss:" || len(f) < 2 {
			continue
		}
		kb, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		s.rss += kb / 1024
		if bucket != nil {
			*bucket += kb / 1024
		}
	}
	return s
}

// bucket is where the RSS of a mapping goes (nil: only the total).
func (s *smapsSplit) bucket(rng, path, exe string, heapAddr uint64) *float64 {
	switch {
	case path == "" || path == "[heap]" || strings.HasPrefix(path, "[anon"):
		lo, hi, ok := parseRange(rng)
		if ok && heapAddr >= lo && heapAddr < hi {
			return &s.goHeap
		}
		return &s.anon
	case strings.HasPrefix(path, "/SYSV") || strings.HasPrefix(path, "/dev/shm/") || strings.HasPrefix(path, "/memfd:"):
		return &s.shm
	case exe != "" && path == exe:
		return &s.exe
	case isMesaLib(path):
		return &s.mesa
	}
	return nil
}

func parseRange(s string) (lo, hi uint64, ok bool) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseUint(a, 16, 64)
	hi, err2 := strconv.ParseUint(b, 16, 64)
	return lo, hi, err1 == nil && err2 == nil
}

// memSample is one process's memory at the end of an idle run: smaps split
// with the help of its own Go account (memstats).
type memSample struct {
	smaps  smapsSplit
	gostat memstats.Snapshot
}

// sampleMem reads /proc/PID/smaps and the process's memstats file.
func sampleMem(pid int, statsFile string) (memSample, error) {
	gs, err := memstats.ReadFile(statsFile)
	if err != nil {
		return memSample{}, fmt.Errorf("the Go memory account (%s): %w", memstats.EnvFile, err)
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return memSample{}, err
	}
	s := parseSmaps(b, exe, gs.HeapAddr)
	if s.goHeap == 0 {
		return memSample{}, fmt.Errorf("no mapping in /proc/%d/smaps holds the Go heap address %#x", pid, gs.HeapAddr)
	}
	return memSample{smaps: s, gostat: gs}, nil
}

const mib = 1 << 20

// goAnon is the part of the anonymous mappings counted as the Go
// runtime's: what it says it mapped outside its heap, at most all of them.
func (m memSample) goAnon() float64 {
	return min(float64(m.gostat.NonHeap())/mib, m.smaps.anon)
}

// goRuntime is the Go runtime's resident memory: its heap arena's RSS and,
// from the anonymous rest, what it says it mapped for itself.
func (m memSample) goRuntime() float64 {
	return m.smaps.goHeap + m.goAnon()
}

// cMem is the memory no Go code and no file accounts for: the anonymous
// mappings without the Go runtime's (the C heap of Mesa, X11 and GLFW, and
// C thread stacks) plus shared memory with the X server.
func (m memSample) cMem() float64 {
	return m.smaps.anon - m.goAnon() + m.smaps.shm
}

// guiMem is the GUI's RSS split into its owners, in MB.
type guiMem struct {
	rss      float64
	mesa     float64 // Mesa's libraries
	driver   float64 // C memory a bare Fyne window of the same size also holds: the GL driver's and window system's
	goRT     float64 // Go runtime: heap arena and runtime metadata
	exe      float64 // our binary's pages
	beyond   float64 // C memory beyond the bare window's: textures and buffers of our content
	other    float64 // other shared libraries, the main stack, vdso
	heapLive float64 // Go heap live after the last GC
	floor    bool    // the bare window was measured
}

// ours is what the GUI itself costs: Go runtime, binary and the C memory
// its content adds to the bare window's.
func (g guiMem) ours() float64 { return g.goRT + g.exe + g.beyond }

// splitGUI attributes the GUI's memory; floor is the bare Fyne window's
// sample (nil: not measured, so all C memory counts as ours).
func splitGUI(gui memSample, floor *memSample) guiMem {
	g := guiMem{
		rss: gui.smaps.rss, mesa: gui.smaps.mesa, goRT: gui.goRuntime(), exe: gui.smaps.exe,
		heapLive: float64(gui.gostat.HeapLive) / mib,
	}
	c := gui.cMem()
	if floor != nil {
		g.floor = true
		g.driver = min(floor.cMem(), c)
	}
	g.beyond = c - g.driver
	g.other = max(g.rss-g.mesa-g.driver-g.goRT-g.exe-g.beyond, 0)
	return g
}
