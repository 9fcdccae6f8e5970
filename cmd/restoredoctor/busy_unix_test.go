//go:build linux

package main

import (
	"net"
	"os"
	"syscall"
	"testing"
)

// listenFull opens a unix socket listener with an accept backlog of 0 that
// never accepts, and fills its queue: connecting to it fails with EAGAIN,
// as to a usbmuxd too busy to take connections.
func listenFull(t *testing.T, path string) net.Listener {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		t.Fatal(err)
	}
	for range 4 { // fill the queue; the connections stay open with the listener
		c, err := net.Dial("unix", path)
		if err != nil {
			break
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	return ln
}
