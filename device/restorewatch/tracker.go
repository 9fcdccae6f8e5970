package restorewatch

import (
	"maps"
	"slices"
	"strings"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/usb"
)

// seen is one device as the last snapshot showed it.
type seen struct {
	key   string
	facts restoretrace.USBFacts
}

// tracker turns successive USB snapshots into usb.attach / usb.detach /
// usb.change events. Devices are matched by their port (usb.Device.Location):
// the same phone at the same port with other facts (a new address after a
// re-enumeration shorter than the poll, another product id, speed or iBoot
// string) is a change; another phone at that port is a detach and an attach.
// It is pure (no I/O, no clock) and holds one entry per device present, so
// its memory does not grow with the length of a recording.
type tracker struct {
	prev map[string]seen
}

func newTracker() *tracker { return &tracker{prev: map[string]seen{}} }

// step compares devs with the previous snapshot; events carry t.
func (tr *tracker) step(t int64, devs []usb.Device) []restoretrace.Event {
	var events []restoretrace.Event
	next := make(map[string]seen, len(devs))
	var order []string
	for i := range devs {
		d := &devs[i]
		if d.Mode == mode.Unknown { // an Apple keyboard, not a phone
			continue
		}
		loc := d.Location()
		if _, dup := next[loc]; dup {
			continue
		}
		next[loc] = seen{key: device.Key(d, nil), facts: Facts(*d)}
		order = append(order, loc)
	}
	var left []string
	for loc := range tr.prev {
		if _, ok := next[loc]; !ok {
			left = append(left, loc)
		}
	}
	slices.Sort(left)
	for _, loc := range left {
		events = append(events, usbEvent(t, restoretrace.USBDetach, tr.prev[loc]))
	}
	for _, loc := range order {
		n := next[loc]
		p, was := tr.prev[loc]
		switch {
		case !was:
			events = append(events, usbEvent(t, restoretrace.USBAttach, n))
		case samePhone(p.key, n.key):
			if p.key != n.key || !sameFacts(p.facts, n.facts) {
				events = append(events, usbEvent(t, restoretrace.USBChange, n))
			}
		default:
			events = append(events, usbEvent(t, restoretrace.USBDetach, p), usbEvent(t, restoretrace.USBAttach, n))
		}
	}
	tr.prev = next
	return events
}

func usbEvent(t int64, k restoretrace.Kind, s seen) restoretrace.Event {
	f := s.facts
	f.PortPath = slices.Clone(f.PortPath)
	f.Interfaces = slices.Clone(f.Interfaces)
	f.IBoot = maps.Clone(f.IBoot)
	return restoretrace.Event{TimeMS: t, Kind: k, Key: s.key, USB: &f}
}

// samePhone: keys that name a chip must agree; a port key ("usb:…", the
// serial string could not be read) matches anything at that port.
func samePhone(a, b string) bool {
	return a == b || !device.ChipKey(a) || !device.ChipKey(b)
}

func sameFacts(a, b restoretrace.USBFacts) bool {
	return a.VendorID == b.VendorID && a.ProductID == b.ProductID && a.Mode == b.Mode &&
		a.Bus == b.Bus && a.Address == b.Address && slices.Equal(a.PortPath, b.PortPath) &&
		a.SpeedMbps == b.SpeedMbps && a.Configurations == b.Configurations && maps.Equal(a.IBoot, b.IBoot) &&
		slices.Equal(a.Interfaces, b.Interfaces) && a.Product == b.Product
}

// Facts are the passively read facts of d as a trace records them.
func Facts(d usb.Device) restoretrace.USBFacts {
	f := restoretrace.USBFacts{
		VendorID: d.VendorID, ProductID: d.ProductID, Mode: string(d.Mode),
		Bus: d.Bus, Address: d.Address, PortPath: slices.Clone(d.PortPath),
		SpeedMbps: d.SpeedMbps, Configurations: d.Configurations,
		Interfaces: slices.Clone(d.Interfaces), Product: d.Product,
	}
	if r := d.Recovery; r != nil {
		f.IBoot = map[string]string{}
		for k, v := range map[string]string{
			"SDOM": r.SDOM, "CPID": r.CPID, "CPRV": r.CPRV, "CPFM": r.CPFM, "SCEP": r.SCEP, "BDID": r.BDID,
			"ECID": r.ECID, "IBFL": r.IBFL, "SRTG": r.SRTG, "SRNM": r.SRNM, "IMEI": r.IMEI, "NONC": r.NONC, "SNON": r.SNON,
		} {
			if v != "" {
				f.IBoot[k] = v
			}
		}
		for k, v := range r.Extra {
			if _, known := f.IBoot[k]; !known && len(f.IBoot) < maxIBootFields {
				f.IBoot[strings.ToUpper(k)] = v
			}
		}
	}
	return f
}

// maxIBootFields bounds the fields kept from one iBoot string (it is
// whatever the device says; the known ones are 13).
const maxIBootFields = 32
