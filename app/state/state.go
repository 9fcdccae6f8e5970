// Package state is the window's whole state as one plain value and the one
// function that changes it: Reduce(State, Event) State. It knows no Fyne and
// does no I/O. A check, an action or an export runs outside (the window
// starts it when the state asks for it: Check.Running with a new Seq,
// Action.Running with a new Seq) and comes back as an event.
//
// The panes of app/ draw from a State and keep no facts of their own; the
// export renders the same State's View, so the window and the file agree.
//
// Extending the window (e.g. a restore recorder, "Watch my restore", or a
// backup line on step 5): add the facts to State (one field or one nested
// struct), the session events and user intents to events.go, one case each
// to Reduce with a table test in reduce_test.go, the words to app/viewmodel,
// and a pane type in app/pane_*.go that UI.render calls. A recording or
// any other I/O is started by app's effects when the state asks for it and
// comes back as events, like a check.
package state

import (
	"maps"
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Sampling windows offered to the user.
const (
	QuickWindow    = 10 * time.Second
	ThoroughWindow = 30 * time.Second
)

const (
	// ForgetAfter is how long a disconnected phone stays on the card when
	// another phone is present.
	ForgetAfter = 30 * time.Second
	// ReplugAfter is how long a phone must have been away for its return to
	// count as a new plug-in (which starts a check) rather than a flap.
	ReplugAfter = 5 * time.Second
)

// Service is the computer's iPhone service (usbmuxd, Apple Mobile Device
// Service) as the live view sees its connection.
type Service string

// Service states.
const (
	ServiceUnknown Service = ""     // no word from the live view yet
	ServiceUp      Service = "up"   // the live view is connected to it
	ServiceLost    Service = "lost" // the connection went away
)

// Phone is one phone of the live view: what the window knows of it now.
type Phone struct {
	Device   viewmodel.Device
	GoneAt   time.Time // zero while connected
	LastSeen time.Time
	// CheckedFor is set once an automatic check ran since it was plugged in.
	CheckedFor bool
	// Drops is the live model's drop count, DropsAtCheck its value when the
	// running check started.
	Drops, DropsAtCheck int
}

// View is the phone as the window shows it.
func (p Phone) View() viewmodel.Device {
	d := p.Device
	d.Disconnected = !p.GoneAt.IsZero()
	return d
}

// Progress is the running check's progress as the engine reports it.
type Progress struct {
	Done, Total int
	// Label names the running check in plain words.
	Label string
	// Report, when not nil, is the verdict so far (report.InProgress set).
	Report *report.Report
}

// Check is the running check (Running) or the last one's live record.
type Check struct {
	Running bool
	// Seq numbers the checks; the window starts the I/O for a Seq once.
	Seq     int
	Started time.Time
	Window  time.Duration
	// Tried are the answers the check runs with.
	Tried    viewmodel.Tried
	Progress Progress
	// Marks and Samples are the stability strip's drops, returns, mode
	// changes and answers (all phones; the strip picks the selected one).
	Marks   []viewmodel.StripEvent
	Samples []viewmodel.LatencySample
	// ServiceLost is set when the iPhone service went away while it ran.
	ServiceLost bool
	// Step is the step card that asked for the check (CheckRequested.Step).
	Step int
}

// Run is a finished check: its report (every phone, ranked with Tried) and
// the answers it ran with.
type Run struct {
	Report *report.Report
	// Tried are the answers the check ran with: only these are evidence.
	Tried viewmodel.Tried
	// ServiceLost is set when the iPhone service went away during it.
	ServiceLost bool
}

// Action is the window's part in actions on a phone.
type Action struct {
	// Available is set when the backend can act on phones.
	Available bool
	// Confirming waits for the user's yes; Running is under way on Device.
	Confirming, Running actions.Kind
	Seq                 int
	Device              viewmodel.Device
	// Results are the last result shown on each step's card, by step number.
	Results map[int]actions.Result
	// Pending are results not yet in a report: the next check adds them.
	Pending []actions.Result
	// Recheck is set when the last action ran: its check compares before
	// and after in the action's terms.
	Recheck actions.Kind
}

// State is everything the window shows. Its maps and slices are never
// changed in place: Reduce copies before it writes.
type State struct {
	// Catalog is the step catalogue the steps are ranked from (read-only).
	Catalog *catalog.Catalog
	// Demo is the simulator scenario ("" for a real phone).
	Demo string
	// AutoCheck starts a check when a phone is plugged in or the service returns.
	AutoCheck bool
	// QuietUntil: phones that appear before it start no automatic check
	// (the live view finding them again right after a recording).
	QuietUntil time.Time
	// Now is the time of the last event.
	Now time.Time

	Phones   map[string]Phone
	Selected string
	Host     viewmodel.Host
	Service  Service

	// Window is the sampling window of the next check; Tried the user's
	// answers now ("I already tried").
	Window time.Duration
	Tried  viewmodel.Tried

	Check      Check
	Last, Prev *Run
	RunErr     error
	// View and PrevView are Last and Prev about the selected phone alone,
	// ranked with Tried: the headline, the steps, the comparison and the
	// export all render them.
	View, PrevView *report.Report

	Action Action

	// Recording is "Watch my restore": the running recording or the last
	// one's verdict (record.go).
	Recording Recording

	// Expanded and Ack are the user's step toggles and acknowledgements.
	Expanded map[int]bool
	Ack      map[int]bool
	// IncludeIDs is the export's "include identifiers" tick; ExportOpen is
	// set while the export dialog is open.
	IncludeIDs bool
	ExportOpen bool
	// Scroll asks the steps pane to bring the verdict into view; it grows by
	// one each time a new verdict arrives.
	Scroll int
}

// New is the state of a window that has just opened.
func New(cat *catalog.Catalog, demo string, autoCheck, actionsAvailable bool) State {
	return State{
		Catalog: cat, Demo: demo, AutoCheck: autoCheck, Window: QuickWindow,
		Phones: map[string]Phone{}, Expanded: map[int]bool{}, Ack: map[int]bool{},
		Action: Action{Available: actionsAvailable, Results: map[int]actions.Result{}},
	}
}

// SelectedPhone is the phone on the card.
func (s State) SelectedPhone() (viewmodel.Device, bool) {
	if p, ok := s.Phones[s.Selected]; ok {
		return p.View(), true
	}
	return viewmodel.Device{}, false
}

// AnyConnected reports whether a phone is connected now.
func (s State) AnyConnected() bool {
	for _, p := range s.Phones {
		if p.GoneAt.IsZero() {
			return true
		}
	}
	return false
}

// Devices lists the phones of the live view as the window shows them.
func (s State) Devices() []viewmodel.Device {
	out := make([]viewmodel.Device, 0, len(s.Phones))
	for k, p := range s.Phones {
		d := p.View()
		d.Key = k
		out = append(out, d)
	}
	return out
}

// Busy reports whether a check, an action or a restore recording runs
// (while recording, nothing may be sent to a phone: no check, no action).
func (s State) Busy() bool { return s.Check.Running || s.Action.Running != "" || s.Recording.Running }

// UntestedAnswers are the answers the user gave since the last check ran:
// they may re-rank the steps but are not evidence yet.
func (s State) UntestedAnswers() viewmodel.Tried {
	var ran viewmodel.Tried
	if s.Last != nil {
		ran = s.Last.Tried
	}
	return viewmodel.Tried{
		Cable:    s.Tried.Cable && !ran.Cable,
		Port:     s.Tried.Port && !ran.Port,
		Computer: s.Tried.Computer && !ran.Computer,
		Restart:  s.Tried.Restart && !ran.Restart,
	}
}

func (s *State) writePhones() { s.Phones = maps.Clone(s.Phones) }
