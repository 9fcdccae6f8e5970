package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Outcome is what one check concluded; see checks.Outcome.
type Outcome = checks.Outcome

// Skipped returns an Outcome with status skipped and the reason.
func Skipped(reason string) Outcome { return checks.Skipped(reason) }

// ErrUnsupported marks a check that is not implemented on this operating
// system; the runner reports it as status unsupported, not as a failure.
var ErrUnsupported = errors.New("not supported on this operating system")

// Task is one check the runner executes.
type Task struct {
	// ID is the stable check id (report.Check*).
	ID string
	// Label is a short human description shown while the check runs.
	Label string
	// Timeout bounds the check; the check's context is cancelled when it
	// passes. Zero means DefaultTaskTimeout.
	Timeout time.Duration
	// Run performs the check. It must honour ctx. A returned error becomes
	// status error (or unsupported for ErrUnsupported); a panic is recovered
	// into status error.
	Run func(ctx context.Context) (Outcome, error)
}

// DefaultTaskTimeout bounds a task that sets no Timeout.
const DefaultTaskTimeout = 10 * time.Second

// abandonGrace is how long the runner waits past a task's deadline for a
// task that ignores its context before it records the task as timed out and
// moves on without it.
const abandonGrace = 500 * time.Millisecond

// Progress reports how far a run is: Done of Total checks have finished;
// Current is the id of a check still running (empty when all are done) and
// Label its human description.
type Progress struct {
	Done, Total int
	Current     string
	Label       string
	// Report, when not nil, is the verdict so far (Report.InProgress is
	// set): the quick pass's checks with the same rules as the final
	// report, the drops of the window so far, never "no fault found".
	// Engine.Run sends one as soon as the quick pass is done and then every
	// second until the run ends; the final report is Run's result.
	Report *report.Report
}

// TaskResult is the outcome of one task as the report records it.
type TaskResult struct {
	Check    report.Check
	Findings []report.Finding
}

// RunTasks runs every task concurrently, each under its own deadline derived
// from ctx, and returns one result per task in task order. progress, when not
// nil, is called (serially, from the calling goroutines) on start, after each
// task finishes and at the end. A task that does not return by its deadline
// plus a short grace period is recorded as status error and abandoned, so a
// misbehaving check can delay the run but never hang it. When ctx is
// cancelled, unfinished tasks are recorded as status error with ctx's reason.
func RunTasks(ctx context.Context, tasks []Task, progress func(Progress)) []TaskResult {
	return runTasks(ctx, tasks, progress, nil)
}

// runTasks is RunTasks; done, when not nil, is called with each finished
// task's index and result just before the progress report that counts it,
// under the same lock (so done and progress never run at the same time).
func runTasks(ctx context.Context, tasks []Task, progress func(Progress), done func(i int, r TaskResult)) []TaskResult {
	results := make([]TaskResult, len(tasks))
	type result struct {
		i int
		r TaskResult
	}
	finished := make(chan result, len(tasks))

	var mu sync.Mutex
	running := make(map[int]bool, len(tasks))
	doneCount := 0
	report := func() {
		if progress == nil {
			return
		}
		p := Progress{Done: doneCount, Total: len(tasks)}
		first := -1
		for i := range running {
			if first < 0 || i < first {
				first = i
			}
		}
		if first >= 0 {
			p.Current, p.Label = tasks[first].ID, tasks[first].Label
		}
		progress(p)
	}

	mu.Lock()
	for i := range tasks {
		running[i] = true
	}
	report()
	mu.Unlock()

	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := runOne(ctx, t)
			mu.Lock()
			delete(running, i)
			doneCount++
			if done != nil {
				done(i, r)
			}
			report()
			mu.Unlock()
			finished <- result{i, r}
		}()
	}
	wg.Wait()
	close(finished)
	for d := range finished {
		results[d.i] = d.r
	}
	return results
}

// runOne runs a single task with its deadline, panic recovery and the
// abandon-after-grace guard.
func runOne(parent context.Context, t Task) TaskResult {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultTaskTimeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()

	start := time.Now()
	type ret struct {
		o   Outcome
		err error
	}
	ch := make(chan ret, 1) // buffered: an abandoned task can still finish
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- ret{err: fmt.Errorf("check %s panicked: %v\n%s", t.ID, p, firstLines(debug.Stack(), 12))}
			}
		}()
		if t.Run == nil {
			ch <- ret{err: fmt.Errorf("check %s has no implementation", t.ID)}
			return
		}
		o, err := t.Run(ctx)
		ch <- ret{o, err}
	}()

	var r ret
	select {
	case r = <-ch:
	case <-ctx.Done():
		grace := time.NewTimer(abandonGrace)
		select {
		case r = <-ch:
		case <-grace.C:
			r = ret{err: fmt.Errorf("%s: %w", i18n.T("findings.error.timeout", i18n.Args{"Check": t.ID, "Timeout": i18n.Duration(timeout)}), context.Cause(ctx))}
		}
		grace.Stop()
	}
	return taskResult(parent, t.ID, time.Since(start), r.o, r.err)
}

// taskResult is a check's outcome (or error) as the report records it;
// parent is the run's context (a cancelled run says so in the detail).
func taskResult(parent context.Context, id string, elapsed time.Duration, o Outcome, err error) TaskResult {
	res := TaskResult{Check: report.Check{ID: id, DurationMs: float64(elapsed.Round(100*time.Microsecond)) / float64(time.Millisecond)}}
	switch {
	case err != nil && errors.Is(err, ErrUnsupported):
		res.Check.Status = report.StatusUnsupported
		res.Check.Detail = err.Error()
	case err != nil:
		res.Check.Status = report.StatusError
		res.Check.Detail = err.Error()
		if parent.Err() != nil && !errors.Is(err, parent.Err()) {
			res.Check.Detail = i18n.T("findings.error.run_cancelled", i18n.Args{"Detail": res.Check.Detail, "Cause": fmt.Sprint(context.Cause(parent))})
		}
	default:
		res.Check.Status = o.Status
		res.Check.Detail = o.Detail
		res.Findings = o.Findings
		if res.Check.Status == "" {
			res.Check.Status = statusFromFindings(o.Findings)
		}
		if !validStatus(res.Check.Status) {
			res.Check.Detail = fmt.Sprintf("check returned unknown status %q: %s", res.Check.Status, res.Check.Detail)
			res.Check.Status = report.StatusError
		}
	}
	return res
}

// statusFromFindings derives pass/warn/fail from the worst finding severity.
func statusFromFindings(fs []report.Finding) string {
	status := report.StatusPass
	for _, f := range fs {
		switch f.Severity {
		case report.SeverityCritical:
			return report.StatusFail
		case report.SeverityWarning, report.SeverityInfo:
			status = report.StatusWarn
		}
	}
	return status
}

func validStatus(s string) bool {
	switch s {
	case report.StatusPass, report.StatusWarn, report.StatusFail,
		report.StatusSkipped, report.StatusUnsupported, report.StatusError:
		return true
	}
	return false
}

// firstLines keeps a panic's stack short enough for a report's detail field.
func firstLines(b []byte, n int) string {
	lines := 0
	for i, c := range b {
		if c == '\n' {
			lines++
			if lines == n {
				return string(b[:i])
			}
		}
	}
	return string(b)
}

// sortFindings orders findings by severity (critical first), then id, then
// device, so reports are stable across runs.
func sortFindings(fs []report.Finding) {
	rank := map[string]int{report.SeverityCritical: 0, report.SeverityWarning: 1, report.SeverityInfo: 2}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.DeviceKey < b.DeviceKey
	})
}
