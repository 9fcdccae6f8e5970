package state

import (
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Event is a session event, an I/O result or a user intent: everything
// Reduce applies. A new kind of event is a new type here and a new case in
// Reduce's switch.
type Event interface{ event() }

// EventKind is what happened to a phone or to the iPhone service.
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
	// EventServiceLost and EventServiceBack say the live view lost or
	// regained its connection to the computer's iPhone service (usbmuxd);
	// they carry no phone.
	EventServiceLost EventKind = "service-lost"
	EventServiceBack EventKind = "service-back"
)

// DeviceEvent is one live change from the session, already merged per phone.
type DeviceEvent struct {
	Kind   EventKind
	Source string // "usb", "usbmux" or "lockdown"
	Time   time.Time
	Device viewmodel.Device
	// RTT and Failed describe an EventLatency sample.
	RTT    time.Duration
	Failed bool
	// Drops is the live model's drop count for the phone since the live view
	// started (Attach, Detach and ModeChange only).
	Drops int
	// Err is why the service was lost (EventServiceLost).
	Err error
}

// HostProbed carries the computer's side as a probe saw it.
type HostProbed struct{ Host viewmodel.Host }

// Tick is the clock moving (the progress bar and the countdown follow it).
type Tick struct{ Time time.Time }

// CheckRequested is the user's "Check now"/"Check again".
type CheckRequested struct {
	Time time.Time
	// Step is the step card whose "Check again" asked (step 5, looking
	// for a new backup), 0 for the action bar: that card stays open after
	// the check, where the user looks for the answer.
	Step int
}

// CheckProgress is the running check's progress.
type CheckProgress struct {
	Seq      int
	Progress Progress
}

// CheckDone is a check's end: its report or why it has none.
type CheckDone struct {
	Seq    int
	Report *report.Report
	Err    error
}

// WindowChosen is the Quick/Thorough choice.
type WindowChosen struct{ Window time.Duration }

// Answer keys of TriedSet.
const (
	AnswerCable    = "cable"
	AnswerPort     = "port"
	AnswerComputer = "computer"
	AnswerRestart  = "restart"
)

// TriedSet is one "I already tried" tick (Key: an Answer… constant).
type TriedSet struct {
	Key string
	On  bool
}

// PhoneSelected is the user's choice of phone (by key).
type PhoneSelected struct{ Key string }

// StepExpanded opens or closes a step card.
type StepExpanded struct {
	Step int
	Open bool
}

// StepAcknowledged is a step's acknowledgement ("I have a backup").
type StepAcknowledged struct {
	Step int
	On   bool
}

// IncludeIDsSet is the export's "include identifiers" tick.
type IncludeIDsSet struct{ On bool }

// ActionAsked is a press on an action's button: the confirmation shows.
type ActionAsked struct{ Kind actions.Kind }

// ActionCancelled closes the confirmation.
type ActionCancelled struct{}

// ActionConfirmed is the user's yes: the action starts.
type ActionConfirmed struct{ Kind actions.Kind }

// ActionDone is an action's result.
type ActionDone struct{ Result actions.Result }

// ExportOpened and ExportClosed bracket the export dialog.
type (
	ExportOpened struct{}
	ExportClosed struct{}
)

func (DeviceEvent) event()      {}
func (HostProbed) event()       {}
func (Tick) event()             {}
func (CheckRequested) event()   {}
func (CheckProgress) event()    {}
func (CheckDone) event()        {}
func (WindowChosen) event()     {}
func (TriedSet) event()         {}
func (PhoneSelected) event()    {}
func (StepExpanded) event()     {}
func (StepAcknowledged) event() {}
func (IncludeIDsSet) event()    {}
func (ActionAsked) event()      {}
func (ActionCancelled) event()  {}
func (ActionConfirmed) event()  {}
func (ActionDone) event()       {}
func (ExportOpened) event()     {}
func (ExportClosed) event()     {}
