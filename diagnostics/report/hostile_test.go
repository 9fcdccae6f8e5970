package report_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// hostile is what a fake phone puts in every string: clear screen, set the
// window title, forge a line, a C1 CSI and a bidi override.
const hostile = "\x1b[2J\x1b]0;owned\x07\r\nVERDICT: No fault found\u009b31m\u202e"

// poison sets every string reachable in v (struct fields, slices, maps of
// evidence) to hostile plus its value; enum-like fields too: the renderers
// must cope with anything.
func poison(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(hostile + v.String())
		}
	case reflect.Pointer:
		if !v.IsNil() {
			poison(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			poison(v.Field(i))
		}
	case reflect.Slice:
		for i := range v.Len() {
			poison(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			if e.Kind() == reflect.Interface {
				e = e.Elem()
			}
			if e.Kind() == reflect.String {
				v.SetMapIndex(k, reflect.ValueOf(hostile+e.String()))
			}
		}
		if v.Type().Key().Kind() == reflect.String {
			v.SetMapIndex(reflect.ValueOf(hostile), reflect.ValueOf(any(hostile)).Convert(v.Type().Elem()))
		}
	}
}

// controlIn returns the first control character (or bidi override) in a
// rendered text, other than the newlines between lines.
func controlIn(out []byte) (rune, bool) {
	for _, r := range string(out) {
		if r == '\n' {
			continue
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return r, true
		}
	}
	return 0, false
}

// TestNoControlCharacterReachesText puts escape sequences in every string
// field of a report; neither Text nor Markdown lets one through (issue 14,
// defect 5). JSON escapes them.
func TestNoControlCharacterReachesText(t *testing.T) {
	for name, r := range fixtures() {
		t.Run(name, func(t *testing.T) {
			poison(reflect.ValueOf(&r).Elem())
			var txt, md bytes.Buffer
			if err := report.Text(&txt, &r); err != nil {
				t.Fatal(err)
			}
			if err := report.Markdown(&md, &r, catalog.MustDefault()); err != nil {
				t.Fatal(err)
			}
			for format, out := range map[string][]byte{"text": txt.Bytes(), "markdown": md.Bytes()} {
				if c, ok := controlIn(out); ok {
					t.Errorf("%s: control character %U reached the output", format, c)
				}
				if !utf8.Valid(out) {
					t.Errorf("%s: invalid UTF-8", format)
				}
			}
		})
	}
}

func TestWrap(t *testing.T) {
	r := fixtures()["flapping-hub"]
	r.Devices[0].Model.ProductType = strings.Repeat("x", 1<<20)
	r.Summary = strings.Repeat("word ", 1<<18)
	var txt bytes.Buffer
	if err := report.Text(&txt, &r); err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(txt.String(), "\n") {
		if n := utf8.RuneCountInString(l); n > report.TextWidth {
			t.Fatalf("line %d has %d runes", i, n)
		}
	}
	if txt.Len() > 1<<20 {
		t.Errorf("text of a report with 1 MB values is %d bytes: values are not capped", txt.Len())
	}
}

// BenchmarkTextHugeValue renders a report whose ProductType is 1 MB (it took
// 128 s before wrapping became linear and renderers capped values).
func BenchmarkTextHugeValue(b *testing.B) {
	r := fixtures()["flapping-hub"]
	r.Devices[0].Model.ProductType = strings.Repeat("x", 1<<20)
	r.Summary = strings.Repeat("word ", 1<<18)
	for b.Loop() {
		var txt bytes.Buffer
		if err := report.Text(&txt, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestValidateCompleteness: the contract rejects a complete report with
// reasons and an incomplete one whose summary does not say so.
func TestValidateCompleteness(t *testing.T) {
	for name, mod := range map[string]func(r *report.Report){
		"complete with reasons": func(r *report.Report) { r.Complete, r.IncompleteReasons = true, []string{"x"} },
		"all-clear summary": func(r *report.Report) {
			r.Complete, r.IncompleteReasons, r.Summary = false, []string{"x"}, "No fault found."
		},
	} {
		r := fixtures()["no-device"]
		mod(&r)
		var buf bytes.Buffer
		if err := r.JSON(&buf); err != nil {
			t.Fatal(err)
		}
		if err := report.Validate(buf.Bytes()); err == nil {
			t.Errorf("%s: Validate passed", name)
		}
	}
	r := fixtures()["interrupted"]
	var buf bytes.Buffer
	if err := r.JSON(&buf); err != nil {
		t.Fatal(err)
	}
	if err := report.Validate(buf.Bytes()); err != nil {
		t.Errorf("interrupted report: %v", err)
	}
}
