//go:build unix

package faults

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/host"
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
