package watchlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func TestCommandValidate(t *testing.T) {
	tests := []struct {
		name string
		c    Command
		flag string // named in the error; "" = valid
	}{
		{"defaults", Command{Interval: DefaultInterval}, ""},
		{"shortest interval", Command{Interval: MinInterval}, ""},
		{"unix path", Command{Interval: DefaultInterval, UsbmuxdAddress: "/tmp/x"}, ""},
		{"interval too short", Command{Interval: time.Millisecond}, "--interval 1ms: want at least 50ms"},
		{"bad usbmuxd", Command{Interval: DefaultInterval, UsbmuxdAddress: "ftp://x"}, "--usbmuxd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.flag == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.flag) {
				t.Fatalf("err = %v, want it to start with %q", err, tc.flag)
			}
		})
	}
	var ae *usbmux.AddressError
	if err := (Command{Interval: DefaultInterval, UsbmuxdAddress: "ftp://x"}).Validate(); !errors.As(err, &ae) {
		t.Errorf("bad usbmuxd: err = %v, want a *usbmux.AddressError", err)
	}
}

// lockedBuffer is a bytes.Buffer safe for the stream's writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestRunCommand watches the simulator's usbmuxd on a real socket for a
// bounded time (--for): the phone's attach and a quick check's verdict come
// out as JSON lines, and the watch ends on its own with no error.
func TestRunCommand(t *testing.T) {
	srv, err := sim.Start(context.Background(), sim.LocalAddress(testtmp.Dir(t)), sim.Scenario{Name: "healthy", Phones: []sim.Phone{sim.PhoneA()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var out, errb lockedBuffer
	err = RunCommand(context.Background(), Command{JSON: true, UsbmuxdAddress: srv.Addr(), Interval: MinInterval, For: 3 * time.Second,
		ToolVersion: "test", Stdout: &out, Stderr: &errb, Prefix: "watch: "})
	if err != nil {
		t.Fatalf("RunCommand: %v (stderr %q)", err, errb.String())
	}
	var attach, summary bool
	for _, s := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var l Line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("not a JSON line: %q: %v", s, err)
		}
		attach = attach || (l.Source == "usbmux" && l.Kind == "attach" && l.Phone != "" && l.Drops != nil && *l.Drops == 0)
		summary = summary || (l.Source == "check" && l.Kind == "summary" && strings.Contains(l.Summary, "normal"))
		if strings.Contains(s, "001A2B3C4D5E6F70") {
			t.Errorf("identifier not redacted: %s", s)
		}
	}
	if !attach || !summary {
		t.Errorf("attach line %v, check summary %v in:\n%s", attach, summary, out.String())
	}
}

// failingWriter fails every write, as /dev/full does.
type failingWriter struct{}

var errFull = errors.New("no space left on device")

func (failingWriter) Write([]byte) (int, error) { return 0, errFull }

// TestRunCommandStdoutFails ends the watch at the first failed write to
// stdout, with the reason on stderr, rather than watching on unseen.
func TestRunCommandStdoutFails(t *testing.T) {
	srv, err := sim.Start(context.Background(), sim.LocalAddress(testtmp.Dir(t)), sim.Scenario{Name: "healthy", Phones: []sim.Phone{sim.PhoneA()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var errb lockedBuffer
	err = RunCommand(context.Background(), Command{UsbmuxdAddress: srv.Addr(), Interval: MinInterval, NoChecks: true, For: time.Minute,
		Stdout: failingWriter{}, Stderr: &errb, Prefix: "watch: "})
	if !errors.Is(err, ErrWatchFailed) || !strings.HasPrefix(errb.String(), "watch: writing to stdout: ") {
		t.Errorf("err = %v, stderr %q; want ErrWatchFailed and the write error", err, errb.String())
	}
}

func TestRunCommandBadAddress(t *testing.T) {
	var errb lockedBuffer
	err := RunCommand(context.Background(), Command{UsbmuxdAddress: "ftp://x", Interval: MinInterval, Stdout: &bytes.Buffer{}, Stderr: &errb, Prefix: "watch: "})
	if !errors.Is(err, ErrWatchFailed) || !strings.HasPrefix(errb.String(), "watch: usbmuxd address: ") {
		t.Errorf("err = %v, stderr %q", err, errb.String())
	}
}
