package session

// Per-phone reports: with several phones connected, what the window shows
// about one phone is the check narrowed to it and ranked again for it.

import (
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/rules"
)

// PhoneReport is r about the phone with key alone: report.ForDevice's
// narrowing (that phone and the host's findings), with the steps, primary
// step and summary evaluated again by the rules for that phone and what the
// user tried (cat nil: the embedded catalogue). It returns r itself when r
// has at most one phone or none with key, and nil for a nil r; r is not
// modified.
func PhoneReport(r *report.Report, key string, cat *catalog.Catalog, tried rules.Tried) *report.Report {
	one := report.ForDevice(r, key)
	if one == r {
		return r
	}
	diagnostics.Reevaluate(one, cat, tried) // one's findings are its own copy
	return one
}
