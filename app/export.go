package app

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

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

// ExportTo writes the last report to path in format f (the file dialog's
// choice), honouring the "include identifiers" tick.
func (u *UI) ExportTo(path string, f Format) error {
	data, err := Render(u.last, f, u.includeIDs, u.opts.Guide)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(path, data); err != nil {
		return err
	}
	u.log.Info("report exported", "format", f, "identifiers", u.includeIDs)
	return nil
}

// Export asks where to save the last report and writes it; errors are shown
// in a dialog.
func (u *UI) Export(f Format) {
	if u.last == nil {
		dialog.ShowError(ErrNoReport, u.win)
		return
	}
	name := "restoredoctor-report.md"
	if f == FormatJSON {
		name = "restoredoctor-report.json"
	}
	u.opts.SaveDialog(u.win, name, func(path string, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("export: %w", err), u.win)
			return
		}
		if path == "" {
			return
		}
		if err := u.ExportTo(path, f); err != nil {
			u.log.Error("export failed", "err", err)
			dialog.ShowError(err, u.win)
			return
		}
		dialog.ShowInformation("Report saved", "The report was saved to "+path, u.win)
	})
}

// fileSaveDialog is Fyne's save dialog reduced to a path: the dialog creates
// the file, which we close at once and then replace atomically.
func fileSaveDialog(w fyne.Window, suggested string, done func(string, error)) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			done("", err)
			return
		}
		path := wc.URI().Path()
		_ = wc.Close()
		done(path, nil)
	}, w)
	d.SetFileName(suggested)
	d.Resize(fyne.NewSize(820, 560))
	if home, err := os.UserHomeDir(); err == nil {
		if l, err := storage.ListerForURI(storage.NewFileURI(home)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Show()
}
