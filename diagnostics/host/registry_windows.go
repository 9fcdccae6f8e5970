//go:build windows

package host

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/software"
)

// systemRegistry is this computer's registry, read-only.
func systemRegistry() software.WindowsRegistry { return winRegistry{} }

// winRegistry adapts golang.org/x/sys/windows/registry to
// software.WindowsRegistry.
type winRegistry struct{}

func hive(root string) (registry.Key, error) {
	switch root {
	case software.HKLM:
		return registry.LOCAL_MACHINE, nil
	case software.HKCU:
		return registry.CURRENT_USER, nil
	}
	return 0, fmt.Errorf("host: unknown registry root %q", root)
}

func openKey(root, path string, access uint32) (registry.Key, error) {
	h, err := hive(root)
	if err != nil {
		return 0, err
	}
	k, err := registry.OpenKey(h, path, access)
	if errors.Is(err, windows.ERROR_FILE_NOT_FOUND) || errors.Is(err, windows.ERROR_PATH_NOT_FOUND) {
		return 0, fmt.Errorf(`%s\%s: %w`, root, path, fs.ErrNotExist)
	}
	if err != nil {
		return 0, fmt.Errorf(`%s\%s: %w`, root, path, err)
	}
	return k, nil
}

// SubKeys implements software.WindowsRegistry.
func (winRegistry) SubKeys(root, path string, max int) ([]string, error) {
	k, err := openKey(root, path, registry.ENUMERATE_SUB_KEYS)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	names, err := k.ReadSubKeyNames(max)
	if errors.Is(err, io.EOF) { // fewer than max
		err = nil
	}
	return names, err
}

// Values implements software.WindowsRegistry: strings as they are, DWORD
// and QWORD values in decimal; other types and absent values are left out.
func (winRegistry) Values(root, path string, names ...string) (map[string]string, error) {
	k, err := openKey(root, path, registry.QUERY_VALUE)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	out := make(map[string]string, len(names))
	for _, n := range names {
		if s, _, err := k.GetStringValue(n); err == nil {
			out[n] = s
		} else if v, _, err := k.GetIntegerValue(n); err == nil {
			out[n] = strconv.FormatUint(v, 10)
		}
	}
	return out, nil
}
