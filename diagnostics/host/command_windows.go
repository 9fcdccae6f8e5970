//go:build windows

package host

import (
	"os/exec"
	"syscall"
)

// createNoWindow keeps PowerShell from flashing a console over the GUI.
const createNoWindow = 0x08000000

func hideWindow(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: createNoWindow}
}
