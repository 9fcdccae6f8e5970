package actions

// Test helpers: views of the package the tests check and production code
// does not need.

import (
	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/model"
)

// Applicable reports which actions the policy allows for d, in Kinds order:
// exit recovery in recovery mode (seen on USB), enter recovery and restart
// in normal mode (listed by usbmuxd), nothing in restore or DFU mode.
func Applicable(d device.Device) []Kind {
	var out []Kind
	for _, k := range Kinds() {
		if Check(k, d) == nil {
			out = append(out, k)
		}
	}
	return out
}

// Busy reports whether an action runs on the phone with that key (started
// by any Runner of this process).
func (r *Runner) Busy(key string) bool {
	busy.Lock()
	defer busy.Unlock()
	return busy.keys[key]
}

// ForceRestartButtons returns the force-restart buttons of a family
// (model.Unknown or an unknown family: every family's).
func ForceRestartButtons(f model.Family) []string {
	_, b := forceRestartButtons(f)
	return b
}
