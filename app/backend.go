// Package app is the Restore Doctor window (Fyne): the device panel, the
// automatic check with its progress and stability strip, the ranked fix
// steps, the before/after comparison and the report export.
//
// It renders view-models built by package app/viewmodel and sends the user's
// intents to a Backend. It holds no USB or socket code: the real Backend (an
// adapter over diagnostics/session) is wired in cmd/restoredoctor, and tests
// use a fake one with plain report values. It imports diagnostics
// and device types; nothing imports app.
package app

import (
	"context"
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// EventKind is what happened to a phone.
type EventKind string

// Kinds of DeviceEvent.
const (
	EventAttach     EventKind = "attach"
	EventDetach     EventKind = "detach"
	EventModeChange EventKind = "mode-change"
	// EventUpdate refreshes what is known about a present phone (iOS version, trust).
	EventUpdate EventKind = "update"
	// EventLatency carries one lockdown round trip (RTT, Failed) for the stability strip.
	EventLatency EventKind = "latency"
)

// DeviceEvent is one live change, from USB or usbmuxd, already merged per phone.
type DeviceEvent struct {
	Kind   EventKind
	Source string // "usb" or "usbmux"
	Time   time.Time
	Device viewmodel.Device
	// RTT and Failed describe an EventLatency sample.
	RTT    time.Duration
	Failed bool
	// Drops is the live model's drop count for the phone since the live view
	// started (device.Stability.Drops; Attach, Detach and ModeChange only).
	// The strip caption of a running check counts from it.
	Drops int
}

// Progress is the running check's progress.
type Progress struct {
	Done, Total int
	// Label names the running check in plain words.
	Label string
	// Report, when not nil, is the verdict so far (report.InProgress set);
	// the window shows the latest one until the check ends.
	Report *report.Report
}

// CheckOptions are the user's choices for one check.
type CheckOptions struct {
	// Window is the stability sampling window (10 s quick, 30 s thorough).
	Window time.Duration
	Tried  viewmodel.Tried
}

// Backend is the I/O the window needs: live phones, the computer's state
// and checks (cmd/restoredoctor adapts diagnostics/session to it). The step
// catalogue and the re-ranking of steps are pure and come with Options.
// Methods that wait take a context and return when it ends.
type Backend interface {
	// Watch reports live device events to emit until ctx ends, then returns.
	// emit is called from the Backend's goroutine.
	Watch(ctx context.Context, emit func(DeviceEvent)) error
	// HostStatus probes usbmuxd and libusb access, within ctx's deadline.
	HostStatus(ctx context.Context) viewmodel.Host
	// Check runs the diagnostics once, reporting progress from its goroutine.
	Check(ctx context.Context, opts CheckOptions, progress func(Progress)) (*report.Report, error)
}
