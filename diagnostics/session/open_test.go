package session

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// TestOpenDemo opens a session on the demo simulator, as the window's
// --demo does: its live view sees the phone, a check reaches the
// simulator's usbmuxd, and Close stops the simulator.
func TestOpenDemo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := Open(ctx, Setup{Demo: "healthy", ToolVersion: "test", PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			sess.Close()
		}
	}()
	if sess.USBErr() != nil || sess.USB() == nil || sess.Opener() == nil || sess.UsbmuxdAddress() == "" {
		t.Fatalf("demo session: USBErr %v, USB %v, Opener %v, address %q", sess.USBErr(), sess.USB(), sess.Opener(), sess.UsbmuxdAddress())
	}

	wctx, wcancel := context.WithCancel(ctx)
	attached := make(chan Event, 1)
	done := make(chan error, 1)
	go func() {
		done <- sess.Watch(wctx, func(e Event) {
			if e.Kind == Attach && e.Source == device.SourceUsbmux {
				select {
				case attached <- e:
				default:
				}
			}
		})
	}()
	select {
	case <-attached:
	case <-ctx.Done():
		t.Fatal("the demo phone never attached through usbmuxd")
	}
	wcancel()
	if err := <-done; err != nil {
		t.Fatalf("Watch: %v", err)
	}

	rep, err := sess.Check(ctx, diagnostics.Options{UsbmuxdAddress: sess.UsbmuxdAddress(), NoNetwork: true, LockdownRequests: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Devices) != 1 || rep.ToolVersion != "test" {
		t.Errorf("check: %d devices, tool version %q; want the demo phone and \"test\"", len(rep.Devices), rep.ToolVersion)
	}

	sess.Close()
	closed = true
	lctx, lcancel := context.WithTimeout(ctx, 5*time.Second)
	defer lcancel()
	if _, err := sess.Usbmux().List(lctx); err == nil {
		t.Error("the demo's usbmuxd still answers after Close")
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := Open(ctx, Setup{UsbmuxdAddress: "ftp://x"})
	var ae *usbmux.AddressError
	if !errors.As(err, &ae) {
		t.Errorf("bad address: err = %v, want a *usbmux.AddressError", err)
	}
	if _, err := Open(ctx, Setup{Demo: "no-such-scenario"}); !errors.Is(err, sim.ErrUnknownScenario) {
		t.Errorf("unknown demo: err = %v, want sim.ErrUnknownScenario", err)
	}
}

// TestOpenThisComputer opens this computer's USB bus, whether or not libusb
// can be used here: either the live view has the bus and an opener, or
// neither and USBErr says why.
func TestOpenThisComputer(t *testing.T) {
	path := testtmp.Dir(t) + "/usbmuxd"
	sess, err := Open(context.Background(), Setup{UsbmuxdAddress: path})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if sess.USBErr() == nil {
		if sess.USB() == nil || sess.Opener() == nil {
			t.Errorf("USB usable but the session has USB %v, opener %v", sess.USB(), sess.Opener())
		}
	} else if sess.USB() != nil || sess.Opener() != nil {
		t.Errorf("USB not usable (%v) but the session has USB %v, opener %v", sess.USBErr(), sess.USB(), sess.Opener())
	}
	if sess.UsbmuxdAddress() != path || sess.Usbmux().Addr().Addr != path {
		t.Errorf("usbmuxd address %q, client's %v; want %q", sess.UsbmuxdAddress(), sess.Usbmux().Addr(), path)
	}
}
