//go:build linux

package main

import (
	"net"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// listenFull opens a unix socket listener with an accept backlog of 0 that
// never accepts, and fills its queue: connecting to it fails with EAGAIN,
// as to a usbmuxd too busy to take connections.
func listenFull(t *testing.T, path string) net.Listener {
	t.Helper()
	ln, err := sim.ListenBacklog(path, 0)
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
