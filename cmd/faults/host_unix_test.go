//go:build unix

package faults

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/host"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/probecache"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/software"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// A FIFO (or device) as the hosts file must not block the check: opening a
// FIFO for reading waits for a writer forever.
func TestHostsFileFIFO(t *testing.T) {
	guard(t)
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	var r host.Result
	within(t, slack, "CheckHostsFile on a FIFO", func() { r = host.CheckHostsFile(context.Background(), p) })
	if r.Status != report.StatusError {
		t.Errorf("status = %s (%q), want error", r.Status, r.Detail)
	}
}

// A FIFO where the probe cache file should be must not block the software
// check: the cache is ignored (no hit) and not written through.
func TestProbeCacheFIFO(t *testing.T) {
	guard(t)
	p := filepath.Join(t.TempDir(), "probes.json")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	c := probecache.New(p, nil)
	st := probecache.Stamp{Path: "/usr/sbin/usbmuxd", Size: 1}
	var hit bool
	within(t, slack, "probe cache Get on a FIFO", func() { _, hit = c.Get("k", st) })
	if hit {
		t.Error("a hit from a FIFO")
	}
	c.Put("k", st, "v")
	var err error
	within(t, slack, "probe cache Flush on a FIFO", func() { err = c.Flush() })
	if err == nil {
		t.Error("Flush wrote through a FIFO")
	}
}

// A FIFO where a macOS plist should be must not block the software check:
// the version is unreadable, never waited for.
func TestMacPlistFIFO(t *testing.T) {
	guard(t)
	root := t.TempDir()
	p := filepath.Join(root, filepath.FromSlash(software.MacSystemVersionPlist))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	var inv software.MacInventory
	within(t, slack, "ReadMacInventory with a FIFO as SystemVersion.plist", func() { inv = software.ReadMacInventory(os.DirFS(root)) })
	if inv.OSErr == nil {
		t.Errorf("a FIFO read as SystemVersion.plist: %+v", inv.OS)
	}
}
