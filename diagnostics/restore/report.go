package restore

import (
	"fmt"
	"math"
	"slices"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// ToReport returns the report's restore_timeline for the timeline and its
// verdict v (made with Decide), as of endMS (0: the newest event). Every
// number comes from the timeline and the verdict: nothing is computed twice.
func (t *Timeline) ToReport(v Verdict, endMS int64) *report.RestoreTimeline {
	if endMS < t.lastMS {
		endMS = t.lastMS
	}
	rt := &report.RestoreTimeline{
		Source:            t.header.Source,
		StartedAt:         t.header.StartedAt,
		PollMS:            t.header.PollMS,
		DurationS:         secs(endMS),
		DeviceKey:         t.key,
		Complete:          v.Complete,
		IncompleteReasons: slices.Clone(v.IncompleteReasons),
		Stages:            []report.RestoreStage{},
		StagesOmitted:     t.stagesOmitted,
		Drops:             t.drops,
		Verdict: report.RestoreVerdict{
			ID: string(v.ID), Stage: string(v.Stage), AtS: secs(v.AtMS), Summary: v.Summary,
			Steps: slices.Clone(v.Steps), Professional: v.Professional, Evidence: slices.Clone(v.Evidence),
			RestoreS: secs(v.RestoreMS),
		},
	}
	if rt.IncompleteReasons == nil {
		rt.IncompleteReasons = []string{}
	}
	if rt.Verdict.Steps == nil {
		rt.Verdict.Steps = []int{}
	}
	if rt.Verdict.Evidence == nil {
		rt.Verdict.Evidence = []string{}
	}
	for _, s := range t.stages {
		end := s.EndMS
		if s.Open {
			end = endMS
		}
		rs := report.RestoreStage{
			Stage: string(s.Kind), Inferred: s.Inferred, StartS: secs(s.StartMS), EndS: secs(end),
			DurationS: secs(end - s.StartMS), Open: s.Open, SpeedsMbps: slices.Clone(s.SpeedsMbps),
			Drops: s.Drops, AddressChanges: s.AddressChanges, PortChanges: s.PortChanges,
		}
		if s.Wrong {
			rs.Wrong = s.WrongWhy
		}
		if rs.SpeedsMbps == nil {
			rs.SpeedsMbps = []float64{}
		}
		if s.Kind != Gone {
			rs.ProductID = fmt.Sprintf("%04x", s.ProductID)
			if s.ListingKnown || s.Listed {
				l := s.Listed
				rs.UsbmuxListed = &l
			}
		}
		rt.Stages = append(rt.Stages, rs)
	}
	return rt
}

// secs turns milliseconds into seconds, to the millisecond.
func secs(ms int64) float64 { return math.Round(float64(ms)) / 1000 }
