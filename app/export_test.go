package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// exportHarness is a flapping-phone window whose save dialog answers path.
func exportHarness(t *testing.T, path *string) *harness {
	t.Helper()
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{
		Guide: catalog.MustDefault(),
		SaveDialog: func(_ fyne.Window, suggested string, done func(string, error)) {
			if *path == "" {
				done("", nil)
				return
			}
			done(*path, nil)
		},
	})
	h.attach(phoneA)
	h.waitVerdict()
	return h
}

func TestExportJSONRedacted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	h := exportHarness(t, &path)
	test.Tap(h.u.export.json)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Validate(data); err != nil {
		t.Fatalf("exported JSON is not a valid report: %v", err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if r.Schema != report.Schema || r.PrimaryStep == nil || *r.PrimaryStep != 1 {
		t.Errorf("exported report: schema %q primary %v", r.Schema, r.PrimaryStep)
	}
	for _, id := range []string{"00008110-001A2B3C4D5E6F70", "00008110001A2B3C4D5E6F70", "001A2B3C4D5E6F70"} {
		if strings.Contains(strings.ToUpper(string(data)), id) {
			t.Errorf("exported JSON contains identifier %s", id)
		}
	}
	if len(r.Devices) != 1 || !report.IsRedacted(r.Devices[0].Key) {
		t.Errorf("device key not redacted: %+v", r.Devices)
	}
	// The dialog confirmed the save.
	if top := h.u.Window().Canvas().Overlays().Top(); top == nil {
		t.Error("no confirmation shown")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestExportWithIdentifiers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	h := exportHarness(t, &path)
	test.Tap(h.u.export.include)
	test.Tap(h.u.export.json)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "00008110-001A2B3C4D5E6F70") {
		t.Errorf("identifiers ticked but the UDID is missing:\n%s", data)
	}
}

func TestExportMarkdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.md")
	h := exportHarness(t, &path)
	test.Tap(h.u.export.md)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{"Check USB Connection and Cable", "3 times in 10 s"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Contains(strings.ToUpper(md), "001A2B3C4D5E6F70") {
		t.Error("Markdown contains the ECID/UDID")
	}
}

func TestExportErrorShownInDialog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "report.json")
	h := exportHarness(t, &path)
	test.Tap(h.u.export.json)
	if _, err := os.Stat(path); err == nil {
		t.Fatal("file written into a missing directory?")
	}
	top := h.u.Window().Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no error dialog")
	}
	if all := strings.Join(texts(top), "\n"); !strings.Contains(all, "no-such-dir") {
		t.Errorf("error dialog does not say what failed:\n%s", all)
	}
}

func TestExportBeforeAnyCheck(t *testing.T) {
	h := newHarness(t, newFake(t), Options{})
	test.Tap(h.u.export.json)
	if h.u.Window().Canvas().Overlays().Top() == nil {
		t.Error("exporting without a report showed nothing")
	}
}

func TestExportName(t *testing.T) {
	at := time.Date(2026, 5, 20, 10, 15, 0, 0, time.Local)
	one := &report.Report{GeneratedAt: at, Devices: []report.Device{{Model: report.Model{Name: "iPhone 13 Pro Max"}}}}
	typ := &report.Report{GeneratedAt: at, Devices: []report.Device{{Model: report.Model{ProductType: "iPhone14,3"}}}}
	none := &report.Report{GeneratedAt: at}
	odd := &report.Report{GeneratedAt: at, Devices: []report.Device{{Model: report.Model{Name: "../iPhone: «SE» /2"}}}}
	tests := []struct {
		r    *report.Report
		f    Format
		want string
	}{
		{one, FormatMarkdown, "restoredoctor-iPhone-13-Pro-Max-2026-05-20-1015.md"},
		{one, FormatJSON, "restoredoctor-iPhone-13-Pro-Max-2026-05-20-1015.json"},
		{typ, FormatMarkdown, "restoredoctor-iPhone14-3-2026-05-20-1015.md"},
		{none, FormatMarkdown, "restoredoctor-no-phone-2026-05-20-1015.md"},
		{odd, FormatMarkdown, "restoredoctor-iPhone-SE-2-2026-05-20-1015.md"},
		{nil, FormatJSON, "restoredoctor-report.json"},
	}
	for _, tc := range tests {
		if got := ExportName(tc.r, tc.f); got != tc.want {
			t.Errorf("ExportName = %q, want %q", got, tc.want)
		}
	}
}

func TestExportDir(t *testing.T) {
	tests := []struct {
		name string
		dirs []string
		want string
	}{
		{"documents first", []string{"Documents", "Desktop"}, "Documents"},
		{"desktop", []string{"Desktop"}, "Desktop"},
		{"home", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			for _, d := range tc.dirs {
				if err := os.Mkdir(filepath.Join(home, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := ExportDir(home, isDir), filepath.Join(home, tc.want); got != want {
				t.Errorf("ExportDir = %q, want %q", got, want)
			}
		})
	}
}

// TestDemoExportSaysSimulated: a demo report says "simulated" at the top of
// both exports, and the suggested name carries the model and the time.
func TestDemoExportSaysSimulated(t *testing.T) {
	dir := t.TempDir()
	var suggested []string
	h := newHarness(t, newFake(t, "report-flapping.json"), Options{
		Demo: "flapping", Guide: catalog.MustDefault(),
		SaveDialog: func(_ fyne.Window, name string, done func(string, error)) {
			suggested = append(suggested, name)
			done(filepath.Join(dir, name), nil)
		},
	})
	h.attach(phoneA)
	h.waitVerdict()
	test.Tap(h.u.export.md)
	test.Tap(h.u.export.json)
	if len(suggested) != 2 || !strings.HasPrefix(suggested[0], "restoredoctor-iPhone-13-Pro-Max-") || !strings.HasSuffix(suggested[1], ".json") {
		t.Fatalf("suggested names %q", suggested)
	}
	md, err := os.ReadFile(filepath.Join(dir, suggested[0]))
	if err != nil {
		t.Fatal(err)
	}
	if head := strings.Join(strings.SplitN(string(md), "\n", 4)[:3], "\n"); !strings.Contains(head, "Simulated") {
		t.Errorf("Markdown does not start by saying simulated:\n%s", head)
	}
	js, err := os.ReadFile(filepath.Join(dir, suggested[1]))
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Validate(js); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(js), "{\n  \"schema\": \"restoredoctor.report/v1\",\n  \"simulated\": true,") {
		t.Errorf("JSON does not start with simulated:\n%.120s", js)
	}
}
