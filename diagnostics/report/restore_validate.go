package report

import "fmt"

// restoreTimeline checks restore_timeline (optional): its fields and types,
// the enums, steps 1..6, and that an incomplete recording is never a success.
func (v *validator) restoreTimeline(root map[string]any) {
	x, ok := root["restore_timeline"]
	if !ok {
		return
	}
	const p = "$.restore_timeline"
	rt, isObj := x.(map[string]any)
	if !isObj {
		v.addf(p, "want object, got %s", jsonType(x))
		return
	}
	v.str(p, rt, "source")
	v.str(p, rt, "started_at")
	v.nonNegative(p, rt, "poll_ms")
	if f, ok := v.number(p, rt, "duration_s"); ok && f < 0 {
		v.addf(p+".duration_s", "must not be negative")
	}
	v.str(p, rt, "device_key")
	complete, _ := v.boolean(p, rt, "complete")
	v.stringArray(p, rt, "incomplete_reasons")
	if reasons, _ := rt["incomplete_reasons"].([]any); complete && len(reasons) > 0 {
		v.addf(p+".incomplete_reasons", "a complete recording lists %d reasons", len(reasons))
	}
	v.nonNegative(p, rt, "stages_omitted")
	v.nonNegative(p, rt, "drops")
	for i, s := range v.array(p, rt, "stages") {
		sp := fmt.Sprintf("%s.stages[%d]", p, i)
		st, ok := s.(map[string]any)
		if !ok {
			v.addf(sp, "want object, got %s", jsonType(s))
			continue
		}
		v.enum(sp, st, "stage", RestoreStages)
		start, okS := v.number(sp, st, "start_s")
		end, okE := v.number(sp, st, "end_s")
		if okS && okE && end < start {
			v.addf(sp+".end_s", "ends before it starts")
		}
		v.number(sp, st, "duration_s")
		v.boolean(sp, st, "open")
		for j, e := range v.array(sp, st, "speeds_mbps") {
			if f, ok := v.numberValue(fmt.Sprintf("%s.speeds_mbps[%d]", sp, j), e); ok && f < 0 {
				v.addf(fmt.Sprintf("%s.speeds_mbps[%d]", sp, j), "must not be negative")
			}
		}
		for _, k := range []string{"drops", "address_changes", "port_changes"} {
			v.nonNegative(sp, st, k)
		}
		if l, ok := v.field(sp, st, "usbmux_listed"); ok && l != nil {
			if _, isBool := l.(bool); !isBool {
				v.addf(sp+".usbmux_listed", "want boolean or null, got %s", jsonType(l))
			}
		}
	}
	vd := v.object(p, rt, "verdict")
	if vd == nil {
		return
	}
	vp := p + ".verdict"
	id, _ := v.str(vp, vd, "id")
	if id != "" && !contains(RestoreVerdicts, id) {
		v.addf(vp+".id", "%q is not one of the restore verdicts", id)
	}
	if id == "success" && !complete {
		v.addf(vp+".id", "an incomplete recording is never a success")
	}
	if s, ok := v.str(vp, vd, "stage"); ok && s != "" && !contains(RestoreStages, s) {
		v.addf(vp+".stage", "%q is not a restore stage", s)
	}
	v.number(vp, vd, "at_s")
	v.str(vp, vd, "summary")
	for j, e := range v.array(vp, vd, "steps") {
		if n, ok := v.integerValue(fmt.Sprintf("%s.steps[%d]", vp, j), e); ok && (n < 1 || n > 6) {
			v.addf(fmt.Sprintf("%s.steps[%d]", vp, j), "want 1..6, got %d", n)
		}
	}
	v.boolean(vp, vd, "professional")
	v.stringArray(vp, vd, "evidence")
}
