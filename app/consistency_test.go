package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// engineReport runs the real engine once against the simulator playing
// scenario, on a real unix socket, watching the connection for window.
func engineReport(t *testing.T, scenario string, window time.Duration) (*report.Report, error) {
	sc, err := sim.Builtin(scenario)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := sim.Start(ctx, "unix://"+t.TempDir()+"/mux", sc, nil)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: slog.New(slog.DiscardHandler), ToolVersion: "test"})
	defer engine.Close()
	return engine.Run(ctx, diagnostics.Options{Window: window, UsbmuxdAddress: srv.Addr(), NoNetwork: true, IncludeIdentifiers: true, LockdownRequests: 3}, nil)
}

// TestWindowAgreesWithReport: for every demo scenario, with the real engine
// on the simulator, and for multi with each phone selected, the headline's
// step, the highlighted step and the report's primary_step for the selected
// phone are one step, and the strip caption gives that phone's drop count.
func TestWindowAgreesWithReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the engine on every scenario")
	}
	names := sim.BuiltinNames()
	reports := make([]*report.Report, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = engineReport(t, name, 3*time.Second)
		}()
	}
	wg.Wait()
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			if errs[i] != nil {
				t.Fatalf("engine: %v", errs[i])
			}
			r := reports[i]
			h := newHarness(t, newFake(t), Options{NoAutoCheck: true})
			h.b.reports = []*report.Report{r}
			for _, rd := range r.Devices {
				m := mode.Mode(rd.Mode)
				h.attach(viewmodel.DeviceFromReport(viewmodel.Device{Key: rd.Key, Mode: m, Listed: rd.Usbmux.Listed}, rd))
			}
			h.pump(func() bool { return len(h.u.st.Phones) == len(r.Devices) })
			h.u.CheckAgain()
			h.waitVerdict()
			if h.u.st.RunErr != nil {
				t.Fatal(h.u.st.RunErr)
			}
			if len(r.Devices) == 0 {
				checkHeadline(t, h.u, r)
				checkExport(t, h.u, "")
				return
			}
			for _, rd := range r.Devices {
				if len(r.Devices) > 1 {
					selectKey(t, h.u, rd.Key)
				}
				want := r
				if len(r.Devices) > 1 {
					// The session's report for this phone: its findings and
					// the host's, ranked by the rules.
					one := report.ForDevice(r, rd.Key)
					cp := *one
					rules.Evaluate(catalog.MustDefault(), rules.InputFromReport(&cp, rules.Tried{})).Apply(&cp)
					want = &cp
				}
				checkHeadline(t, h.u, want)
				if len(r.Devices) > 1 {
					checkConsistent(t, h.u, rd.Key)
				}
				checkExport(t, h.u, rd.Key)
			}
		})
	}
}

// checkHeadline: the window's headline and highlighted step are want's
// primary step.
func checkHeadline(t *testing.T, u *UI, want *report.Report) {
	t.Helper()
	p := 0
	if want.PrimaryStep != nil {
		p = *want.PrimaryStep
	}
	got := 0
	if u.st.View != nil && u.st.View.PrimaryStep != nil {
		got = *u.st.View.PrimaryStep
	}
	if got != p || primaryCard(u) != p || (p != 0 && u.headline.Step != p) {
		t.Errorf("report primary_step %d; window: shown %d, highlighted %d, headline %d %q", p, got, primaryCard(u), u.headline.Step, u.verdict.label.Text)
	}
	if p != 0 && !strings.Contains(strings.ToLower(u.verdict.label.Text), fmt.Sprintf("step %d", p)) && !strings.Contains(u.verdict.label.Text, want.Steps[p-1].Title) {
		t.Errorf("headline %q names neither step %d nor its title", u.verdict.label.Text, p)
	}
}

// checkExport (issue 19, finding 4): the export of the window's state, as
// JSON and Markdown, states the window's headline, its primary step and the
// selected phone's drops.
func checkExport(t *testing.T, u *UI, key string) {
	t.Helper()
	r := exportReport(u.st, u.cat)
	data, err := session.Render(r, FormatJSON, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got report.Report
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Summary != u.verdict.label.Text {
		t.Errorf("%s: export verdict %q, window headline %q", key, got.Summary, u.verdict.label.Text)
	}
	p := 0
	if got.PrimaryStep != nil {
		p = *got.PrimaryStep
	}
	if p != primaryCard(u) {
		t.Errorf("%s: export primary step %d, window highlights %d", key, p, primaryCard(u))
	}
	md, err := session.Render(r, FormatMarkdown, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p != 0 && !strings.Contains(string(md), fmt.Sprintf("### %d. ", p)) {
		t.Errorf("%s: Markdown lacks step %d", key, p)
	}
	for n, sw := range u.steps.widgets {
		if sw.card.Mentioned && strings.Contains(string(md), fmt.Sprintf("### %d. %s: does not apply", n, sw.card.Title)) {
			t.Errorf("%s: the window names step %d, the export says it does not apply", key, n)
		}
	}
	for _, d := range got.Devices {
		if d.Key != key {
			continue
		}
		drops := fmt.Sprintf("%d drops", d.Stability.Detaches)
		if d.Stability.Detaches == 1 {
			drops = "1 drop"
		}
		if !strings.Contains(u.strip.caption.Text, drops) {
			t.Errorf("%s: export has %s, the window's strip says %q", key, drops, u.strip.caption.Text)
		}
	}
}
