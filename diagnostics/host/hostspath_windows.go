//go:build windows

package host

import (
	"os"
	"path/filepath"
)

// DefaultHostsFilePath is %SystemRoot%\System32\drivers\etc\hosts, falling
// back to C:\Windows when SystemRoot is unset. (A DataBasePath registry
// override under Tcpip\Parameters is rare and not followed.)
func DefaultHostsFilePath() string {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	return filepath.Join(root, "System32", "drivers", "etc", "hosts")
}
