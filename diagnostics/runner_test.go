package diagnostics

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestRunTasksStatuses(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	tests := []struct {
		name       string
		run        func(ctx context.Context) (Outcome, error)
		timeout    time.Duration
		wantStatus string
		wantDetail string
		findings   int
	}{
		{"pass", func(context.Context) (Outcome, error) { return Outcome{Detail: "fine"}, nil }, 0, report.StatusPass, "fine", 0},
		{"warn from warning", func(context.Context) (Outcome, error) {
			return Outcome{Findings: []report.Finding{{ID: "x", Severity: report.SeverityWarning}}}, nil
		}, 0, report.StatusWarn, "", 1},
		{"fail from critical", func(context.Context) (Outcome, error) {
			return Outcome{Findings: []report.Finding{{ID: "a", Severity: report.SeverityInfo}, {ID: "b", Severity: report.SeverityCritical}}}, nil
		}, 0, report.StatusFail, "", 2},
		{"explicit skipped", func(context.Context) (Outcome, error) { return Skipped("switched off"), nil }, 0, report.StatusSkipped, "switched off", 0},
		{"error", func(context.Context) (Outcome, error) { return Outcome{}, errors.New("socket gone") }, 0, report.StatusError, "socket gone", 0},
		{"unsupported", func(context.Context) (Outcome, error) {
			return Outcome{}, errors.Join(errors.New("registry"), ErrUnsupported)
		}, 0, report.StatusUnsupported, "registry", 0},
		{"panic", func(context.Context) (Outcome, error) { panic("boom") }, 0, report.StatusError, "panicked: boom", 0},
		{"nil run", nil, 0, report.StatusError, "no implementation", 0},
		{"bad status", func(context.Context) (Outcome, error) { return Outcome{Status: "great"}, nil }, 0, report.StatusError, "unknown status", 0},
		{"honours deadline", func(ctx context.Context) (Outcome, error) {
			<-ctx.Done()
			return Outcome{}, ctx.Err()
		}, 50 * time.Millisecond, report.StatusError, "deadline exceeded", 0},
		{"ignores deadline", func(context.Context) (Outcome, error) {
			<-block
			return Outcome{}, nil
		}, 50 * time.Millisecond, report.StatusError, "did not finish within", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res := RunTasks(context.Background(), []Task{{ID: "c", Run: tc.run, Timeout: tc.timeout}}, nil)
			if len(res) != 1 {
				t.Fatalf("got %d results", len(res))
			}
			r := res[0]
			if r.Check.ID != "c" || r.Check.Status != tc.wantStatus || !strings.Contains(r.Check.Detail, tc.wantDetail) {
				t.Errorf("got %+v, want status %q detail containing %q", r.Check, tc.wantStatus, tc.wantDetail)
			}
			if len(r.Findings) != tc.findings {
				t.Errorf("got %d findings, want %d", len(r.Findings), tc.findings)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

func TestRunTasksConcurrentAndProgress(t *testing.T) {
	var mu sync.Mutex
	var seen []Progress
	started := make(chan struct{}, 3)
	release := make(chan struct{})
	mk := func(id string) Task {
		return Task{ID: id, Label: "label " + id, Run: func(ctx context.Context) (Outcome, error) {
			started <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
				return Outcome{}, ctx.Err()
			}
			return Outcome{}, nil
		}}
	}
	tasks := []Task{mk("a"), mk("b"), mk("c")}
	go func() {
		// All three must be running at once before any is released.
		for range 3 {
			<-started
		}
		close(release)
	}()
	res := RunTasks(context.Background(), tasks, func(p Progress) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	})
	for i, r := range res {
		if r.Check.ID != tasks[i].ID || r.Check.Status != report.StatusPass {
			t.Errorf("result %d = %+v", i, r.Check)
		}
	}
	if len(seen) != 4 {
		t.Fatalf("progress calls = %d (%+v), want 4", len(seen), seen)
	}
	if seen[0].Done != 0 || seen[0].Total != 3 || seen[0].Current != "a" || seen[0].Label != "label a" {
		t.Errorf("first progress = %+v", seen[0])
	}
	last := seen[len(seen)-1]
	if last.Done != 3 || last.Current != "" {
		t.Errorf("last progress = %+v", last)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Done != seen[i-1].Done+1 {
			t.Errorf("progress not monotonic: %+v", seen)
		}
	}
}

func TestRunTasksCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(30 * time.Millisecond)
		cancel()
	}()
	res := RunTasks(ctx, []Task{{ID: "slow", Timeout: time.Minute, Run: func(ctx context.Context) (Outcome, error) {
		<-ctx.Done()
		return Outcome{}, ctx.Err()
	}}}, nil)
	if res[0].Check.Status != report.StatusError || !strings.Contains(res[0].Check.Detail, "canceled") {
		t.Errorf("got %+v", res[0].Check)
	}
}

func TestFactWaitsAndSettlesOnce(t *testing.T) {
	f := NewFact[int]()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.Get(ctx); err == nil {
		t.Fatal("Get on unsettled fact returned no error after deadline")
	}
	f.Set(1, nil)
	f.Set(2, errors.New("ignored"))
	v, err := f.Get(context.Background())
	if v != 1 || err != nil || !f.Settled() {
		t.Fatalf("got %d, %v", v, err)
	}
}

func TestProduceSettlesOnPanicAndTimeout(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	tests := []struct {
		name    string
		fn      func(ctx context.Context) (int, error)
		want    int
		wantErr string
	}{
		{"value", func(context.Context) (int, error) { return 7, nil }, 7, ""},
		{"panic", func(context.Context) (int, error) { panic("x") }, 0, "panicked"},
		{"stuck", func(context.Context) (int, error) { <-stuck; return 1, nil }, 0, "did not finish"},
		{"honours ctx", func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, errors.New("own error") }, 0, "own error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFact[int]()
			Produce(context.Background(), 30*time.Millisecond, f, "thing", tc.fn)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			v, err := f.Get(ctx)
			if v != tc.want || (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("got %d, %v; want %d, %q", v, err, tc.want, tc.wantErr)
			}
		})
	}
}

// The software-version probe is asked once per iOS version within the
// cache time, again after it, and an error is never kept.
func TestCacheSoftware(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := 0
	status := report.StatusPass
	fn := cacheSoftware(time.Minute, func() time.Time { return at }, func(ctx context.Context, v string) host.Result {
		calls++
		return host.Result{ID: report.CheckHostSoftwareVersions, Status: status, Detail: v}
	})
	steps := []struct {
		advance   time.Duration
		ios       string
		status    string
		wantCalls int
	}{
		{0, "17.5", report.StatusPass, 1},
		{10 * time.Second, "17.5", report.StatusPass, 1},
		{0, "18.0", report.StatusPass, 2},
		{time.Minute, "17.5", report.StatusError, 3},
		{0, "17.5", report.StatusPass, 4},
		{0, "17.5", report.StatusPass, 4},
	}
	for i, s := range steps {
		at = at.Add(s.advance)
		status = s.status
		if r := fn(context.Background(), s.ios); r.Detail != s.ios || calls != s.wantCalls {
			t.Errorf("step %d: detail %q, %d probes, want %q and %d", i, r.Detail, calls, s.ios, s.wantCalls)
		}
	}
}
