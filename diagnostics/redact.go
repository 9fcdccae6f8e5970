package diagnostics

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// redact replaces every device identifier (UDID in any spelling, ECID, USB
// serial, recovery nonces and serials) in the report with a short stable
// token ("dev-1a2b3c4d", a hash prefix of the identity, so two reports of the
// same phone can be matched without revealing it) — in keys, details,
// summaries, evidence and reasons alike.
func redact(rep *report.Report) {
	repl := map[string]string{}
	add := func(id, token string) {
		id = strings.TrimSpace(id)
		if len(id) < 6 {
			return
		}
		repl[id] = token
		repl[strings.ToLower(id)] = token
		repl[strings.ToUpper(id)] = token
	}
	for i := range rep.Devices {
		d := &rep.Devices[i]
		token := redactedToken(d.Key)
		add(d.Key, token)
		if len(d.Key) == 24 { // new-style UDID without its dash
			add(d.Key[:8]+"-"+d.Key[8:], token)
		}
		if rest, ok := strings.CutPrefix(d.Key, "ecid:"); ok {
			add(rest, token)
		}
		if rc := d.Recovery; rc != nil {
			add(rc.ECID, token)
			for _, s := range []*string{&rc.ECID, &rc.SRNM, &rc.IMEI, &rc.NONC, &rc.SNON} {
				if *s != "" {
					*s = "[redacted]"
				}
			}
		}
		d.Key = token
	}
	if len(repl) == 0 {
		return
	}
	// Longest first, so a dashed UDID is replaced before its parts.
	olds := make([]string, 0, len(repl))
	for k := range repl {
		olds = append(olds, k)
	}
	sort.Slice(olds, func(i, j int) bool { return len(olds[i]) > len(olds[j]) })
	pairs := make([]string, 0, 2*len(olds))
	for _, o := range olds {
		pairs = append(pairs, o, repl[o])
	}
	r := strings.NewReplacer(pairs...)
	for i := range rep.Checks {
		rep.Checks[i].Detail = r.Replace(rep.Checks[i].Detail)
	}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.Summary = r.Replace(f.Summary)
		f.DeviceKey = r.Replace(f.DeviceKey)
		f.Evidence = redactValue(f.Evidence, r).(map[string]any)
	}
	for i := range rep.Steps {
		for j := range rep.Steps[i].Reasons {
			rep.Steps[i].Reasons[j] = r.Replace(rep.Steps[i].Reasons[j])
		}
	}
	for i := range rep.Professional.Reasons {
		rep.Professional.Reasons[i] = r.Replace(rep.Professional.Reasons[i])
	}
	rep.Summary = r.Replace(rep.Summary)
}

func redactedToken(key string) string {
	sum := sha256.Sum256([]byte("restoredoctor:" + strings.ToUpper(key)))
	return "dev-" + hex.EncodeToString(sum[:4])
}

// redactValue rewrites strings inside evidence values (maps, slices).
func redactValue(v any, r *strings.Replacer) any {
	switch t := v.(type) {
	case string:
		return r.Replace(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = redactValue(x, r)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = redactValue(x, r)
		}
		return out
	case []string:
		out := make([]string, len(t))
		for i, x := range t {
			out[i] = r.Replace(x)
		}
		return out
	default:
		return v
	}
}
