//go:build !windows

package main

// setupConsole has nothing to do outside Windows: see console_windows.go.
func setupConsole([]string) {}
