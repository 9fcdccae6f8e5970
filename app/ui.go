package app

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// Sampling windows offered to the user.
const (
	QuickWindow    = 10 * time.Second
	ThoroughWindow = 30 * time.Second
)

const (
	quickLabel    = "Quick check (10 s)"
	thoroughLabel = "Thorough (30 s)"
	// forgetAfter is how long a disconnected phone stays on the card when
	// another phone is present.
	forgetAfter = 30 * time.Second
	// replugAfter is how long a phone must have been away for its return to
	// count as a new plug-in (which starts a check) rather than a flap.
	replugAfter = 5 * time.Second
	// progressTick is how often the progress bar and countdown move.
	progressTick = 250 * time.Millisecond
)

// Options configure the window.
type Options struct {
	// Demo is the simulator scenario in demo mode ("" otherwise); the window
	// then says "Demo" in its title and a banner.
	Demo string
	// Logger receives the app's log (default: slog.Default()).
	Logger *slog.Logger
	// Do runs fn on the Fyne thread (default fyne.Do). Tests replace it to
	// run background results on the test goroutine.
	Do func(fn func())
	// SaveDialog asks where to save an export (default: Fyne's file dialog).
	// done gets "" when the user cancelled.
	SaveDialog func(w fyne.Window, suggested string, done func(path string, err error))
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Guide supplies step text to the Markdown export (nil: none).
	Guide report.Guide
	// Catalog is the step catalogue the steps are shown and re-ranked from
	// (nil: the built-in one).
	Catalog *catalog.Catalog
	// NoAutoCheck disables the check that starts when a phone is plugged in.
	NoAutoCheck bool
}

type liveDevice struct {
	dev        viewmodel.Device
	goneAt     time.Time // zero while connected
	lastSeen   time.Time
	checkedFor bool // an automatic check ran since it was plugged in
	// drops is the live model's drop count (DeviceEvent.Drops) and
	// dropsAtCheck its value when the running check started.
	drops, dropsAtCheck int
}

// view is the phone as the window shows it: its facts and whether it is
// connected now.
func (ld *liveDevice) view() viewmodel.Device {
	d := ld.dev
	d.Disconnected = !ld.goneAt.IsZero()
	return d
}

// UI is the Restore Doctor window and its state. All fields are touched on
// the Fyne thread only; background work hands results back through Options.Do.
type UI struct {
	b    Backend
	opts Options
	log  *slog.Logger
	app  fyne.App
	win  fyne.Window
	cat  viewmodel.Catalog

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// state
	devices     map[string]*liveDevice
	selected    string
	host        viewmodel.Host
	window      time.Duration
	tried       viewmodel.Tried
	running     bool
	cancelCheck context.CancelFunc
	closed      bool // the window was closed
	seq         int
	progress    Progress
	provisional *report.Report // the running check's verdict so far
	last, prev  *report.Report // whole checks, every phone
	// view and prevView are last and prev about the selected phone alone
	// (its findings and the host's, re-ranked): the headline, the steps,
	// the strip caption, "Since the previous check" and the export show
	// them (updateView).
	view, prevView *report.Report
	headline       viewmodel.Verdict // the verdict line shown now
	triedLast      viewmodel.Tried
	triedPrev      viewmodel.Tried
	runErr         error
	includeIDs     bool
	ack            map[int]bool
	expanded       map[int]bool
	stripStart     time.Time
	stripWindow    time.Duration
	stripEvents    []viewmodel.StripEvent
	samples        []viewmodel.LatencySample

	// widgets
	icon          *phoneIcon
	heading       *widget.Label
	subheading    *widget.Label
	selector      *widget.Select
	deviceLines   *fyne.Container
	deviceRows    []lineRow
	hostLines     *fyne.Container
	hostRows      []lineRow
	strip         *stripWidget
	stripCaption  *widget.Label
	progressBar   *widget.ProgressBar
	progressLabel *widget.Label
	checkButton   *ringButton
	windowChoice  *widget.RadioGroup
	triedChecks   map[string]*widget.Check
	includeCheck  *widget.Check
	exportMD      *ringButton
	exportJSON    *ringButton
	waiting       *widget.Activity
	waitingBox    *fyne.Container
	waitingLabel  *widget.Label
	verdict       *widget.Label
	verdictIcon   *widget.Icon
	staleNote     *widget.Label
	detailsText   *widget.Label
	details       *widget.Accordion
	changesBox    *fyne.Container
	notesBox      *fyne.Container
	stepsBox      *fyne.Container
	proBox        *fyne.Container
	stepWidgets   map[int]*stepWidgets
	steps         *stepsPanel // what the steps panel shows (nil: build it anew)
	leftBox       *fyne.Container
	leftRows      []rowSize // the left box's rows at its last layout (relayout)
	rightBox      *fyne.Container
	rightRows     []rowSize
	bannerBG      *canvas.Rectangle
	actionBar     *fyne.Container
	modeNote      *widget.Label
	act           actionState // app/actions.go
}

// actionHooks add controls to the action bar at the top of the window
// (after Check again and the Quick/Thorough choice). A file of this package
// registers one from an init function; each is called once, while the
// window is built.
var actionHooks []func(u *UI) []fyne.CanvasObject

// stepWidgets are the interactive parts of a rendered step card, kept so tests
// can tap them.
type stepWidgets struct {
	toggle *ringButton
	ack    *widget.Check
	card   viewmodel.StepCard
}

// Title is the window title for a demo scenario ("" for none).
func Title(demo string) string {
	if demo == "" {
		return "Restore Doctor"
	}
	return "Restore Doctor — Demo: " + demo
}

// New builds the window for a; call Start to begin watching for phones and
// ShowAndRun (or a.Run) to show it.
func New(a fyne.App, b Backend, opts Options) *UI {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	if opts.Catalog == nil {
		opts.Catalog = catalog.MustDefault()
	}
	if opts.SaveDialog == nil {
		opts.SaveDialog = fileSaveDialog
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	u := &UI{
		b: b, opts: opts, log: opts.Logger, app: a, cat: CatalogView(opts.Catalog, runtime.GOOS),
		devices: map[string]*liveDevice{}, window: QuickWindow,
		ack: map[int]bool{}, expanded: map[int]bool{}, stepWidgets: map[int]*stepWidgets{},
	}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	a.Settings().SetTheme(Theme())
	u.win = a.NewWindow(Title(opts.Demo))
	u.win.SetContent(u.build())
	u.win.Resize(WindowSize(fyne.Size{}))
	// Light and dark follow the system: colours baked into cards are redone
	// when the theme (or any setting) changes.
	a.Settings().AddListener(func(fyne.Settings) {
		u.steps = nil
		u.strip.Refresh()
		u.refreshAll()
	})
	u.win.SetCloseIntercept(u.quit)
	u.addShortcuts()
	u.refreshAll()
	return u
}

// Window is the app's main window.
func (u *UI) Window() fyne.Window { return u.win }

// Start begins watching for phones and probing the host, in the background.
func (u *UI) Start() {
	u.wg.Add(2)
	go func() {
		defer u.wg.Done()
		if err := u.b.Watch(u.ctx, func(ev DeviceEvent) {
			u.opts.Do(func() { u.onEvent(ev) })
		}); err != nil && u.ctx.Err() == nil {
			u.log.Warn("device watch stopped", "err", err)
		}
	}()
	go func() {
		defer u.wg.Done()
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		defer cancel()
		h := u.b.HostStatus(ctx)
		h.Known = true
		u.opts.Do(func() {
			u.host = h
			u.refreshDevice()
		})
	}()
}

// stopWait bounds how long Stop waits for background work to end.
const stopWait = 5 * time.Second

// Stop cancels the running check and the device watch and waits (at most a
// few seconds) for them to end. Safe to call more than once.
func (u *UI) Stop() {
	u.cancel()
	done := make(chan struct{})
	go func() {
		u.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopWait):
		u.log.Warn("background work did not stop in time", "waited", stopWait)
	}
}

func (u *UI) build() fyne.CanvasObject {
	// Device panel.
	u.icon = newPhoneIcon()
	u.heading = widget.NewLabel("")
	u.heading.TextStyle = fyne.TextStyle{Bold: true}
	u.heading.SizeName = theme.SizeNameSubHeadingText
	u.heading.Wrapping = fyne.TextWrapWord
	u.subheading = widget.NewLabel("")
	u.subheading.Wrapping = fyne.TextWrapWord
	u.selector = widget.NewSelect(nil, nil)
	u.selector.PlaceHolder = "Choose a phone"
	u.deviceLines = container.NewVBox()
	u.modeNote = widget.NewLabel("")
	u.modeNote.Wrapping = fyne.TextWrapWord
	u.modeNote.SizeName = theme.SizeNameCaptionText
	u.hostLines = container.NewVBox()
	// Live values sit in rows of reserved height: a phone that keeps
	// dropping off changes these texts every second, and the rows below
	// must not jump under the user's pointer.
	deviceHead := container.NewBorder(nil, nil, u.icon, nil,
		container.NewVBox(u.heading, reserveLines(u.subheading, 2, theme.SizeNameText)))

	u.strip = newStripWidget()
	u.stripCaption = widget.NewLabel("")
	u.stripCaption.Wrapping = fyne.TextWrapWord
	u.stripCaption.SizeName = theme.SizeNameCaptionText
	u.progressBar = widget.NewProgressBar()
	u.progressLabel = widget.NewLabel("")
	u.progressLabel.Wrapping = fyne.TextWrapWord
	// The bar keeps its place while hidden, so the strip below stays put.
	progressRow := container.NewStack(reserveLines(widget.NewLabel(""), 1, theme.SizeNameText), u.progressBar)
	u.checkButton = newRingButton(checkNowLabel, theme.ViewRefreshIcon(), func() { u.CheckAgain() })
	u.checkButton.Importance = widget.HighImportance
	u.windowChoice = widget.NewRadioGroup([]string{quickLabel, thoroughLabel}, func(s string) {
		if s == thoroughLabel {
			u.window = ThoroughWindow
		} else {
			u.window = QuickWindow
		}
	})
	u.windowChoice.Required = true
	u.windowChoice.Horizontal = true
	u.windowChoice.SetSelected(quickLabel)

	u.triedChecks = map[string]*widget.Check{}
	triedBox := container.NewVBox()
	for _, t := range []struct{ key, label string }{
		{"cable", "Another cable"}, {"port", "Another USB port"},
		{"computer", "Another computer"}, {"restart", "Restarted iPhone and computer"},
	} {
		key := t.key
		c := widget.NewCheck(t.label, func(on bool) { u.setTried(key, on) })
		u.triedChecks[key] = c
		triedBox.Add(c)
	}

	u.includeCheck = widget.NewCheck("Include identifiers (serial number, UDID)", func(on bool) { u.includeIDs = on })
	u.exportMD = newRingButton("Markdown…", theme.DocumentSaveIcon(), func() { u.Export(FormatMarkdown) })
	u.exportJSON = newRingButton("JSON…", theme.DocumentSaveIcon(), func() { u.Export(FormatJSON) })
	keys := widget.NewLabel(keyboardHelp)
	keys.Wrapping = fyne.TextWrapWord
	keys.SizeName = theme.SizeNameCaptionText

	u.leftBox = container.NewVBox(
		deviceHead,
		u.selector,
		u.deviceLines,
		reserveLines(u.modeNote, 2, theme.SizeNameCaptionText),
		widget.NewSeparator(),
		sectionTitle("This computer"),
		u.hostLines,
		widget.NewSeparator(),
		sectionTitle("Check"),
		progressRow,
		reserveLines(u.progressLabel, 2, theme.SizeNameText),
		u.strip,
		reserveLines(u.stripCaption, 2, theme.SizeNameCaptionText),
		stripLegend(),
		widget.NewSeparator(),
		sectionTitle("I already tried"),
		triedBox,
		widget.NewSeparator(),
		sectionTitle("Export report"),
		u.includeCheck,
		container.NewGridWithColumns(2, u.exportMD, u.exportJSON),
		widget.NewSeparator(),
		keys,
	)

	// Steps panel.
	u.verdict = widget.NewLabel("")
	u.verdict.TextStyle = fyne.TextStyle{Bold: true}
	u.verdict.SizeName = theme.SizeNameSubHeadingText
	u.verdict.Wrapping = fyne.TextWrapWord
	u.verdictIcon = widget.NewIcon(theme.InfoIcon())
	u.staleNote = widget.NewLabel("")
	u.staleNote.Wrapping = fyne.TextWrapWord
	u.staleNote.TextStyle = fyne.TextStyle{Bold: true}
	u.staleNote.Importance = widget.WarningImportance
	u.staleNote.Hide()
	u.detailsText = widget.NewLabel("")
	u.detailsText.Wrapping = fyne.TextWrapWord
	u.detailsText.SizeName = theme.SizeNameCaptionText
	u.details = widget.NewAccordion(widget.NewAccordionItem("Details (technical, for support staff)", u.detailsText))
	u.changesBox = container.NewVBox()
	u.notesBox = container.NewVBox()
	u.proBox = container.NewVBox()
	u.stepsBox = container.NewVBox()
	u.rightBox = container.NewVBox(
		u.staleNote,
		container.NewBorder(nil, nil, container.NewCenter(u.verdictIcon), nil, u.verdict),
		u.changesBox,
		u.proBox,
		u.notesBox,
		u.stepsBox,
		u.details,
	)

	leftScroll := container.NewVScroll(container.NewPadded(u.leftBox))
	leftScroll.SetMinSize(fyne.NewSize(300, 200))
	rightScroll := container.NewVScroll(container.NewPadded(
		&fyne.Container{Layout: maxWidthLayout{max: maxTextWidth}, Objects: []fyne.CanvasObject{u.rightBox}}))
	rightScroll.SetMinSize(fyne.NewSize(400, 200))
	split := container.NewHSplit(leftScroll, rightScroll)
	split.Offset = 0.34

	// The action bar stays on screen whatever the window size or scrolling.
	u.waiting = widget.NewActivity()
	u.waitingLabel = widget.NewLabel("Waiting for an iPhone…")
	u.waitingBox = container.NewHBox(u.waiting, u.waitingLabel)
	u.actionBar = container.NewHBox(u.checkButton, u.windowChoice, u.waitingBox)
	for _, hook := range actionHooks {
		for _, o := range hook(u) {
			u.actionBar.Add(o)
		}
	}
	main := container.NewBorder(container.NewVBox(container.NewPadded(u.actionBar), widget.NewSeparator()), nil, nil, nil, split)

	if u.opts.Demo == "" {
		return main
	}
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameWarning), 0x50))
	u.bannerBG = bg
	banner := widget.NewLabel(fmt.Sprintf("Demo: scenario %q. The phone is simulated; nothing here touches a real iPhone.", u.opts.Demo))
	banner.TextStyle = fyne.TextStyle{Bold: true}
	banner.Wrapping = fyne.TextWrapWord
	top := container.NewStack(bg, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, banner))
	return container.NewBorder(top, nil, nil, nil, main)
}

func sectionTitle(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// onEvent applies one live device event.
func (u *UI) onEvent(ev DeviceEvent) {
	now := ev.Time
	if now.IsZero() {
		now = u.opts.Now()
	}
	key := ev.Device.Key
	ld := u.devices[key]
	switch ev.Kind {
	case EventLatency:
		if u.running {
			u.samples = append(u.samples, viewmodel.LatencySample{Key: key, Time: now, RTT: ev.RTT, Failed: ev.Failed})
			u.refreshStrip()
		}
		return
	case EventAttach, EventModeChange, EventUpdate:
		newPlug := ld == nil || (!ld.goneAt.IsZero() && now.Sub(ld.goneAt) > replugAfter)
		if ld == nil {
			// New since the check started: its drops before do not count.
			ld = &liveDevice{drops: ev.Drops, dropsAtCheck: ev.Drops}
			u.devices[key] = ld
		}
		if ev.Kind != EventUpdate {
			ld.drops = ev.Drops
		}
		prev := ld.dev
		absent := prev.Key == "" || !ld.goneAt.IsZero()
		ld.dev = mergeDevice(prev, ev.Device)
		ld.dev.Key = key
		ld.goneAt = time.Time{}
		ld.lastSeen = now
		if newPlug {
			ld.checkedFor = false
		}
		if u.running && ev.Kind != EventUpdate && (absent || ev.Kind == EventModeChange) {
			kind := viewmodel.MarkAttach
			if ev.Kind == EventModeChange {
				kind = viewmodel.MarkMode
			}
			u.stripEvents = append(u.stripEvents, viewmodel.StripEvent{Time: now, Kind: kind, Key: key})
		}
		if u.selected == "" {
			u.selected = key
		}
		u.log.Debug("device", "event", ev.Kind, "source", ev.Source, "mode", ev.Device.Mode, "name", ev.Device.DisplayName())
		if !u.opts.NoAutoCheck && !u.running && !ld.checkedFor && ev.Kind != EventUpdate {
			ld.checkedFor = true
			u.startCheck()
		}
	case EventDetach:
		if ld == nil || !ld.goneAt.IsZero() {
			return // already gone: the other source saw it first
		}
		ld.goneAt = now
		ld.drops = ev.Drops
		if u.running {
			u.stripEvents = append(u.stripEvents, viewmodel.StripEvent{Time: now, Kind: viewmodel.MarkDetach, Key: key})
		}
		u.log.Debug("device", "event", ev.Kind, "source", ev.Source)
	}
	u.forgetGone(now)
	u.refreshDevice()
	u.refreshProgress()
	u.refreshStrip()
	u.refreshSteps()
}

// mergeDevice updates what is known of a phone with a new event's view,
// keeping facts the event does not carry.
func mergeDevice(old, upd viewmodel.Device) viewmodel.Device {
	out := upd
	if out.Name == "" {
		out.Name = old.Name
	}
	if out.ProductType == "" {
		out.ProductType = old.ProductType
	}
	if out.OwnName == "" {
		out.OwnName = old.OwnName
	}
	if out.IOSVersion == "" && out.Mode == old.Mode {
		out.IOSVersion = old.IOSVersion
	}
	if out.Trusted == nil && out.Mode == old.Mode {
		out.Trusted = old.Trusted
	}
	if out.RecoveryFamily == "" {
		out.RecoveryFamily = old.RecoveryFamily
	}
	if !out.OnUSB && old.OnUSB {
		out.OnUSB, out.SpeedMbps, out.BehindHub = true, old.SpeedMbps, old.BehindHub
	}
	out.Listed = out.Listed || (old.Listed && out.Mode == old.Mode)
	return out
}

// forgetGone drops phones gone for a while when another one is present.
func (u *UI) forgetGone(now time.Time) {
	present := 0
	for _, d := range u.devices {
		if d.goneAt.IsZero() {
			present++
		}
	}
	for k, d := range u.devices {
		if !d.goneAt.IsZero() && present > 0 && now.Sub(d.goneAt) > forgetAfter {
			delete(u.devices, k)
			if u.selected == k {
				u.selected = ""
			}
		}
	}
}

// CheckAgain starts a check now (cancelling nothing: a running check finishes first).
func (u *UI) CheckAgain() {
	if u.running {
		return
	}
	u.startCheck()
}

func (u *UI) startCheck() {
	if u.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithCancel(u.ctx)
	u.seq++
	seq := u.seq
	u.running = true
	u.runErr = nil
	u.cancelCheck = cancel
	opts := CheckOptions{Window: u.window, Tried: u.tried}
	u.progress = Progress{Label: "Starting"}
	u.provisional = nil
	u.stripStart = u.opts.Now()
	u.stripWindow = opts.Window
	u.stripEvents, u.samples = nil, nil
	for _, ld := range u.devices {
		ld.dropsAtCheck = ld.drops
	}
	u.log.Info("check started", "window", opts.Window)
	// The bar and the countdown follow the clock, not only the engine's
	// progress reports (the window is one long check).
	u.wg.Add(2)
	go func() {
		defer u.wg.Done()
		tick := time.NewTicker(progressTick)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				u.opts.Do(func() {
					if seq == u.seq && u.running {
						u.refreshProgress()
						u.refreshStrip()
						u.refreshProvisional()
					}
				})
			}
		}
	}()
	go func() {
		defer u.wg.Done()
		defer cancel()
		r, err := u.b.Check(ctx, opts, func(p Progress) {
			u.opts.Do(func() {
				if seq == u.seq && u.running {
					u.progress = p
					u.refreshProgress()
					if p.Report != nil {
						u.provisional = p.Report
						u.refreshProvisional()
					}
				}
			})
		})
		if ctx.Err() != nil && u.ctx.Err() != nil {
			return // the window is closing
		}
		u.opts.Do(func() { u.finishCheck(seq, opts.Tried, r, err) })
	}()
	u.refreshProgress()
	u.refreshSteps()
	u.refreshStrip()
}

func (u *UI) finishCheck(seq int, tried viewmodel.Tried, r *report.Report, err error) {
	if seq != u.seq {
		return
	}
	u.running = false
	u.cancelCheck = nil
	if err != nil || r == nil {
		if err == nil {
			err = fmt.Errorf("the engine returned no report")
		}
		u.runErr = err
		u.log.Error("check failed", "err", err)
		u.refreshAll()
		return
	}
	if u.last != nil {
		u.prev, u.triedPrev = u.last, u.triedLast
	}
	if u.opts.Demo != "" {
		sim := *r
		sim.Simulated = true // says so at the top of an export
		r = &sim
	}
	u.addActionFindings(r)
	u.last, u.triedLast = r, tried
	// The check probed usbmuxd again: the host card follows it.
	if st := r.Host.Usbmuxd.Status; st != "" && st != u.host.UsbmuxdStatus {
		u.host.Known = true
		u.host.UsbmuxdStatus = st
		if st == report.UsbmuxdOK {
			u.host.Detail = ""
		}
	}
	if tried != u.tried {
		u.rerank()
	}
	for _, rd := range r.Devices {
		if ld, ok := u.devices[rd.Key]; ok {
			ld.dev = viewmodel.DeviceFromReport(ld.dev, rd)
		} else if len(u.devices) == 1 && len(r.Devices) == 1 {
			for _, ld := range u.devices {
				ld.dev = viewmodel.DeviceFromReport(ld.dev, rd)
			}
		}
	}
	u.expanded = map[int]bool{}
	u.updateView()
	primary := 0
	if u.view.PrimaryStep != nil {
		primary = *u.view.PrimaryStep
	}
	u.log.Info("verdict ready", "primary_step", primary, "findings", len(u.view.Findings), "professional", u.view.Professional.Recommended)
	u.refreshAll()
	u.releaseMemory()
}

// releaseAfter is how long after a verdict the window gives the heap pages
// the check used back to the OS: once the verdict is drawn.
const releaseAfter = 2 * time.Second

// releaseMemory returns the Go heap's free pages to the OS once the verdict
// is on screen. A check allocates while it runs (replies, reports, the
// widgets of each provisional verdict); after it the window idles,
// possibly for hours, and would otherwise keep up to twice its live heap
// resident (GOGC=100). It costs one full garbage collection per check, off
// the Fyne thread (a few ms at the GUI's ~10 MB live heap).
func (u *UI) releaseMemory() {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		select {
		case <-u.ctx.Done():
			return
		case <-time.After(releaseAfter):
			t0 := time.Now()
			debug.FreeOSMemory()
			u.log.Debug("heap pages returned to the OS", "took", time.Since(t0))
		}
	}()
}

func (u *UI) setTried(key string, on bool) {
	switch key {
	case "cable":
		u.tried.Cable = on
	case "port":
		u.tried.Port = on
	case "computer":
		u.tried.Computer = on
	case "restart":
		u.tried.Restart = on
	}
	if u.last != nil {
		u.rerank()
	}
	u.refreshSteps()
}

// updateView narrows the last and the previous check to the selected phone
// and re-ranks the steps for it alone, so that with several phones the
// verdict, the steps and the comparison are about the phone on the card. A
// previous check without that phone gives no comparison: a phone is only
// compared with itself.
func (u *UI) updateView() {
	u.view = u.phoneReport(u.last, u.tried)
	u.prevView = nil
	if u.prev != nil && (len(u.prev.Devices) <= 1 || hasDevice(u.prev, u.selected)) {
		u.prevView = u.phoneReport(u.prev, u.triedPrev)
	}
}

// phoneReport is r about the selected phone, ranked with tried (r itself
// when it has one phone or none): the session's per-phone report.
func (u *UI) phoneReport(r *report.Report, tried viewmodel.Tried) *report.Report {
	return session.PhoneReport(r, u.selected, u.opts.Catalog, RulesTried(tried))
}

func hasDevice(r *report.Report, key string) bool {
	for _, d := range r.Devices {
		if d.Key == key {
			return true
		}
	}
	return false
}

// rerank re-evaluates the last report's findings with the current tried flags.
func (u *UI) rerank() {
	r, err := Rerank(u.opts.Catalog, u.last, u.tried)
	if err != nil {
		u.log.Error("re-ranking failed", "err", err)
		dialog.ShowError(fmt.Errorf("re-ranking the steps: %w", err), u.win)
		return
	}
	u.last = r
	u.updateView()
}

func (u *UI) selectedDevice() (viewmodel.Device, bool) {
	if ld, ok := u.devices[u.selected]; ok {
		return ld.view(), true
	}
	return viewmodel.Device{}, false
}

func (u *UI) refreshAll() {
	if u.bannerBG != nil {
		u.bannerBG.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x50)
		u.bannerBG.Refresh()
	}
	u.refreshDevice()
	u.refreshProgress()
	u.refreshStrip()
	u.refreshSteps()
}

func (u *UI) deviceList() []viewmodel.Device {
	var devs []viewmodel.Device
	for k, ld := range u.devices {
		d := ld.view()
		d.Key = k
		devs = append(devs, d)
	}
	return devs
}

func (u *UI) refreshDevice() {
	card := viewmodel.BuildDeviceCard(u.deviceList(), u.selected, u.host)
	if card.Selected >= 0 && len(card.ChoiceKeys) > card.Selected && u.selected != card.ChoiceKeys[card.Selected] {
		u.selected = card.ChoiceKeys[card.Selected]
		u.updateView()
	}
	u.refreshWaiting()
	setText(u.heading, card.Heading)
	setText(u.subheading, card.Subheading)
	d, _ := u.selectedDevice()
	u.icon.set(card.Connected, d.Mode.IsLowLevel())
	if len(card.Choices) > 1 {
		keys := card.ChoiceKeys
		u.selector.OnChanged = nil
		if !slices.Equal(u.selector.Options, card.Choices) {
			u.selector.SetOptions(card.Choices)
		}
		if u.selector.SelectedIndex() != card.Selected {
			u.selector.SetSelectedIndex(card.Selected)
		}
		u.selector.OnChanged = func(string) {
			if i := u.selector.SelectedIndex(); i >= 0 && i < len(keys) {
				u.selected = keys[i]
				u.updateView()
				u.refreshDevice()
				u.refreshStrip()
				u.refreshSteps()
			}
		}
		u.selector.Show()
	} else {
		u.selector.Hide()
	}
	// A live event changes values, not which rows there are: the rows on
	// screen are updated in place (Fyne lays the panel out again when a
	// row's size changes).
	setLines(u.deviceLines, &u.deviceRows, card.Lines)
	setText(u.modeNote, card.ModeExplanation)
	setLines(u.hostLines, &u.hostRows, card.Host)
	u.refreshDetails()
	relayout(u.leftBox, &u.leftRows)
}

// rowSize is what the layout of a row of a box depends on.
type rowSize struct {
	min     fyne.Size
	visible bool
}

// relayout lays box out again when one of its rows changed size or
// visibility (a value that now wraps to another line moves the rows below
// it) and leaves it alone otherwise. Refreshing the box would also redraw
// every text in it, on each live event and progress tick. rows holds the
// sizes of the last layout. (Fyne's window also follows minimum sizes on
// its own; this keeps the layout right at once and under Fyne's test
// driver.)
func relayout(box *fyne.Container, rows *[]rowSize) {
	changed := len(*rows) != len(box.Objects)
	if changed {
		*rows = make([]rowSize, len(box.Objects))
	}
	for i, o := range box.Objects {
		r := rowSize{visible: o.Visible()}
		if r.visible {
			r.min = o.MinSize()
		}
		if (*rows)[i] != r {
			(*rows)[i], changed = r, true
		}
	}
	if changed {
		box.Refresh()
	}
}

// setText changes a label's text when it differs: SetText redraws the
// label (Fyne renders its text again) even when the text is the same.
func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

// lineRow is one rendered line of the device or host card.
type lineRow struct{ label, value *widget.Label }

// setLines shows lines in box. When the rows on screen have the same labels
// their values are updated in place; only a different set of rows is built
// anew.
func setLines(box *fyne.Container, rows *[]lineRow, lines []viewmodel.Line) {
	same := len(*rows) == len(lines)
	for i := 0; same && i < len(lines); i++ {
		same = (*rows)[i].label.Text == lines[i].Label
	}
	if !same {
		box.Objects, *rows = linesObjects(lines)
		box.Refresh()
		return
	}
	for i, ln := range lines {
		v := (*rows)[i].value
		imp := lineImportance(ln)
		if v.Text != ln.Value || v.Importance != imp {
			v.Text, v.Importance = ln.Value, imp
			v.Refresh()
		}
	}
}

func lineImportance(ln viewmodel.Line) widget.Importance {
	if ln.Bad {
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

func linesObjects(lines []viewmodel.Line) ([]fyne.CanvasObject, []lineRow) {
	var objs []fyne.CanvasObject
	var rows []lineRow
	for _, ln := range lines {
		k := widget.NewLabel(ln.Label)
		k.TextStyle = fyne.TextStyle{Bold: true}
		v := widget.NewLabel(ln.Value)
		v.Wrapping = fyne.TextWrapWord
		v.Importance = lineImportance(ln)
		rows = append(rows, lineRow{k, v})
		// Values that change while a phone flaps (connection, trust) get
		// two lines, so a longer value does not move the rows below it.
		lines := 1
		if ln.Label == "Connection" || ln.Label == "Trust" {
			lines = 2
		}
		objs = append(objs, reserveLines(container.NewBorder(nil, nil, k, nil, v), lines, theme.SizeNameText))
	}
	return objs, rows
}

func (u *UI) refreshProgress() {
	// Only what changed is set: this runs on every progress tick, and a
	// refresh of the whole panel would render all of its text again.
	if u.running {
		u.checkButton.Disable()
		u.setCheckText("Checking…")
		pv := viewmodel.BuildProgress(u.opts.Now().Sub(u.stripStart), u.stripWindow, u.progress.Done, u.progress.Total, u.progress.Label)
		u.progressBar.Max = 1
		if u.progressBar.Value != pv.Value {
			u.progressBar.SetValue(pv.Value)
		}
		u.progressBar.Show()
		setText(u.progressLabel, pv.Text)
		relayout(u.leftBox, &u.leftRows)
		return
	}
	u.checkButton.Enable()
	if u.last == nil && u.runErr == nil {
		// Nothing ran yet: there is nothing to check "again".
		u.setCheckText(checkNowLabel)
		if !u.anyConnected() {
			u.checkButton.Disable()
		}
	} else {
		u.setCheckText(checkAgainLabel)
	}
	u.progressBar.Hide()
	switch {
	case u.runErr != nil:
		setText(u.progressLabel, "The last check failed.")
	case u.last != nil:
		setText(u.progressLabel, "Last check: "+u.last.GeneratedAt.Local().Format("15:04:05"))
	default:
		setText(u.progressLabel, "No check yet.")
	}
	relayout(u.leftBox, &u.leftRows)
}

func (u *UI) setCheckText(s string) {
	if u.checkButton.Text != s {
		u.checkButton.SetText(s)
	}
}

func (u *UI) refreshStrip() {
	// The selected phone's marks and samples, and its drops as the live
	// model counted them.
	var events []viewmodel.StripEvent
	for _, e := range u.stripEvents {
		if e.Key == "" || e.Key == u.selected {
			events = append(events, e)
		}
	}
	var samples []viewmodel.LatencySample
	for _, s := range u.samples {
		if s.Key == "" || s.Key == u.selected {
			samples = append(samples, s)
		}
	}
	st := viewmodel.BuildStrip(u.stripStart, u.stripWindow, events, samples)
	if ld, ok := u.devices[u.selected]; ok {
		st.SetDrops(max(ld.drops-ld.dropsAtCheck, 0))
	}
	u.strip.set(st)
	caption := st.Caption
	if u.running {
		caption = viewmodel.LiveCaption(st, u.opts.Now().Sub(u.stripStart), u.stripWindow)
	} else if u.view != nil && len(u.view.Devices) > 0 {
		caption = viewmodel.StabilitySummary(u.view, u.selected)
	}
	setText(u.stripCaption, caption)
}

// anyConnected reports whether a phone is connected now.
func (u *UI) anyConnected() bool {
	for _, ld := range u.devices {
		if ld.goneAt.IsZero() {
			return true
		}
	}
	return false
}

// refreshWaiting shows the activity indicator while the window waits for
// a phone to be plugged in.
func (u *UI) refreshWaiting() {
	if u.waiting == nil {
		return
	}
	if !u.running && !u.anyConnected() {
		if len(u.devices) > 0 {
			setText(u.waitingLabel, "Waiting for the iPhone to come back…")
		} else {
			setText(u.waitingLabel, "Waiting for an iPhone…")
		}
		u.waitingBox.Show()
		u.waiting.Start()
	} else {
		u.waiting.Stop()
		u.waitingBox.Hide()
	}
}

func (u *UI) refreshSteps() {
	connected := u.anyConnected()
	v := viewmodel.BuildVerdict(u.view, u.cat, u.running, connected, u.runErr)
	u.headline = v
	setText(u.verdict, v.Text)
	if u.running && u.last != nil {
		// "Check again": the verdict below is the previous one.
		setText(u.staleNote, "Checking again… The result below is from "+u.last.GeneratedAt.Local().Format("15:04:05")+" and may be out of date.")
		u.staleNote.Show()
	} else {
		u.staleNote.Hide()
	}
	icon := theme.InfoIcon()
	switch v.Kind {
	case viewmodel.VerdictFault:
		icon = theme.WarningIcon()
	case viewmodel.VerdictHealthy:
		icon = theme.ConfirmIcon()
	case viewmodel.VerdictError:
		icon = theme.ErrorIcon()
	}
	if u.verdictIcon.Resource != icon {
		u.verdictIcon.SetResource(icon)
	}

	d, _ := u.selectedDevice()
	family := d.RecoveryFamily
	name := d.Name
	if (family == "" || family == "unknown") && u.view != nil && len(u.view.Devices) > 0 {
		family = u.view.Devices[0].Model.RecoveryButtons
		if name == "" {
			name = u.view.Devices[0].Model.Name
		}
	}
	p := &stepsPanel{
		changes: viewmodel.BuildChanges(u.prevView, u.view, u.selected, u.triedPrev, u.triedLast),
		notes:   viewmodel.BuildNotes(u.view, u.cat),
		// The first note is the headline when no step applies: say it once.
		noteTitles: u.view != nil && u.view.PrimaryStep != nil || v.Professional,
		cards: viewmodel.BuildSteps(viewmodel.StepsInput{
			Report: u.view, Catalog: u.cat, Family: family, ModelName: name,
			Acknowledged: u.ack, Expanded: u.expanded, Mentioned: v.Step,
			LowLevel: d.Mode.IsLowLevel(), ModeName: viewmodel.ModeName(d.Mode),
		}),
		device: d.Key, deviceName: d.Name,
		confirming: u.act.confirming, running: u.act.running, results: maps.Clone(u.act.results),
	}
	if v.Professional {
		p.professional = v.ProfessionalReasons
		if p.professional == nil {
			p.professional = []string{}
		}
	}
	for _, c := range p.cards {
		p.actions = append(p.actions, u.actionsFor(c))
	}
	if u.steps == nil || !reflect.DeepEqual(*u.steps, *p) {
		u.buildSteps(p)
	}
	u.refreshDetails()
	u.refreshProvisional()
	relayout(u.rightBox, &u.rightRows)
}

// stepsPanel is what the widgets of the steps panel (before/after, the
// professional card, notes, step cards) are built from. refreshSteps runs
// on every live event and progress report; when it would build the same
// panel as the one on screen, the widgets are kept rather than built anew.
type stepsPanel struct {
	changes      []viewmodel.Change
	professional []string // nil: no professional card
	notes        []viewmodel.Note
	noteTitles   bool // the first note shows its summary too
	cards        []viewmodel.StepCard
	actions      [][]actions.Kind // per card, its action buttons
	// The selected phone (its name is in the confirmation text) and the
	// state of the actions on the cards.
	device, deviceName  string
	confirming, running actions.Kind
	results             map[int]actions.Result
}

// buildSteps builds the steps panel's widgets from p.
func (u *UI) buildSteps(p *stepsPanel) {
	u.steps = p
	// Before/after.
	u.changesBox.Objects = nil
	if len(p.changes) > 0 {
		u.changesBox.Add(sectionTitle("Since the previous check"))
		for _, c := range p.changes {
			l := widget.NewLabel(changeMark(c.Direction) + " " + c.Text)
			l.Wrapping = fyne.TextWrapWord
			switch c.Direction {
			case viewmodel.Better:
				l.Importance = widget.SuccessImportance
			case viewmodel.Worse:
				l.Importance = widget.DangerImportance
			}
			u.changesBox.Add(l)
		}
	}
	u.changesBox.Refresh()

	// See a professional.
	u.proBox.Objects = nil
	if p.professional != nil {
		u.proBox.Add(u.professionalCard(p.professional))
	}
	u.proBox.Refresh()

	// Findings with their own fix (udev rule, Trust).
	u.notesBox.Objects = nil
	for i, n := range p.notes {
		box := container.NewVBox()
		if i > 0 || p.noteTitles {
			t := widget.NewLabel(n.Summary)
			t.TextStyle = fyne.TextStyle{Bold: true}
			t.Wrapping = fyne.TextWrapWord
			box.Add(t)
		}
		f := widget.NewLabel(n.Fix)
		f.Wrapping = fyne.TextWrapWord
		box.Add(f)
		u.notesBox.Add(card(box, 0x30, theme.ColorNameWarning))
	}
	u.notesBox.Refresh()

	u.stepsBox.Objects = nil
	u.stepWidgets = map[int]*stepWidgets{}
	for _, c := range p.cards {
		u.stepsBox.Add(u.stepCard(c))
	}
	u.stepsBox.Refresh()
}

func changeMark(d viewmodel.Direction) string {
	switch d {
	case viewmodel.Better:
		return "▲ better:"
	case viewmodel.Worse:
		return "▼ worse:"
	default:
		return "•"
	}
}

func (u *UI) professionalCard(reasons []string) fyne.CanvasObject {
	pro := u.cat.Professional
	title := pro.Title
	if title == "" {
		title = "See a Professional"
	}
	h := widget.NewLabel(title)
	h.TextStyle = fyne.TextStyle{Bold: true}
	h.SizeName = theme.SizeNameSubHeadingText
	box := container.NewVBox(h)
	for _, r := range reasons {
		l := widget.NewLabel("Why: " + r)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	if pro.Summary != "" {
		l := widget.NewLabel(pro.Summary)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	if len(pro.Instructions) > 0 {
		box.Add(wrapped(bullets(pro.Instructions, "")))
	}
	return card(box, 0x38, theme.ColorNameError)
}

// card puts content on a rounded, tinted background.
func card(content fyne.CanvasObject, alpha uint8, tint fyne.ThemeColorName) fyne.CanvasObject {
	bg := canvas.NewRectangle(withAlpha(theme.Color(tint), alpha))
	bg.CornerRadius = 6
	if alpha >= 0x30 {
		bg.StrokeColor = theme.Color(tint)
		bg.StrokeWidth = 1.5
	} else {
		bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
		bg.StrokeWidth = 1
	}
	return container.NewStack(bg, container.NewPadded(content))
}

func (u *UI) stepCard(c viewmodel.StepCard) fyne.CanvasObject {
	sw := &stepWidgets{card: c}
	u.stepWidgets[c.Number] = sw

	var num fyne.CanvasObject
	if c.Applies {
		l := widget.NewLabel(fmt.Sprintf("%d", c.Number))
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.SizeName = theme.SizeNameSubHeadingText
		num = l
	} else {
		num = greyText(fmt.Sprintf("%d", c.Number), theme.SizeNameSubHeadingText)
	}
	var title fyne.CanvasObject
	if c.Applies {
		l := widget.NewLabel(c.Title)
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.Wrapping = fyne.TextWrapWord
		title = l
	} else {
		title = greyText(c.Title, theme.SizeNameText)
	}
	toggleText := "Show how"
	if c.Expanded {
		toggleText = "Hide"
	}
	sw.toggle = newRingButton(toggleText, nil, func() {
		u.expanded[c.Number] = !c.Expanded
		u.refreshSteps()
	})
	sw.toggle.Importance = widget.LowImportance
	right := container.NewHBox()
	if c.Badge != "" {
		b := widget.NewLabel(c.Badge)
		b.TextStyle = fyne.TextStyle{Bold: true}
		b.Importance = widget.HighImportance
		if c.Primary {
			b.Importance = widget.SuccessImportance
		}
		right.Add(b)
	}
	right.Add(sw.toggle)
	header := container.NewBorder(nil, nil, num, right, title)
	box := container.NewVBox(header)
	for _, r := range c.Reasons {
		l := widget.NewLabel(r)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	if !c.Applies && c.Summary != "" && !c.Expanded {
		box.Add(greyText(c.Summary, theme.SizeNameCaptionText))
	}
	if c.Expanded {
		if c.Summary != "" {
			l := widget.NewLabel(c.Summary)
			l.Wrapping = fyne.TextWrapWord
			box.Add(l)
		}
		if c.Warning != "" {
			w := widget.NewLabel(c.Warning)
			w.Wrapping = fyne.TextWrapWord
			w.TextStyle = fyne.TextStyle{Bold: true}
			box.Add(card(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, w), 0x30, theme.ColorNameWarning))
		}
		if c.MustAcknowledge {
			n := c.Number
			sw.ack = widget.NewCheck(c.AcknowledgeLabel, nil)
			sw.ack.SetChecked(c.Acknowledged)
			sw.ack.OnChanged = func(on bool) {
				u.ack[n] = on
				u.expanded[n] = true
				u.refreshSteps()
			}
			box.Add(sw.ack)
		}
		if c.ShowInstructions {
			if len(c.Instructions) > 0 {
				box.Add(wrapped(bullets(c.Instructions, "")))
			}
			if len(c.RecoveryButtons) > 0 {
				box.Add(sectionTitle(c.RecoveryTitle))
				box.Add(wrapped(bullets(c.RecoveryButtons, "•")))
			}
			if len(c.Details) > 0 {
				d := wrapped(bullets(c.Details, "•"))
				d.SizeName = theme.SizeNameCaptionText
				box.Add(widget.NewAccordion(widget.NewAccordionItem("Details", d)))
			}
		} else if c.MustAcknowledge {
			box.Add(greyText("The instructions appear once you confirm you have a backup.", theme.SizeNameText))
		}
	}
	u.addActions(c, box)
	switch {
	case c.Primary:
		return card(box, 0x40, theme.ColorNamePrimary)
	case c.Applies, c.Mentioned:
		return card(box, 0x1C, theme.ColorNamePrimary)
	default:
		return card(box, 0, theme.ColorNameSeparator)
	}
}

// bullets joins lines into one text, each prefixed with mark or, when mark
// is empty, numbered.
func bullets(lines []string, mark string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if mark == "" {
			fmt.Fprintf(&b, "%d. %s", i+1, l)
		} else {
			b.WriteString(mark + " " + l)
		}
	}
	return b.String()
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// greyText is readable but subdued text (steps that do not apply): the
// placeholder colour, which keeps contrast in both themes unlike "disabled".
func greyText(s string, size fyne.ThemeSizeName) *widget.RichText {
	seg := &widget.TextSegment{Text: s, Style: widget.RichTextStyle{
		ColorName: theme.ColorNamePlaceHolder, SizeName: size, Inline: true,
	}}
	rt := widget.NewRichText(seg)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// stripLegend explains the stability strip's marks in words.
func stripLegend() fyne.CanvasObject {
	l := widget.NewLabel("Strip: red line = the iPhone dropped off, green = it came back, amber = it changed mode; bars = how long each answer from the iPhone took.")
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// refreshDetails fills the technical Details disclosure.
func (u *UI) refreshDetails() {
	setText(u.detailsText, strings.Join(viewmodel.BuildDetails(u.view, u.host, u.runErr), "\n"))
}
