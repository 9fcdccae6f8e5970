//go:build !windows

package console

// Setup has nothing to do outside Windows: see console_windows.go.
func Setup(opensWindow bool) {}
