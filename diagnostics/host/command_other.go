//go:build !windows

package host

import "os/exec"

// hideWindow is a no-op outside Windows: no console window to hide.
func hideWindow(*exec.Cmd) {}
