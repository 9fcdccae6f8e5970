package device

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
)

// Match says how a phone's USB and usbmuxd views were joined.
type Match string

// How USB and usbmuxd entries were matched.
const (
	MatchNone     Match = ""         // seen by one source only
	MatchSerial   Match = "serial"   // USB serial (or recovery ECID) equals the UDID
	MatchLocation Match = "location" // usbmuxd LocationID equals (bus << 16) | address (Linux)
	MatchOnly     Match = "only"     // the one phone on USB without a readable serial and the one unmatched usbmuxd entry (every OS)
)

// Device is one physical phone as seen by USB and/or usbmuxd.
type Device struct {
	// Key identifies the phone across snapshots and modes (see Key):
	// "ecid:…" when the ECID is known, else "udid:…", "usb:<bus-ports>" or
	// "usbmux:<DeviceID>".
	Key string
	// UDID is the phone's UDID as usbmuxd spells it, else derived from the
	// USB serial (normal mode) or, for A12 and later chips, from the
	// recovery/DFU CPID and ECID ("0000CPID-ECID"); "" when unknown.
	UDID string
	// Mode is the USB mode when USB sees the phone; usbmuxd alone only says
	// normal (restore mode shares the product ids and needs lockdown QueryType).
	Mode mode.Mode
	// USB is the USB view (nil when the USB scanner does not see the phone).
	USB *usb.Device
	// Usbmux is usbmuxd's entry (nil when usbmuxd does not list it); the USB
	// entry when usbmuxd lists the phone over both USB and Wi-Fi.
	Usbmux *usbmux.Entry
	// AlsoNetwork: usbmuxd lists the phone over Wi-Fi too.
	AlsoNetwork bool
	// MatchedBy says how the two views were joined.
	MatchedBy Match
}

func isNetwork(e usbmux.Entry) bool { return strings.EqualFold(e.ConnectionType, "Network") }

// LinuxLocationID is the usbmuxd LocationID of a device at bus/address as
// Linux usbmuxd computes it (usb.c, usb_get_location: (bus << 16) | address).
// macOS usbmuxd reports IOKit's locationID instead (bus in the top byte, one
// nibble per hub port), which this does not reproduce; there the serial match
// is the only one.
func LinuxLocationID(bus, address int) uint32 { return uint32(bus)<<16 | uint32(address)&0xFFFF }

// UDIDFromUSB derives the UDID from the USB view: the serial string in normal
// mode (24 hex digits get the dash after 8; 40 hex digits are the UDID), or
// from CPID and ECID in recovery/DFU for chips A12 (CPID 0x8020) and later,
// whose UDID is "%08X-%016X" of them. "" when it cannot be told.
func UDIDFromUSB(d usb.Device) string {
	if d.Recovery != nil {
		cpid, err1 := strconv.ParseUint(d.Recovery.CPID, 16, 32)
		ecid, err2 := strconv.ParseUint(d.Recovery.ECID, 16, 64)
		if err1 != nil || err2 != nil || cpid < 0x8020 || ecid == 0 {
			return ""
		}
		return fmt.Sprintf("%08X-%016X", cpid, ecid)
	}
	if d.Mode.IsLowLevel() {
		return ""
	}
	s := strings.TrimSpace(d.Serial)
	if !isHex(strings.ReplaceAll(s, "-", "")) {
		return ""
	}
	switch plain := strings.ReplaceAll(s, "-", ""); len(plain) {
	case 24:
		return plain[:8] + "-" + plain[8:]
	case 40:
		return plain
	}
	return ""
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return false
		}
	}
	return true
}

// Merge joins one USB snapshot and one usbmuxd list into one Device per
// physical phone, sorted by Key. It matches by UDID (USB serial or recovery
// ECID, normalised) and then, on Linux, for phones whose serial could not be
// read, by usbmuxd LocationID = (bus << 16) | address when exactly one
// candidate fits. It is pure; MergeOn with runtime.GOOS.
func Merge(usbDevs []usb.Device, mux []usbmux.Entry) []Device {
	return MergeOn(runtime.GOOS, usbDevs, mux)
}

// LocationFallback reports whether usbmuxd on goos computes LocationID as
// LinuxLocationID does, so Merge may match by it ("linux" only: macOS uses
// IOKit's locationID, Windows' Apple Mobile Device Service its own).
func LocationFallback(goos string) bool { return goos == "linux" }

// MergeOn is Merge as it runs on the platform goos ("linux", "darwin",
// "windows"; "" means this computer's): the LocationID fallback applies only
// where LocationFallback(goos). Tests use it to check the other platforms.
func MergeOn(goos string, usbDevs []usb.Device, mux []usbmux.Entry) []Device {
	if goos == "" {
		goos = runtime.GOOS
	}
	byLocation := LocationFallback(goos)
	// usbmuxd entries by UDID, preferring the USB connection over Wi-Fi.
	type muxSlot struct {
		e       usbmux.Entry
		network bool
		used    bool
	}
	var slots []*muxSlot
	byKey := map[string]*muxSlot{}
	for _, e := range mux {
		k := Key(nil, &e)
		isUSB := !isNetwork(e)
		if s, ok := byKey[k]; ok {
			if isUSB && isNetwork(s.e) {
				s.e = e
			}
			s.network = s.network || !isUSB
			continue
		}
		s := &muxSlot{e: e, network: !isUSB}
		byKey[k] = s
		slots = append(slots, s)
	}

	out := make([]Device, 0, len(usbDevs)+len(slots))
	seen := map[string]bool{}
	var unmatched []int // indexes into out of USB devices without a serial match
	for i := range usbDevs {
		u := usbDevs[i]
		d := Device{USB: &u, Mode: u.Mode, UDID: UDIDFromUSB(u), Key: Key(&u, nil)}
		if ChipKey(d.Key) {
			if s, ok := byKey[d.Key]; ok && !s.used {
				s.used = true
				e := s.e
				d.Usbmux, d.AlsoNetwork, d.MatchedBy, d.UDID = &e, s.network && !isNetwork(e), MatchSerial, e.UDID
			}
		}
		if seen[d.Key] {
			d.Key = keyUSB + u.Location()
		}
		seen[d.Key] = true
		if d.Usbmux == nil && !u.Mode.IsLowLevel() {
			unmatched = append(unmatched, len(out))
		}
		out = append(out, d)
	}
	// Phones whose serial could not be read: the LocationID fallback where
	// usbmuxd encodes it like Linux, only when unambiguous on both sides;
	// on every OS, the one such phone and the one unmatched usbmuxd USB entry.
	var blind []int
	for _, i := range unmatched {
		if out[i].UDID == "" { // a readable serial that usbmuxd does not list is a real miss
			blind = append(blind, i)
		}
	}
	join := func(d *Device, hit *muxSlot, by Match) {
		hit.used = true
		e := hit.e
		d.Usbmux, d.AlsoNetwork, d.MatchedBy, d.UDID = &e, hit.network && !isNetwork(e), by, e.UDID
		if k := Key(nil, &e); e.UDID != "" && !seen[k] {
			delete(seen, d.Key)
			d.Key = k
			seen[d.Key] = true
		}
	}
	free := func(fit func(e usbmux.Entry) bool) (*muxSlot, int) {
		var hit *muxSlot
		n := 0
		for _, s := range slots {
			if !s.used && !isNetwork(s.e) && fit(s.e) {
				hit = s
				n++
			}
		}
		return hit, n
	}
	for _, i := range blind {
		if !byLocation {
			break
		}
		d := &out[i]
		loc := LinuxLocationID(d.USB.Bus, d.USB.Address)
		if hit, n := free(func(e usbmux.Entry) bool { return e.LocationID == loc }); n == 1 {
			join(d, hit, MatchLocation)
		}
	}
	var still []int
	for _, i := range blind {
		if out[i].Usbmux == nil {
			still = append(still, i)
		}
	}
	if len(still) == 1 {
		if hit, n := free(func(usbmux.Entry) bool { return true }); n == 1 {
			join(&out[still[0]], hit, MatchOnly)
		}
	}
	for _, s := range slots {
		if s.used {
			continue
		}
		e := s.e
		d := Device{Usbmux: &e, UDID: e.UDID, Mode: mode.Normal, AlsoNetwork: s.network && !isNetwork(e)}
		d.Key = Key(nil, &e)
		if seen[d.Key] {
			d.Key = keyUsbmux + strconv.Itoa(e.DeviceID)
		}
		seen[d.Key] = true
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Device) int { return strings.Compare(a.Key, b.Key) })
	return out
}
