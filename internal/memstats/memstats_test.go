package memstats

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestReadAccountsForTheRuntime(t *testing.T) {
	runtime.GC() // the live heap is known after a GC
	s := Read()
	if s.Classes["total"] == 0 || s.Classes["heap/objects"] == 0 {
		t.Fatalf("no memory classes: %v", s.Classes)
	}
	if s.HeapAddr == 0 || s.HeapLive == 0 || s.GOGC == 0 {
		t.Errorf("snapshot %+v: want a heap address, a live heap and GOGC", s)
	}
	if nh := s.NonHeap(); nh == 0 || nh >= s.Classes["total"] {
		t.Errorf("NonHeap = %d of total %d: want a part of it", nh, s.Classes["total"])
	}
}

func TestStartFromEnvWritesFiles(t *testing.T) {
	dir := t.TempDir()
	stats, prof := filepath.Join(dir, "memstats.json"), filepath.Join(dir, "heap.pprof")
	t.Setenv(EnvFile, stats)
	t.Setenv(EnvHeapProfile, prof)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	StartFromEnv(ctx, func(msg string, args ...any) { t.Errorf("%s %v", msg, args) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := ReadFile(stats)
		fi, perr := os.Stat(prof)
		if err == nil && perr == nil && fi.Size() > 0 {
			if s.Classes["total"] == 0 {
				t.Errorf("snapshot without a total: %+v", s)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("files not written: %v, %v", err, perr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartFromEnvReportsAnUnwritableFile(t *testing.T) {
	t.Setenv(EnvFile, filepath.Join(t.TempDir(), "missing-dir", "memstats.json"))
	t.Setenv(EnvHeapProfile, "")
	got := make(chan string, 1)
	StartFromEnv(context.Background(), func(msg string, _ ...any) { got <- msg })
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("an unwritable snapshot file was not reported")
	}
}

func TestReadFileRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"garbage": "not json", "empty object": "{}"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadFile(p); err == nil {
			t.Errorf("%s: ReadFile accepted %q", name, content)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "absent")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent file: err = %v, want not-exist", err)
	}
}
