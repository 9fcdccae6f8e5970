package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// redact returns a copy of r without identifiers. Interim until
// report.Redact lands.
func redact(r *report.Report) *report.Report {
	out := *r
	out.Devices = make([]report.Device, len(r.Devices))
	keys := map[string]string{}
	for i, d := range r.Devices {
		sum := sha256.Sum256([]byte(d.Key))
		k := "device-" + hex.EncodeToString(sum[:4])
		keys[d.Key] = k
		d.Key = k
		if d.Recovery != nil {
			rec := *d.Recovery
			rec.ECID, rec.SRNM, rec.IMEI, rec.NONC, rec.SNON = "", "", "", "", ""
			d.Recovery = &rec
		}
		out.Devices[i] = d
	}
	out.Findings = make([]report.Finding, len(r.Findings))
	for i, f := range r.Findings {
		if k, ok := keys[f.DeviceKey]; ok {
			f.DeviceKey = k
		}
		out.Findings[i] = f
	}
	return &out
}

// renderMarkdown is an interim Markdown rendering until report.Markdown lands.
func renderMarkdown(w io.Writer, r *report.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Restore Doctor report\n\nGenerated %s by restoredoctor %s on %s.\n\n", r.GeneratedAt.Format("2006-01-02 15:04:05 MST"), r.ToolVersion, r.Host.OS)
	if r.Summary != "" {
		fmt.Fprintf(&b, "**Verdict:** %s\n\n", r.Summary)
	}
	b.WriteString("## Steps\n\n")
	for _, s := range r.Steps {
		mark := " "
		if s.Applies {
			mark = "x"
		}
		fmt.Fprintf(&b, "- [%s] %d. %s\n", mark, s.Number, s.Title)
		for _, why := range s.Reasons {
			fmt.Fprintf(&b, "  - %s\n", why)
		}
	}
	b.WriteString("\n## Findings\n\n")
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "- **%s** (%s): %s\n", f.ID, f.Severity, f.Summary)
	}
	b.WriteString("\n## Devices\n\n")
	for _, d := range r.Devices {
		fmt.Fprintf(&b, "- %s (%s), mode %s, key %s\n", d.Model.Name, d.Model.ProductType, d.Mode, d.Key)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
