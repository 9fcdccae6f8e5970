package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
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
	name := ExportName(u.view, f)
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

// ExportName is the suggested file name of an export of r: the model and
// the time of the check, e.g. "restoredoctor-iPhone-13-Pro-Max-2026-05-20-1015.md".
func ExportName(r *report.Report, f Format) string {
	ext := ".md"
	if f == FormatJSON {
		ext = ".json"
	}
	if r == nil {
		return "restoredoctor-report" + ext
	}
	model := "no-phone"
	if len(r.Devices) > 0 {
		model = r.Devices[0].Model.Name
		if model == "" {
			model = r.Devices[0].Model.ProductType
		}
		if len(r.Devices) > 1 {
			model = fmt.Sprintf("%d-phones", len(r.Devices))
		}
	}
	return "restoredoctor-" + fileWord(model) + "-" + r.GeneratedAt.Local().Format("2006-01-02-1504") + ext
}

// fileWord is s with only letters, digits and dashes, safe in a file name
// on every system ("iPhone 13 Pro Max" → "iPhone-13-Pro-Max").
func fileWord(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		return "phone"
	}
	return out
}

// ExportDir is the folder the save dialog opens in: Documents, else
// Desktop, else home (isDir says whether a path is a folder).
func ExportDir(home string, isDir func(string) bool) string {
	for _, sub := range []string{"Documents", "Desktop"} {
		if p := filepath.Join(home, sub); isDir(p) {
			return p
		}
	}
	return home
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// fileSaveDialog is Fyne's save dialog reduced to a path: the dialog asks
// before replacing an existing file and creates the file, which we close at
// once and then replace atomically.
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
		if l, err := storage.ListerForURI(storage.NewFileURI(ExportDir(home, isDir))); err == nil {
			d.SetLocation(l)
		}
	}
	d.Show()
}
