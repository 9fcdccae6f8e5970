package state

import (
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Offered reports whether action k may be offered for the selected phone
// now: the backend can act, the phone is connected, nothing else runs, the
// policy allows k in the phone's mode (actions.ForMode), and what k needs
// is known to be there now. Entering recovery and restarting go through
// the iPhone service and lockdownd, so they need the service answering and
// the trust known (restarting: trusted); entering recovery also needs step
// 5's "I have a backup".
func (s State) Offered(k actions.Kind) bool {
	d, ok := s.SelectedPhone()
	if !s.Action.Available || !ok || d.Disconnected || s.Busy() {
		return false
	}
	allowed := false
	for _, m := range actions.ForMode(d.Mode) {
		allowed = allowed || m == k
	}
	if !allowed {
		return false
	}
	if k == actions.ExitRecovery {
		return true // over USB to iBoot: no service, no trust
	}
	if s.Service == ServiceLost || s.Host.UsbmuxdStatus != report.UsbmuxdOK || !d.Listed || d.Trusted == nil {
		return false
	}
	switch k {
	case actions.EnterRecovery:
		return s.Ack[5]
	case actions.Restart:
		return *d.Trusted
	}
	return true
}

// OfferedOn lists the actions offered on step n's card.
func (s State) OfferedOn(n int) []actions.Kind {
	var out []actions.Kind
	for _, k := range actions.Kinds() {
		if k.Step() == n && s.Offered(k) {
			out = append(out, k)
		}
	}
	return out
}
