package app

import (
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
)

// frame is what the panes draw, derived from one state at one time. Each
// fact is computed here once; the panes only put it on screen.
type frame struct {
	now     time.Time
	card    viewmodel.DeviceCard
	device  viewmodel.Device // the selected phone
	running bool

	// Action bar.
	checkLabel   string
	checkEnabled bool
	waiting      string // "" when not waiting for a phone

	// Progress and strip.
	progress     viewmodel.ProgressView
	progressText string
	strip        viewmodel.Strip
	stripCaption string

	// Verdict and steps.
	verdict   viewmodel.Verdict
	staleNote string // "" when the verdict shown is this check's
	panel     stepsPanel

	details []string

	// The restore recorder: its button and its pane.
	recordLabel   string
	recordEnabled bool
	record        viewmodel.RecordView
}

// stepsPanel is what the widgets of the steps panel (before/after, the
// professional card, notes, step cards) are built from. When a state gives
// the same panel as the one on screen, the widgets are kept.
type stepsPanel struct {
	changes      []viewmodel.Change
	professional []string // nil: no professional card
	notes        []viewmodel.Note
	noteTitles   bool // the first note shows its summary too
	cards        []viewmodel.StepCard
	actions      [][]actions.Kind // per card, its action buttons
	// The confirmation names the selected phone; the state of the actions
	// on the cards.
	confirmName         string
	confirming, running actions.Kind
	results             map[int]actions.Result
	// checkEnabled: step 5's "Check again" (looking for a new backup) can
	// be pressed, as the action bar's.
	checkEnabled bool
}

func buildFrame(s state.State, cat viewmodel.Catalog, now time.Time) frame {
	f := frame{now: now, running: s.Check.Running}
	f.card = viewmodel.BuildDeviceCard(s.Devices(), s.Selected, s.Host)
	f.device, _ = s.SelectedPhone()
	connected := s.AnyConnected()

	// Action bar.
	switch {
	case s.Check.Running:
		f.checkLabel = viewmodel.CheckingLabel()
	case s.Last == nil && s.RunErr == nil:
		f.checkLabel = viewmodel.CheckNowLabel() // nothing ran yet: nothing to check "again"
	default:
		f.checkLabel = viewmodel.CheckAgainLabel()
	}
	f.checkEnabled = !s.Busy() && (connected || s.Last != nil || s.RunErr != nil)
	if !s.Check.Running && !connected {
		f.waiting = viewmodel.WaitingForPhone()
		if len(s.Phones) > 0 {
			f.waiting = viewmodel.WaitingForReturn()
		}
	}

	// Progress and strip.
	c := s.Check
	elapsed := now.Sub(c.Started)
	if c.Running {
		f.progress = viewmodel.BuildProgress(elapsed, c.Window, c.Progress.Done, c.Progress.Total, c.Progress.Label)
		f.progressText = f.progress.Text
	} else {
		switch {
		case s.RunErr != nil:
			f.progressText = viewmodel.LastCheckFailed()
		case s.Last != nil:
			f.progressText = viewmodel.LastCheck(s.Last.Report.GeneratedAt)
		default:
			f.progressText = viewmodel.NoCheckYet()
		}
	}
	var marks []viewmodel.StripEvent
	for _, e := range c.Marks {
		if e.Key == "" || e.Key == s.Selected {
			marks = append(marks, e)
		}
	}
	var samples []viewmodel.LatencySample
	for _, x := range c.Samples {
		if x.Key == "" || x.Key == s.Selected {
			samples = append(samples, x)
		}
	}
	f.strip = viewmodel.BuildStrip(c.Started, c.Window, marks, samples)
	if p, ok := s.Phones[s.Selected]; ok {
		f.strip.SetDrops(max(p.Drops-p.DropsAtCheck, 0))
	}
	f.stripCaption = f.strip.Caption
	switch {
	case c.Running:
		f.stripCaption = viewmodel.LiveCaption(f.strip, elapsed, c.Window)
	case s.View != nil && len(s.View.Devices) > 0:
		f.stripCaption = viewmodel.StabilitySummary(s.View, s.Selected)
	}

	// Verdict: the running check's verdict so far, else the last one.
	f.verdict = viewmodel.BuildVerdict(s.View, cat, c.Running, connected, s.RunErr)
	if c.Running && c.Progress.Report != nil {
		f.verdict = viewmodel.ProvisionalVerdict(c.Progress.Report, cat, elapsed, c.Window)
	} else if c.Running && s.Last != nil {
		f.staleNote = viewmodel.StaleNote(s.Last.Report.GeneratedAt)
	}
	if !c.Running {
		f.verdict = headline(s, cat, connected)
	}
	f.verdict.Text = viewmodel.Plain(f.verdict.Text)
	named := f.verdict
	if c.Running && c.Progress.Report != nil {
		// The verdict so far is about another report than the steps below.
		named.Step, named.Professional = 0, false
	}
	f.panel = buildPanel(s, cat, named, f.device, backupView(s, now), now)
	f.panel.checkEnabled = f.checkEnabled
	f.details = viewmodel.BuildDetails(s.View, s.Host, s.RunErr)
	recordFrame(&f, s, cat)
	return f
}

// recordFrame puts the restore recording into the frame: the bar's button
// ("Watch my restore", "Stop" while it runs) and the recorder pane.
func recordFrame(f *frame, s state.State, cat viewmodel.Catalog) {
	r := s.Recording
	f.recordLabel, f.recordEnabled = viewmodel.WatchRestoreLabel(), s.RecordOffered()
	if r.Running {
		f.recordLabel, f.recordEnabled = viewmodel.StopRecordLabel(), !r.StopAsked
		f.waiting = ""
		// The live view is paused: its facts would be old.
		f.card.Subheading, f.card.Lines, f.card.ModeExplanation = viewmodel.RecordPhoneCard(), nil, ""
	}
	in := viewmodel.RecordInput{Running: r.Running, Started: r.Timeline != nil, Ended: r.Ended, Status: r.Status,
		Verdict: r.Verdict, TracePath: r.TracePath, Err: r.Err}
	if r.Timeline != nil {
		marks, _ := r.Timeline.Marks()
		for i := len(marks) - 1; i >= 0; i-- {
			if k := marks[i].Kind; k == restore.MarkMuxDown || k == restore.MarkMuxUp {
				in.MuxDown = k == restore.MarkMuxDown
				break
			}
		}
	}
	f.record = viewmodel.BuildRecordView(in, cat)
}

// headline is the verdict of the last check as the window states it (and
// the export, which carries it as its summary): the report's verdict for
// the selected phone, qualified by how the check ran and the answers given
// since.
func headline(s state.State, cat viewmodel.Catalog, connected bool) viewmodel.Verdict {
	v := viewmodel.BuildVerdict(s.View, cat, false, connected, s.RunErr)
	if s.RunErr == nil && s.Last != nil {
		// A check that found the service itself at fault (not answering,
		// not running) already speaks about it: its verdict stands.
		st := s.Last.Report.Host.Usbmuxd.Status
		aboutService := st != "" && st != report.UsbmuxdOK
		v = viewmodel.Qualify(v, viewmodel.Context{
			ServiceLost:    s.Last.ServiceLost && !aboutService,
			ServiceDownNow: s.Service == state.ServiceLost && !aboutService,
			Untested:       s.UntestedAnswers(),
		})
	}
	v.Text = viewmodel.Plain(v.Text)
	return v
}

// backupView is the selected phone's backup state as step 5 shows it and
// the export writes it: the backup.local and backup.icloud findings of the
// report the panes show, dated in local time relative to now.
func backupView(s state.State, now time.Time) viewmodel.BackupView {
	return backupOf(s.View, s.Selected, now)
}

// backupOf is the backup state of the phone selected in r (a report the
// panes show, or the one before it).
func backupOf(r *report.Report, selected string, now time.Time) viewmodel.BackupView {
	if r == nil {
		return viewmodel.BackupView{}
	}
	if len(r.Devices) == 1 {
		selected = r.Devices[0].Key // the report's one phone (the live key may be older)
	}
	return viewmodel.Backup(r, selected, now, time.Local, runtime.GOOS)
}

// backupChange puts a change of the backup state between the previous
// check and this one among the before/after lines (a backup made between
// them: "Check again" found it); it replaces "no change".
func backupChange(changes []viewmodel.Change, before, after viewmodel.BackupView) []viewmodel.Change {
	if !before.Known || !after.Known || len(after.Lines) == 0 || slices.Equal(before.Lines, after.Lines) {
		return changes
	}
	d := viewmodel.Same
	switch {
	case after.Covered && !before.Covered:
		d = viewmodel.Better
	case before.Covered && !after.Covered:
		d = viewmodel.Worse
	}
	if len(changes) == 1 && viewmodel.IsNoChange(changes[0]) {
		changes = nil
	}
	return append(slices.Clip(changes), viewmodel.Change{Text: viewmodel.BackupChangeText(after.Lines[0]), Direction: d})
}

func buildPanel(s state.State, cat viewmodel.Catalog, v viewmodel.Verdict, d viewmodel.Device, bv viewmodel.BackupView, now time.Time) stepsPanel {
	family, name := d.RecoveryFamily, d.Name
	if (family == "" || family == "unknown") && s.View != nil && len(s.View.Devices) > 0 {
		family = s.View.Devices[0].Model.RecoveryButtons
		if name == "" {
			name = s.View.Devices[0].Model.Name
		}
	}
	var triedPrev, triedLast viewmodel.Tried
	if s.Prev != nil {
		triedPrev = s.Prev.Tried
	}
	if s.Last != nil {
		triedLast = s.Last.Tried
	}
	p := stepsPanel{
		changes: viewmodel.BuildChanges(s.PrevView, s.View, s.Selected, triedPrev, triedLast),
		notes:   viewmodel.BuildNotes(s.View, cat),
		// The first note is the headline when no step applies: say it once.
		noteTitles: s.View != nil && s.View.PrimaryStep != nil || v.Professional,
		cards: viewmodel.BuildSteps(viewmodel.StepsInput{
			Report: s.View, Catalog: cat, Family: family, ModelName: name,
			Acknowledged: s.Ack, Expanded: s.Expanded, Mentioned: v.Step,
			LowLevel: d.Mode.IsLowLevel(), ModeName: viewmodel.ModeName(d.Mode), Mode: d.Mode,
			Restoring: d.Mode == mode.Restore, Tried: s.Tried, Backup: bv,
		}),
		confirmName: viewmodel.ConfirmName(s.Devices(), d),
		confirming:  s.Action.Confirming, running: s.Action.Running, results: maps.Clone(s.Action.Results),
	}
	if s.Action.Recheck != "" && s.Last != nil && s.Prev != nil {
		p.changes = viewmodel.AskedFor(s.PrevView, s.View, s.Selected, p.changes, s.Action.Recheck)
	}
	// The backup lines carry the reports' own sentences: after a switch of
	// language they differ in words only (a German window showed a
	// "backups" change after a Japanese check).
	if s.PrevView != nil && len(p.changes) > 0 && s.View != nil && s.PrevView.Language == s.View.Language {
		p.changes = backupChange(p.changes, backupOf(s.PrevView, s.Selected, now), bv)
	}
	plainPanel(&p)
	if v.Professional {
		p.professional = []string{}
		for _, r := range v.ProfessionalReasons {
			p.professional = append(p.professional, viewmodel.Plain(r))
		}
	}
	for _, c := range p.cards {
		p.actions = append(p.actions, s.OfferedOn(c.Number))
	}
	return p
}

// plainPanel puts the panel's texts that come from findings and action
// results into the main view's words.
func plainPanel(p *stepsPanel) {
	for i := range p.changes {
		p.changes[i].Text = viewmodel.Plain(p.changes[i].Text)
	}
	for i := range p.notes {
		p.notes[i].Summary, p.notes[i].Fix = viewmodel.Plain(p.notes[i].Summary), viewmodel.Plain(p.notes[i].Fix)
	}
	for i := range p.cards {
		for j, r := range p.cards[i].Reasons {
			p.cards[i].Reasons[j] = viewmodel.Plain(r)
		}
	}
	for n, r := range p.results {
		r.Summary = viewmodel.Plain(r.Summary)
		p.results[n] = r
	}
}
