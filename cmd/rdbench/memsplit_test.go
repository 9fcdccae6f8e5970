package main

import (
	"os"
	"testing"

	"github.com/restoredoctor/restoredoctor/internal/memstats"
)

func TestParseSmaps(t *testing.T) {
	b, err := os.ReadFile("testdata/gui.smaps")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		exe      string
		heapAddr uint64
		want     smapsSplit
	}{
		{"heap address in an anonymous mapping", "/work/bin/restoredoctor", 0x10ff1f252f40,
			smapsSplit{rss: 46.125, mesa: 11, exe: 2, shm: 3, goHeap: 20, anon: 8.5}},
		{"heap address unknown", "/work/bin/restoredoctor", 0,
			smapsSplit{rss: 46.125, mesa: 11, exe: 2, shm: 3, anon: 28.5}},
		{"other executable", "/usr/bin/other", 0x10ff1f252f40,
			smapsSplit{rss: 46.125, mesa: 11, shm: 3, goHeap: 20, anon: 8.5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := parseSmaps(b, c.exe, c.heapAddr); got != c.want {
				t.Errorf("parseSmaps = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestSplitGUI(t *testing.T) {
	snap := func(nonHeapMB uint64) memstats.Snapshot {
		return memstats.Snapshot{Classes: map[string]uint64{
			"heap/objects": 10 * mib, "heap/free": 2 * mib, "metadata/other": nonHeapMB * mib,
			"total": (12 + nonHeapMB) * mib,
		}, HeapLive: 9 * mib}
	}
	gui := memSample{smaps: smapsSplit{rss: 100, mesa: 40, exe: 20, shm: 3, goHeap: 15, anon: 18}, gostat: snap(4)}
	floor := memSample{smaps: smapsSplit{rss: 80, mesa: 40, exe: 18, shm: 3, goHeap: 6, anon: 12}, gostat: snap(3)}
	for _, c := range []struct {
		name  string
		floor *memSample
		want  guiMem
	}{
		// C memory: GUI 18-4+3 = 17, floor 12-3+3 = 12.
		{"with the bare window", &floor, guiMem{rss: 100, mesa: 40, driver: 12, goRT: 19, exe: 20, beyond: 5, other: 4, heapLive: 9, floor: true}},
		{"without it all C memory is ours", nil, guiMem{rss: 100, mesa: 40, goRT: 19, exe: 20, beyond: 17, other: 4, heapLive: 9}},
		{"a floor above ours caps at ours", &memSample{smaps: smapsSplit{anon: 40}, gostat: snap(0)},
			guiMem{rss: 100, mesa: 40, driver: 17, goRT: 19, exe: 20, other: 4, heapLive: 9, floor: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := splitGUI(gui, c.floor)
			if got != c.want {
				t.Errorf("splitGUI = %+v, want %+v", got, c.want)
			}
			if sum := got.mesa + got.driver + got.ours() + got.other; sum != got.rss {
				t.Errorf("the parts add up to %v MB, RSS is %v MB", sum, got.rss)
			}
		})
	}
}
