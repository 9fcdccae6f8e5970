//go:build windows

package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"testing"

	"golang.org/x/sys/windows/registry"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/software"
)

// TestWinRegistry reads a key tree this test writes under HKCU (and
// removes) through the adapter: subkey names, string and DWORD values,
// absent values and keys. Runs on Windows and under Wine.
func TestWinRegistry(t *testing.T) {
	base := fmt.Sprintf(`Software\RestoreDoctorTest-%d`, os.Getpid())
	mk := func(path string, strs map[string]string, dword map[string]uint32) {
		t.Helper()
		k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.ALL_ACCESS)
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		for n, v := range strs {
			if err := k.SetStringValue(n, v); err != nil {
				t.Fatal(err)
			}
		}
		for n, v := range dword {
			if err := k.SetDWordValue(n, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk(base+`\{A}`, map[string]string{"DisplayName": "iTunes", "DisplayVersion": "12.13.2.3", "Publisher": "Apple Inc."}, nil)
	mk(base+`\{B}`, nil, map[string]uint32{"CurrentMajorVersionNumber": 10})
	t.Cleanup(func() {
		for _, p := range []string{base + `\{A}`, base + `\{B}`, base} {
			registry.DeleteKey(registry.CURRENT_USER, p)
		}
	})

	var reg winRegistry
	names, err := reg.SubKeys(software.HKCU, base, 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"{A}", "{B}"}) {
		t.Errorf("SubKeys = %q", names)
	}
	if names, err := reg.SubKeys(software.HKCU, base, 1); err != nil || len(names) != 1 {
		t.Errorf("SubKeys max 1 = %q, %v", names, err)
	}
	v, err := reg.Values(software.HKCU, base+`\{A}`, "DisplayName", "DisplayVersion", "Missing")
	if err != nil || v["DisplayName"] != "iTunes" || v["DisplayVersion"] != "12.13.2.3" || len(v) != 2 {
		t.Errorf("Values = %v, %v", v, err)
	}
	if v, err := reg.Values(software.HKCU, base+`\{B}`, "CurrentMajorVersionNumber"); err != nil || v["CurrentMajorVersionNumber"] != "10" {
		t.Errorf("DWORD = %v, %v", v, err)
	}
	if _, err := reg.SubKeys(software.HKCU, base+`\nope`, 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing key: %v, want fs.ErrNotExist", err)
	}
	// The whole inventory from this machine's registry reads without error
	// (what it finds depends on the machine).
	if _, err := software.ReadWindowsRegistry(reg); err != nil {
		t.Errorf("ReadWindowsRegistry: %v", err)
	}
}
