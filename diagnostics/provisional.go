package diagnostics

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// InProgressPrefix starts the first incomplete reason of a provisional
// report.
func InProgressPrefix() string {
	return i18n.T("findings.in_progress", i18n.Args{"What": ""})
}

// ProvisionalEvery is how often Engine.Run sends a verdict so far while a
// run goes on after its quick pass.
const ProvisionalEvery = time.Second

// provisionalAfter is when a provisional report is sent even though a
// quick check is still running (the USB presence check must be done).
const provisionalAfter = 800 * time.Millisecond

// slowChecks are the checks the quick pass does not wait for: the window,
// the timed round trips, the control-transfer probe and the network.
var slowChecks = map[string]bool{
	report.CheckUSBStability:     true,
	report.CheckLockdownRTT:      true,
	report.CheckUSBControl:       true,
	report.CheckHostAppleServers: true,
}

// liveWindow is the sampling window while it runs: its monitor (the one
// count of drops) and which sources have delivered a view so far.
type liveWindow struct {
	mon                     *device.Monitor
	start                   time.Time
	window                  time.Duration
	usbPolled, muxConnected atomic.Bool
}

// soFar is what the window has seen up to now and how long it has run.
func (w *liveWindow) soFar() (sampleResult, time.Duration) {
	res := sampleResult{stability: map[string]device.Stability{}, seen: w.mon.Seen()}
	for _, st := range w.mon.Stability() {
		res.stability[st.Key] = st
	}
	if w.usbPolled.Load() {
		res.watched = append(res.watched, sourceUSB)
	}
	if w.muxConnected.Load() {
		res.watched = append(res.watched, sourceUsbmux)
	}
	return res, min(time.Since(w.start), w.window)
}

// provisionals turns a run's progress into progress with verdicts so far.
type provisionals struct {
	r       *run
	tasks   []Task
	started time.Time
	out     func(Progress)

	mu       sync.Mutex // serialises out; guards the fields below
	results  []*TaskResult
	last     Progress
	finished bool

	ctx   context.Context // the run's: a cancelled run gives no verdict so far
	stopc chan struct{}
	wg    sync.WaitGroup
}

func newProvisionals(r *run, tasks []Task, started time.Time, out func(Progress)) *provisionals {
	return &provisionals{r: r, tasks: tasks, started: started, out: out,
		results: make([]*TaskResult, len(tasks)), stopc: make(chan struct{})}
}

// start sends a verdict so far every ProvisionalEvery until stop.
func (p *provisionals) start(ctx context.Context) {
	p.ctx = ctx
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(ProvisionalEvery)
		defer t.Stop()
		first := time.NewTimer(provisionalAfter)
		defer first.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-p.stopc:
				return
			case <-first.C:
			case <-t.C:
			}
			p.mu.Lock()
			if !p.finished && p.last.Total > 0 {
				p.sendLocked(p.last)
			}
			p.mu.Unlock()
		}
	}()
}

// stop ends the ticker; nothing is sent after it returns.
func (p *provisionals) stop() {
	p.mu.Lock()
	p.finished = true
	p.mu.Unlock()
	close(p.stopc)
	p.wg.Wait()
}

// done records a finished task (runTasks calls it under its lock).
func (p *provisionals) done(i int, r TaskResult) {
	p.mu.Lock()
	p.results[i] = &r
	p.mu.Unlock()
}

// progress is runTasks' progress callback.
func (p *provisionals) progress(pr Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.last = pr
	p.sendLocked(pr)
}

// sendLocked sends pr, with a verdict so far when the quick pass allows one.
func (p *provisionals) sendLocked(pr Progress) {
	pr.Report = nil
	if pr.Done < pr.Total && p.ctx.Err() == nil && p.readyLocked() {
		pr.Report = p.reportLocked()
	}
	p.out(pr)
}

// readyLocked reports whether a verdict so far can be given: every quick
// check is done, or the presence check is and provisionalAfter has passed.
func (p *provisionals) readyLocked() bool {
	quick, presence := true, false
	for i, t := range p.tasks {
		if p.results[i] == nil {
			quick = quick && slowChecks[t.ID]
		} else if t.ID == report.CheckUSBPresence {
			presence = true
		}
	}
	return quick || (presence && time.Since(p.started) >= provisionalAfter)
}

// reportLocked builds the verdict so far: the finished checks, the
// stability check over the window so far (same check, same rules), the
// devices as known now, marked in progress.
func (p *provisionals) reportLocked() *report.Report {
	r := p.r
	rep := r.newReport()
	live := r.live.Load()
	var sample sampleResult
	var elapsed time.Duration
	if live != nil {
		sample, elapsed = live.soFar()
	}
	var pending, labels []string
	for i, t := range p.tasks {
		if res := p.results[i]; res != nil {
			rep.Checks = append(rep.Checks, res.Check)
			rep.Findings = append(rep.Findings, res.Findings...)
			continue
		}
		if t.ID == report.CheckUSBStability && live != nil && len(sample.watched) > 0 {
			if phones, ok := settled(r.phones); ok {
				o, err := checks.USBStability(max(elapsed, time.Millisecond), sample.byPhone(withWindowPhones(phones, sample)), sample.watched, nil)
				res := taskResult(context.Background(), t.ID, time.Since(p.started), o, err)
				rep.Checks = append(rep.Checks, res.Check)
				rep.Findings = append(rep.Findings, res.Findings...)
				continue
			}
		}
		pending = append(pending, t.ID)
		if t.ID != report.CheckUSBStability && t.Label != "" {
			labels = append(labels, lowerFirst(t.Label))
		}
	}
	rep.Devices = r.devicesWith(sample, live != nil, elapsed)
	sortFindings(rep.Findings)
	finish(rep, r.opts)

	rep.InProgress = &report.InProgress{Pending: pending, WindowS: r.opts.Window.Seconds(), ElapsedS: elapsed.Round(100 * time.Millisecond).Seconds()}
	var why []string
	if w := r.opts.Window; w > 0 && elapsed < w {
		why = append(why, i18n.T("findings.in_progress.watching", i18n.Args{"Elapsed": i18n.Int(int(elapsed / time.Second)), "Window": i18n.Num(w.Seconds(), 1)}))
	}
	if len(labels) > 0 {
		why = append(why, strings.Join(labels, i18n.T("findings.incomplete.separator")))
	}
	if len(why) == 0 {
		why = append(why, i18n.T("findings.in_progress.finishing"))
	}
	// Not complete: the run is not over. Nothing found yet is never "no
	// fault found".
	reasons := append([]string{i18n.T("findings.in_progress", i18n.Args{"What": strings.Join(why, i18n.T("findings.incomplete.separator"))})}, checksInError(rep)...)
	markIncomplete(rep, reasons, i18n.T("findings.in_progress.nothing_yet"))
	return rep
}

// lowerFirst makes a check's label ("Reading the hosts file") read inside a
// sentence ("reading the hosts file"): the first letter lower-cased, unless
// the second is a capital too (an abbreviation) or the language capitalises
// nouns (German). Scripts without case are returned as they are.
func lowerFirst(s string) string {
	if i18n.Current().Code == "de" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsUpper(r) {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
