package jsongen

import (
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"testing"
	"time"
)

type inner struct {
	A string `json:"a,omitempty"`
	B *int   `json:"b,omitempty"`
}

type outer struct {
	Name    string         `json:"name"`
	When    time.Time      `json:"when"`
	In      inner          `json:"in"`
	Ins     []inner        `json:"ins"`
	P       *inner         `json:"p,omitempty"`
	Nums    [][]int        `json:"nums"`
	Any     map[string]any `json:"any"`
	Skipped string         `json:"-"`
	NoTag   float64
}

func TestSource(t *testing.T) {
	src, err := Source(reflect.TypeFor[outer](), "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "json_gen.go", src, 0); err != nil {
		t.Fatalf("generated source does not parse: %v\n%s", err, src)
	}
	s := string(src)
	for _, want := range []string{
		"package x\n",
		"func appendouterJSON(b []byte, x *outer) ([]byte, error) {",
		"func appendinnerJSON(b []byte, x *inner) ([]byte, error) {",
		"b = append(b, `\"name\":`...)",
		"b, err = appendJSONTime(b, x.When)",
		"b = append(b, `,\"NoTag\":`...)",
		"b, err = appendJSONValue(b, x.Any)",
		"for i1 := range x.Nums[i0] {",
		// inner's fields may all be left out: the comma is decided at run time.
		"start := len(b)",
		"if len(b) > start {",
		"b, err = appendinnerJSON(b, x.P)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated source lacks %q:\n%s", want, s)
		}
	}
	for _, unwanted := range []string{"Skipped"} {
		if strings.Contains(s, unwanted) {
			t.Errorf("generated source writes %s", unwanted)
		}
	}
}

type withBytes struct {
	B []byte `json:"b"`
}
type withUint struct {
	U uint `json:"u"`
}
type withString struct {
	N int `json:"n,string"`
}
type withEmbedded struct {
	inner
}
type withMarshaler struct {
	D time.Duration `json:"d"`
	I ipLike        `json:"i"`
}
type ipLike struct{}

func (ipLike) MarshalText() ([]byte, error) { return nil, nil }

type withStructOmit struct {
	In inner `json:"in,omitempty"`
}

// TestSourceRefuses: what the generated code would not write as
// encoding/json does is an error, not a guess.
func TestSourceRefuses(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[int](), reflect.TypeFor[withBytes](), reflect.TypeFor[withUint](),
		reflect.TypeFor[withString](), reflect.TypeFor[withEmbedded](), reflect.TypeFor[withMarshaler](),
		reflect.TypeFor[withStructOmit](),
	} {
		if src, err := Source(typ, "x"); err == nil {
			t.Errorf("Source(%v) accepted:\n%s", typ, src)
		}
	}
}
