//go:build !windows

package host

import "github.com/restoredoctor/restoredoctor/diagnostics/host/software"

// systemRegistry is nil outside Windows: there is no registry to read.
func systemRegistry() software.WindowsRegistry { return nil }
