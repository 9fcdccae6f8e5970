// Package wintree reads Apple's USB devices from the Windows device tree
// (SetupAPI/CfgMgr32), where libusb is blind: Apple's own driver owns the
// phone, so libusb can list it but cannot open it to read its serial string,
// and it never learns the recovery/DFU iBoot fields.
//
// What Windows already knows, without opening the device:
//   - the device instance ID, USB\VID_05AC&PID_12A8\<serial>: the serial
//     string as the hub driver read it. For a normal-mode phone that is the
//     UDID without its dash; in recovery and DFU it is the iBoot string with
//     spaces turned into underscores (USB\VID_05AC&PID_1281\CPID:8110_CPRV:11_…_ECID:…);
//   - the location path, PCIROOT(0)#PCI(1400)#USBROOT(0)#USB(2)#USB(3): the
//     chain of hub ports from the root hub, the same thing libusb calls the
//     port path;
//   - the function driver (service) bound to the device, and CfgMgr32's
//     problem code when none could be (code 28: no driver installed).
//
// The parsers are pure functions over those strings, tested with recorded
// values on every OS. Scan, the SetupAPI part, exists only on Windows.
// This package owns no policy: diagnostics decides what a missing driver means.
// It imports device/usb (for the one iBoot string parser) and device/mode only.
package wintree

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
)

// Device is one Apple USB device (the device itself, not one of its
// interfaces) as the Windows device tree describes it.
type Device struct {
	// InstanceID is the device instance ID as Windows reports it.
	InstanceID string
	VendorID   uint16
	ProductID  uint16
	Mode       mode.Mode
	// Serial is the serial string from the instance ID, "" when Windows made
	// up an ID because the device's serial was missing or unusable. In
	// recovery/DFU it is the iBoot string in its original spacing.
	Serial string
	// UDID is the normal-mode serial as usbmuxd spells it: a modern UDID gets
	// its dash back (00008110-001A2B3C4D5E6F70), a 40-hex one is lower case.
	UDID string
	// Recovery holds the iBoot fields (CPID, ECID, …) in recovery and DFU mode.
	Recovery *usb.RecoveryInfo
	// PortPath is the hub port chain from the root hub ([2] or [2, 3]); nil
	// when no USB location path was available.
	PortPath []int
	// Services are the function drivers bound to the device and to its
	// interfaces (a normal-mode phone is a composite device: Microsoft's
	// usbccgp on the device, Apple's driver on an interface), in tree order.
	Services []string
	// Problem is CfgMgr32's problem code for the device (0: none; 28: no driver installed).
	Problem uint32
	// Drivers are the bindings of the device and its interfaces, in tree
	// order (nodes with neither a service nor driver properties left out).
	Drivers []Binding
}

// ProblemNoDriver is CfgMgr32's CM_PROB_FAILED_INSTALL: no driver is installed for the device.
const ProblemNoDriver = 28

// BehindHub reports whether an external hub sits between the root port and the device.
func (d Device) BehindHub() bool { return len(d.PortPath) > 1 }

// AppleDriver reports whether Apple's software binds the device or one of
// its interfaces. Two installations do that:
//   - iTunes or Apple Mobile Device Support: Apple's kernel driver, service
//     usbaapl64 (usbaapl on 32-bit Windows), on an interface;
//   - the Apple Devices app from the Microsoft Store: appleusb.inf binds
//     Microsoft's generic parent usbccgp to the device with Apple's lower
//     filter AppleLowerFilter under it (it picks the USB configuration), and
//     Windows' generic WinUSB (with the UMDF reflector WUDFRd) to an
//     interface, from an INF whose provider is Apple.
//
// So WinUSB alone says nothing: it is Apple's when Apple's INF installed it
// (driver provider Apple, INF appleusb.inf) or Apple's lower filter sits on
// the device, and someone else's when Zadig/libwdi did (ReplacedBy).
func (d Device) AppleDriver() bool {
	for _, s := range d.Services {
		if IsAppleService(s) {
			return true
		}
	}
	for _, b := range d.Drivers {
		if b.Apple() {
			return true
		}
	}
	return false
}

// ReplacedBy names the provider of a generic driver that a tool installed
// on the device or one of its interfaces in place of Apple's (Zadig and
// other libwdi users: provider "libwdi", "libusb.org" before libwdi 1.2.5,
// "libusbK"), "" when none did. Such a binding takes the phone away from
// Apple Mobile Device Service.
func (d Device) ReplacedBy() string {
	for _, b := range d.Drivers {
		if p := b.genericProvider(); p != "" {
			return p
		}
	}
	return ""
}

// Binding is the driver Windows bound to one node of the device (the device
// itself or one interface), as its driver properties describe it.
type Binding struct {
	// Interface is the MI_xx number, -1 for the device itself.
	Interface int
	// Service is the function driver's service name (SPDRP_SERVICE).
	Service string
	// Provider is the INF's provider (DEVPKEY_Device_DriverProvider):
	// "Apple, Inc." for Apple's INFs, "libwdi" for Zadig's.
	Provider string
	// INF is the driver's INF as the driver store names it
	// (DEVPKEY_Device_DriverInfPath): oemNN.inf for any third-party INF,
	// Apple's included, so the provider is what tells them apart.
	INF string
	// LowerFilters are the device's lower filter drivers (SPDRP_LOWERFILTERS).
	LowerFilters []string
}

// appleLowerFilter is the lower filter appleusb.inf installs under usbccgp
// (service AppleLowerFilter, AppleLowerFilter.sys).
const appleLowerFilter = "AppleLowerFilter"

// Apple reports whether Apple's software installed this binding: its
// service is Apple's driver, Apple's lower filter is on the node, its INF
// is appleusb.inf or its provider is Apple.
func (b Binding) Apple() bool {
	if IsAppleService(b.Service) {
		return true
	}
	for _, f := range b.LowerFilters {
		if strings.EqualFold(strings.TrimSpace(f), appleLowerFilter) {
			return true
		}
	}
	inf := strings.ToLower(strings.TrimSpace(b.INF))
	if inf == "appleusb.inf" || inf == "usbaapl64.inf" || inf == "usbaapl.inf" {
		return true
	}
	return isAppleProvider(b.Provider)
}

// isAppleProvider: Apple's INFs name the provider "Apple, Inc." (older ones
// "Apple Inc.").
func isAppleProvider(p string) bool {
	p = strings.ToLower(strings.TrimSpace(p))
	return p == "apple, inc." || p == "apple inc." || p == "apple"
}

// genericProviders are the INF providers of the generic-driver installers
// (libwdi's templates: "libwdi", formerly "libusb.org"; libusbK's "libusbK").
var genericProviders = []string{"libwdi", "libusb.org", "libusbk"}

func (b Binding) genericProvider() string {
	p := strings.TrimSpace(b.Provider)
	for _, g := range genericProviders {
		if strings.EqualFold(p, g) {
			return p
		}
	}
	return ""
}

// NoDriver reports whether Windows could bind no driver at all: problem code
// 28, or no service on the device and its interfaces. A phone in that state
// is invisible to Apple Mobile Device Service, so restores fail; the fix is
// step 2, (re)installing Apple's software (never a generic driver such as
// WinUSB: that takes the phone away from iTunes).
func (d Device) NoDriver() bool {
	return d.Problem == ProblemNoDriver || len(d.Services) == 0
}

// IsAppleService reports whether service is the name of Apple's USB driver service.
func IsAppleService(service string) bool {
	s := strings.ToLower(strings.TrimSpace(service))
	return s == "usbaapl64" || s == "usbaapl"
}

// ErrNotUSB means an instance ID is not a USB device ID (USB\VID_xxxx&PID_xxxx\…).
var ErrNotUSB = errors.New("wintree: not a USB device instance ID")

// InstanceID is a parsed device instance ID.
type InstanceID struct {
	VendorID, ProductID uint16
	// Interface is the MI_xx interface number of a composite device's child,
	// -1 for the device itself.
	Interface int
	// Serial is the third part as Windows wrote it (upper case, spaces as '_').
	Serial string
	// Generated is true when Windows made the third part up (it contains '&':
	// the device had no usable serial string, or this is an interface).
	Generated bool
}

// ParseInstanceID parses a USB device instance ID such as
// USB\VID_05AC&PID_12A8\00008110001A2B3C4D5E6F70 or
// USB\VID_05AC&PID_12A8&MI_00\7&1A2B3C4D&0&0000 (case-insensitive).
func ParseInstanceID(id string) (InstanceID, error) {
	bad := func(why string) (InstanceID, error) {
		return InstanceID{}, fmt.Errorf("%w: %q: %s", ErrNotUSB, capString(id, 80), why)
	}
	parts := strings.SplitN(id, `\`, 3)
	if len(parts) != 3 || !strings.EqualFold(parts[0], "USB") {
		return bad(`want USB\VID_xxxx&PID_xxxx\serial`)
	}
	out := InstanceID{Interface: -1, Serial: parts[2]}
	var haveVID, havePID bool
	for _, f := range strings.Split(parts[1], "&") {
		key, val, ok := strings.Cut(f, "_")
		if !ok {
			return bad("field without '_': " + capString(f, 20))
		}
		switch strings.ToUpper(key) {
		case "VID", "PID":
			n, err := strconv.ParseUint(val, 16, 16)
			if err != nil || len(val) != 4 {
				return bad("bad " + key)
			}
			if strings.EqualFold(key, "VID") {
				out.VendorID, haveVID = uint16(n), true
			} else {
				out.ProductID, havePID = uint16(n), true
			}
		case "MI":
			n, err := strconv.ParseUint(val, 16, 8)
			if err != nil {
				return bad("bad MI")
			}
			out.Interface = int(n)
		case "REV":
			// USB\VID_…&PID_…&REV_xxxx appears in hardware IDs, not instance IDs; tolerate it.
		default:
			return bad("unknown field " + capString(key, 20))
		}
	}
	if !haveVID || !havePID {
		return bad("VID or PID missing")
	}
	if out.Serial == "" || strings.ContainsAny(out.Serial, `\`) {
		return bad("bad serial part")
	}
	out.Generated = strings.Contains(out.Serial, "&")
	return out, nil
}

// IBootFromInstance turns the serial part of a recovery or DFU instance ID
// back into the iBoot string: Windows (and the device path libirecovery
// reads) writes its spaces as '_' and may change its case; iBoot's keys are
// upper case and so are its hex values. "SRTG:[IBOOT-…]" keeps Windows' case
// for the tag, which only ever gets displayed.
func IBootFromInstance(serial string) string {
	return strings.ToUpper(strings.ReplaceAll(serial, "_", " "))
}

// UDIDFromSerial returns the UDID usbmuxd reports for a normal-mode serial
// string: 24 hex digits get the dash after the 8th (modern UDIDs), 40 hex
// digits are lower-cased (older UDIDs); anything else is returned as is.
func UDIDFromSerial(serial string) string {
	s := strings.TrimSpace(serial)
	if !isHex(s) {
		return s
	}
	switch len(s) {
	case 24:
		return strings.ToUpper(s[:8] + "-" + s[8:])
	case 40:
		return strings.ToLower(s)
	}
	return s
}

// ParseLocationPaths finds the hub port chain in a device's location paths
// (SPDRP_LOCATION_PATHS, a multi-string): the path with USBROOT(n) followed
// by USB(port) elements, e.g. PCIROOT(0)#PCI(1400)#USBROOT(0)#USB(2)#USB(3)
// gives [2 3]. ACPI-only paths (ACPI(_SB_)#ACPI(PCI0)#…) carry no port
// numbers and are skipped. ok is false when no path has the chain.
func ParseLocationPaths(paths []string) (ports []int, ok bool) {
	for _, p := range paths {
		if ports, ok := parseLocationPath(p); ok {
			return ports, true
		}
	}
	return nil, false
}

func parseLocationPath(p string) ([]int, bool) {
	elems := strings.Split(strings.TrimSpace(p), "#")
	root := -1
	for i, e := range elems {
		if name, _, ok := element(e); ok && strings.EqualFold(name, "USBROOT") {
			root = i
		}
	}
	if root < 0 || root == len(elems)-1 {
		return nil, false
	}
	var ports []int
	for _, e := range elems[root+1:] {
		name, arg, ok := element(e)
		if !ok || !strings.EqualFold(name, "USB") {
			return nil, false
		}
		n, err := strconv.ParseUint(arg, 10, 8)
		if err != nil || n == 0 {
			return nil, false
		}
		ports = append(ports, int(n))
	}
	return ports, true
}

// element splits NAME(arg).
func element(e string) (name, arg string, ok bool) {
	i := strings.IndexByte(e, '(')
	if i <= 0 || !strings.HasSuffix(e, ")") {
		return "", "", false
	}
	return e[:i], e[i+1 : len(e)-1], true
}

// Node is one device node as SetupAPI and CfgMgr32 report it: the raw
// strings Scan collects and Assemble reads.
type Node struct {
	InstanceID    string
	Parent        string   // the parent's instance ID (DEVPKEY_Device_Parent)
	LocationPaths []string // SPDRP_LOCATION_PATHS
	Service       string   // SPDRP_SERVICE, "" when no driver is bound
	Problem       uint32   // CM_Get_DevNode_Status problem number
	// DriverProvider is DEVPKEY_Device_DriverProvider, the INF's provider.
	DriverProvider string `json:",omitempty"`
	// DriverINF is DEVPKEY_Device_DriverInfPath (oemNN.inf for third-party INFs).
	DriverINF string `json:",omitempty"`
	// LowerFilters is SPDRP_LOWERFILTERS.
	LowerFilters []string `json:",omitempty"`
}

// binding is n's driver binding; ok false when n has none.
func (n Node) binding(iface int) (Binding, bool) {
	b := Binding{Interface: iface, Service: strings.TrimSpace(n.Service), Provider: strings.TrimSpace(n.DriverProvider),
		INF: strings.TrimSpace(n.DriverINF), LowerFilters: n.LowerFilters}
	return b, b.Service != "" || b.Provider != "" || b.INF != "" || len(b.LowerFilters) > 0
}

// Assemble turns device nodes into Apple devices: every node that is an
// Apple USB device itself (not an interface) becomes a Device, with the
// services of its interface nodes added. Other nodes are ignored. The order
// of nodes is kept.
func Assemble(nodes []Node) []Device {
	var devs []Device
	index := map[string]int{} // upper-case instance ID → index in devs
	for _, n := range nodes {
		d, ok := fromNode(n)
		if !ok {
			continue
		}
		index[strings.ToUpper(n.InstanceID)] = len(devs)
		devs = append(devs, d)
	}
	for _, n := range nodes {
		i, ok := index[strings.ToUpper(n.Parent)]
		if !ok {
			continue
		}
		iface := -1
		if id, err := ParseInstanceID(n.InstanceID); err == nil {
			iface = id.Interface
		}
		if b, ok := n.binding(iface); ok {
			devs[i].Drivers = append(devs[i].Drivers, b)
		}
		if n.Service == "" {
			continue
		}
		devs[i].Services = append(devs[i].Services, strings.TrimSpace(n.Service))
	}
	return devs
}

func fromNode(n Node) (Device, bool) {
	id, err := ParseInstanceID(n.InstanceID)
	if err != nil || id.VendorID != mode.AppleVendorID || id.Interface >= 0 {
		return Device{}, false
	}
	d := Device{
		InstanceID: n.InstanceID,
		VendorID:   id.VendorID,
		ProductID:  id.ProductID,
		Mode:       mode.FromProductID(id.ProductID),
		Problem:    n.Problem,
	}
	if s := strings.TrimSpace(n.Service); s != "" {
		d.Services = []string{s}
	}
	if b, ok := n.binding(-1); ok {
		d.Drivers = []Binding{b}
	}
	d.PortPath, _ = ParseLocationPaths(n.LocationPaths)
	if id.Generated {
		return d, true
	}
	if d.Mode.IsLowLevel() {
		d.Serial = IBootFromInstance(id.Serial)
		if info, err := usb.ParseRecoverySerial(d.Serial); err == nil {
			d.Recovery = &info
		}
		return d, true
	}
	d.Serial = id.Serial
	if d.Mode == mode.Normal {
		d.UDID = UDIDFromSerial(id.Serial)
	}
	return d, true
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func capString(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
