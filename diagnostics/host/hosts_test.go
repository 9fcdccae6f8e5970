package host

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(testtmp.Dir(t), "hosts")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckHostsFile(t *testing.T) {
	fixture := filepath.Join("hostsfile", "testdata", "windows_jailbreak_bom_crlf.hosts")
	tests := []struct {
		name     string
		path     string
		status   string
		severity string
		lines    []int
		detail   string
	}{
		{"jailbreak fixture", fixture, report.StatusFail, report.SeverityCritical, []int{6, 9}, "gs.apple.com to 74.208.105.171 (line 6)"},
		{"clean", writeFile(t, "127.0.0.1 localhost\n::1 localhost\n"), report.StatusPass, "", nil, "2 mappings, none for an Apple host"},
		{"other apple host only", writeFile(t, "127.0.0.1 localhost\n10.1.1.1 www.icloud.com\n"), report.StatusWarn, report.SeverityWarning, []int{2}, "line 2: www.icloud.com"},
		{"missing", filepath.Join(testtmp.Dir(t), "nope"), report.StatusPass, "", nil, "no hosts file at"},
		{"directory", testtmp.Dir(t), report.StatusError, "", nil, "it is a directory"},
		{"device", os.DevNull, report.StatusError, "", nil, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckHostsFile(context.Background(), tt.path)
			if r.ID != report.CheckHostHostsFile || r.Status != tt.status {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Detail, tt.status)
			}
			if !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", r.Detail, tt.detail)
			}
			if len(tt.lines) == 0 {
				if len(r.Findings) != 0 {
					t.Errorf("findings %+v", r.Findings)
				}
				return
			}
			if len(r.Findings) != 1 {
				t.Fatalf("findings %+v", r.Findings)
			}
			f := r.Findings[0]
			if f.ID != report.FindingHostHostsFileRedirect || f.Severity != tt.severity || len(f.Steps) != 1 || f.Steps[0] != 3 {
				t.Errorf("finding %+v", f)
			}
			lines := f.Evidence["lines"].([]any)
			if len(lines) != len(tt.lines) {
				t.Fatalf("evidence lines %v", lines)
			}
			for i, l := range lines {
				if l.(map[string]any)["line"] != tt.lines[i] {
					t.Errorf("evidence line %d = %v, want %d", i, l, tt.lines[i])
				}
			}
		})
	}
}

func TestCheckHostsFileUnreadable(t *testing.T) {
	if runtime.GOOS == "windows" {
		// Windows reads a path through a file as "not found" (a missing hosts
		// file is no redirection): make the hosts file a directory instead.
		r := CheckHostsFile(context.Background(), testtmp.Dir(t))
		if r.Status != report.StatusError || !strings.Contains(r.Detail, "cannot read hosts file") {
			t.Errorf("%s: %s", r.Status, r.Detail)
		}
		return
	}
	if os.Geteuid() == 0 {
		// root reads anything; make a file unreadable another way: a FIFO
		// would block, so use a path through a non-directory instead.
		p := writeFile(t, "x")
		r := CheckHostsFile(context.Background(), filepath.Join(p, "hosts"))
		// The OS's own wording differs per OS and language: assert ours.
		if r.Status != report.StatusError || !strings.Contains(r.Detail, "cannot read hosts file") {
			t.Errorf("%s: %s", r.Status, r.Detail)
		}
		return
	}
	p := writeFile(t, "0.0.0.0 gs.apple.com\n")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	r := CheckHostsFile(context.Background(), p)
	if r.Status != report.StatusError || !strings.Contains(r.Detail, "cannot read hosts file") {
		t.Errorf("%s: %s", r.Status, r.Detail)
	}
}

func TestDefaultHostsFilePath(t *testing.T) {
	p := DefaultHostsFilePath()
	if runtime.GOOS == "windows" {
		if !strings.HasSuffix(strings.ToLower(p), `\system32\drivers\etc\hosts`) {
			t.Errorf("path %q", p)
		}
		return
	}
	if p != "/etc/hosts" {
		t.Errorf("path %q", p)
	}
	// The real file on this machine parses without error.
	if r := CheckHostsFile(context.Background(), ""); r.Status == report.StatusError {
		t.Errorf("default hosts file: %s", r.Detail)
	}
}
