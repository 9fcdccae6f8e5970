package report

import (
	"fmt"
	"strconv"
	"strings"
)

// restoreStageWords names a restore_timeline stage for people.
func restoreStageWords(s string) string {
	switch s {
	case "boot_stage":
		return "boot stage (iBSS/iBEC)"
	case "normal_or_restore":
		return "normal or restore (cannot be told apart)"
	case "gone":
		return "off USB"
	case "":
		return "-"
	}
	return s
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
func spanS(s float64) string {
	if s < 10 {
		return strings.TrimSuffix(strconv.FormatFloat(s, 'f', 1, 64), ".0") + " s"
	}
	t := int64(s + 0.5)
	switch h, m, sec := t/3600, t/60%60, t%60; {
	case h > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case m > 0 && sec > 0:
		return fmt.Sprintf("%d min %d s", m, sec)
	case m > 0:
		return fmt.Sprintf("%d min", m)
	default:
		return fmt.Sprintf("%d s", sec)
	}
}

func speedsLine(sp []float64) string {
	if len(sp) == 0 {
		return "-"
	}
	parts := make([]string, len(sp))
	for i, f := range sp {
		parts[i] = num(f)
	}
	return strings.Join(parts, " → ") + " Mbit/s"
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
		return "unknown"
	case *l:
		return "listed"
	}
	return "not listed"
}

// recordingLine says what recording the timeline comes from and whether it is complete.
func recordingLine(rt *RestoreTimeline) string {
	state := "complete"
	if !rt.Complete {
		state = "incomplete: " + strings.Join(rt.IncompleteReasons, "; ")
	}
	return fmt.Sprintf("Recording %s (%s, USB polled every %d ms, %s long, phone %s).",
		state, orDash(rt.Source), rt.PollMS, spanS(rt.DurationS), orDash(rt.DeviceKey))
}

func verdictSteps(v RestoreVerdict) string {
	if len(v.Steps) == 0 {
		return "none"
	}
	parts := make([]string, len(v.Steps))
	for i, n := range v.Steps {
		parts[i] = strconv.Itoa(n)
	}
	s := strings.Join(parts, ", ")
	if v.Professional {
		s += "; see a professional"
	}
	return s
}

func stageNote(s RestoreStage) string {
	var n []string
	if s.Open {
		n = append(n, "still in it at the end")
	}
	if s.AddressChanges > 0 {
		n = append(n, fmt.Sprintf("%d address changes", s.AddressChanges))
	}
	if s.PortChanges > 0 {
		n = append(n, fmt.Sprintf("%d port changes", s.PortChanges))
	}
	if s.Wrong != "" {
		n = append(n, "wrong: "+s.Wrong)
	}
	if s.Inferred != "" {
		n = append(n, "inferred: "+s.Inferred)
	}
	return strings.Join(n, "; ")
}

func (m *mdWriter) restoreTimeline(rt *RestoreTimeline) {
	if rt == nil {
		return
	}
	m.line("## Restore timeline")
	m.line("")
	m.line("**%s** (verdict %s; steps: %s)", md(rt.Verdict.Summary), code(rt.Verdict.ID), verdictSteps(rt.Verdict))
	m.line("")
	m.line("%s", md(recordingLine(rt)))
	m.line("")
	if rt.PictureFile != "" {
		m.line("![Restore timeline: one band per stage, drops marked](%s)", rt.PictureFile)
		m.line("")
	}
	m.line("| # | Stage | At | Lasted | USB | Speed | Drops | usbmuxd | Notes |")
	m.line("|---|---|---|---|---|---|---|---|---|")
	for i, s := range rt.Stages {
		m.line("| %d | %s | %s | %s | %s | %s | %d | %s | %s |", i+1, md(restoreStageWords(s.Stage)), clockS(s.StartS), spanS(s.DurationS),
			md(orDash(s.ProductID)), md(speedsLine(s.SpeedsMbps)), s.Drops, stageListed(s), md(stageNote(s)))
	}
	if rt.StagesOmitted > 0 {
		m.line("")
		m.line("%d stages left out to bound memory.", rt.StagesOmitted)
	}
	m.line("")
	if len(rt.Verdict.Evidence) > 0 {
		m.line("Evidence:")
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
	t.para("", 0, "RESTORE TIMELINE")
	t.para("  verdict: ", 11, fmt.Sprintf("%s (%s; steps: %s)", rt.Verdict.Summary, rt.Verdict.ID, verdictSteps(rt.Verdict)))
	t.para("  ", 2, recordingLine(rt))
	for i, s := range rt.Stages {
		line := fmt.Sprintf("%2d %7s %-12s %s", i+1, clockS(s.StartS), restoreStageWords(s.Stage), spanS(s.DurationS))
		if s.ProductID != "" {
			line += fmt.Sprintf(", %s, %s, usbmuxd %s", s.ProductID, speedsLine(s.SpeedsMbps), listedWord(s.UsbmuxListed))
		}
		if s.Drops > 0 {
			line += fmt.Sprintf(", %d drops", s.Drops)
		}
		if n := stageNote(s); n != "" {
			line += " (" + n + ")"
		}
		t.para("  ", 14, line)
	}
	if rt.StagesOmitted > 0 {
		t.para("  ", 2, fmt.Sprintf("%d stages left out to bound memory", rt.StagesOmitted))
	}
	for _, e := range rt.Verdict.Evidence {
		t.para("  - ", 4, e)
	}
	t.blank()
}
