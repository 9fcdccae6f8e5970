package report_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/report/internal/jsongen"
	"github.com/restoredoctor/restoredoctor/internal/gentest"
)

// plain has Report's fields and no methods: json.Marshal of it is what
// encoding/json makes of the fields, the reference for the generated encoder.
type plain report.Report

// referenceJSON is the report as json.Marshal writes its normalised fields.
func referenceJSON(t *testing.T, r report.Report) []byte {
	t.Helper()
	b, err := json.Marshal(plain(report.Normalised(r)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGeneratedEncoderCurrent fails when json_gen.go is not what the
// generator makes of the struct tags today.
func TestGeneratedEncoderCurrent(t *testing.T) {
	want, err := jsongen.Source(reflect.TypeFor[report.Report](), "report")
	if err != nil {
		t.Fatal(err)
	}
	gentest.Current(t, "json_gen.go", want, "the report's struct tags", "go generate ./diagnostics/report")
}

// TestGeneratedEncoderMatchesEncodingJSON: MarshalJSON writes the same bytes
// as encoding/json for every fixture, for hostile strings and for reports
// filled at random (every field set or left zero, nil and empty slices,
// odd floats, invalid UTF-8).
func TestGeneratedEncoderMatchesEncodingJSON(t *testing.T) {
	check := func(name string, r report.Report) {
		t.Helper()
		got, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: MarshalJSON: %v", name, err)
		}
		if want := referenceJSON(t, r); !bytes.Equal(got, want) {
			t.Errorf("%s: generated encoder differs from encoding/json:\n got %s\nwant %s", name, got, want)
		}
	}
	for name, r := range fixtures() {
		check(name, r)
		poison(reflect.ValueOf(&r).Elem())
		check(name+" poisoned", r)
	}
	check("zero", report.Report{})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		var r report.Report
		fill(rng, reflect.ValueOf(&r).Elem(), 0)
		check("random "+string(rune('a'+i%26)), r)
	}
}

// TestGeneratedEncoderRefusesNaN: like encoding/json, a float JSON cannot
// hold is an error, not a document.
func TestGeneratedEncoderRefusesNaN(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		r := report.Report{Checks: []report.Check{{ID: "x", DurationMs: f}}}
		if b, err := r.MarshalJSON(); err == nil {
			t.Errorf("DurationMs %v encoded as %s", f, b)
		}
		if err := r.JSON(&bytes.Buffer{}); err == nil {
			t.Errorf("JSON accepted DurationMs %v", f)
		}
	}
}

var oddStrings = []string{
	"", "plain", "quote \" back \\ slash", "<script>&amp;</script>", "\x00\x01\x1f\x7f", "\b\f\n\r\t",
	"\u2028\u2029", "\xff\xfe", "a\xc3", "é日本😀", "\ufffd", hostile, "\u202e", strings.Repeat("x", 300),
}

var oddFloats = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 1e-6, 9.99e-7, 1e-7, -1e-7, 1e20, 1e21, 123456789e13,
	1e100, 5e-324, math.MaxFloat64, 2.5e-9, 1.0 / 3, 12.345, 480,
}

// fill sets v, and everything under it, to random values.
func fill(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(oddStrings[rng.IntN(len(oddStrings))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int:
		v.SetInt(rng.Int64N(2000) - 1000)
	case reflect.Float64:
		f := oddFloats[rng.IntN(len(oddFloats))]
		if rng.IntN(2) == 0 {
			f = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		}
		v.SetFloat(f)
	case reflect.Pointer:
		if rng.IntN(3) > 0 {
			p := reflect.New(v.Type().Elem())
			fill(rng, p.Elem(), depth+1)
			v.Set(p)
		}
	case reflect.Slice:
		switch n := rng.IntN(4); {
		case n == 0: // nil
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range s.Len() {
				fill(rng, s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)*int64(rng.IntN(2))).UTC()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && rng.IntN(5) > 0 {
				fill(rng, v.Field(i), depth+1)
			}
		}
	case reflect.Map: // evidence
		if rng.IntN(3) == 0 {
			return
		}
		m := map[string]any{}
		for range rng.IntN(4) {
			k := oddStrings[rng.IntN(len(oddStrings))]
			switch rng.IntN(5) {
			case 0:
				m[k] = oddStrings[rng.IntN(len(oddStrings))]
			case 1:
				m[k] = oddFloats[rng.IntN(len(oddFloats))]
			case 2:
				m[k] = rng.IntN(100)
			case 3:
				m[k] = []any{"<", 1.5, nil, map[string]any{"z": true}}
			default:
				m[k] = nil
			}
		}
		v.Set(reflect.ValueOf(m))
	}
}

// FuzzJSONString: any string is written as encoding/json writes it.
func FuzzJSONString(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s, 1.5)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		r := report.Report{Summary: s, ToolVersion: s, Checks: []report.Check{{ID: s, Detail: s, DurationMs: x}}}
		got, gotErr := r.MarshalJSON()
		want, wantErr := json.Marshal(plain(report.Normalised(r)))
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("errors differ: generated %v, encoding/json %v", gotErr, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("generated encoder differs from encoding/json:\n got %s\nwant %s", got, want)
		}
	})
}
