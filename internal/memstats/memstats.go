// Package memstats writes a process's own account of its Go memory
// (runtime/metrics' /memory/classes/..., the live heap, GOGC and the memory
// limit) to a file while it runs, when the RESTOREDOCTOR_MEMSTATS
// environment variable names one. rdbench reads that file next to
// /proc/PID/smaps to tell the Go runtime's memory from the C heap (the GL
// driver's, X11's, GLFW's) in the GUI's RSS. It writes files only: the app
// opens no listening socket, debug or not.
//
// It imports only the standard library; app.Run and rdbench's GL floor
// window start it.
package memstats

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"time"
)

// Environment variables that switch the writer on (both unset: nothing runs).
const (
	// EnvFile names the JSON file (a Snapshot) rewritten every Interval.
	EnvFile = "RESTOREDOCTOR_MEMSTATS"
	// EnvHeapProfile names a pprof heap profile rewritten every Interval
	// (`go tool pprof -sample_index=inuse_space FILE`).
	EnvHeapProfile = "RESTOREDOCTOR_HEAPPROFILE"
)

// Interval is how often the files are rewritten.
const Interval = time.Second

// Snapshot is the JSON written to the EnvFile file.
type Snapshot struct {
	Time time.Time `json:"time"`
	// Classes are runtime/metrics' /memory/classes/... in bytes, keyed by
	// the metric name without the "/memory/classes/" prefix and ":bytes"
	// suffix ("heap/objects", "total", ...).
	Classes map[string]uint64 `json:"classes"`
	// HeapLive is /gc/heap/live:bytes: the heap marked live by the last GC.
	HeapLive uint64 `json:"heap_live"`
	// HeapAddr is the address of an object on the Go heap: the mapping that
	// holds it in /proc/PID/smaps is a Go heap arena.
	HeapAddr uint64 `json:"heap_addr"`
	// GOGC is the GC percentage in effect (/gc/gogc:percent); MemoryLimit
	// the soft limit in bytes (math.MaxInt64: none).
	GOGC        int   `json:"gogc"`
	MemoryLimit int64 `json:"memory_limit"`
}

// NonHeap is what the Go runtime mapped outside its heap arenas: its
// metadata (spans, GC bitmaps), profiling buckets, OS thread stacks and
// other runtime structures. In /proc/PID/smaps these pages sit in
// anonymous mappings beside C's; the figure is what was mapped, an upper
// bound of what is resident.
func (s Snapshot) NonHeap() uint64 {
	var heap uint64
	for k, v := range s.Classes {
		if strings.HasPrefix(k, "heap/") {
			heap += v
		}
	}
	return s.Classes["total"] - min(heap, s.Classes["total"])
}

// heapMarker keeps one heap object alive for HeapAddr.
var heapMarker = new([64]byte)

// Read takes a Snapshot of this process.
func Read() Snapshot {
	var descs []metrics.Description
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") || d.Name == "/gc/heap/live:bytes" || d.Name == "/gc/gogc:percent" {
			descs = append(descs, d)
		}
	}
	samples := make([]metrics.Sample, len(descs))
	for i, d := range descs {
		samples[i].Name = d.Name
	}
	metrics.Read(samples)
	s := Snapshot{Time: time.Now(), Classes: map[string]uint64{}, MemoryLimit: debug.SetMemoryLimit(-1)}
	for _, m := range samples {
		if m.Value.Kind() != metrics.KindUint64 {
			continue
		}
		v := m.Value.Uint64()
		switch m.Name {
		case "/gc/heap/live:bytes":
			s.HeapLive = v
		case "/gc/gogc:percent":
			s.GOGC = int(v)
		default:
			k := strings.TrimSuffix(strings.TrimPrefix(m.Name, "/memory/classes/"), ":bytes")
			s.Classes[k] = v
		}
	}
	s.HeapAddr = uint64(addr(heapMarker))
	return s
}

// StartFromEnv starts the writer when EnvFile or EnvHeapProfile is set and
// returns at once; it rewrites the files every Interval until ctx ends. A
// file that cannot be written is reported once to logf and not retried.
func StartFromEnv(ctx context.Context, logf func(msg string, args ...any)) {
	file, prof := os.Getenv(EnvFile), os.Getenv(EnvHeapProfile)
	if file == "" && prof == "" {
		return
	}
	go func() {
		t := time.NewTicker(Interval)
		defer t.Stop()
		for {
			if file != "" {
				if err := writeSnapshot(file, Read()); err != nil {
					logf("memstats: cannot write the snapshot", "path", file, "err", err)
					file = ""
				}
			}
			if prof != "" {
				if err := writeHeapProfile(prof); err != nil {
					logf("memstats: cannot write the heap profile", "path", prof, "err", err)
					prof = ""
				}
			}
			if file == "" && prof == "" {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

func writeSnapshot(path string, s Snapshot) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return replace(path, func(f *os.File) error { _, err := f.Write(b); return err })
}

func writeHeapProfile(path string) error {
	return replace(path, func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) })
}

// replace writes path through a temporary file and a rename, so a reader
// never sees half a file.
func replace(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("memstats: %w", err)
	}
	return nil
}

// ReadFile reads a Snapshot written by StartFromEnv.
func ReadFile(path string) (Snapshot, error) {
	var s Snapshot
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("memstats: %s: %w", path, err)
	}
	if s.Classes["total"] == 0 {
		return s, fmt.Errorf("memstats: %s: no /memory/classes/total", path)
	}
	return s, nil
}
