package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"

	"github.com/restoredoctor/restoredoctor/app/state"
	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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

// ExportTo writes the report the window shows (the state's View: the same
// one the panes render) to path in format f, honouring the "include
// identifiers" tick. A new file is created 0600, as the command line does.
func (u *UI) ExportTo(path string, f Format) error {
	r := exportReport(u.st, u.cat, u.opts.Now())
	if rec := u.st.Recording; r != nil && r.RestoreTimeline != nil && f == FormatMarkdown && rec.Timeline != nil {
		// The Markdown carries the timeline picture as a file beside it:
		// the picture the window shows, drawn from the same timeline,
		// verdict and "now".
		name, err := rec.Timeline.WritePictureBeside(path, restore.PictureOptions{NowMS: rec.NowMS, Verdict: rec.Verdict})
		if err != nil {
			return err
		}
		rt := *r.RestoreTimeline
		rt.PictureFile = name
		r.RestoreTimeline = &rt
	}
	if err := session.Export(path, r, f, u.st.IncludeIDs, u.opts.Guide); err != nil {
		return err
	}
	u.log.Info("report exported", "format", f, "identifiers", u.st.IncludeIDs)
	return nil
}

// exportReport is the report an export of s at now writes: the selected
// phone's report the panes show, with the window's headline as its summary
// and step 5's backup sentences, so the file says what the window says.
//
// A finished restore recording goes with it as the report's
// restore_timeline (the one the recorder pane shows, made once when the
// recording ended); with no check yet, the report is the recording alone,
// its verdict the summary.
func exportReport(s state.State, cat viewmodel.Catalog, now time.Time) *report.Report {
	rt := s.Recording.Report
	if s.Recording.Running {
		rt = nil // a running recording has no verdict yet
	}
	var r report.Report
	switch {
	case s.View != nil:
		r = *s.View
		r.Summary = headline(s, cat, s.AnyConnected()).Text
		r.BackupSummary = backupView(s, now).Lines
	case rt != nil:
		r = report.Report{Schema: report.Schema, Simulated: s.Demo != "", GeneratedAt: s.Recording.Requested.UTC(),
			ToolVersion: s.Recording.Timeline.Header().ToolVersion, Devices: []report.Device{}, Checks: []report.Check{},
			Findings: []report.Finding{}, Steps: []report.Step{}, Summary: rt.Verdict.Summary,
			Complete: rt.Complete, IncompleteReasons: rt.IncompleteReasons}
	default:
		return nil
	}
	if rt != nil {
		c := *rt
		r.RestoreTimeline = &c
	}
	return &r
}

// canExport reports whether the window has something to export: a check's
// report or a finished recording.
func canExport(s state.State) bool {
	return s.View != nil || (s.Recording.Report != nil && !s.Recording.Running)
}

// Export asks where to save the report the window shows and writes it;
// errors are shown in a dialog. While a save dialog is open, another
// request (Ctrl+E again) does nothing.
func (u *UI) Export(f Format) {
	if u.st.ExportOpen {
		return
	}
	if !canExport(u.st) {
		dialog.ShowError(errors.New(i18n.T("app.export.no_report")), u.win)
		return
	}
	u.dispatch(state.ExportOpened{})
	name := ExportName(exportReport(u.st, u.cat, u.opts.Now()), f)
	u.opts.SaveDialog(u.win, name, func(path string, err error) {
		u.dispatch(state.ExportClosed{})
		if err != nil {
			dialog.ShowError(errors.New(i18n.T("app.export.dialog_failed", i18n.Args{"Err": err})), u.win)
			return
		}
		if path == "" {
			return
		}
		if err := u.ExportTo(path, f); err != nil {
			u.log.Error("export failed", "err", err)
			dialog.ShowError(errors.New(i18n.T("app.export.failed", i18n.Args{"Err": err})), u.win)
			return
		}
		dialog.ShowInformation(viewmodel.ReportSavedTitle(), viewmodel.ReportSaved(path), u.win)
	})
}

// exportPane is "Export report": the identifiers tick and the two formats.
type exportPane struct {
	box      *fyne.Container
	include  *focusCheck
	md, json *ringButton
}

func newExportPane(u *UI) *exportPane {
	p := &exportPane{}
	p.include = newFocusCheck(viewmodel.IncludeIDsLabel(), u, func(on bool) {
		if on != u.st.IncludeIDs {
			u.dispatch(state.IncludeIDsSet{On: on})
		}
	})
	p.md = newRingButton(viewmodel.ExportMarkdown(), theme.DocumentSaveIcon(), func() { u.Export(FormatMarkdown) })
	p.json = newRingButton(viewmodel.ExportJSON(), theme.DocumentSaveIcon(), func() { u.Export(FormatJSON) })
	p.md.r, p.json.r = u, u
	p.box = container.NewVBox(p.include, container.NewGridWithColumns(2, p.md, p.json))
	return p
}

func (p *exportPane) render(s state.State) {
	if p.include.Checked != s.IncludeIDs {
		p.include.SetChecked(s.IncludeIDs)
	}
	for _, b := range []*ringButton{p.md, p.json} {
		if s.ExportOpen && !b.Disabled() {
			b.Disable()
		} else if !s.ExportOpen && b.Disabled() {
			b.Enable()
		}
	}
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
	if len(r.Devices) == 0 && r.RestoreTimeline != nil {
		return "restoredoctor-restore-" + r.GeneratedAt.Local().Format("2006-01-02-1504") + ext
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
		forgetDialogFile(path)
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

// forgetDialogFile removes the empty file the save dialog created (with
// the umask's mode, 0644 mostly), so that the export creates it 0600 like
// the command line does. A file with content is left alone.
func forgetDialogFile(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		_ = os.Remove(path)
	}
}
