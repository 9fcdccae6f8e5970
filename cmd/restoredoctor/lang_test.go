package main

// The command line in every language: --lang and RESTOREDOCTOR_LANG, check
// against the simulator in all ten languages (same primary step as in
// English, the verdict in the language), and the pseudo-locale run that
// finds text which does not go through internal/i18n.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/gousb"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestLangFlag: --lang anywhere before "--", --lang=CODE, -lang, the
// environment variable, and what is left for the command.
func TestLangFlag(t *testing.T) {
	t.Setenv(i18n.EnvOverride, "")
	tests := []struct {
		args     []string
		env      string
		wantCode string
		wantRest []string
		wantErr  bool
	}{
		{[]string{"check", "--json"}, "", "", []string{"check", "--json"}, false},
		{[]string{"--lang", "de", "check"}, "", "de", []string{"check"}, false},
		{[]string{"check", "--lang=ja", "--json"}, "", "ja", []string{"check", "--json"}, false},
		{[]string{"-lang", "zh-Hans", "devices"}, "", "zh-Hans", []string{"devices"}, false},
		{[]string{"devices"}, "fr", "fr", []string{"devices"}, false},
		{[]string{"--lang", "ko", "devices"}, "fr", "ko", []string{"devices"}, false},
		{[]string{"check", "--", "--lang", "de"}, "", "", []string{"check", "--", "--lang", "de"}, false},
		{[]string{"check", "--lang"}, "", "", nil, true},
		{[]string{"check", "--lang="}, "", "", nil, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Setenv(i18n.EnvOverride, tt.env)
			code, rest, err := langFlag(tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (code != tt.wantCode || !slices.Equal(rest, tt.wantRest)) {
				t.Errorf("got %q %q, want %q %q", code, rest, tt.wantCode, tt.wantRest)
			}
		})
	}
}

// TestUnknownLanguage: an unknown --lang is a usage error (exit 2) that names
// the languages, on stderr only; so is --lang without a code.
func TestUnknownLanguage(t *testing.T) {
	t.Setenv(i18n.EnvOverride, "")
	defer i18n.Use("en")
	for _, args := range [][]string{
		{"--lang", "xx", "check"},
		{"check", "--lang", "klingon", "--json"},
		{"devices", "--lang"},
		{"--lang", "tlh", "--help"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitUsage {
			t.Errorf("%q: exit %d, want %d; stderr %q", args, code, exitUsage, errb.String())
		}
		if out.Len() > 0 {
			t.Errorf("%q: stdout %q, want nothing", args, out.String())
		}
		for _, l := range i18n.Supported() {
			if !strings.Contains(errb.String(), l.Code) {
				t.Errorf("%q: stderr %q does not list %s", args, errb.String(), l.Code)
			}
		}
	}
	// From the environment too.
	t.Setenv(i18n.EnvOverride, "xx")
	var out, errb bytes.Buffer
	if code := run([]string{"devices"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), `"xx"`) {
		t.Errorf("RESTOREDOCTOR_LANG=xx: exit %d, stderr %q", code, errb.String())
	}
}

// TestUsageInLanguages: help and usage errors in German and Japanese, with
// the flag names and the data (the bad option) unchanged.
func TestUsageInLanguages(t *testing.T) {
	t.Setenv(i18n.EnvOverride, "")
	defer i18n.Use("en")
	tests := []struct {
		args           []string
		code           int
		stdout, stderr []string
	}{
		{[]string{"--lang", "de", "check", "--help"}, exitOK, []string{"Aufruf: restoredoctor check", "--window DURATION", "Exit-Status"}, nil},
		{[]string{"--lang", "ja", "devices", "--help"}, exitOK, []string{"使い方：restoredoctor devices", "--include-identifiers"}, nil},
		{[]string{"--lang", "de", "--help"}, exitOK, []string{"Jeder Befehl versteht --lang CODE", "zh-Hant"}, nil},
		{[]string{"--lang", "de", "record", "--help"}, exitOK, []string{"Aufruf: restoredoctor record", "--replay TRACE", "Wiederherstellungsmodus", "Apple Geräte"}, nil},
		{[]string{"--lang", "ja", "record", "--help"}, exitOK, []string{"使い方：restoredoctor record", "--include-identifiers", "リカバリモード"}, nil},
		{[]string{"--lang", "de", "check", "--bogus"}, exitUsage, nil, []string{"unbekannte Option -bogus", `"restoredoctor check --help"`}},
		{[]string{"--lang", "ja", "check", "--window", "soon"}, exitUsage, nil, []string{`"soon"`, "-window", "期間ではありません"}},
		{[]string{"--lang", "zh-Hans", "nosuch"}, exitUsage, nil, []string{`未知命令 "nosuch"`}},
		{[]string{"--lang", "fr", "devices", "--timeout", "0s"}, exitUsage, nil, []string{"--timeout doit être positif"}},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		if code := run(tt.args, &out, &errb); code != tt.code {
			t.Errorf("%q: exit %d, want %d; stderr %q", tt.args, code, tt.code, errb.String())
		}
		for _, w := range tt.stdout {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%q: stdout lacks %q:\n%s", tt.args, w, out.String())
			}
		}
		for _, w := range tt.stderr {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("%q: stderr lacks %q:\n%s", tt.args, w, errb.String())
			}
		}
	}
}

// langCheck runs the built binary's check on the recovery-mode phone
// (umockdev's USB fixture and the simulator's usbmuxd) with extra args.
func langCheck(t *testing.T, extra ...string) (stdout, stderr string) {
	t.Helper()
	if _, err := exec.LookPath("umockdev-run"); err != nil {
		t.Fatal("umockdev-run not found: install umockdev (make deps)")
	}
	fx := e2eLoadFixture(t, "iphone-recovery")
	args := []string{"-d", filepath.Join(e2eFixtureDir, fx.Umockdev)}
	for _, p := range fx.Pcaps {
		args = append(args, "-p", p.Sysfs+"="+withProbeAnswers(t, filepath.Join(e2eFixtureDir, p.File), 5))
	}
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("127.0.0.1 localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := []string{binPath, "check", "--window", "0", "--no-network", "--hosts-file", hosts, "--usbmuxd", startSim(t, "recovery").Addr()}
	args = append(append(args, "--"), append(cli, extra...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd, out, errb, err := runUmockdev(t, func() *exec.Cmd {
		cmd := exec.CommandContext(ctx, "umockdev-run", args...)
		cmd.Env = append(os.Environ(), "USBMUXD_SOCKET_ADDRESS=", i18n.EnvOverride+"=", "LANG=C.UTF-8", "LC_ALL=", "LANGUAGE=")
		return cmd
	})
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run: %v\nstderr:\n%s", err, errb.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("check %q: exit %d\nstderr:\n%s\nstdout:\n%s", extra, code, errb.String(), out.String())
	}
	return out.String(), errb.String()
}

// otherAreasTranslated reports whether the bundles hold more areas than
// core, fyne, report and cli: the report's sentences (summary, findings,
// steps) come from the diagnostics areas, and before those are merged the
// summary is English in every language.
func otherAreasTranslated(t *testing.T) bool {
	areas, err := i18n.Areas(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range areas {
		if !slices.Contains([]string{"core", "fyne", "report", "cli"}, a) {
			return true
		}
	}
	return false
}

// TestCheckInEveryLanguage runs check --json and the text report in each
// language against the simulator: the report says its language, its
// primary step is the English run's, and the verdict is not English.
func TestCheckInEveryLanguage(t *testing.T) {
	enJSON, _ := langCheck(t, "--json", "--lang", "en")
	var en report.Report
	if err := json.Unmarshal([]byte(enJSON), &en); err != nil {
		t.Fatal(err)
	}
	if en.PrimaryStep == nil || en.Language != "en" || en.Summary == "" {
		t.Fatalf("English run: primary %v, language %q, summary %q", en.PrimaryStep, en.Language, en.Summary)
	}
	enText, _ := langCheck(t, "--lang", "en")
	enVerdict := verdictLine(enText)
	strict := otherAreasTranslated(t)
	for _, l := range i18n.Supported()[1:] {
		t.Run(l.Code, func(t *testing.T) {
			out, _ := langCheck(t, "--json", "--lang", l.Code)
			if err := report.Validate([]byte(out)); err != nil {
				t.Fatalf("%s report does not validate: %v", l.Code, err)
			}
			var rep report.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Language != l.Code {
				t.Errorf("language %q, want %q", rep.Language, l.Code)
			}
			if rep.PrimaryStep == nil || *rep.PrimaryStep != *en.PrimaryStep {
				t.Errorf("primary step %v, English %d", rep.PrimaryStep, *en.PrimaryStep)
			}
			for i, f := range rep.Findings {
				if i < len(en.Findings) && f.ID != en.Findings[i].ID {
					t.Errorf("finding %d is %s, English %s: IDs stay the same", i, f.ID, en.Findings[i].ID)
				}
			}
			text, _ := langCheck(t, "--lang", l.Code)
			v := verdictLine(text)
			if err := i18n.Use(l.Code); err != nil {
				t.Fatal(err)
			}
			label := i18n.T("report.text.verdict")
			_ = i18n.Use("en")
			if !strings.HasPrefix(v, label) || v == enVerdict {
				t.Errorf("verdict line %q: want it in %s, starting %q (English: %q)", v, l.Code, label, enVerdict)
			}
			switch {
			case rep.Summary != en.Summary:
			case strict:
				t.Errorf("the %s verdict is the English one: %q", l.Code, rep.Summary)
			default:
				t.Logf("%s: the summary is still English (%q): its sentences come from the diagnostics bundles, not on this branch", l.Code, rep.Summary)
			}
		})
	}
}

// verdictLine is the text report's verdict with its continuation lines.
func verdictLine(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if i > 0 && strings.HasPrefix(l, " ") || l == "" || i == 0 {
			continue
		}
		v := l
		for _, next := range lines[i+1:] {
			if !strings.HasPrefix(next, "   ") || strings.HasPrefix(strings.TrimSpace(next), "-") {
				break
			}
			v += " " + strings.TrimSpace(next)
		}
		return v
	}
	return ""
}

// dataRE matches what is data, not text: code spans, IDs (usb.link,
// restoredoctor.report/v1), redacted keys, hex and USB IDs, paths and
// addresses, times, versions, evidence keys (snake_case), flag names,
// product, program and model names.
var dataRE = regexp.MustCompile(strings.Join([]string{
	// The command's prefix of an error line, of two words too
	// ("restoredoctor recovery enter:").
	`^restoredoctor( [a-z]+){0,2}:`,
	// watch's source column: usb and usbmux are technical names, the JSON's
	// source values (the quick check's "check" is translated).
	`^\d\d:\d\d:\d\d\.\d{3} (usb|usbmux) `,
	`^- [a-z][a-z0-9\\_]*:`,
	"`[^`]*`",
	`\d{4}-\d\d-\d\dT[\d:]+Z`,
	`(unix|tcp)://\S+`,
	`(^|[\s(])/\S+`,
	`\b[a-z][a-z0-9_]*(\.[a-z0-9_]+)+(/v\d+)?\b`,
	`\b[a-z]+(_[a-z0-9]+)+\b`,
	`\bid-[0-9a-f]+\b`,
	`\b[0-9a-f]{4}:[0-9a-f]{4}\b`,
	`\d+\.\d+\.\d+(-[a-z]+)?`,
	`--?[a-z][a-z-]*`,
	`\biPhone\s?\d+(,\d+)?( Pro| Max| Plus| mini)*`,
	`\b(iPhone|iPad|iOS|iBoot|iBSS|iBEC|USB|usbmuxd|lockdownd|Restore Doctor|restoredoctor|Apple|Mbit|DFU|ECID|CPID|BDID|SRTG|UDID|IMEI|JSON|Markdown|linux|darwin|windows|localhost)\b`,
	// host.software_versions names the programs it found with their
	// versions ("usbmuxd 1.1.1, libimobiledevice 1.3.0"): a program name.
	`\blibimobiledevice\b`,
	// The Markdown device table's columns USB | usbmuxd | lockdown are the
	// three layers' technical names; the report bundle keeps "lockdown"
	// as typed (report.text.usbmux_lockdown). Only that header cell.
	`\| lockdown \|`,
}, "|"))

// offenders are the unmarked words of out: text that did not go through
// internal/i18n.
func offenders(out string) []string {
	var found []string
	lines := strings.Split(out, "\n")
	for i, rest := range strings.Split(i18n.Unmarked(out), "\n") {
		rest = dataRE.ReplaceAllString(rest, " ")
		if regexp.MustCompile(`\p{L}{2,}`).MatchString(rest) {
			found = append(found, strings.TrimSpace(lines[i]))
		}
	}
	return found
}

// TestOffendersCanFail: the pseudo-locale check finds an English word and
// passes data.
func TestOffendersCanFail(t *testing.T) {
	for _, tt := range []struct {
		line string
		bad  bool
	}{
		{"⟦VERDICT:⟧ ⟦try step 5⟧", false},
		{"⟦VERDICT:⟧ try step 5", true},
		{"  id-3f2a1b9c  iPhone 13 Pro Max (iPhone14,3)  ⟦⟦recovery⟧⟧", false},
		{"| `usb.link` | ⟦pass⟧ | ⟦12 ms⟧ | id-3f2a: 480 Mbit/s |", false},
		{"| `usb.link` | ⟦pass⟧ | ⟦12 ms⟧ | link is fine |", true},
		{"restoredoctor check: ⟦unknown option -bogus⟧", false},
		{"- product\\_type: `iPhone14,3`", false},
		{"- product type: `iPhone14,3`", true},
		{"restoredoctor recovery enter: ⟦no iPhone found⟧", false},
		{"restoredoctor recovery enter now: ⟦no iPhone found⟧", true},
		{"12:46:51.175 usbmux ⟦attach⟧         ⟦normal⟧  id-c0d3e743 ⟦(drops: 0)⟧", false},
		{"12:46:51.882 check  ⟦⟦no phone⟧: ⟦try step 1 first⟧ (usb.no_device)⟧", true},
		{"12:46:51.882 ⟦check⟧  ⟦⟦no phone⟧: ⟦try step 1 first⟧ (usb.no_device)⟧", false},
		{"| ⟦Device⟧ | ⟦Model⟧ | ⟦Mode⟧ | USB | usbmuxd | lockdown | ⟦Stability⟧ |", false},
		{"| ⟦Device⟧ | ⟦Model⟧ | ⟦Mode⟧ | USB | usbmuxd | lockdown stuff | ⟦Stability⟧ |", true},
		{"| `host.software_versions` | ⟦pass⟧ | ⟦0.8 ms⟧ | usbmuxd 1.1.1, libimobiledevice 1.3.0 |", false},
		{"| `host.software_versions` | ⟦pass⟧ | ⟦0.8 ms⟧ | usbmuxd 1.1.1, libimobiledevice missing |", true},
	} {
		if got := len(offenders(tt.line)) > 0; got != tt.bad {
			t.Errorf("%q: offender %v, want %v", tt.line, got, tt.bad)
		}
	}
}

// TestPseudoLocale runs the command line in the pseudo-locale, which wraps
// every translated string in ⟦…⟧: check (text and Markdown), devices, the
// help and usage errors. Any word outside the markers that is not data did
// not go through internal/i18n. Lines that come from the report's sentence
// fields (findings, steps, checks: other areas' bundles) are listed apart.
func TestPseudoLocale(t *testing.T) {
	t.Setenv(i18n.EnvOverride, "")
	defer i18n.Use("en")
	md := filepath.Join(t.TempDir(), "report.md")
	text, _ := langCheck(t, "--lang", "pseudo", "--markdown", md)
	mdOut, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	jsonOut, _ := langCheck(t, "--lang", "pseudo", "--json")
	var rep report.Report
	if err := json.Unmarshal([]byte(jsonOut), &rep); err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{"check": text, "check --markdown": string(mdOut)}

	inProcess := map[string][]string{
		"help":             {"--lang", "pseudo", "--help"},
		"check --help":     {"--lang", "pseudo", "check", "--help"},
		"devices --help":   {"--lang", "pseudo", "devices", "--help"},
		"watch --help":     {"--lang", "pseudo", "watch", "--help"},
		"record --help":    {"--lang", "pseudo", "record", "--help"},
		"recovery --help":  {"--lang", "pseudo", "recovery", "exit", "--help"},
		"usage error":      {"--lang", "pseudo", "check", "--bogus"},
		"bad duration":     {"--lang", "pseudo", "check", "--window", "soon"},
		"unknown command":  {"--lang", "pseudo", "nosuch"},
		"devices timeout":  {"--lang", "pseudo", "devices", "--timeout", "0s"},
		"devices (listed)": {"--lang", "pseudo", "devices"},
		// An action without --yes on a terminal-less stdin: refused before
		// anything is sent.
		"recovery enter":    {"--lang", "pseudo", "recovery", "enter", "--demo", "healthy"},
		"record (no trace)": {"--lang", "pseudo", "record", "--replay", "testdata/no-such-trace.jsonl"},
		"watch (flapping)":  {"--lang", "pseudo", "watch", "--for", "3s", "--usbmuxd", startSim(t, "flapping").Addr()},
	}
	lister := fakeUSBLister{devs: pseudoDevices()}
	old := newLister
	newLister = func() (usbLister, error) { return lister, nil }
	defer func() { newLister = old }()
	for name, args := range inProcess {
		var out, errb bytes.Buffer
		run(args, &out, &errb)
		outputs[name] = out.String() + errb.String()
	}

	// The report's sentences other areas make: their lines are told apart.
	var others []string
	add := func(s ...string) {
		for _, x := range s {
			if x = strings.TrimSpace(x); len(x) > 3 && i18n.Unmarked(x) != "" {
				others = append(others, x)
			}
		}
	}
	add(rep.Summary)
	add(rep.Professional.Reasons...)
	add(rep.IncompleteReasons...)
	add(rep.BackupSummary...)
	for _, f := range rep.Findings {
		add(f.Summary)
	}
	for _, s := range rep.Steps {
		add(s.Title)
		add(s.Reasons...)
	}
	for _, c := range rep.Checks {
		add(c.Detail)
	}
	// The Markdown's step texts come from the step catalogue (its own area).
	guide := catalog.MustDefault()
	for n := 0; n <= 6; n++ {
		for _, fam := range report.RecoveryFamilies {
			d := guide.StepDetail(n, runtime.GOOS, fam)
			add(d.Summary, d.Warning)
			add(d.Instructions...)
		}
	}
	fromOthers := func(line string) bool {
		rest := strings.Join(strings.Fields(i18n.Unmarked(line)), " ")
		for _, o := range others {
			if rest != "" && strings.Contains(strings.Join(strings.Fields(o), " "), rest) {
				return true // a wrapped piece of their sentence ("at 1-2")
			}
			for _, part := range strings.Fields(i18n.Unmarked(o)) {
				if len(part) > 3 && strings.Contains(line, part) {
					return true
				}
			}
		}
		return false
	}

	names := make([]string, 0, len(outputs))
	for n := range outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	var mine, theirs []string
	for _, n := range names {
		if !strings.Contains(outputs[n], i18n.PseudoOpen) {
			mine = append(mine, fmt.Sprintf("%s: no marked text at all:\n%s", n, outputs[n]))
		}
		for _, o := range offenders(outputs[n]) {
			if fromOthers(o) {
				theirs = append(theirs, n+": "+o)
			} else {
				mine = append(mine, n+": "+o)
			}
		}
	}
	if len(mine) > 0 {
		t.Errorf("text outside the translation layer in the renderers or the command line (report, cli areas):\n  %s", strings.Join(mine, "\n  "))
	}
	if len(theirs) > 0 {
		t.Errorf("untranslated report sentences from other areas (findings, steps, checks, the summary: "+
			"their bundles convert them):\n  %s", strings.Join(theirs, "\n  "))
	}
}

// pseudoDevices are what devices lists in TestPseudoLocale: a phone behind
// a hub, one in recovery mode and one the OS would not open (the udev hint).
func pseudoDevices() []usb.Device {
	normal := usb.Device{VendorID: 0x05AC, ProductID: 0x12A8, Mode: mode.Normal, Bus: 1, Address: 4, PortPath: []int{1, 3},
		SpeedMbps: 480, BehindHub: true, HubDepth: 1, USBVersion: "2.00", Serial: "00008110001A2B3C4D5E6F70"}
	recovery := usb.Device{VendorID: 0x05AC, ProductID: 0x1281, Mode: mode.Recovery, Bus: 1, Address: 5, PortPath: []int{2},
		SpeedMbps: 480, USBVersion: "2.00", Recovery: &usb.RecoveryInfo{CPID: "8110", BDID: "0E", ECID: "001A2B3C4D5E6F70"}}
	denied := recovery
	denied.Address, denied.PortPath, denied.Recovery = 6, []int{3}, nil
	denied.OpenErr = &usb.AccessDeniedError{Location: "1-3", VendorID: 0x05AC, ProductID: 0x1281, Err: gousb.ErrorAccess}
	return []usb.Device{normal, recovery, denied}
}
