package app

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/restoredoctor/restoredoctor/diagnostics/session"
)

// Format is an export format (diagnostics/session renders and writes it).
type Format = session.Format

// Export formats.
const (
	FormatMarkdown = session.FormatMarkdown
	FormatJSON     = session.FormatJSON
)

// ErrNoReport is returned when exporting before any check has finished.
var ErrNoReport = session.ErrNoReport

// ExportTo writes the last report to path in format f (the file dialog's
// choice), honouring the "include identifiers" tick.
func (u *UI) ExportTo(path string, f Format) error {
	if err := session.Export(path, u.view, f, u.includeIDs, u.opts.Guide); err != nil {
		return err
	}
	u.log.Info("report exported", "format", f, "identifiers", u.includeIDs)
	return nil
}

// Export asks where to save the last report and writes it; errors are shown
// in a dialog.
func (u *UI) Export(f Format) {
	if u.view == nil {
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
