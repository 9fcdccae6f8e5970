package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// incompleteHead is the start of an incomplete report's summary in the
// language with this code (findings.incomplete.head up to its reasons; ""
// is English): the summary is written in the language the check ran in.
func incompleteHead(code string) string {
	if code == "" || code == "en" {
		return "Incomplete check: "
	}
	msgs, err := i18n.ReadFile(assets.FS, "findings."+code+".json")
	if err != nil {
		return ""
	}
	text, _, _ := strings.Cut(msgs["findings.incomplete.head"].Forms["other"], "{{")
	return text
}

// saysIncomplete reports whether summary starts as an incomplete report's
// summary does in the report's language; a report that does not say its
// language may be in any of them.
func saysIncomplete(summary, lang string) bool {
	if lang != "" {
		head := incompleteHead(lang)
		return head == "" || strings.HasPrefix(summary, head)
	}
	for _, l := range i18n.Supported() {
		if head := incompleteHead(l.Code); head != "" && strings.HasPrefix(summary, head) {
			return true
		}
	}
	return false
}

// Enumerations of the contract, in the order DESIGN.md lists them.
var (
	// Modes are the values of devices[].mode.
	Modes = []string{"normal", "restore", "recovery", "dfu", "wtf", "port-dfu", "unknown"}
	// RecoveryFamilies are the values of devices[].model.recovery_buttons.
	// ipad-no-home-button was added to v1 for iPads without a Home button.
	RecoveryFamilies = []string{"face-id-or-8-later", "iphone-7", "home-button", "ipad-no-home-button", "unknown"}
	// UsbmuxdStatuses are the values of host.usbmuxd.status.
	UsbmuxdStatuses = []string{UsbmuxdOK, UsbmuxdUnreachable, UsbmuxdNotResponding, UsbmuxdError}
	// CheckStatuses are the values of checks[].status.
	CheckStatuses = []string{StatusPass, StatusWarn, StatusFail, StatusSkipped, StatusUnsupported, StatusError}
	// Severities are the values of findings[].severity.
	Severities = []string{SeverityInfo, SeverityWarning, SeverityCritical}
	// Confidences are the non-null values of steps[].confidence.
	Confidences = []string{ConfidenceHigh, ConfidenceMedium, ConfidenceLow}
)

// ErrInvalid is wrapped by every error Validate returns for a document that
// parses but breaks the contract.
var ErrInvalid = errors.New("report: document does not match " + Schema)

// ValidationError lists every way a document breaks the contract, each as
// "JSON path: problem".
type ValidationError struct {
	Problems []string
}

// Error implements error: the first few problems on one line.
func (e *ValidationError) Error() string {
	const show = 5
	p := e.Problems
	more := ""
	if len(p) > show {
		more = fmt.Sprintf(" (and %d more)", len(p)-show)
		p = p[:show]
	}
	return fmt.Sprintf("%v: %s%s", ErrInvalid, strings.Join(p, "; "), more)
}

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Validate checks that data is exactly one JSON object following the
// restoredoctor.report/v1 contract: the schema string, every required field
// with its JSON type, enum values, the array-never-null rules, step
// consistency (rank and confidence null exactly when a step does not apply)
// and that primary_step names a step that applies. Unknown extra fields are
// allowed (readers must ignore them). It returns a *ValidationError (wrapping
// ErrInvalid) listing every problem, or a wrapped syntax error.
func Validate(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("report: validate: parse JSON: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return fmt.Errorf("report: validate: trailing data after the report object")
	}
	v := &validator{}
	v.report(doc)
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

type validator struct {
	problems []string
}

func (v *validator) addf(path, format string, args ...any) {
	v.problems = append(v.problems, path+": "+fmt.Sprintf(format, args...))
}

func jsonType(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", x)
}

// field returns m[key], recording a problem when it is absent.
func (v *validator) field(path string, m map[string]any, key string) (any, bool) {
	x, ok := m[key]
	if !ok {
		v.addf(path+"."+key, "required field missing")
	}
	return x, ok
}

func (v *validator) object(path string, m map[string]any, key string) map[string]any {
	x, ok := v.field(path, m, key)
	if !ok {
		return nil
	}
	o, isObj := x.(map[string]any)
	if !isObj {
		v.addf(path+"."+key, "want object, got %s", jsonType(x))
		return nil
	}
	return o
}

func (v *validator) array(path string, m map[string]any, key string) []any {
	x, ok := v.field(path, m, key)
	if !ok {
		return nil
	}
	a, isArr := x.([]any)
	if !isArr {
		v.addf(path+"."+key, "want array, got %s", jsonType(x))
		return nil
	}
	return a
}

func (v *validator) str(path string, m map[string]any, key string) (string, bool) {
	x, ok := v.field(path, m, key)
	if !ok {
		return "", false
	}
	s, isStr := x.(string)
	if !isStr {
		v.addf(path+"."+key, "want string, got %s", jsonType(x))
		return "", false
	}
	return s, true
}

func (v *validator) enum(path string, m map[string]any, key string, allowed []string) {
	s, ok := v.str(path, m, key)
	if ok && !contains(allowed, s) {
		v.addf(path+"."+key, "%q is not one of %s", s, strings.Join(allowed, "|"))
	}
}

func (v *validator) boolean(path string, m map[string]any, key string) (bool, bool) {
	x, ok := v.field(path, m, key)
	if !ok {
		return false, false
	}
	b, isBool := x.(bool)
	if !isBool {
		v.addf(path+"."+key, "want boolean, got %s", jsonType(x))
		return false, false
	}
	return b, true
}

func (v *validator) number(path string, m map[string]any, key string) (float64, bool) {
	x, ok := v.field(path, m, key)
	if !ok {
		return 0, false
	}
	return v.numberValue(path+"."+key, x)
}

func (v *validator) numberValue(path string, x any) (float64, bool) {
	n, isNum := x.(json.Number)
	if !isNum {
		v.addf(path, "want number, got %s", jsonType(x))
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		v.addf(path, "number %s out of range", n)
		return 0, false
	}
	return f, true
}

func (v *validator) integerValue(path string, x any) (int, bool) {
	f, ok := v.numberValue(path, x)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		v.addf(path, "want integer, got %v", f)
		return 0, false
	}
	return int(f), true
}

func (v *validator) integer(path string, m map[string]any, key string) (int, bool) {
	x, ok := v.field(path, m, key)
	if !ok {
		return 0, false
	}
	return v.integerValue(path+"."+key, x)
}

func (v *validator) nonNegative(path string, m map[string]any, key string) {
	if n, ok := v.integer(path, m, key); ok && n < 0 {
		v.addf(path+"."+key, "must not be negative, got %d", n)
	}
}

func (v *validator) stringArray(path string, m map[string]any, key string) {
	for i, x := range v.array(path, m, key) {
		if _, ok := x.(string); !ok {
			v.addf(fmt.Sprintf("%s.%s[%d]", path, key, i), "want string, got %s", jsonType(x))
		}
	}
}

func (v *validator) report(doc any) {
	root, ok := doc.(map[string]any)
	if !ok {
		v.addf("$", "want object, got %s", jsonType(doc))
		return
	}
	const p = "$"
	if s, ok := v.str(p, root, "schema"); ok && s != Schema {
		v.addf(p+".schema", "want %q, got %q", Schema, s)
	}
	if s, ok := v.str(p, root, "generated_at"); ok {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			v.addf(p+".generated_at", "not an RFC 3339 time: %q", s)
		}
	}
	v.str(p, root, "tool_version")
	if x, ok := root["language"]; ok {
		if s, isStr := x.(string); !isStr || s == "" {
			v.addf(p+".language", "want a language code such as \"en\" or \"de\", got %s", jsonType(x))
		}
	}
	if x, ok := root["summary"]; ok {
		if _, isStr := x.(string); !isStr {
			v.addf(p+".summary", "want string, got %s", jsonType(x))
		}
	}

	// complete / incomplete_reasons (added to v1, optional): a complete report
	// has no reasons; one with reasons has a summary that says it is incomplete.
	if x, ok := root["complete"]; ok {
		complete, isBool := x.(bool)
		reasons, _ := root["incomplete_reasons"].([]any)
		summary, _ := root["summary"].(string)
		lang, _ := root["language"].(string)
		switch {
		case !isBool:
			v.addf(p+".complete", "want boolean, got %s", jsonType(x))
		case complete && len(reasons) > 0:
			v.addf(p+".incomplete_reasons", "a complete report lists %d reasons", len(reasons))
		case !complete && len(reasons) > 0 && !saysIncomplete(summary, lang):
			v.addf(p+".summary", "an incomplete report's summary must start \"Incomplete check: \" (or its translation)")
		case complete:
			// The completeness rule (diagnostics.MarkCompleteness): a check
			// in error leaves a fault unruled out.
			checks, _ := root["checks"].([]any)
			for i, c := range checks {
				if m, ok := c.(map[string]any); ok && m["status"] == StatusError {
					v.addf(fmt.Sprintf("%s.checks[%d].status", p, i), "a complete report has a check in error (%v)", m["id"])
				}
			}
		}
		if _, ok := root["incomplete_reasons"]; ok {
			v.stringArray(p, root, "incomplete_reasons")
		}
	}

	if x, ok := root["in_progress"]; ok {
		switch _, isObj := x.(map[string]any); {
		case !isObj:
			v.addf(p+".in_progress", "want object, got %s", jsonType(x))
		case root["complete"] != false:
			v.addf(p+".complete", "a provisional report (in_progress) is never complete")
		}
	}

	v.restoreTimeline(root)

	if host := v.object(p, root, "host"); host != nil {
		v.str(p+".host", host, "os")
		if mux := v.object(p+".host", host, "usbmuxd"); mux != nil {
			v.str(p+".host.usbmuxd", mux, "address")
			v.enum(p+".host.usbmuxd", mux, "status", UsbmuxdStatuses)
		}
	}
	for i, d := range v.array(p, root, "devices") {
		v.device(fmt.Sprintf("$.devices[%d]", i), d)
	}
	for i, c := range v.array(p, root, "checks") {
		v.check(fmt.Sprintf("$.checks[%d]", i), c)
	}
	for i, f := range v.array(p, root, "findings") {
		v.finding(fmt.Sprintf("$.findings[%d]", i), f)
	}
	applies := map[int]bool{}
	stepsOK := true
	if arr := v.array(p, root, "steps"); arr != nil {
		seen := map[int]bool{}
		for i, s := range arr {
			path := fmt.Sprintf("$.steps[%d]", i)
			n, a, ok := v.step(path, s)
			if !ok {
				stepsOK = false
				continue
			}
			if seen[n] {
				v.addf(path+".number", "step %d listed twice", n)
			}
			seen[n] = true
			applies[n] = a
		}
	} else {
		stepsOK = false
	}
	if pro := v.object(p, root, "professional"); pro != nil {
		v.boolean(p+".professional", pro, "recommended")
		v.stringArray(p+".professional", pro, "reasons")
	}
	if x, ok := v.field(p, root, "primary_step"); ok && x != nil {
		if n, ok := v.integerValue(p+".primary_step", x); ok {
			switch {
			case n < 1 || n > 6:
				v.addf(p+".primary_step", "want 1..6 or null, got %d", n)
			case stepsOK && !applies[n]:
				v.addf(p+".primary_step", "step %d does not apply (or is not listed)", n)
			}
		}
	}
}

func (v *validator) device(p string, x any) {
	d, ok := x.(map[string]any)
	if !ok {
		v.addf(p, "want object, got %s", jsonType(x))
		return
	}
	v.str(p, d, "key")
	v.enum(p, d, "mode", Modes)
	if m := v.object(p, d, "model"); m != nil {
		v.str(p+".model", m, "product_type")
		v.str(p+".model", m, "name")
		v.enum(p+".model", m, "recovery_buttons", RecoveryFamilies)
	}
	if u := v.object(p, d, "usb"); u != nil {
		up := p + ".usb"
		v.boolean(up, u, "present")
		v.str(up, u, "vendor_id")
		v.str(up, u, "product_id")
		if f, ok := v.number(up, u, "speed_mbps"); ok && f < 0 {
			v.addf(up+".speed_mbps", "must not be negative")
		}
		v.nonNegative(up, u, "bus")
		for i, e := range v.array(up, u, "port_path") {
			v.integerValue(fmt.Sprintf("%s.port_path[%d]", up, i), e)
		}
		v.boolean(up, u, "behind_hub")
	}
	if m := v.object(p, d, "usbmux"); m != nil {
		v.boolean(p+".usbmux", m, "listed")
	}
	if l := v.object(p, d, "lockdown"); l != nil {
		lp := p + ".lockdown"
		v.boolean(lp, l, "reachable")
		v.str(lp, l, "product_version")
		if t, ok := v.field(lp, l, "trusted"); ok && t != nil {
			if _, isBool := t.(bool); !isBool {
				v.addf(lp+".trusted", "want boolean or null, got %s", jsonType(t))
			}
		}
		if r := v.object(lp, l, "rtt_ms"); r != nil {
			for _, k := range []string{"p50", "p95", "max"} {
				v.number(lp+".rtt_ms", r, k)
			}
		}
		for _, k := range []string{"requests", "timeouts", "failures"} {
			v.nonNegative(lp, l, k)
		}
	}
	if s := v.object(p, d, "stability"); s != nil {
		v.number(p+".stability", s, "window_s")
		v.nonNegative(p+".stability", s, "detaches")
		v.nonNegative(p+".stability", s, "attaches")
	}
}

func (v *validator) check(p string, x any) {
	c, ok := x.(map[string]any)
	if !ok {
		v.addf(p, "want object, got %s", jsonType(x))
		return
	}
	if id, ok := v.str(p, c, "id"); ok && id == "" {
		v.addf(p+".id", "must not be empty")
	}
	v.enum(p, c, "status", CheckStatuses)
	if f, ok := v.number(p, c, "duration_ms"); ok && f < 0 {
		v.addf(p+".duration_ms", "must not be negative")
	}
	v.str(p, c, "detail")
}

func (v *validator) finding(p string, x any) {
	f, ok := x.(map[string]any)
	if !ok {
		v.addf(p, "want object, got %s", jsonType(x))
		return
	}
	if id, ok := v.str(p, f, "id"); ok && id == "" {
		v.addf(p+".id", "must not be empty")
	}
	v.enum(p, f, "severity", Severities)
	v.str(p, f, "summary")
	v.object(p, f, "evidence")
	for i, s := range v.array(p, f, "steps") {
		sp := fmt.Sprintf("%s.steps[%d]", p, i)
		if n, ok := v.integerValue(sp, s); ok && (n < 1 || n > 6) {
			v.addf(sp, "want 1..6, got %d", n)
		}
	}
}

// step validates one step and returns its number and applies flag.
func (v *validator) step(p string, x any) (number int, applies bool, ok bool) {
	s, isObj := x.(map[string]any)
	if !isObj {
		v.addf(p, "want object, got %s", jsonType(x))
		return 0, false, false
	}
	before := len(v.problems)
	n, nOK := v.integer(p, s, "number")
	if nOK && (n < 1 || n > 6) {
		v.addf(p+".number", "want 1..6, got %d", n)
	}
	v.str(p, s, "title")
	a, aOK := v.boolean(p, s, "applies")
	rank, rankOK := v.field(p, s, "rank")
	conf, confOK := v.field(p, s, "confidence")
	if rankOK && rank != nil {
		if r, ok := v.integerValue(p+".rank", rank); ok && r < 1 {
			v.addf(p+".rank", "want 1 or more, got %d", r)
		}
	}
	if confOK && conf != nil {
		c, isStr := conf.(string)
		switch {
		case !isStr:
			v.addf(p+".confidence", "want string or null, got %s", jsonType(conf))
		case !contains(Confidences, c):
			v.addf(p+".confidence", "%q is not one of %s|null", c, strings.Join(Confidences, "|"))
		}
	}
	if aOK && rankOK && confOK {
		if a && (rank == nil || conf == nil) {
			v.addf(p, "a step that applies needs a rank and a confidence")
		}
		if !a && (rank != nil || conf != nil) {
			v.addf(p, "a step that does not apply must have null rank and confidence")
		}
	}
	v.stringArray(p, s, "reasons")
	return n, a, len(v.problems) == before
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
