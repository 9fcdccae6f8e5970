package watchlog

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

func TestLines(t *testing.T) {
	at := time.Date(2026, 5, 20, 10, 15, 0, 0, time.Local)
	entry := &usbmux.Entry{UDID: "00008110-001A2B3C4D5E6F70", ProductID: 0x12a8}
	phone := device.Device{Key: "ecid:001A2B3C4D5E6F70", Mode: mode.Normal}
	tests := []struct {
		name   string
		ev     session.Event
		ids    bool
		print  bool
		text   string
		hidden string
	}{
		{name: "usbmux attach, redacted", ev: session.Event{Kind: session.Attach, Source: device.SourceUsbmux, Time: at, Phone: phone, Entry: entry},
			print: true, text: "10:15:00.000 usbmux attach           normal", hidden: "001A2B3C4D5E6F70"},
		{name: "usbmux attach with ids", ev: session.Event{Kind: session.Attach, Source: device.SourceUsbmux, Time: at, Phone: phone, Entry: entry},
			ids: true, print: true, text: "00008110-001A2B3C4D5E6F70 (drops: 0)"},
		{name: "disconnected", ev: session.Event{Kind: session.UsbmuxDisconnected, Time: at},
			print: true, text: "10:15:00.000 usbmux disconnected"},
		{name: "latency not printed", ev: session.Event{Kind: session.Latency, Time: at, Phone: phone}},
		{name: "usb readable again not printed", ev: session.Event{Kind: session.USBError, Time: at}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			pr := NewPrinter(&buf, false, tc.ids)
			l, ok := pr.LineOf(tc.ev)
			if ok != tc.print {
				t.Fatalf("printed = %v, want %v", ok, tc.print)
			}
			if !ok {
				return
			}
			pr.Print(l)
			out := buf.String()
			if !strings.Contains(out, tc.text) || (tc.hidden != "" && strings.Contains(strings.ToUpper(out), tc.hidden)) {
				t.Errorf("line %q: want %q, without %q", out, tc.text, tc.hidden)
			}
			buf.Reset()
			NewPrinter(&buf, true, tc.ids).Print(l)
			var back Line
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Kind != l.Kind {
				t.Errorf("JSON line %q: %v", buf.String(), err)
			}
			if !tc.ids && l.Phone != "" && !report.IsRedacted(l.Phone) {
				t.Errorf("phone key %q not redacted", l.Phone)
			}
		})
	}
}

// TestQuickVerdict: watch says "no fault found" only where the one
// completeness rule allows it; an incomplete report says why (issue 18,
// item 6: watch printed "no fault found" for a report check called
// incomplete).
func TestQuickVerdict(t *testing.T) {
	step := 3
	clean := func() *report.Report {
		return &report.Report{Summary: rules.NoFaultSummary(), Complete: true, IncompleteReasons: []string{}}
	}
	for _, tc := range []struct {
		name    string
		mod     func(r *report.Report)
		want    string
		noFault bool
	}{
		{"clean", func(r *report.Report) {}, "no fault found in a one-pass check", true},
		{"step", func(r *report.Report) { r.PrimaryStep = &step; r.Summary = "Try step 3 first" }, "try step 3 first", false},
		{"hosts file unreadable", func(r *report.Report) {
			r.Checks = []report.Check{{ID: report.CheckHostHostsFile, Status: report.StatusError, Detail: "cannot read hosts file /etc/hosts: permission denied"}}
			diagnostics.MarkCompleteness(r, nil, 0)
		}, "incomplete one-pass check, not a clean bill: check host.hosts_file ended in error (cannot read hosts file /etc/hosts: permission denied)", false},
		{"phone check unsupported", func(r *report.Report) {
			// Not a reason by the one rule: watch agrees with check and the window.
			r.Checks = []report.Check{{ID: report.CheckUSBControl, Status: report.StatusUnsupported, Detail: "not on this platform"}}
			diagnostics.MarkCompleteness(r, nil, 0)
		}, "no fault found in a one-pass check", true},
		{"phone check in error", func(r *report.Report) {
			r.Checks = []report.Check{{ID: report.CheckLockdownQuery, Status: report.StatusError, Detail: "i/o timeout"}}
			diagnostics.MarkCompleteness(r, nil, 0)
		}, "incomplete one-pass check, not a clean bill: check lockdown.query ended in error", false},
		{"interrupted with a step", func(r *report.Report) {
			r.PrimaryStep = &step
			diagnostics.MarkCompleteness(r, context.Canceled, 0)
		}, "so far try step 3 first", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := clean()
			tc.mod(r)
			got := quickVerdict(r)
			if !strings.Contains(got, tc.want) {
				t.Errorf("verdict %q, want %q", got, tc.want)
			}
			if strings.Contains(got, "no fault found") != tc.noFault {
				t.Errorf("verdict %q: no fault found %v, want %v", got, !tc.noFault, tc.noFault)
			}
		})
	}
}

// TestSourceColumnInLanguages: the quick check's source column is a word in
// the current language, usb and usbmux stay as typed, and the JSON keeps
// the stable source. Not parallel: it switches the language.
func TestSourceColumnInLanguages(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)
	for _, tc := range []struct{ lang, check string }{
		{"en", " check  S\n"},
		{"de", " Prüfung S\n"},
		{"ja", " チェック   S\n"},
	} {
		if err := i18n.Use(tc.lang); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		p := NewPrinter(&b, false, false)
		p.Print(Line{Time: at, Source: "check", Kind: "summary", Summary: "S"})
		p.Print(Line{Time: at, Source: "usbmux", Kind: "connected"})
		lines := strings.SplitAfter(b.String(), "\n")
		if len(lines) < 2 || !strings.HasSuffix(lines[0], tc.check) || !strings.Contains(lines[1], " usbmux ") {
			t.Errorf("%s: %q, want the check line ending %q and usbmux as typed", tc.lang, b.String(), tc.check)
		}
		var js bytes.Buffer
		NewPrinter(&js, true, false).Print(Line{Time: at, Source: "check", Kind: "summary", Summary: "S"})
		if !strings.Contains(js.String(), `"source":"check"`) {
			t.Errorf("%s JSON: %s", tc.lang, js.String())
		}
	}
}
