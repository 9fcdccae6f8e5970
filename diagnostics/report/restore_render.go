package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// restoreStageWords names a restore_timeline stage for people.
func restoreStageWords(s string) string {
	return word("report.stage.", s)
}

// clockS writes seconds since the recording started as m:ss (h:mm:ss past an hour).
func clockS(s float64) string {
	t := int64(s + 0.5)
	if t < 0 {
		t = 0
	}
	if t >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
	}
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}

// spanS writes a duration in seconds the way people read it.
func spanS(s float64) string { return durationS(s) }

func speedsLine(sp []float64) string {
	if len(sp) == 0 {
		return "-"
	}
	parts := make([]string, len(sp))
	for i, f := range sp {
		parts[i] = num(f)
	}
	return i18n.T("report.usb.speed", i18n.Args{"Mbps": strings.Join(parts, " → ")})
}

// stageListed: whether usbmuxd listed the phone in s ("-" off USB).
func stageListed(s RestoreStage) string {
	if s.Stage == "gone" {
		return "-"
	}
	return listedWord(s.UsbmuxListed)
}

func listedWord(l *bool) string {
	switch {
	case l == nil:
		return i18n.T("report.usbmux.unknown")
	case *l:
		return i18n.T("report.usbmux.listed")
	}
	return i18n.T("report.usbmux.not_listed")
}

// recordingLine says what recording the timeline comes from and whether it is complete.
func recordingLine(rt *RestoreTimeline) string {
	args := i18n.Args{"Source": orDash(rt.Source), "Poll": i18n.Duration(time.Duration(rt.PollMS) * time.Millisecond),
		"Duration": spanS(rt.DurationS), "Phone": orDash(rt.DeviceKey)}
	if !rt.Complete {
		args["Reasons"] = strings.Join(rt.IncompleteReasons, "; ")
		return i18n.T("report.restore.recording_incomplete", args)
	}
	return i18n.T("report.restore.recording_complete", args)
}

func verdictSteps(v RestoreVerdict) string {
	s := i18n.T("report.restore.steps_none")
	if len(v.Steps) > 0 {
		s = nums(v.Steps, ", ")
	}
	if v.Professional {
		return i18n.T("report.restore.steps_professional", i18n.Args{"Steps": s})
	}
	return s
}

func stageNote(s RestoreStage) string {
	var n []string
	if s.Open {
		n = append(n, i18n.T("report.restore.note_open"))
	}
	if s.AddressChanges > 0 {
		n = append(n, i18n.N("report.restore.note_address_changes", s.AddressChanges))
	}
	if s.PortChanges > 0 {
		n = append(n, i18n.N("report.restore.note_port_changes", s.PortChanges))
	}
	if s.Wrong != "" {
		n = append(n, i18n.T("report.restore.note_wrong", i18n.Args{"What": s.Wrong}))
	}
	if s.Inferred != "" {
		n = append(n, i18n.T("report.restore.note_inferred", i18n.Args{"What": s.Inferred}))
	}
	return strings.Join(n, "; ")
}

func (m *mdWriter) restoreTimeline(rt *RestoreTimeline) {
	if rt == nil {
		return
	}
	m.line("## %s", i18n.T("report.restore.heading"))
	m.line("")
	m.line("**%s** (%s)", md(rt.Verdict.Summary), i18n.T("report.restore.verdict_ref", i18n.Args{"ID": code(rt.Verdict.ID), "Steps": verdictSteps(rt.Verdict)}))
	m.line("")
	m.line("%s", md(recordingLine(rt)))
	m.line("")
	if rt.PictureFile != "" {
		m.line("![%s](%s)", md(i18n.T("report.restore.picture_alt")), rt.PictureFile)
		m.line("")
	}
	m.line("| # | %s | %s | %s | USB | %s | %s | usbmuxd | %s |", i18n.T("report.restore.col_stage"), i18n.T("report.restore.col_at"),
		i18n.T("report.restore.col_lasted"), i18n.T("report.restore.col_speed"), i18n.T("report.restore.col_drops"), i18n.T("report.restore.col_notes"))
	m.line("|---|---|---|---|---|---|---|---|---|")
	for i, s := range rt.Stages {
		m.line("| %d | %s | %s | %s | %s | %s | %d | %s | %s |", i+1, md(restoreStageWords(s.Stage)), clockS(s.StartS), spanS(s.DurationS),
			md(orDash(s.ProductID)), md(speedsLine(s.SpeedsMbps)), s.Drops, stageListed(s), md(stageNote(s)))
	}
	if rt.StagesOmitted > 0 {
		m.line("")
		m.line("%s", i18n.N("report.restore.omitted", rt.StagesOmitted))
	}
	m.line("")
	if len(rt.Verdict.Evidence) > 0 {
		m.line("%s", i18n.T("report.restore.evidence"))
		m.line("")
		for _, e := range rt.Verdict.Evidence {
			m.line("- %s", md(e))
		}
		m.line("")
	}
}

func (t *textWriter) restoreTimeline(rt *RestoreTimeline) {
	if rt == nil {
		return
	}
	t.para("", 0, i18n.T("report.text.restore_heading"))
	t.label("  ", i18n.T("report.text.restore_verdict"), fmt.Sprintf("%s (%s)", rt.Verdict.Summary,
		i18n.T("report.text.restore_ref", i18n.Args{"ID": rt.Verdict.ID, "Steps": verdictSteps(rt.Verdict)})))
	t.para("  ", 2, recordingLine(rt))
	for i, s := range rt.Stages {
		line := fmt.Sprintf("%2d %7s %s %s", i+1, clockS(s.StartS), padRight(restoreStageWords(s.Stage), 12), spanS(s.DurationS))
		if s.ProductID != "" {
			line += fmt.Sprintf(", %s, %s, usbmuxd %s", s.ProductID, speedsLine(s.SpeedsMbps), listedWord(s.UsbmuxListed))
		}
		if s.Drops > 0 {
			line += ", " + i18n.N("report.restore.drops", s.Drops)
		}
		if n := stageNote(s); n != "" {
			line += " (" + n + ")"
		}
		t.para("  ", 14, line)
	}
	if rt.StagesOmitted > 0 {
		t.para("  ", 2, i18n.N("report.restore.omitted", rt.StagesOmitted))
	}
	for _, e := range rt.Verdict.Evidence {
		t.para("  - ", 4, e)
	}
	t.blank()
}
