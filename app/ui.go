package app

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Sampling windows offered to the user.
const (
	QuickWindow    = state.QuickWindow
	ThoroughWindow = state.ThoroughWindow
)

// progressTick is how often the progress bar and countdown move.
const progressTick = 250 * time.Millisecond

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
	// Language is the language code asked for on the command line (--lang;
	// "" for none). It wins over RESTOREDOCTOR_LANG, the language saved in
	// the preferences and the OS's; i18n.PseudoCode selects the
	// pseudo-locale (tests).
	Language string
}

// UI is the Restore Doctor window: one state (package app/state), the one
// reducer that changes it, the panes that draw it, and the I/O the state
// asks for (checks, actions, exports), whose results come back as events.
// All fields are touched on the Fyne thread only; background work hands
// results back through Options.Do.
type UI struct {
	b    Backend
	opts Options
	log  *slog.Logger
	app  fyne.App
	win  fyne.Window
	cat  viewmodel.Catalog
	lang string // the window's language code (internal/i18n)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool // the window was closed

	// st is the window's whole state; dispatch is the only writer.
	st state.State
	// checkSeq, actionSeq and recordSeq are the checks, actions and
	// recordings whose I/O started.
	checkSeq, actionSeq, recordSeq int
	// checkCancel ends the running check's I/O, checkDone is closed when it
	// has returned (nil when no check ran).
	checkCancel context.CancelFunc
	checkDone   chan struct{}
	// The live view (Backend.Watch): stopped while a restore is recorded.
	started     bool // Start was called
	watching    bool
	watchCancel context.CancelFunc
	watchDone   chan struct{}
	// recStop ends the running recording (cause restorewatch.ErrDone: done).
	recStop context.CancelCauseFunc
	// headline is the verdict line drawn last (render).
	headline viewmodel.Verdict

	// The panes, each drawing part of the state.
	bar      *barPane
	phone    *phonePane
	host     *hostPane
	progress *progressPane
	strip    *stripPane
	answers  *answersPane
	export   *exportPane
	verdict  *verdictPane
	steps    *stepsPane
	details  *detailsPane
	record   *recordPane

	leftBox, rightBox *fyne.Container
	mainBox           *fyne.Container // the action bar over the panes
	mainRows          []rowSize       // its rows at its last layout (relayout)
	leftRows          []rowSize       // the left box's rows at its last layout (relayout)
	rightRows         []rowSize
	leftScroll        *container.Scroll
	rightScroll       *container.Scroll
	scrolled          int // the state's Scroll the right pane last followed
	bannerBG          *canvas.Rectangle
}

// Title is the window title for a demo scenario ("" for none).
func Title(demo string) string { return viewmodel.WindowTitle(demo) }

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
	_, canAct := b.(ActionRunner)
	// The language first: the catalogue's view and every pane are built in it.
	code := pickLanguage(a, opts.Language, opts.Logger)
	useLanguage(code, opts.Logger)
	u := &UI{
		b: b, opts: opts, log: opts.Logger, app: a, lang: i18n.Current().Code, cat: CatalogView(opts.Catalog, runtime.GOOS),
		st: state.New(opts.Catalog, opts.Demo, !opts.NoAutoCheck, canAct),
	}
	u.st.Now = opts.Now()
	u.ctx, u.cancel = context.WithCancel(context.Background())
	a.Settings().SetTheme(Theme())
	u.win = a.NewWindow(Title(opts.Demo))
	u.win.SetContent(u.build())
	u.win.Resize(WindowSize(fyne.Size{}))
	// Light and dark follow the system: colours baked into cards are redone
	// when the theme (or any setting) changes.
	a.Settings().AddListener(func(fyne.Settings) {
		u.steps.forget()
		u.strip.strip.Refresh()
		u.render()
	})
	u.win.SetCloseIntercept(u.quit)
	u.addShortcuts()
	u.render()
	return u
}

// Window is the app's main window.
func (u *UI) Window() fyne.Window { return u.win }

// State is the window's state now (a copy).
func (u *UI) State() state.State { return u.st }

// dispatch applies ev to the state, starts the I/O the new state asks for
// and draws it.
func (u *UI) dispatch(ev state.Event) {
	u.st = state.Reduce(u.st, ev)
	u.effects()
	u.render()
}

// Start begins watching for phones and probing the host, in the background.
func (u *UI) Start() {
	u.started = true
	u.startWatch()
	u.probeHost()
}

// probeHost reads the computer's status (the iPhone service, USB access)
// in the background.
func (u *UI) probeHost() {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
		defer cancel()
		h := u.b.HostStatus(ctx)
		u.opts.Do(func() { u.dispatch(state.HostProbed{Host: h}) })
	}()
}

// startWatch runs the live view (Backend.Watch) until stopWatch or the
// window's end.
func (u *UI) startWatch() {
	ctx, cancel := context.WithCancel(u.ctx)
	done := make(chan struct{})
	u.watching, u.watchCancel, u.watchDone = true, cancel, done
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		defer close(done)
		if err := u.b.Watch(ctx, func(ev DeviceEvent) {
			u.opts.Do(func() {
				u.log.Debug("device", "event", ev.Kind, "source", ev.Source, "mode", ev.Device.Mode)
				u.dispatch(ev)
			})
		}); err != nil && ctx.Err() == nil {
			u.log.Warn("device watch stopped", "err", err)
		}
	}()
}

// stopWatch stops the live view; the channel is closed once it returned
// (nil when it did not run).
func (u *UI) stopWatch() chan struct{} {
	if !u.watching {
		return nil
	}
	u.watching = false
	u.watchCancel()
	return u.watchDone
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

// CheckAgain asks for a check now (nothing happens while a check or an
// action runs).
func (u *UI) CheckAgain() { u.dispatch(state.CheckRequested{Time: u.opts.Now()}) }

func (u *UI) build() fyne.CanvasObject {
	u.bar = newBarPane(u)
	u.phone = newPhonePane(u)
	u.host = newHostPane()
	u.progress = newProgressPane()
	u.strip = newStripPane()
	u.answers = newAnswersPane(u)
	u.export = newExportPane(u)
	u.verdict = newVerdictPane(u)
	u.steps = newStepsPane(u)
	u.details = newDetailsPane()
	u.record = newRecordPane(u)

	keys := widget.NewLabel(viewmodel.KeyboardHelp())
	keys.Wrapping = fyne.TextWrapWord
	keys.SizeName = theme.SizeNameCaptionText
	u.leftBox = container.NewVBox(
		u.phone.box, widget.NewSeparator(),
		sectionTitle(viewmodel.SectionComputer()), u.host.box, widget.NewSeparator(),
		sectionTitle(viewmodel.SectionCheck()), u.progress.box, u.strip.box, widget.NewSeparator(),
		sectionTitle(viewmodel.SectionTried()), u.answers.box, widget.NewSeparator(),
		sectionTitle(viewmodel.SectionExport()), u.export.box, widget.NewSeparator(),
		keys,
	)
	u.rightBox = container.NewVBox(u.record.box, u.verdict.box, u.steps.box, u.details.box)

	u.leftScroll = container.NewVScroll(container.NewPadded(u.leftBox))
	u.leftScroll.SetMinSize(fyne.NewSize(300, 200))
	u.rightScroll = container.NewVScroll(container.NewPadded(
		&fyne.Container{Layout: maxWidthLayout{max: maxTextWidth}, Objects: []fyne.CanvasObject{u.rightBox}}))
	u.rightScroll.SetMinSize(fyne.NewSize(400, 200))
	split := container.NewHSplit(u.leftScroll, u.rightScroll)
	split.Offset = 0.34

	// The action bar stays on screen whatever the window size or scrolling.
	// The bar is the first object: Tab reaches "Check" first (NewBorder
	// would put it after the panes).
	top := container.NewVBox(container.NewPadded(u.bar.box), widget.NewSeparator())
	main := container.New(layout.NewBorderLayout(top, nil, nil, nil), top, split)
	u.mainBox = main
	if u.opts.Demo == "" {
		return main
	}
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameWarning), 0x50))
	u.bannerBG = bg
	banner := widget.NewLabel(viewmodel.DemoBanner(u.opts.Demo))
	banner.TextStyle = fyne.TextStyle{Bold: true}
	banner.Wrapping = fyne.TextWrapWord
	head := container.NewStack(bg, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, banner))
	return container.New(layout.NewBorderLayout(head, nil, nil, nil), head, main)
}

func sectionTitle(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// render draws the state: every pane updates from the same frame.
func (u *UI) render() {
	if u.bannerBG != nil {
		u.bannerBG.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x50)
		u.bannerBG.Refresh()
	}
	f := buildFrame(u.st, u.cat, u.opts.Now())
	u.headline = f.verdict
	u.bar.render(u.st, f)
	// A check label of another width can move the bar's last item to a
	// second row (or back): the panes must move with it. Fyne's own
	// min-size pass loses that change when the panes change in the same
	// frame, which left them under the bar's second row.
	relayout(u.mainBox, &u.mainRows)
	u.phone.render(u.st, f)
	u.host.render(f)
	u.progress.render(f)
	u.strip.render(f)
	u.answers.render(u.st)
	u.export.render(u.st)
	u.verdict.render(f)
	u.steps.render(u.st, f)
	u.details.render(f)
	u.record.render(u.st, f)
	relayout(u.leftBox, &u.leftRows)
	if relayout(u.rightBox, &u.rightRows) {
		// Content that got shorter (step 5 once a backup is found) must
		// not leave the pane scrolled past its end.
		u.rightScroll.Refresh()
	}
	if u.st.Scroll != u.scrolled {
		// A new verdict: show it from its top (after an action's re-check
		// the pane was scrolled down to the action's card).
		u.scrolled = u.st.Scroll
		u.rightScroll.ScrollToTop()
	}
}
