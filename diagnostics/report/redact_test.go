package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestRedactFixturesLeakNothing(t *testing.T) {
	for name, r := range fixtures() {
		j, m, x := render(t, r)
		for kind, out := range map[string][]byte{"json": j, "md": m, "txt": x} {
			lower := strings.ToLower(string(out))
			for _, id := range identifiers {
				if strings.Contains(lower, strings.ToLower(id)) {
					t.Errorf("%s %s leaks %q", name, kind, id)
				}
			}
		}
	}
	// The unredacted rendering does contain them (the test can fail).
	var b bytes.Buffer
	r := flappingReport()
	if err := r.JSON(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), udidB) || !strings.Contains(b.String(), deviceNameB) {
		t.Fatal("fixture lacks the identifiers the test looks for")
	}
}

// TestRedactShapes: identifiers the report does not know as such (no
// device key, no identifier evidence key) are still caught by their shape
// in every free-text field.
func TestRedactShapes(t *testing.T) {
	shapes := []struct{ name, id string }{
		{"new-style UDID with dash", "00008030-001A35E11A88802E"},
		{"new-style UDID lower case", "00008101-000c18d02e62001e"},
		{"new-style UDID without dash", "00008030001A35E11A88802E"},
		{"40-hex UDID", "f0e1d2c3b4a5968778695a4b3c2d1e0f11223344"},
		{"40-hex UDID upper case", "F0E1D2C3B4A5968778695A4B3C2D1E0F11223344"},
		{"ECID 16 hex", "000A1B2C3D4E5F60"},
		{"ECID 0x", "0x000A1B2C3D4E5F60"},
		{"ECID 0x no leading zeros", "0xA1B2C3D4E5F60"},
		{"ECID decimal", "2834734873472839"},
		{"IMEI", "490154203237518"},
		{"serial 12", "C39XK2ABHG7F"},
		{"serial 11", "DNPVK1FZHG7"},
		{"serial 10", "H2XJ7QW9LM"},
		{"AP nonce", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			r := report.Report{
				Summary:      "Phone " + s.id + " needs a restore.",
				Checks:       []report.Check{{ID: "usb.presence", Status: "pass", Detail: "found " + s.id + ", ok"}},
				Findings:     []report.Finding{{ID: "x", Severity: "info", Summary: "(" + s.id + ")", Evidence: map[string]any{"error": "open " + s.id + ": denied", "nested": map[string]any{"list": []any{"a " + s.id}}}}},
				Steps:        []report.Step{{Number: 1, Applies: true, Rank: ptr(1), Confidence: ptr("low"), Reasons: []string{s.id + " dropped"}}},
				Professional: report.Professional{Recommended: true, Reasons: []string{"[" + s.id + "]"}},
			}
			red := report.Redact(r)
			var j, m, x bytes.Buffer
			if err := red.JSON(&j); err != nil {
				t.Fatal(err)
			}
			if err := report.Markdown(&m, &red, nil); err != nil {
				t.Fatal(err)
			}
			if err := report.Text(&x, &red); err != nil {
				t.Fatal(err)
			}
			strip := strings.NewReplacer("-", "", "0x", "", `\`, "")
			for kind, out := range map[string]string{"json": j.String(), "md": m.String(), "txt": x.String()} {
				low := strings.ToLower(out)
				if strings.Contains(low, strings.ToLower(s.id)) || strings.Contains(strip.Replace(low), strings.ToLower(strip.Replace(s.id))) {
					t.Errorf("%s leaks %q:\n%s", kind, s.id, out)
				}
				// JSON and Markdown show all seven fields; the text shows four
				// (no evidence, and no primary step here).
				want := map[string]int{"json": 7, "md": 7, "txt": 4}[kind]
				if n := strings.Count(out, report.HashID(s.id)); n < want {
					t.Errorf("%s: %s replaced by its hash %d times, want %d", kind, report.HashID(s.id), n, want)
				}
			}
		})
	}
}

func TestRedactKeepsOrdinaryText(t *testing.T) {
	keep := []string{
		"iPhone14,3", "05ac:12a8", "480 Mbit/s", "CONNECTION", "1234567890", "0x00010005", "LocationID",
		"2025-05-14T09:29:51.120Z", "iBoot-10151.41.12", "D64AP", "CPID:8110", "iOS 17.5.1 (21F90)", "1-1.3",
		"gs.apple.com:443", "unix:///var/run/usbmuxd", "p95 612 ms",
	}
	text := strings.Join(keep, " ; ")
	r := report.Report{Checks: []report.Check{{ID: "c", Status: "pass", Detail: text}},
		Findings: []report.Finding{{ID: "x", DeviceKey: "1-2", Evidence: map[string]any{"location": "1-2", "note": text}}}}
	red := report.Redact(r)
	if red.Checks[0].Detail != text || red.Findings[0].Evidence["note"] != text || red.Findings[0].Evidence["location"] != "1-2" {
		t.Errorf("ordinary text changed:\n%s\n%v", red.Checks[0].Detail, red.Findings[0].Evidence)
	}
	if red.Findings[0].DeviceKey == "1-2" {
		t.Error("device key not hashed")
	}
}

func TestRedactEvidenceIdentifierKeys(t *testing.T) {
	r := report.Report{Findings: []report.Finding{{ID: "x", Evidence: map[string]any{
		"udid": "short", "SerialNumber": "abc", "ecid": uint64(0x001A2B3C4D5E6F70), "ECID_hex": "0x1A2B3C4D5E6F70",
		"device_name": "Alice's iPhone", "imei": []string{"1", "2"}, "key": 17, "unique_chip_id": 7362247542959984.0,
		"other": "x",
	}}}}
	ev := report.Redact(r).Findings[0].Evidence
	for _, k := range []string{"udid", "SerialNumber", "ecid", "device_name", "key", "unique_chip_id"} {
		if s, ok := ev[k].(string); !ok || !report.IsRedacted(s) {
			t.Errorf("%s = %#v, want a hash", k, ev[k])
		}
	}
	if l, ok := ev["imei"].([]string); !ok || !report.IsRedacted(l[0]) {
		t.Errorf("imei list = %#v", ev["imei"])
	}
	if ev["ecid"] != report.HashID("1a2b3c4d5e6f70") {
		t.Errorf("numeric ECID hash %v differs from the hex form's %v", ev["ecid"], report.HashID("1a2b3c4d5e6f70"))
	}
	if ev["other"] != "x" {
		t.Error("other evidence changed")
	}
}

func TestRedactDoesNotTouchInput(t *testing.T) {
	for name, r := range fixtures() {
		before := encode(t, r)
		red := report.Redact(r)
		if after := encode(t, r); !bytes.Equal(before, after) {
			t.Errorf("%s: Redact modified its input", name)
		}
		// Mutating the copy does not reach the original either.
		if len(red.Findings) > 0 {
			red.Findings[0].Evidence["added"] = 1
			red.Findings[0].Steps = append(red.Findings[0].Steps[:0], 6)
		}
		if len(red.Devices) > 0 {
			red.Devices[0].USB.PortPath[0] = 99
			if red.Devices[0].Recovery != nil {
				red.Devices[0].Recovery.CPID = "x"
			}
		}
		if after := encode(t, r); !bytes.Equal(before, after) {
			t.Errorf("%s: the redacted copy shares memory with the input", name)
		}
	}
}

func TestRedactIdempotentAndStable(t *testing.T) {
	for name, r := range fixtures() {
		once := report.Redact(r)
		twice := report.Redact(once)
		if !bytes.Equal(encode(t, once), encode(t, twice)) {
			t.Errorf("%s: redacting twice differs from once", name)
		}
	}
	hash := regexp.MustCompile(`^id-[0-9a-f]{8}$`)
	for _, id := range []string{udidA, serialA, strings.ToLower(serialA), " " + udidA + " "} {
		if got := report.HashID(id); got != report.HashID(udidA) || !hash.MatchString(got) {
			t.Errorf("HashID(%q) = %s, want %s", id, got, report.HashID(udidA))
		}
	}
	if report.HashID("0x"+ecidA) != report.HashID("1a2b3c4d5e6f70") || report.HashID("["+hwSerial+"]") != report.HashID(hwSerial) {
		t.Error("ECID or bracketed serial forms hash differently")
	}
	if report.HashID(udidA) == report.HashID(udidB) {
		t.Error("different phones hash alike")
	}
	// Two runs of the same phone keep the same redacted key, so Compare matches them.
	a, b := report.Redact(flappingReport()), report.Redact(flappingReport())
	if a.Devices[0].Key != b.Devices[0].Key || a.Devices[0].Key != a.Findings[0].DeviceKey {
		t.Error("redacted keys not stable across reports")
	}
}

// FuzzRedact: whatever text surrounds a known identifier, it never survives
// redaction, and Redact never panics on outside text.
func FuzzRedact(f *testing.F) {
	f.Add("", "")
	f.Add("a", "b")
	f.Add("0x", "-0")
	f.Add("SRNM:[", "] IMEI:")
	f.Add("\xff\xfe", "K")
	f.Add(strings.Repeat("0", 30), strings.Repeat("A1", 12))
	f.Fuzz(func(t *testing.T, prefix, suffix string) {
		r := report.Report{
			Devices:  []report.Device{{Key: udidA}},
			Checks:   []report.Check{{ID: "c", Detail: prefix + udidA + suffix}},
			Findings: []report.Finding{{ID: "x", Summary: prefix + serialA + suffix, Evidence: map[string]any{"e": prefix + strings.ToLower(udidA) + suffix}}},
		}
		red := report.Redact(r)
		outs := []string{red.Checks[0].Detail, red.Findings[0].Summary, red.Findings[0].Evidence["e"].(string)}
		for _, out := range outs {
			l := strings.ToLower(out)
			if strings.Contains(l, strings.ToLower(udidA)) || strings.Contains(l, strings.ToLower(serialA)) {
				t.Fatalf("identifier survived: %q", out)
			}
		}
		if red.Devices[0].Key != report.HashID(udidA) {
			t.Fatalf("key %q", red.Devices[0].Key)
		}
	})
}

func TestIsRedacted(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{report.HashID("00008110-001A2B3C4D5E6F70"), true},
		{"id-0123abcd", true},
		{"id-0123ABCD", false}, // HashID writes lower case
		{"id-0123abc", false},
		{"id-0123abcde", false},
		{"id-0123abcg", false},
		{"ID-0123abcd", false},
		{"x id-0123abcd", false},
		{"", false},
	} {
		if got := report.IsRedacted(tt.in); got != tt.want {
			t.Errorf("IsRedacted(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
