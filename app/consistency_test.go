package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
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
	// The real backup scanner over a testdata tree holding phone A's backups.
	engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: slog.New(slog.DiscardHandler), ToolVersion: "test",
		Host: diagnostics.HostChecks{Backups: diagnostics.SystemBackupScan, ICloudBackup: true}})
	defer engine.Close()
	return engine.Run(ctx, diagnostics.Options{Window: window, UsbmuxdAddress: srv.Addr(), NoNetwork: true, IncludeIdentifiers: true, LockdownRequests: 3,
		BackupDirs: []string{macBackupTree}}, nil)
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

// macBackupTree is the backup scanner's macOS testdata folder: two backups
// of phone A (the simulator's), the newest finished and encrypted, and
// another phone's.
const macBackupTree = "../diagnostics/host/backup/testdata/macos/Library/Application Support/MobileSync/Backup"

// checkExport (issue 19, finding 4): the export of the window's state, as
// JSON and Markdown, states the window's headline, its primary step and the
// selected phone's drops; and (issue 21) step 5's backup sentences, with
// the backup findings they come from.
func checkExport(t *testing.T, u *UI, key string) {
	t.Helper()
	r := exportReport(u.st, u.cat, u.opts.Now())
	checkBackupExport(t, u, key, r)
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

// checkBackupExport: the sentences step 5 shows about the selected phone's
// backups are the export's, in Markdown and JSON, and the JSON holds the
// backup findings of that phone they were made from.
func checkBackupExport(t *testing.T, u *UI, key string, r *report.Report) {
	t.Helper()
	var shown []string
	for _, sw := range u.steps.widgets {
		if sw.card.Number == 5 {
			shown = sw.card.Backup.Lines
		}
	}
	if len(r.Devices) > 0 && len(shown) == 0 {
		t.Errorf("%s: step 5 shows no backup state", key)
	}
	if !slices.Equal(shown, r.BackupSummary) {
		t.Errorf("%s: step 5 says %q, the export %q", key, shown, r.BackupSummary)
	}
	// With identifiers, as the window shows them (a redacted export
	// replaces them in these sentences too).
	md, err := session.Render(r, FormatMarkdown, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range shown {
		if !strings.Contains(strings.ReplaceAll(string(md), "\\", ""), l) {
			t.Errorf("%s: Markdown lacks step 5's %q", key, l)
		}
	}
	data, err := session.Render(r, FormatJSON, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got report.Report
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.BackupSummary, shown) {
		t.Errorf("%s: JSON backup_summary %q, step 5 %q", key, got.BackupSummary, shown)
	}
	ids := map[string]bool{}
	for _, f := range got.Findings {
		ids[f.ID] = true
	}
	if len(shown) > 0 && !ids[report.FindingBackupLocal] {
		t.Errorf("%s: step 5 speaks of backups; the JSON has no %s finding", key, report.FindingBackupLocal)
	}
}
