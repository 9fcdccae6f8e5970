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

	"github.com/restoredoctor/restoredoctor/device/restoretrace"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// EventKind is what happened to a phone or to the iPhone service.
type EventKind = state.EventKind

// Kinds of DeviceEvent (state.Event…).
const (
	EventAttach      = state.EventAttach
	EventDetach      = state.EventDetach
	EventModeChange  = state.EventModeChange
	EventUpdate      = state.EventUpdate
	EventLatency     = state.EventLatency
	EventServiceLost = state.EventServiceLost
	EventServiceBack = state.EventServiceBack
)

// DeviceEvent is one live change, from USB or usbmuxd, already merged per
// phone, or the iPhone service's connection lost or back.
type DeviceEvent = state.DeviceEvent

// Progress is the running check's progress.
type Progress = state.Progress

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

// Recorder is a Backend that can record a restore passively ("Watch my
// restore"). The window stops its live view (Watch) and any check before it
// calls RecordRestore, and starts Watch again after it returned.
type Recorder interface {
	// RecordRestore records until ctx ends: a cancel cause of
	// restorewatch.ErrDone ends the recording "done", anything else
	// "interrupted". started is called once, when the recorder runs; emit
	// gets every event in order, record.start first and record.stop last,
	// from the recorder's goroutine. It sends nothing to any phone.
	RecordRestore(ctx context.Context, started func(RecordInfo), emit func(restoretrace.Event)) error
}

// RecordInfo describes a recording that started.
type RecordInfo struct {
	// Header is the trace's header: its StartedAt is time zero of the events.
	Header restoretrace.Header
	// TracePath is where the trace is written ("" for none).
	TracePath string
	// NowMS is the recording's clock, in milliseconds since it started (a
	// replay's runs faster than the wall's).
	NowMS func() int64
}
