package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/checks"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/backup"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// backupNow is "now" for the backup tests: the testdata's newest backup of
// phone A is from 2 Dec 2026, 14:10 UTC.
var backupNow = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// withBackup is r (a testdata report) with the backup.local and
// backup.icloud findings the real checks make of scan and cloud for its
// one phone.
func withBackup(t testing.TB, r *report.Report, scan checks.LocalBackup, goos string, cloud checks.ICloud) *report.Report {
	t.Helper()
	d := r.Devices[0]
	phones := []checks.Phone{{Key: d.Key, Mode: mode.Mode(d.Mode)}}
	local, err := checks.LocalBackups(phones, map[string]checks.LocalBackup{d.Key: scan}, goos)
	if err != nil {
		t.Fatal(err)
	}
	ic, err := checks.ICloudBackup(phones, map[string]checks.ICloud{d.Key: cloud})
	if err != nil {
		t.Fatal(err)
	}
	r.Findings = append(append(r.Findings, local.Findings...), ic.Findings...)
	return r
}

// scanTree scans dir with the real scanner for phone A.
func scanTree(t *testing.T, dir string) checks.LocalBackup {
	t.Helper()
	udid := phoneA.Key
	res, err := backup.Scan(context.Background(), backup.Options{UDID: udid, Locations: backup.Locations("linux", func(string) string { return "" }, []string{dir})})
	if err != nil {
		t.Fatal(err)
	}
	return checks.LocalBackup{UDID: udid, Result: res}
}

func on(b bool) *bool { return &b }

// step5 opens step 5 and returns the texts on its card, in order.
func step5(t *testing.T, h *harness) []string {
	t.Helper()
	h.u.dispatch(state.StepExpanded{Step: 5, Open: true})
	sw := h.u.steps.widgets[5]
	if sw == nil {
		t.Fatal("no step 5 card")
	}
	for _, o := range h.u.steps.box.Objects {
		if txt := texts(o); slices.Contains(txt, sw.card.AcknowledgeLabel) {
			return txt
		}
	}
	t.Fatal("step 5's card has no acknowledgement")
	return nil
}

// before reports whether a text containing a comes before one containing b.
func before(txt []string, a, b string) bool {
	ia, ib := -1, -1
	for i, s := range txt {
		if ia < 0 && strings.Contains(s, a) {
			ia = i
		}
		if ib < 0 && strings.Contains(s, b) {
			ib = i
		}
	}
	return ia >= 0 && ib >= 0 && ia < ib
}

// Issue 21: step 5 shows the phone's backup state before "I have a
// backup", for each state the report can hold; never "no backup" when the
// folder could not be read; the ways to back up and "Check again" only
// when there is no finished backup and iCloud Backup is not on.
func TestStep5ShowsBackupState(t *testing.T) {
	permission := checks.LocalBackup{UDID: phoneA.Key, Result: backup.Result{UDID: phoneA.Key, Locations: []backup.LocationResult{{
		Location: backup.Location{Path: "/Users/x/Library/Application Support/MobileSync/Backup", Display: "~/Library/Application Support/MobileSync/Backup", App: backup.AppFinder},
		Status:   backup.LocationPermission, Err: "permission denied"}}}}
	recoveryReason := "the iPhone is in recovery mode, where it cannot be asked"
	tests := []struct {
		name    string
		fixture string
		local   func(t *testing.T) checks.LocalBackup
		goos    string
		cloud   checks.ICloud
		want    []string
		ways    bool
		not     []string
	}{
		{"found", "report-healthy.json", func(t *testing.T) checks.LocalBackup { return scanTree(t, macBackupTree) }, "darwin", checks.ICloud{Enabled: on(false)},
			[]string{"Last backup of this iPhone on this computer: 2 Dec 2026, 14:10 (3 days ago), finished, encrypted.", "iCloud Backup is off."}, false,
			[]string{"No backup"}},
		{"none, iCloud off", "report-healthy.json", func(t *testing.T) checks.LocalBackup { return scanTree(t, t.TempDir()) }, "linux", checks.ICloud{Enabled: on(false)},
			[]string{"No backup of this iPhone on this computer, and iCloud Backup is off.", viewmodel.BackupNowTitle(), viewmodel.BackupLookAgain()}, true, nil},
		{"iCloud on", "report-healthy.json", func(t *testing.T) checks.LocalBackup { return scanTree(t, t.TempDir()) }, "linux", checks.ICloud{Enabled: on(true)},
			[]string{"iCloud Backup is on; last local backup: none."}, false, []string{viewmodel.BackupNowTitle()}},
		{"recovery mode", "report-recovery.json", func(t *testing.T) checks.LocalBackup { return scanTree(t, macBackupTree) }, "darwin", checks.ICloud{Reason: recoveryReason, Code: "recovery_mode"},
			[]string{"Last backup of this iPhone on this computer: 2 Dec 2026, 14:10", "iCloud Backup cannot be checked now: the iPhone is in recovery mode"}, false, []string{"No backup"}},
		{"recovery mode, none", "report-recovery.json", func(t *testing.T) checks.LocalBackup { return scanTree(t, t.TempDir()) }, "linux", checks.ICloud{Reason: recoveryReason, Code: "recovery_mode"},
			[]string{"No backup of this iPhone on this computer.", "iCloud Backup cannot be checked now: the iPhone is in recovery mode", "A backup needs the iPhone running iOS"}, true, nil},
		{"permission", "report-healthy.json", func(t *testing.T) checks.LocalBackup { return permission }, "darwin", checks.ICloud{Enabled: on(false)},
			[]string{"Could not check this computer's backups (permission).", "Full Disk Access", viewmodel.BackupLookAgain()}, true, []string{"No backup"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := withBackup(t, loadReport(t, tt.fixture), tt.local(t), tt.goos, tt.cloud)
			h := newHarness(t, newFake(t), Options{NoAutoCheck: true, Now: func() time.Time { return backupNow }})
			h.b.reports = []*report.Report{r}
			d := phoneA
			if tt.fixture == "report-recovery.json" {
				d = phoneARecovery
			}
			h.attach(d)
			h.pump(func() bool { return len(h.u.st.Phones) == 1 })
			h.u.CheckAgain()
			h.waitVerdict()
			txt := step5(t, h)
			all := strings.Join(txt, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("step 5 lacks %q:\n%s", w, all)
				}
				if !before(txt, w, h.u.steps.widgets[5].card.AcknowledgeLabel) {
					t.Errorf("%q is not before the acknowledgement", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(all, n) {
					t.Errorf("step 5 says %q:\n%s", n, all)
				}
			}
			if got := h.u.steps.lookAgain != nil; got != tt.ways {
				t.Errorf("Check again on step 5: %v, want %v", got, tt.ways)
			}
			h.shot("step5-" + strings.ReplaceAll(tt.name, " ", "-"))
		})
	}
}

// engineBackend runs the real engine on the simulator, with the real
// backup scanner over dirs, for each check.
type engineBackend struct {
	*fakeBackend
	engine *diagnostics.Engine
	addr   string
	dirs   []string
}

func (b *engineBackend) Check(ctx context.Context, opts CheckOptions, progress func(Progress)) (*report.Report, error) {
	return b.engine.Run(ctx, diagnostics.Options{Window: 0, UsbmuxdAddress: b.addr, NoNetwork: true, IncludeIdentifiers: true,
		LockdownRequests: 3, BackupDirs: b.dirs}, nil)
}

// Issue 21: after a backup, "Check again" on step 5 shows it: a backup
// tree appears between two checks, both run by the real engine and
// scanner on the simulated phone.
func TestCheckAgainFindsNewBackup(t *testing.T) {
	sc, err := sim.Builtin("healthy")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := sim.Start(ctx, "unix://"+t.TempDir()+"/mux", sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	engine := diagnostics.NewEngine(diagnostics.Config{USB: srv.USBSource(), Logger: slog.New(slog.DiscardHandler), ToolVersion: "test",
		Host: diagnostics.HostChecks{Backups: diagnostics.SystemBackupScan, ICloudBackup: true}})
	defer engine.Close()
	dir := t.TempDir()
	f := newFake(t)
	be := &engineBackend{fakeBackend: f, engine: engine, addr: srv.Addr(), dirs: []string{dir}}
	h := newHarnessOver(t, be, f, Options{NoAutoCheck: true, Now: func() time.Time { return backupNow }})
	h.attach(phoneA)
	h.pump(func() bool { return len(h.u.st.Phones) == 1 })
	h.u.CheckAgain()
	h.waitVerdict()
	if h.u.st.RunErr != nil {
		t.Fatal(h.u.st.RunErr)
	}
	first := strings.Join(step5(t, h), "\n")
	if !strings.Contains(first, "No backup of this iPhone on this computer, and iCloud Backup is off.") || h.u.steps.lookAgain == nil {
		t.Fatalf("first check, step 5:\n%s", first)
	}
	h.shot("step5-before-backup")

	// The user backs up: the backup folder appears.
	copyTree(t, filepath.Join(macBackupTree, phoneA.Key), filepath.Join(dir, phoneA.Key))
	last := h.u.st.Last
	test.Tap(h.u.steps.lookAgain)
	h.pump(func() bool { return !h.u.st.Check.Running && h.u.st.Last != last })
	h.waitVerdict()
	if sw := h.u.steps.widgets[5]; sw == nil || !sw.card.Expanded {
		t.Error("step 5 closed after its Check again")
	}
	var change *viewmodel.Change
	for _, c := range h.u.steps.shown.changes {
		if strings.HasPrefix(c.Text, "backups: ") {
			change = &c
		}
	}
	if change == nil || change.Direction != viewmodel.Better || !strings.Contains(change.Text, "Last backup of this iPhone") {
		t.Errorf("before/after: %+v", h.u.steps.shown.changes)
	}
	second := strings.Join(step5(t, h), "\n")
	if !strings.Contains(second, "Last backup of this iPhone on this computer: 2 Dec 2026, 14:10 (3 days ago), finished, encrypted.") {
		t.Errorf("after the backup, step 5:\n%s", second)
	}
	if strings.Contains(second, "No backup") || h.u.steps.lookAgain != nil {
		t.Errorf("after the backup, step 5 still asks for one:\n%s", second)
	}
	h.shot("step5-after-backup")
}

// copyTree copies the regular files of src (one level of subfolders) to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkBuildFrameWithBackup is BenchmarkBuildFrame's state with the
// real scanner's backup findings in both checks' reports (step 5's
// sentences and the before/after line are derived on every frame).
func BenchmarkBuildFrameWithBackup(b *testing.B) {
	r := withBackup(b, loadReportB(b, "report-healthy.json"), scanTreeB(b), "darwin", checks.ICloud{Enabled: on(false)})
	cat := catalog.MustDefault()
	s := state.New(cat, "", true, true)
	s = state.Reduce(s, state.DeviceEvent{Kind: state.EventAttach, Source: "usbmux", Time: backupNow, Device: phoneA})
	s = state.Reduce(s, state.CheckDone{Seq: s.Check.Seq, Report: r})
	s = state.Reduce(s, state.CheckRequested{Time: backupNow})
	s = state.Reduce(s, state.CheckDone{Seq: s.Check.Seq, Report: r})
	view := CatalogView(cat, "linux")
	b.ReportAllocs()
	for b.Loop() {
		f := buildFrame(s, view, backupNow)
		if !slices.ContainsFunc(f.panel.cards, func(c viewmodel.StepCard) bool { return c.Backup.Known }) {
			b.Fatal("no backup state in the frame")
		}
	}
}

func loadReportB(b *testing.B, name string) *report.Report {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		b.Fatal(err)
	}
	return &r
}

func scanTreeB(b *testing.B) checks.LocalBackup {
	res, err := backup.Scan(context.Background(), backup.Options{UDID: phoneA.Key, Locations: backup.Locations("linux", func(string) string { return "" }, []string{macBackupTree})})
	if err != nil {
		b.Fatal(err)
	}
	return checks.LocalBackup{UDID: phoneA.Key, Result: res}
}
