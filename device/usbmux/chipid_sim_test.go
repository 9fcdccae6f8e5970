package usbmux_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// TestQueryChipID: the older phone's ECID (not in its 40-hex UDID) from
// lockdownd's UniqueChipID, on a real socket, without pairing.
func TestQueryChipID(t *testing.T) {
	b := sim.PhoneB()
	srv := startScenario(t, sim.Scenario{Name: "b", Phones: []sim.Phone{b}}, muxListenAddr(t))
	c := clientFor(t, srv.Addr(), 2*time.Second)
	got, err := c.QueryChipID(ctxT(t, 5*time.Second), listOne(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%016X", b.ECID); got != want {
		t.Errorf("chip id %q, want %q", got, want)
	}
}
