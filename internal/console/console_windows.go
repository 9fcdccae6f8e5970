//go:build windows

package console

import (
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	kernel32                  = windows.NewLazySystemDLL("kernel32.dll")
	procAttachConsole         = kernel32.NewProc("AttachConsole")
	procFreeConsole           = kernel32.NewProc("FreeConsole")
	procGetConsoleWindow      = kernel32.NewProc("GetConsoleWindow")
	procGetConsoleProcessList = kernel32.NewProc("GetConsoleProcessList")
)

const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1

// Setup attaches the GUI build given a subcommand to its shell's console,
// and drops the fresh console of the console build opening the window from
// Explorer (see the package doc).
func Setup(opensWindow bool) {
	hasConsole, _, _ := procGetConsoleWindow.Call()
	if opensWindow {
		if hasConsole != 0 && consoleProcesses() == 1 {
			procFreeConsole.Call()
		}
		return
	}
	if hasConsole != 0 {
		return
	}
	if r, _, _ := procAttachConsole.Call(attachParentProcess); r == 0 {
		return // started without a console (Explorer, a service): nowhere to print
	}
	// Handles the parent redirected (a pipe, a file) stay; only missing ones go to the console.
	if !validHandle(windows.STD_OUTPUT_HANDLE) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stdout = f
		}
	}
	if !validHandle(windows.STD_ERROR_HANDLE) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stderr = f
		}
	}
	if !validHandle(windows.STD_INPUT_HANDLE) {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

// consoleProcesses is how many processes share this console (1: only us).
func consoleProcesses() uintptr {
	var pids [4]uint32
	n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&pids[0])), uintptr(len(pids)))
	return n
}

func validHandle(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	return err == nil && h != 0 && h != windows.InvalidHandle
}
