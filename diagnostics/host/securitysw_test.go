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

func TestCheckSecuritySoftware(t *testing.T) {
	sec := func(name string) string { return fixture(t, "security", name) }
	tests := []struct {
		name     string
		goos     string
		runner   recorded
		status   string
		severity string // "" = no finding
		summary  string
		steps    int
	}{
		{"windows defender only", "windows", recorded{"powershell.exe": {stdout: sec("windows_defender_only.json")}},
			report.StatusPass, report.SeverityInfo, "only built-in security software is active: Windows Defender", 0},
		{"windows norton", "windows", recorded{"powershell.exe": {stdout: sec("windows_norton_defender.json")}},
			report.StatusWarn, report.SeverityWarning, "active security software: Norton 360", 1},
		{"windows mcafee disabled", "windows", recorded{"powershell.exe": {stdout: sec("windows_mcafee_disabled.json")}},
			report.StatusPass, report.SeverityInfo, "3 security products installed, none active", 0},
		{"windows no products", "windows", recorded{"powershell.exe": {stdout: sec("windows_no_products.json")}},
			report.StatusPass, "", "reports no security software", 0},
		// PowerShell blocked or killed prints nothing: an error, never a pass.
		{"windows empty output", "windows", recorded{"powershell.exe": {stdout: ""}},
			report.StatusError, "", "printed nothing", 0},
		{"windows blank output", "windows", recorded{"powershell.exe": {stdout: "\r\n"}},
			report.StatusError, "", "printed nothing", 0},
		{"windows server", "windows", recorded{"powershell.exe": {stderr: sec("windows_server_stderr.txt"), exit: 1}},
			report.StatusUnsupported, "", "not available on this edition", 0},
		{"windows garbage", "windows", recorded{"powershell.exe": {stdout: "<html>"}},
			report.StatusError, "", "not JSON", 0},
		{"windows no powershell", "windows", recorded{},
			report.StatusError, "", "not installed", 0},
		{"mac crowdstrike", "darwin", recorded{"systemextensionsctl": {stdout: sec("macos_crowdstrike_active.txt")}},
			report.StatusWarn, report.SeverityWarning, "active security software: CrowdStrike Falcon", 1},
		{"mac none", "darwin", recorded{"systemextensionsctl": {stdout: sec("macos_none.txt")}},
			report.StatusPass, "", "reports no security software", 0},
		{"mac lulu waiting", "darwin", recorded{"systemextensionsctl": {stdout: sec("macos_lulu_waiting.txt")}},
			report.StatusPass, report.SeverityInfo, "1 security product installed, not active", 0},
		{"mac old", "darwin", recorded{}, report.StatusUnsupported, "", "older than 10.15", 0},
		{"mac garbage", "darwin", recorded{"systemextensionsctl": {stdout: "hello"}}, report.StatusError, "", "not systemextensionsctl output", 0},
		{"linux", "linux", recorded{}, report.StatusUnsupported, "", "no reliable way", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckSecuritySoftware(context.Background(), CommandOptions{Runner: tt.runner, GOOS: tt.goos})
			if r.ID != report.CheckHostSecuritySoftware || r.Status != tt.status {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Detail, tt.status)
			}
			if !strings.Contains(r.Detail, tt.summary) {
				t.Errorf("detail %q lacks %q", r.Detail, tt.summary)
			}
			if tt.severity == "" {
				if len(r.Findings) != 0 {
					t.Errorf("findings %+v", r.Findings)
				}
				return
			}
			if len(r.Findings) != 1 {
				t.Fatalf("findings %+v", r.Findings)
			}
			f := r.Findings[0]
			if f.ID != report.FindingHostSecuritySoftware || f.Severity != tt.severity || len(f.Steps) != tt.steps {
				t.Errorf("finding %+v", f)
			}
			if tt.steps == 1 && f.Steps[0] != 3 {
				t.Errorf("steps %v", f.Steps)
			}
			if len(f.Evidence["products"].([]any)) == 0 {
				t.Error("no products in evidence")
			}
		})
	}
}

// TestSecuritySoftwareRealExec runs the macOS path through the real
// ExecRunner against a stand-in systemextensionsctl on PATH.
func TestSecuritySoftwareRealExec(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs a POSIX shell")
	}
	dir := testtmp.Dir(t)
	src, _ := filepath.Abs(filepath.Join("security", "testdata", "macos_crowdstrike_active.txt"))
	script := "#!/bin/sh\n[ \"$1\" = list ] || exit 64\nexec /bin/cat '" + src + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "systemextensionsctl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	r := CheckSecuritySoftware(context.Background(), CommandOptions{GOOS: "darwin"})
	if r.Status != report.StatusWarn || len(r.Findings) != 1 || !strings.Contains(r.Detail, "CrowdStrike") {
		t.Fatalf("%s: %s", r.Status, r.Detail)
	}
	// This machine's own platform answers honestly.
	if runtime.GOOS == "linux" {
		if r := CheckSecuritySoftware(context.Background(), CommandOptions{}); r.Status != report.StatusUnsupported {
			t.Errorf("linux: %s %s", r.Status, r.Detail)
		}
	}
}
