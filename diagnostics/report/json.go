package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// MarshalJSON encodes the report exactly per the contract, whatever state the
// struct is in: devices, checks, findings, steps, reasons and port paths are
// arrays (never null), evidence is an object (never null), and a step that
// does not apply has a null rank and confidence. The receiver is not modified.
//
// The bytes are those json.Marshal writes for the fields, but come from the
// encoder generated from the struct tags (json_gen.go): encoding/json would
// spend most of a one-shot check's encoding time building its reflection
// caches.
func (r Report) MarshalJSON() ([]byte, error) {
	n := normalised(r)
	b, err := appendReportJSON(make([]byte, 0, 8<<10), &n)
	if err != nil {
		return nil, fmt.Errorf("report: encode JSON: %w", err)
	}
	return b, nil
}

// JSON writes the report as indented JSON (two spaces) followed by a newline:
// MarshalJSON's document, indented.
func (r *Report) JSON(w io.Writer) error {
	if r == nil {
		return fmt.Errorf("report: encode JSON: nil report")
	}
	compact, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	out.Grow(len(compact) + len(compact)/2)
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return fmt.Errorf("report: encode JSON: %w", err)
	}
	out.WriteByte('\n')
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("report: encode JSON: %w", err)
	}
	return nil
}

// normalised returns a copy of r in which every contract array is non-nil
// and non-applying steps carry no rank or confidence. Slices that need no
// change are shared with r (the copy is only read).
func normalised(r Report) Report {
	if r.Schema == "" {
		r.Schema = Schema
	}
	r.Devices = nonNil(r.Devices)
	r.Checks = nonNil(r.Checks)
	r.Findings = nonNil(r.Findings)
	r.Steps = nonNil(r.Steps)
	r.Professional.Reasons = nonNil(r.Professional.Reasons)
	r.IncompleteReasons = nonNil(r.IncompleteReasons)

	if needsDeviceFix(r.Devices) {
		ds := make([]Device, len(r.Devices))
		copy(ds, r.Devices)
		for i := range ds {
			ds[i].USB.PortPath = nonNil(ds[i].USB.PortPath)
		}
		r.Devices = ds
	}
	if needsFindingFix(r.Findings) {
		fs := make([]Finding, len(r.Findings))
		copy(fs, r.Findings)
		for i := range fs {
			if fs[i].Evidence == nil {
				fs[i].Evidence = map[string]any{}
			}
			fs[i].Steps = nonNil(fs[i].Steps)
		}
		r.Findings = fs
	}
	if needsStepFix(r.Steps) {
		ss := make([]Step, len(r.Steps))
		copy(ss, r.Steps)
		for i := range ss {
			ss[i].Reasons = nonNil(ss[i].Reasons)
			if !ss[i].Applies {
				ss[i].Rank, ss[i].Confidence = nil, nil
			}
		}
		r.Steps = ss
	}
	return r
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func needsDeviceFix(ds []Device) bool {
	for _, d := range ds {
		if d.USB.PortPath == nil {
			return true
		}
	}
	return false
}

func needsFindingFix(fs []Finding) bool {
	for _, f := range fs {
		if f.Evidence == nil || f.Steps == nil {
			return true
		}
	}
	return false
}

func needsStepFix(ss []Step) bool {
	for _, s := range ss {
		if s.Reasons == nil || (!s.Applies && (s.Rank != nil || s.Confidence != nil)) {
			return true
		}
	}
	return false
}
