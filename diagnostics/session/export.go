package session

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
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
// Markdown. r is not modified.
func Render(r *report.Report, f Format, includeIDs bool, guide report.Guide) ([]byte, error) {
	if r == nil {
		return nil, ErrNoReport
	}
	out := r
	if !includeIDs {
		red := report.Redact(*r)
		out = &red
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

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so a reader never sees half a report and a failed
// write leaves any previous file intact.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("export: create temporary file in %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("export: write %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("export: sync %s: %w", tmp.Name(), err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("export: chmod %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("export: close %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: rename to %s: %w", path, err)
	}
	return nil
}
