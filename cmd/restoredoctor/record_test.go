package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

const recordFixture = "../../device/restoretrace/testdata/recovery-then-restore.jsonl"

func TestRecordUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"record", "--frob"}, "flag provided but not defined"},
		{"stray argument", []string{"record", "now"}, "unexpected argument"},
		{"poll too short", []string{"record", "--poll", "1ms"}, "--poll 1ms"},
		{"poll not a duration", []string{"record", "--poll", "fast"}, "not a duration"},
		{"speed without replay", []string{"record", "--speed", "3"}, "--speed only goes with --replay"},
		{"speed zero", []string{"record", "--replay", "x", "--speed", "0"}, "--speed 0"},
		{"replay and usbmuxd", []string{"record", "--replay", "x", "--usbmuxd", "/tmp/x"}, "no --usbmuxd"},
		{"empty trace name", []string{"record", "--trace", " "}, "empty file name"},
		{"watch --restore too", []string{"watch", "--restore", "--poll", "1ms"}, "--poll 1ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tt.args, &out, &errb); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errb.String(), tt.want) || strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("stderr %q: want one line with %q", errb.String(), tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run([]string{"record", "--help"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "--include-identifiers") {
		t.Errorf("--help: exit %d, %q", code, out.String())
	}
	if code := run([]string{"record", "--replay", "testdata/no-such-trace.jsonl"}, &out, &errb); code != exitFail ||
		!strings.Contains(errb.String(), "no-such-trace.jsonl") {
		t.Errorf("missing trace: exit %d, %q", code, errb.String())
	}
	if code := run([]string{"record", "--replay", "wrong-mode", "--speed", "1000", "--poll", "10ms", "--json",
		"--trace", filepath.Join(t.TempDir(), "t.jsonl")}, &out, &errb); code != exitOK || !strings.Contains(out.String(), `"restore_timeline"`) {
		t.Errorf("--replay of a demo trace by name: exit %d, %q", code, errb.String())
	}
	// A trace file that cannot be written stops the recording before it starts.
	for _, bad := range []string{"/dev/full", filepath.Join(t.TempDir(), "no-such-dir", "t.jsonl"), t.TempDir()} {
		errb.Reset()
		if code := run([]string{"record", "--replay", recordFixture, "--trace", bad}, &out, &errb); code != exitFail ||
			!strings.Contains(errb.String(), "restoretrace") {
			t.Errorf("--trace %s: exit %d, %q", bad, code, errb.String())
		}
	}
}

// record --json over a replayed trace: JSON lines of the events, then the
// restore_timeline with the verdict; the trace file is 0600, redacted, and
// reads back; identifiers appear nowhere.
func TestRecordReplayJSON(t *testing.T) {
	tracePath := filepath.Join(t.TempDir(), "out.jsonl")
	var out, errb bytes.Buffer
	code := run([]string{"record", "--json", "--replay", recordFixture, "--speed", "50", "--poll", "50ms", "--trace", tracePath}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	kinds := map[restoretrace.Kind]int{}
	for _, l := range lines[:len(lines)-1] {
		var e restoretrace.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil || !restoretrace.Known(e.Kind) {
			t.Fatalf("not an event line: %q (%v)", l, err)
		}
		kinds[e.Kind]++
		if strings.HasPrefix(e.Key, "ecid:") {
			t.Errorf("identifier not redacted: %q", l)
		}
	}
	for _, k := range []restoretrace.Kind{restoretrace.RecordStart, restoretrace.USBAttach, restoretrace.USBChange,
		restoretrace.USBDetach, restoretrace.MuxAttach, restoretrace.MuxDown, restoretrace.RecordStop} {
		if kinds[k] == 0 {
			t.Errorf("no %s line; got %v", k, kinds)
		}
	}
	var last struct {
		RT struct {
			Verdict struct{ ID, Summary string } `json:"verdict"`
			Stages  []struct{ Stage string }     `json:"stages"`
		} `json:"restore_timeline"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.RT.Verdict.ID == "" || len(last.RT.Stages) < 3 {
		t.Fatalf("last line %q (%v)", lines[len(lines)-1], err)
	}
	st, err := os.Stat(tracePath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("trace file: %v %v", st, err)
	}
	tr, err := restoretrace.ReadFile(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Header.Redacted || tr.Truncated || len(tr.Events) != len(lines)-1 {
		t.Errorf("trace: redacted=%v truncated=%v, %d events for %d lines", tr.Header.Redacted, tr.Truncated, len(tr.Events), len(lines)-1)
	}
	if stop := tr.Events[len(tr.Events)-1]; stop.Kind != restoretrace.RecordStop || stop.Reason != "done" {
		t.Errorf("last event %+v", stop)
	}
	if !strings.Contains(errb.String(), tracePath) {
		t.Errorf("stderr does not say where the trace is: %q", errb.String())
	}
}

// Ctrl-C: the recording stops as "interrupted", the trace ends with that
// stop, and the verdict says the recording is incomplete.
func TestRecordE2ESIGINT(t *testing.T) {
	tracePath := filepath.Join(t.TempDir(), "out.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "record", "--replay", recordFixture, "--speed", "5", "--poll", "50ms", "--trace", tracePath)
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), "on USB in normal") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v\n%s", err, errb.String())
	}
	text := strings.Join(lines, "\n")
	if !strings.Contains(text, "recording stopped (interrupted)") || !strings.Contains(text, "incomplete") {
		t.Errorf("output:\n%s", text)
	}
	tr, err := restoretrace.ReadFile(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	if stop := tr.Events[len(tr.Events)-1]; stop.Kind != restoretrace.RecordStop || stop.Reason != "interrupted" {
		t.Errorf("last event %+v", stop)
	}
}

// Real libusb under umockdev, with no recorded control transfers: a
// recording still has the recovery-mode phone's iBoot fields, read from the
// serial string the kernel cached at enumeration (sysfs). A transfer to the
// device would fail here (umockdev answers none without a capture).
func TestRecordE2EPassiveUSB(t *testing.T) {
	if _, err := exec.LookPath("umockdev-run"); err != nil {
		t.Skip("umockdev-run not installed")
	}
	srv := startSim(t, "none")
	fx := e2eLoadFixture(t, "iphone-recovery")
	tracePath := filepath.Join(t.TempDir(), "out.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "umockdev-run", "-d", filepath.Join(e2eFixtureDir, fx.Umockdev), "--",
		binPath, "record", "--json", "--for", "2s", "--include-identifiers", "--usbmuxd", srv.Addr(), "--trace", tracePath)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("record: %v\n%s", err, errb.String())
	}
	tr, err := restoretrace.ReadFile(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	var attach *restoretrace.Event
	for i, e := range tr.Events {
		if e.Kind == restoretrace.USBAttach {
			attach = &tr.Events[i]
		}
	}
	if attach == nil || attach.USB.Mode != "recovery" || attach.USB.IBoot["CPID"] != "8110" ||
		attach.USB.IBoot["ECID"] != "001A2B3C4D5E6F70" || attach.Key != "ecid:001A2B3C4D5E6F70" || attach.USB.Configurations == 0 ||
		len(attach.USB.Interfaces) == 0 || attach.USB.Product == "" {
		t.Fatalf("attach %+v\nstdout:\n%s", attach, out.String())
	}
	if st := srv.Stats(); st.Tunnels != 0 || st.Requests["lockdown:QueryType"] != 0 {
		t.Errorf("simulator stats %+v", st)
	}
}

// Every demo trace, replayed through the simulator and recorded by
// `record`, gets the verdict the trace itself gets: what the recorder sees
// of a restore is what diagnostics/restore needs. (The interrupted demo is
// left out: its interruption and its gap are the recorder's own record.*
// events, which a replay does not replay.)
func TestRecordDemoTracesVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("replays every demo trace (about a minute)")
	}
	for _, name := range restore.DemoNames() {
		if name == "interrupted" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tr, err := restore.DemoTrace(name)
			if err != nil {
				t.Fatal(err)
			}
			want := restore.FromTrace(tr, restore.Config{}).Decide(restore.Inputs{})
			var out, errb bytes.Buffer
			// 10 ms at 50× is the default 500 ms poll of the trace's time.
			code := run([]string{"record", "--json", "--replay", filepath.Join("../../assets/traces", name+".jsonl"),
				"--speed", "50", "--poll", "10ms", "--trace", filepath.Join(t.TempDir(), "out.jsonl")}, &out, &errb)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			var last struct {
				RT struct {
					Verdict struct {
						ID    string `json:"id"`
						Stage string `json:"stage"`
						Steps []int  `json:"steps"`
					} `json:"verdict"`
				} `json:"restore_timeline"`
			}
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
				t.Fatal(err)
			}
			v := last.RT.Verdict
			if v.ID != string(want.ID) || v.Stage != string(want.Stage) || !slices.Equal(v.Steps, want.Steps) {
				t.Errorf("recorded verdict %s in %s, steps %v; the trace's is %s in %s, steps %v\n%s",
					v.ID, v.Stage, v.Steps, want.ID, want.Stage, want.Steps, out.String())
			}
		})
	}
}

// fixtureDevice is the block of one sysfs device of a umockdev fixture
// (its root hub left out, for a testbed that has it already), with its USB
// address changed to addr when addr > 0.
func fixtureDevice(t *testing.T, name, sysfs string, addr int) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e2eFixtureDir, e2eLoadFixture(t, name).Umockdev))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range strings.Split(strings.TrimSpace(string(data)), "\n\n") {
		if strings.HasPrefix(b, "P: "+sysfs+"\n") {
			if addr > 0 {
				b = strings.NewReplacer("bus/usb/001/005", fmt.Sprintf("bus/usb/001/%03d", addr),
					"devnum=5\\n", fmt.Sprintf("devnum=%d\\n", addr)).Replace(b)
			}
			path := filepath.Join(t.TempDir(), name+".umockdev")
			if err := os.WriteFile(path, []byte(b+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
	}
	t.Fatalf("%s has no device %s", name, sysfs)
	return ""
}

// Devices added and removed at run time through umockdev's testbed, seen by
// a running `record` through real libusb: the phone leaves USB, comes back
// in recovery mode (its iBoot fields read passively from sysfs), then
// re-enumerates faster than the poll (a new address, no detach seen). The
// testbed driver (cmd/umockdevbed) runs under umockdev-wrapper and
// hands UMOCKDEV_DIR to the recorder explicitly, as TESTING.md says.
func TestRecordE2EUmockdevTestbed(t *testing.T) {
	if _, err := exec.LookPath("umockdev-wrapper"); err != nil {
		t.Skip("umockdev-wrapper not installed")
	}
	dir := t.TempDir()
	bed := filepath.Join(dir, "umockdevbed")
	if out, err := exec.Command("go", "build", "-o", bed, "../../cmd/umockdevbed").CombinedOutput(); err != nil {
		t.Fatalf("build umockdevbed: %v\n%s", err, out)
	}
	const dev = "/devices/pci0000:00/0000:00:14.0/usb1/1-2"
	normal, _ := filepath.Abs(filepath.Join(e2eFixtureDir, e2eLoadFixture(t, "iphone-normal").Umockdev))
	script := strings.Join([]string{
		"add " + normal,
		"expect usb.attach",
		"remove /sys" + dev,
		"expect usb.detach",
		"add " + fixtureDevice(t, "iphone-recovery", dev, 0),
		`expect "mode":"recovery"`,
		"remove /sys" + dev, // and back at once: within one poll
		"add " + fixtureDevice(t, "iphone-recovery", dev, 6),
		`expect "address":6`,
		"interrupt",
	}, "\n")
	scriptPath := filepath.Join(dir, "script")
	if err := os.WriteFile(scriptPath, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, "none")
	tracePath := filepath.Join(dir, "out.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "umockdev-wrapper", bed, scriptPath, "--", binPath, "record", "--json", "--poll", "200ms",
		"--include-identifiers", "--usbmuxd", srv.Addr(), "--trace", tracePath)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("umockdevbed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	tr, err := restoretrace.ReadFile(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range tr.Events {
		if e.USB != nil {
			seen = append(seen, fmt.Sprintf("%s %s %d", e.Kind, e.USB.Mode, e.USB.Address))
			if e.Key != "ecid:001A2B3C4D5E6F70" {
				t.Errorf("key %q: one phone through every stage", e.Key)
			}
		}
	}
	want := []string{"usb.attach normal 5", "usb.detach normal 5", "usb.attach recovery 5", "usb.change recovery 6"}
	if !slices.Equal(seen, want) {
		t.Errorf("USB events %q, want %q", seen, want)
	}
	if last := tr.Events[len(tr.Events)-1]; last.Reason != "interrupted" {
		t.Errorf("last event %+v", last)
	}
}

func TestRecordLineWords(t *testing.T) {
	for ms, want := range map[int64]string{0: "+0:00", 42_500: "+0:42", 61_000: "+1:01", 3_725_000: "+1:02:05"} {
		if got := elapsed(ms); got != want {
			t.Errorf("elapsed(%d) = %q, want %q", ms, got, want)
		}
	}
	rec := &restoretrace.USBFacts{ProductID: 0x1281, Mode: "recovery", Bus: 1, PortPath: []int{2, 3}, SpeedMbps: 480, Address: 6}
	tests := []struct {
		e    restoretrace.Event
		want string
	}{
		{restoretrace.Event{Kind: restoretrace.USBAttach, USB: rec}, "on USB in recovery (1281) at port 1-2.3, 480 Mbit/s, address 6"},
		{restoretrace.Event{Kind: restoretrace.USBChange, USB: &restoretrace.USBFacts{ProductID: 0x12a8, Mode: "normal", PortPath: []int{4}}},
			"re-enumerated in normal (12a8) at port 0-4"},
		{restoretrace.Event{Kind: restoretrace.MuxDown, Reason: "connection refused"}, "usbmuxd went away: connection refused"},
		{restoretrace.Event{Kind: restoretrace.RecordStop, Reason: "interrupted"}, "recording stopped (interrupted)"},
		{restoretrace.Event{Kind: restoretrace.Gap, Reason: "no USB poll for 42s"}, "nothing observed for a while: no USB poll for 42s"},
	}
	for _, tt := range tests {
		if got := describeEvent(tt.e); got != tt.want {
			t.Errorf("describeEvent(%s) = %q, want %q", tt.e.Kind, got, tt.want)
		}
	}
}

// With no usbmuxd running, record still records (USB alone) and says so in
// the trace: usbmux.down with the reason, never a failure to start.
func TestRecordWithoutUsbmuxd(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run([]string{"record", "--json", "--for", "1s", "--usbmuxd", "unix://" + filepath.Join(dir, "none.sock"),
		"--trace", filepath.Join(dir, "t.jsonl")}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), `"kind":"usbmux.down"`) || !strings.Contains(out.String(), `"reason":"done"`) {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestReplayPollFollowsSpeed: a replay polls every 500 ms of the trace's own
// time unless --poll says otherwise; at 60× a 500 ms real poll would step
// over 30 s of the trace and miss whole stages.
func TestReplayPollFollowsSpeed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{[]string{"--replay", "success"}, 500 * time.Millisecond},
		{[]string{"--replay", "success", "--speed", "25"}, 20 * time.Millisecond},
		{[]string{"--replay", "success", "--speed", "60"}, 10 * time.Millisecond},
		{[]string{"--replay", "success", "--speed", "1000"}, 10 * time.Millisecond},
		{[]string{"--replay", "success", "--speed", "60", "--poll", "200ms"}, 200 * time.Millisecond},
		{[]string{"--poll", "1s"}, time.Second},
	} {
		o, err := parseRecordArgs(tc.args)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if o.poll != tc.want {
			t.Errorf("%v: poll %v, want %v", tc.args, o.poll, tc.want)
		}
	}
}

// TestRecordLinesTranslated: the recorder's terminal lines in German and
// Japanese, with the data (mode, product id, port, reason) kept as it is.
// Not parallel: it switches the process's language.
func TestRecordLinesTranslated(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	rec := &restoretrace.USBFacts{ProductID: 0x1281, Mode: "recovery", Bus: 1, PortPath: []int{2, 3}, SpeedMbps: 480, Address: 6}
	stall := restore.Verdict{ID: restore.StuckWaiting, Summary: "S", Evidence: []string{"E"}, IncompleteReasons: []string{"R"}}
	for _, tc := range []struct {
		lang                  string
		attach, stop, verdict string
		badPoll               string
	}{
		{"de", "an USB in recovery (1281) an Anschluss 1-2.3, 480 Mbit/s, Adresse 6", "Aufzeichnung beendet (unterbrochen)",
			"Ergebnis (stuck_waiting): S\n  - E\nDie Aufzeichnung ist unvollständig: R.\n", "--poll 1ms: erlaubt sind 10ms bis 1m"},
		{"ja", "USB接続：recovery（1281）、ポート 1-2.3、480 Mbit/s、アドレス 6", "記録を停止しました（中断）",
			"判定（stuck_waiting）：S\n  - E\n記録は不完全です：R。\n", "--poll 1ms：10ms から 1m の範囲で指定してください"},
	} {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		if got := describeEvent(restoretrace.Event{Kind: restoretrace.USBAttach, USB: rec}); got != tc.attach {
			t.Errorf("%s attach: %q, want %q", tc.lang, got, tc.attach)
		}
		if got := describeEvent(restoretrace.Event{Kind: restoretrace.RecordStop, Reason: "interrupted"}); got != tc.stop {
			t.Errorf("%s stop: %q, want %q", tc.lang, got, tc.stop)
		}
		var b bytes.Buffer
		printVerdict(&b, stall)
		if got := strings.TrimPrefix(b.String(), "\n"); got != tc.verdict {
			t.Errorf("%s verdict: %q, want %q", tc.lang, got, tc.verdict)
		}
		if _, err := parseRecordArgs([]string{"--poll", "1ms"}); err == nil || err.Error() != tc.badPoll {
			t.Errorf("%s --poll 1ms: %v, want %q", tc.lang, err, tc.badPoll)
		}
	}
}

// TestRecordPseudoLocale: in the pseudo-locale every word record prints is
// inside the translation markers; outside them only times, separators and
// the trace's path are left. Not parallel: it switches the language.
func TestRecordPseudoLocale(t *testing.T) {
	t.Setenv(i18n.EnvOverride, "")
	defer func() { _ = i18n.Use("en") }()
	var out, errb bytes.Buffer
	// run sets the language from --lang (else the OS's): an i18n.Use before
	// it would be undone.
	if code := run([]string{"--lang", i18n.PseudoCode, "record", "--replay", "wrong-mode", "--speed", "400", "--trace", filepath.Join(t.TempDir(), "t.jsonl")}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	// what may stand outside the markers: 12:04:05 +1:02 · and list dashes
	bare := regexp.MustCompile(`^[0-9:+ ·-]*$`)
	lines := strings.Split(out.String()+errb.String(), "\n")
	for _, line := range lines {
		if rest := i18n.Unmarked(line); !bare.MatchString(rest) {
			t.Errorf("untranslated text %q in %q", rest, line)
		}
	}
	if len(lines) < 8 {
		t.Errorf("only %d lines:\n%s", len(lines), out.String())
	}
}
