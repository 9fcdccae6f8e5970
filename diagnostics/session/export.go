package session

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// Format is an export format.
type Format string

// Export formats.
const (
	FormatMarkdown Format = "markdown"
	FormatJSON     Format = "json"
)

// ErrNoReport is returned when exporting before any check has finished.
var ErrNoReport = errors.New("no report yet: run a check first")

// Render turns r into the bytes of an export in format f, with identifiers
// redacted unless includeIDs; guide (may be nil) adds the steps' text to
// Markdown. A report without a language gets the current one. r is not
// modified.
func Render(r *report.Report, f Format, includeIDs bool, guide report.Guide) ([]byte, error) {
	if r == nil {
		return nil, ErrNoReport
	}
	out := r
	if !includeIDs {
		red := report.Redact(*r)
		out = &red
	}
	if out.Language == "" {
		// A report not made by Check (a recording's) is in the current
		// language too. r itself is not modified.
		cp := *out
		cp.Language = i18n.Current().Code
		out = &cp
	}
	var buf bytes.Buffer
	switch f {
	case FormatJSON:
		if err := out.JSON(&buf); err != nil {
			return nil, fmt.Errorf("export: encode JSON: %w", err)
		}
	case FormatMarkdown:
		if err := report.Markdown(&buf, out, guide); err != nil {
			return nil, fmt.Errorf("export: render Markdown: %w", err)
		}
	default:
		return nil, fmt.Errorf("export: unknown format %q", f)
	}
	return buf.Bytes(), nil
}

// Export renders r (see Render) and writes it to path atomically.
func Export(path string, r *report.Report, f Format, includeIDs bool, guide report.Guide) error {
	data, err := Render(r, f, includeIDs, guide)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic writes data to path with safefile.Write: a regular file is
// replaced through a temporary file and a rename (a reader never sees half a
// report, a failed write leaves the old file intact) and keeps its mode, a
// new file is created 0600, and devices, FIFOs, directories and symlinks are
// refused rather than replaced.
func WriteFileAtomic(path string, data []byte) error {
	if err := safefile.Write(path, data, safefile.Options{}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
