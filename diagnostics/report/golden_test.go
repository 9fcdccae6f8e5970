package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.* from the current output")

// render produces the three redacted renderings of r.
func render(t testing.TB, r report.Report) (jsonOut, mdOut, txtOut []byte) {
	t.Helper()
	red := report.Redact(r)
	var j, m, x bytes.Buffer
	if err := red.JSON(&j); err != nil {
		t.Fatal(err)
	}
	if err := report.Markdown(&m, &red, catalog.MustDefault()); err != nil {
		t.Fatal(err)
	}
	if err := report.Text(&x, &red); err != nil {
		t.Fatal(err)
	}
	return j.Bytes(), m.Bytes(), x.Bytes()
}

func TestGolden(t *testing.T) {
	for name, r := range fixtures() {
		t.Run(name, func(t *testing.T) {
			j, m, x := render(t, r)
			for ext, got := range map[string][]byte{"json": j, "md": m, "txt": x} {
				path := filepath.Join("testdata", name+".golden."+ext)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file (go test ./diagnostics/report -run TestGolden -update to accept):\n%s", path, firstDiff(string(want), string(got)))
				}
			}
			if err := report.Validate(j); err != nil {
				t.Errorf("golden JSON invalid: %v", err)
			}
		})
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(no line differs)"
}

func TestTextFitsIn80Columns(t *testing.T) {
	for name, r := range fixtures() {
		_, _, x := render(t, r)
		for i, l := range strings.Split(string(x), "\n") {
			if n := utf8.RuneCountInString(l); n > report.TextWidth {
				t.Errorf("%s line %d has %d columns: %q", name, i+1, n, l)
			}
		}
	}
}

func TestRenderingsPutVerdictFirst(t *testing.T) {
	for name, r := range fixtures() {
		_, m, x := render(t, r)
		md, txt := string(m), string(x)
		order := []string{"## Verdict", "## Devices", "## Findings", "## Checks", "## Steps"}
		last := -1
		for _, h := range order {
			i := strings.Index(md, h)
			if i <= last {
				t.Errorf("%s: Markdown section %q out of order or missing", name, h)
			}
			last = i
		}
		last = -1
		for _, h := range []string{"VERDICT:", "DEVICES", "FINDINGS", "CHECKS"} {
			i := strings.Index(txt, h)
			if i <= last {
				t.Errorf("%s: text section %q out of order or missing", name, h)
			}
			last = i
		}
		for n := 1; n <= 6; n++ {
			if !strings.Contains(md, "### "+string(rune('0'+n))+". ") {
				t.Errorf("%s: Markdown lacks step %d", name, n)
			}
		}
		for _, c := range r.Checks {
			if !strings.Contains(md, "`"+c.ID+"`") || !strings.Contains(txt, c.ID) {
				t.Errorf("%s: check %s missing from a rendering", name, c.ID)
			}
		}
	}
}

func TestRenderingContent(t *testing.T) {
	_, m, x := render(t, recoveryReport())
	md, txt := string(m), string(x)
	for _, want := range []string{
		"**Try step 5 first (medium confidence): Put iPhone in Recovery Mode and Restore Again, because the iPhone is already in recovery mode",
		"ERASES ALL DATA", "Warning (read before you start)", "Press and quickly release Volume Up",
		"idevicerestore", // Linux instructions for a Linux host
		"| 480 Mbit/s, 05ac:1281, bus 1 port 2, direct |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("recovery Markdown lacks %q", want)
		}
	}
	if !strings.Contains(txt, "VERDICT: Try step 5 first") {
		t.Errorf("text verdict: %s", txt[:min(len(txt), 300)])
	}

	_, m, x = render(t, flappingReport())
	md, txt = string(m), string(x)
	for _, want := range []string{
		"dropped off USB 3 times in 10 s", "full speed (12 Mbit/s) instead of high speed (480)",
		"you already tried another cable", "tap Trust", "behind a hub",
	} {
		if !strings.Contains(md, want) || !strings.Contains(txt, want) {
			t.Errorf("flapping renderings lack %q", want)
		}
	}

	_, m, x = render(t, noDeviceReport())
	md, txt = string(m), string(x)
	for _, want := range []string{"See a professional", "logic board", "No device found"} {
		if !strings.Contains(md, want) {
			t.Errorf("no-device Markdown lacks %q", want)
		}
	}
	if !strings.Contains(txt, "SEE A PROFESSIONAL") || !strings.Contains(md, "Apple Devices") {
		t.Error("no-device: professional advice or Windows instructions missing")
	}
}

func TestMarkdownEscapesFreeText(t *testing.T) {
	r := report.Report{Findings: []report.Finding{{ID: "x.y", Severity: "info", Summary: "<script>alert(1)</script> | *bold* [link](http://x)"}},
		Checks: []report.Check{{ID: "c", Status: "pass", Detail: "a|b\nc"}}}
	var b bytes.Buffer
	if err := report.Markdown(&b, &r, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script>", "[link](", "*bold*", "a|b", "\nc |"} {
		if strings.Contains(out, bad) {
			t.Errorf("Markdown contains unescaped %q", bad)
		}
	}
	if err := report.Markdown(&b, nil, nil); err == nil {
		t.Error("nil report accepted")
	}
	if err := report.Text(&b, nil); err == nil {
		t.Error("nil report accepted")
	}
}
