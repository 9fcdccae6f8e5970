package restorewatch

import (
	"context"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/wintree"
)

// The Windows device tree as recorded values (wintree's parsers run on every
// OS): a normal-mode phone, then the same phone in recovery on the same port.
func TestTreeSource(t *testing.T) {
	normalID := `USB\VID_05AC&PID_12A8\00008110001A2B3C4D5E6F70`
	recoveryID := `USB\VID_05AC&PID_1281\SDOM:01_CPID:8110_CPRV:11_CPFM:03_SCEP:01_BDID:0E_ECID:001A2B3C4D5E6F70_IBFL:3C_SRTG:[iBOOT-10151.120.3]`
	path := "PCIROOT(0)#PCI(1400)#USBROOT(0)#USB(2)"
	var tree []wintree.Device
	src := TreeSource(func(context.Context) ([]wintree.Device, error) { return tree, nil })
	tr := newTracker()
	var got []restoretrace.Event
	for _, id := range []string{normalID, recoveryID} {
		tree = wintree.Assemble([]wintree.Node{{InstanceID: id, LocationPaths: []string{path}, Service: "usbaapl64"}})
		devs, err := src.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tr.step(0, devs)...)
	}
	if len(got) != 2 || got[0].Kind != restoretrace.USBAttach || got[1].Kind != restoretrace.USBChange ||
		got[0].Key != "ecid:001A2B3C4D5E6F70" || got[1].Key != got[0].Key || got[1].USB.Mode != "recovery" ||
		got[1].USB.IBoot["CPID"] != "8110" {
		t.Fatalf("events %+v", got)
	}
}
