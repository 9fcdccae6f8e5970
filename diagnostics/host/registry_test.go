package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/software"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// oneAppRegistry lists one Apple program under the 64-bit Uninstall key,
// or fails every read with err.
type oneAppRegistry struct {
	name, version string
	err           error
}

const uninstall64 = `SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`

func (r oneAppRegistry) SubKeys(root, path string, max int) ([]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	if root == software.HKLM && path == uninstall64 {
		return []string{"{APPLE}"}, nil
	}
	return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
}

func (r oneAppRegistry) Values(root, path string, names ...string) (map[string]string, error) {
	if r.err != nil {
		return nil, r.err
	}
	if root == software.HKLM && path == uninstall64+`\{APPLE}` {
		return map[string]string{"DisplayName": r.name, "DisplayVersion": r.version, "Publisher": "Apple Inc."}, nil
	}
	return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
}

// TestWindowsSoftwareFromRegistry: with a readable registry PowerShell is
// not started; with an unreadable one PowerShell's answer is used, and
// when both fail the check says why, as an error.
func TestWindowsSoftwareFromRegistry(t *testing.T) {
	denied := errors.New("access is denied")
	ps := recorded{"powershell.exe": {stdout: fixture(t, "software", "windows_apple_devices.json")}}
	for _, tt := range []struct {
		name   string
		reg    oneAppRegistry
		runner recorded
		status string
		detail string
	}{
		{"registry, no PowerShell", oneAppRegistry{name: "iTunes", version: "12.13.2.3"}, recorded{}, report.StatusWarn, "Apple Mobile Device Support is missing"},
		{"registry denied, PowerShell answers", oneAppRegistry{err: denied}, ps, report.StatusPass, "Apple Devices 1.0.4.0"},
		{"both fail", oneAppRegistry{err: denied}, recorded{}, report.StatusError, "Uninstall registry keys cannot be read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckSoftwareVersions(context.Background(), SoftwareOptions{CommandOptions: CommandOptions{Runner: tt.runner, GOOS: "windows"}, Registry: tt.reg})
			if r.Status != tt.status || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("%s %q, want %s containing %q", r.Status, r.Detail, tt.status, tt.detail)
			}
		})
	}
}
