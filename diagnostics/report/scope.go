package report

// ForDevice is r narrowed to the phone with key: that phone as the only
// device, its findings and the host's (findings without a device key), and
// the same checks and host. The verdict fields (steps, primary step,
// professional, summary) are copied unchanged: re-evaluate them with the
// rules for a verdict about this phone alone. It returns r itself when r has
// at most one device or no device has key, and nil for a nil r. r is not
// modified.
func ForDevice(r *Report, key string) *Report {
	if r == nil || len(r.Devices) <= 1 {
		return r
	}
	idx := -1
	for i, d := range r.Devices {
		if d.Key == key {
			idx = i
			break
		}
	}
	if idx < 0 {
		return r
	}
	out := *r
	out.Devices = []Device{r.Devices[idx]}
	out.Findings = make([]Finding, 0, len(r.Findings))
	for _, f := range r.Findings {
		if f.DeviceKey == "" || f.DeviceKey == key {
			out.Findings = append(out.Findings, f)
		}
	}
	return &out
}
