package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func encode(t testing.TB, r report.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.JSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestJSONNeverNull: an empty or half-filled report still encodes every
// contract array as an array and evidence as an object.
func TestJSONNeverNull(t *testing.T) {
	r := report.Report{
		Host:     report.Host{Usbmuxd: report.UsbmuxdRef{Status: report.UsbmuxdUnreachable}},
		Devices:  []report.Device{{Key: "k", Mode: "unknown", Model: report.Model{RecoveryButtons: "unknown"}}},
		Findings: []report.Finding{{ID: report.FindingUSBNoDevice, Severity: report.SeverityCritical}},
		Steps: []report.Step{
			{Number: 1, Title: "t", Applies: false, Rank: ptr(1), Confidence: ptr("high")}, // inconsistent on purpose
		},
	}
	data := encode(t, r)
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"devices", "checks", "findings", "steps"} {
		if _, ok := doc[k].([]any); !ok {
			t.Errorf("%s = %#v, want an array", k, doc[k])
		}
	}
	if _, ok := doc["primary_step"]; !ok || doc["primary_step"] != nil {
		t.Errorf("primary_step = %#v, want present and null", doc["primary_step"])
	}
	if doc["schema"] != report.Schema {
		t.Errorf("schema defaulted to %v", doc["schema"])
	}
	pro := doc["professional"].(map[string]any)
	if _, ok := pro["reasons"].([]any); !ok {
		t.Errorf("professional.reasons = %#v", pro["reasons"])
	}
	dev := doc["devices"].([]any)[0].(map[string]any)
	if _, ok := dev["usb"].(map[string]any)["port_path"].([]any); !ok {
		t.Error("port_path not an array")
	}
	if tr, ok := dev["lockdown"].(map[string]any)["trusted"]; !ok || tr != nil {
		t.Errorf("trusted = %#v, want null", tr)
	}
	if _, ok := dev["recovery"]; ok {
		t.Error("recovery present without recovery info")
	}
	f := doc["findings"].([]any)[0].(map[string]any)
	if _, ok := f["evidence"].(map[string]any); !ok {
		t.Errorf("evidence = %#v, want {}", f["evidence"])
	}
	if _, ok := f["steps"].([]any); !ok {
		t.Errorf("finding steps = %#v", f["steps"])
	}
	s := doc["steps"].([]any)[0].(map[string]any)
	if s["rank"] != nil || s["confidence"] != nil {
		t.Errorf("non-applying step has rank %v confidence %v", s["rank"], s["confidence"])
	}
	if _, ok := s["reasons"].([]any); !ok {
		t.Error("reasons not an array")
	}
	if _, ok := doc["summary"]; ok {
		t.Error("empty summary should be omitted")
	}
	// The encoder must not have touched the struct.
	if r.Steps[0].Rank == nil || r.Findings[0].Evidence != nil || r.Devices[0].USB.PortPath != nil {
		t.Error("JSON modified the report")
	}
	if err := report.Validate(data); err != nil {
		t.Errorf("normalised empty report invalid: %v", err)
	}
	if !strings.HasSuffix(string(data), "}\n") || !strings.Contains(string(data), "\n  \"schema\"") {
		t.Error("not indented JSON ending in a newline")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for name, r := range fixtures() {
		data := encode(t, r)
		var back report.Report
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if again := encode(t, back); !bytes.Equal(again, data) {
			t.Errorf("%s: encode(decode(x)) != x", name)
		}
		if err := report.Validate(data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	var nilReport *report.Report
	if err := nilReport.JSON(&bytes.Buffer{}); err == nil {
		t.Error("nil report encoded")
	}
}

// TestJSONIsMarshalJSONIndented: JSON writes exactly MarshalJSON's document
// indented by two spaces plus a newline, HTML characters and U+2028/U+2029
// escaped as json.Marshal escapes them, for every fixture and for hostile text.
func TestJSONIsMarshalJSONIndented(t *testing.T) {
	rs := fixtures()
	odd := flappingReport()
	odd.Summary = "<script>alert(1)</script> & \u2028 \u2029 \"quoted\" \\ \x00 é"
	odd.Findings[0].Evidence = map[string]any{"html": "<b>&amp;</b>", "n": 1.5, "nested": map[string]any{"z": nil, "a": []any{"<"}}}
	rs["hostile-text"] = odd
	for name, r := range rs {
		compact, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: MarshalJSON: %v", name, err)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact, "", "  "); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want.WriteByte('\n')
		if got := encode(t, r); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: JSON differs from MarshalJSON indented:\n%s\nwant\n%s", name, got, want.Bytes())
		}
	}
	if got := string(encode(t, odd)); !strings.Contains(got, `\u003cscript\u003e`) || !strings.Contains(got, `\u0026`) || !strings.Contains(got, `\u2028`) {
		t.Errorf("HTML characters or U+2028 not escaped:\n%s", got)
	}
}

// mutateDoc applies f to the decoded valid fixture and re-encodes it.
func mutateDoc(t *testing.T, base []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(base, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateRejects(t *testing.T) {
	base := encode(t, flappingReport())
	if err := report.Validate(base); err != nil {
		t.Fatalf("fixture invalid: %v", err)
	}
	obj := func(m map[string]any, path ...any) map[string]any {
		var cur any = m
		for _, p := range path {
			switch k := p.(type) {
			case string:
				cur = cur.(map[string]any)[k]
			case int:
				cur = cur.([]any)[k]
			}
		}
		return cur.(map[string]any)
	}
	cases := []struct {
		name, wantPath string
		f              func(m map[string]any)
	}{
		{"schema", "$.schema", func(m map[string]any) { m["schema"] = "restoredoctor.report/v2" }},
		{"schema missing", "$.schema", func(m map[string]any) { delete(m, "schema") }},
		{"time", "$.generated_at", func(m map[string]any) { m["generated_at"] = "yesterday" }},
		{"tool version type", "$.tool_version", func(m map[string]any) { m["tool_version"] = 1 }},
		{"host missing", "$.host", func(m map[string]any) { delete(m, "host") }},
		{"usbmuxd status", "$.host.usbmuxd.status", func(m map[string]any) { obj(m, "host", "usbmuxd")["status"] = "fine" }},
		{"devices null", "$.devices", func(m map[string]any) { m["devices"] = nil }},
		{"checks null", "$.checks", func(m map[string]any) { m["checks"] = nil }},
		{"findings null", "$.findings", func(m map[string]any) { m["findings"] = nil }},
		{"steps null", "$.steps", func(m map[string]any) { m["steps"] = nil }},
		{"device mode", "$.devices[0].mode", func(m map[string]any) { obj(m, "devices", 0)["mode"] = "sleeping" }},
		{"device family", "$.devices[0].model.recovery_buttons", func(m map[string]any) { obj(m, "devices", 0, "model")["recovery_buttons"] = "nokia" }},
		{"port path null", "$.devices[0].usb.port_path", func(m map[string]any) { obj(m, "devices", 0, "usb")["port_path"] = nil }},
		{"port path float", "$.devices[0].usb.port_path[0]", func(m map[string]any) { obj(m, "devices", 0, "usb")["port_path"] = []any{1.5} }},
		{"speed string", "$.devices[0].usb.speed_mbps", func(m map[string]any) { obj(m, "devices", 0, "usb")["speed_mbps"] = "480" }},
		{"trusted string", "$.devices[0].lockdown.trusted", func(m map[string]any) { obj(m, "devices", 0, "lockdown")["trusted"] = "yes" }},
		{"trusted missing", "$.devices[0].lockdown.trusted", func(m map[string]any) { delete(obj(m, "devices", 0, "lockdown"), "trusted") }},
		{"negative timeouts", "$.devices[0].lockdown.timeouts", func(m map[string]any) { obj(m, "devices", 0, "lockdown")["timeouts"] = -1 }},
		{"rtt missing", "$.devices[0].lockdown.rtt_ms.p95", func(m map[string]any) { delete(obj(m, "devices", 0, "lockdown", "rtt_ms"), "p95") }},
		{"stability", "$.devices[0].stability.detaches", func(m map[string]any) { obj(m, "devices", 0, "stability")["detaches"] = 2.5 }},
		{"check status", "$.checks[0].status", func(m map[string]any) { obj(m, "checks", 0)["status"] = "ok" }},
		{"check id empty", "$.checks[0].id", func(m map[string]any) { obj(m, "checks", 0)["id"] = "" }},
		{"check duration", "$.checks[0].duration_ms", func(m map[string]any) { obj(m, "checks", 0)["duration_ms"] = -3 }},
		{"severity", "$.findings[0].severity", func(m map[string]any) { obj(m, "findings", 0)["severity"] = "fatal" }},
		{"evidence null", "$.findings[0].evidence", func(m map[string]any) { obj(m, "findings", 0)["evidence"] = nil }},
		{"finding step 7", "$.findings[0].steps[0]", func(m map[string]any) { obj(m, "findings", 0)["steps"] = []any{7} }},
		{"step number", "$.steps[0].number", func(m map[string]any) { obj(m, "steps", 0)["number"] = 0 }},
		{"step twice", "$.steps[1].number", func(m map[string]any) { obj(m, "steps", 1)["number"] = 1 }},
		{"confidence", "$.steps[0].confidence", func(m map[string]any) { obj(m, "steps", 0)["confidence"] = "certain" }},
		{"applies without rank", "$.steps[0]", func(m map[string]any) { obj(m, "steps", 0)["rank"] = nil }},
		{"rank without applies", "$.steps[1]", func(m map[string]any) { obj(m, "steps", 1)["rank"] = 3 }},
		{"rank zero", "$.steps[0].rank", func(m map[string]any) { obj(m, "steps", 0)["rank"] = 0 }},
		{"reasons null", "$.steps[0].reasons", func(m map[string]any) { obj(m, "steps", 0)["reasons"] = nil }},
		{"reason number", "$.steps[0].reasons[0]", func(m map[string]any) { obj(m, "steps", 0)["reasons"] = []any{1} }},
		{"professional", "$.professional.recommended", func(m map[string]any) { obj(m, "professional")["recommended"] = "no" }},
		{"primary missing", "$.primary_step", func(m map[string]any) { delete(m, "primary_step") }},
		{"primary range", "$.primary_step", func(m map[string]any) { m["primary_step"] = 9 }},
		{"primary not applying", "$.primary_step", func(m map[string]any) { m["primary_step"] = 2 }},
		{"summary type", "$.summary", func(m map[string]any) { m["summary"] = []any{} }},
		{"complete with a check in error", "$.checks[0].status", func(m map[string]any) {
			m["complete"], m["incomplete_reasons"] = true, []any{}
			obj(m, "checks", 0)["status"] = "error"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := report.Validate(mutateDoc(t, base, tc.f))
			var ve *report.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, report.ErrInvalid) {
				t.Fatalf("Validate = %v, want a ValidationError", err)
			}
			found := false
			for _, p := range ve.Problems {
				if strings.HasPrefix(p, tc.wantPath+":") {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %q lack one at %s", ve.Problems, tc.wantPath)
			}
		})
	}
	for _, bad := range []string{"", "{", "[]", "null", `"x"`, "{} {}", `{"schema":"restoredoctor.report/v1"} x`} {
		if err := report.Validate([]byte(bad)); err == nil {
			t.Errorf("Validate(%q) accepted", bad)
		}
	}
	// Unknown extra fields are allowed.
	extra := mutateDoc(t, base, func(m map[string]any) { m["x_vendor"] = map[string]any{"a": 1} })
	if err := report.Validate(extra); err != nil {
		t.Errorf("extra field rejected: %v", err)
	}
	// Many problems are all reported, the message stays one line.
	err := report.Validate([]byte(`{"schema":1}`))
	var ve *report.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) < 8 || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "more)") {
		t.Errorf("Validate(schema only) = %v", err)
	}
}

func FuzzValidate(f *testing.F) {
	for _, r := range fixtures() {
		var b bytes.Buffer
		if err := r.JSON(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"steps":[{"number":1e400}]}`))
	f.Add([]byte(`{"primary_step":3,"steps":[{"number":3,"applies":true,"rank":1,"confidence":"low","reasons":[],"title":""}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := report.Validate(data)
		if err != nil {
			return
		}
		// Whatever Validate accepts decodes into the Report struct.
		var r report.Report
		if uerr := json.Unmarshal(data, &r); uerr != nil {
			t.Fatalf("Validate accepted a document the struct cannot hold: %v", uerr)
		}
	})
}
