package catalog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

func TestStepsComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	titles := map[int]string{
		1: "Check USB Connection and Cable",
		2: "Update iTunes or Use Alternative Software",
		3: "Disable Security and Firewall Software Temporarily",
		4: "Restart iPhone and Computer",
		5: "Put iPhone in Recovery Mode and Restore Again",
		6: "Try a Different Computer",
	}
	steps := c.Steps()
	if len(steps) != 6 {
		t.Fatalf("Steps() = %d steps, want 6", len(steps))
	}
	for i, s := range steps {
		n := i + 1
		if s.Number != n {
			t.Errorf("Steps()[%d].Number = %d", i, s.Number)
		}
		if s.Title != titles[n] || c.Title(n) != titles[n] {
			t.Errorf("step %d title %q, want %q", n, s.Title, titles[n])
		}
		if s.Summary == "" || len(s.Instructions) == 0 {
			t.Errorf("step %d: empty summary or instructions", n)
		}
		for _, osName := range []string{"linux", "darwin", "windows", "plan9"} {
			if len(s.InstructionsFor(osName)) < len(s.Instructions) {
				t.Errorf("step %d: InstructionsFor(%s) lost generic lines", n, osName)
			}
		}
	}
	if w := c.Step(3).Warning; !strings.Contains(strings.ToLower(w), "back on") || c.Step(3).WarningMustAcknowledge {
		t.Errorf("step 3 warning = %q (must say to re-enable, no acknowledgement)", w)
	}
	s5 := c.Step(5)
	if !strings.Contains(s5.Warning, "ERASES ALL DATA") || !strings.Contains(strings.ToLower(s5.Warning), "back") || !s5.WarningMustAcknowledge {
		t.Errorf("step 5 warning = %q, ack %v", s5.Warning, s5.WarningMustAcknowledge)
	}
	for _, n := range []int{1, 2, 4, 6} {
		if c.Step(n).WarningMustAcknowledge {
			t.Errorf("step %d must not need acknowledgement", n)
		}
	}
	// Steps that differ per OS have a variant for each.
	for _, n := range []int{2, 3} {
		for _, o := range []string{OSWindows, OSMacOS, OSLinux} {
			if len(c.Step(n).InstructionsByOS[o]) == 0 {
				t.Errorf("step %d: no %s instructions", n, o)
			}
		}
	}
	if c.Step(0).Title != "" || c.Step(7).Title != "" || c.Title(-1) != "" {
		t.Error("out-of-range step not empty")
	}
	p := c.Professional()
	if p.Summary == "" || len(p.Instructions) == 0 || !strings.Contains(p.Summary, "logic board") || !strings.Contains(p.Summary, "USB-C") {
		t.Errorf("professional = %+v", p)
	}
}

func TestRecoveryButtons(t *testing.T) {
	c := MustDefault()
	want := map[string][]string{
		FamilyFaceIDOr8Later:   {"Volume Up", "Volume Down", "Side"},
		FamilyIPhone7:          {"Volume Down", "Side"},
		FamilyHomeButton:       {"Home", "Top"},
		FamilyIPadNoHomeButton: {"Top", "volume"},
		FamilyUnknown:          {"Volume Up", "Volume Down and the Side", "Home button and the Top"},
	}
	for _, fam := range Families {
		r := c.RecoveryButtons(fam)
		if r.Family != fam || r.AppliesTo == "" || len(r.Steps) == 0 {
			t.Errorf("%s: %+v", fam, r)
		}
		text := strings.Join(r.Lines(), "\n")
		for _, w := range want[fam] {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q missing from %q", fam, w, text)
			}
		}
	}
	if got := c.RecoveryButtons(FamilyUnknown).Alternatives; len(got) != 3 {
		t.Errorf("unknown: %d alternatives, want 3", len(got))
	}
	if got := c.RecoveryButtons("banana"); got.Family != FamilyUnknown {
		t.Errorf("unknown family falls back to %q", got.Family)
	}
	// Every family the report contract allows is described.
	for _, fam := range report.RecoveryFamilies {
		if !slices.Contains(Families, fam) {
			t.Errorf("report family %q not in catalog.Families", fam)
		}
	}
}

func TestFixTexts(t *testing.T) {
	c := MustDefault()
	for id, want := range map[string]string{
		report.FindingUSBAccessDenied:   "udev",
		report.FindingLockdownUntrusted: "tap Trust",
	} {
		text, ok := c.FixText(id)
		if !ok || !strings.Contains(text, want) {
			t.Errorf("FixText(%s) = %q, %v; want it to mention %q", id, text, ok, want)
		}
	}
	if _, ok := c.FixText(report.FindingUSBUnstable); ok {
		t.Error("usb.unstable has a step, not a fix text")
	}
}

func TestStepDetail(t *testing.T) {
	c := MustDefault()
	d := c.StepDetail(5, "darwin", FamilyIPhone7)
	text := strings.Join(d.Instructions, "\n")
	if !strings.Contains(text, "Finder") || !strings.Contains(text, "Volume Down and the Side") || !d.WarningMustAcknowledge {
		t.Errorf("step 5 detail on macOS for iphone-7: %+v", d)
	}
	if strings.Contains(text, "idevicerestore --erase") {
		t.Error("Linux instructions shown on macOS")
	}
	if d := c.StepDetail(0, "linux", ""); d.Summary == "" {
		t.Error("professional detail empty")
	}
	if d := c.StepDetail(9, "linux", ""); d.Summary != "" || d.Instructions != nil {
		t.Errorf("StepDetail(9) = %+v", d)
	}
	var _ report.Guide = c
}

func TestAccessorsReturnCopies(t *testing.T) {
	c := MustDefault()
	s := c.Step(1)
	s.Instructions[0] = "changed"
	s.InstructionsByOS[OSLinux][0] = "changed"
	if c.Step(1).Instructions[0] == "changed" || c.Step(1).InstructionsByOS[OSLinux][0] == "changed" {
		t.Error("Step returned the catalogue's own slices")
	}
	r := c.RecoveryButtons(FamilyIPhone7)
	r.Steps[0] = "changed"
	if c.RecoveryButtons(FamilyIPhone7).Steps[0] == "changed" {
		t.Error("RecoveryButtons returned the catalogue's own slice")
	}
}

func TestNormalizeOS(t *testing.T) {
	for in, want := range map[string]string{
		"linux": OSLinux, "Linux/amd64": OSLinux, "darwin": OSMacOS, "macOS 14.5": OSMacOS,
		"windows": OSWindows, "Windows 11": OSWindows, "freebsd": "", "": "",
	} {
		if got := NormalizeOS(in); got != want {
			t.Errorf("NormalizeOS(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseRejects mutates the real catalogue into broken documents.
func TestParseRejects(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("..", "..", "assets", "steps", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(orig); err != nil {
		t.Fatalf("real catalogue: %v", err)
	}
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(orig, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	steps := func(m map[string]any) []any { return m["steps"].([]any) }
	cases := map[string][]byte{
		"not json":       []byte("{"),
		"empty":          []byte("{}"),
		"version":        mutate(func(m map[string]any) { m["version"] = 2 }),
		"unknown field":  mutate(func(m map[string]any) { m["extra"] = 1 }),
		"missing step":   mutate(func(m map[string]any) { m["steps"] = steps(m)[:5] }),
		"duplicate step": mutate(func(m map[string]any) { s := steps(m); s[5].(map[string]any)["number"] = 1 }),
		"step 7":         mutate(func(m map[string]any) { steps(m)[5].(map[string]any)["number"] = 7 }),
		"empty title":    mutate(func(m map[string]any) { steps(m)[0].(map[string]any)["title"] = " " }),
		"no instr":       mutate(func(m map[string]any) { steps(m)[0].(map[string]any)["instructions"] = []any{} }),
		"bad os": mutate(func(m map[string]any) {
			steps(m)[0].(map[string]any)["instructions_by_os"] = map[string]any{"beos": []any{"x"}}
		}),
		"ack no warning": mutate(func(m map[string]any) { steps(m)[0].(map[string]any)["warning_must_acknowledge"] = true }),
		"family missing": mutate(func(m map[string]any) { delete(m["recovery_buttons"].(map[string]any), "iphone-7") }),
		"family unknown": mutate(func(m map[string]any) {
			m["recovery_buttons"].(map[string]any)["nokia"] = map[string]any{"applies_to": "x", "steps": []any{"y"}}
		}),
		"bad alternative": mutate(func(m map[string]any) {
			m["recovery_buttons"].(map[string]any)["unknown"].(map[string]any)["alternatives"] = []any{"nokia"}
		}),
		"empty fix": mutate(func(m map[string]any) { m["fix_texts"].(map[string]any)["usb.access_denied"] = "" }),
		"pro empty": mutate(func(m map[string]any) { m["professional"].(map[string]any)["summary"] = "" }),
	}
	for name, data := range cases {
		if _, err := Parse(data); err == nil {
			t.Errorf("%s: Parse accepted a broken catalogue", name)
		} else if !strings.HasPrefix(err.Error(), "catalog: parse") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	orig, err := os.ReadFile(filepath.Join("..", "..", "assets", "steps", "catalog.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(orig)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err == nil {
			for n := 1; n <= 6; n++ {
				if c.Step(n).Title == "" {
					t.Fatalf("accepted catalogue without title for step %d", n)
				}
			}
			_ = c.RecoveryButtons("x").Lines()
		}
	})
}
