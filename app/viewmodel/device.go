package viewmodel

import (
	"fmt"
	"sort"
	"strings"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// Device is what the window knows about one phone right now, merged from the
// live device events (USB and usbmuxd) and, when a check has run, its report.
type Device struct {
	// Key identifies the phone across events (normalised serial or location).
	Key  string
	Name string // marketing name, e.g. "iPhone 13 Pro Max"; "" when unknown
	// OwnName is the name the owner gave the phone ("Anna's iPhone"), as
	// lockdownd tells it; "" when unknown. It tells phones apart in the
	// selector and stays out of reports.
	OwnName     string
	ProductType string // e.g. "iPhone14,3"
	Mode        mode.Mode
	// IOSVersion is the iOS version when lockdownd told it ("" when unknown).
	IOSVersion string
	// SpeedMbps is the negotiated USB speed (0 when unknown, e.g. usbmuxd only).
	SpeedMbps float64
	// BehindHub is true when a hub, dock or adapter sits between computer and phone.
	BehindHub bool
	// OnUSB is true when the phone was seen on the USB bus (false: usbmuxd only).
	OnUSB bool
	// Listed is true when usbmuxd lists the phone.
	Listed bool
	// Trusted is nil when unknown.
	Trusted *bool
	// RecoveryFamily is the recovery-button family (report contract values).
	RecoveryFamily string
	// Disconnected is true for a phone that dropped off and has not come back yet.
	Disconnected bool
}

// Host is the state of the computer's side: usbmuxd (Apple Mobile Device
// Service on Windows) and libusb access.
type Host struct {
	// Known is false until the first host status arrives.
	Known bool
	// UsbmuxdAddress is where usbmuxd was looked for.
	UsbmuxdAddress string
	// UsbmuxdStatus is one of the report.Usbmuxd* values ("" when not yet probed).
	UsbmuxdStatus string
	// UsbmuxdOnDemand is true where usbmuxd starts only while an iPhone is
	// plugged in (Linux), so "not running" without a phone is no fault.
	UsbmuxdOnDemand bool
	// USBStatus is "ok", "denied" (permissions) or "unavailable" ("" when not yet probed).
	USBStatus string
	// Detail adds a plain-words explanation when something is wrong.
	Detail string
}

// USB access states for Host.USBStatus.
const (
	USBOK          = "ok"
	USBDenied      = "denied"
	USBUnavailable = "unavailable"
)

// Line is one labelled value of a card.
type Line struct {
	Label string
	Value string
	// Bad marks a value that is part of the problem (rendered as a warning).
	Bad bool
}

// DeviceCard is the left panel: the selected phone (or the empty state) and
// the computer's status.
type DeviceCard struct {
	// Connected is false in the "connect your iPhone" state.
	Connected bool
	Heading   string
	// Subheading explains the state in a sentence.
	Subheading string
	// ModeName and ModeExplanation describe the phone's mode in plain words.
	ModeName        string
	ModeExplanation string
	Lines           []Line
	Host            []Line
	// Choices lists the phones when there are several (empty for 0 or 1).
	Choices []string
	// ChoiceKeys are the device keys in the order of Choices.
	ChoiceKeys []string
	// Selected is the index of the shown phone in Choices (-1 when none).
	Selected int
}

// ModeName is the short name of a mode for people.
func ModeName(m mode.Mode) string {
	switch m {
	case mode.Normal:
		return "Normal"
	case mode.Restore:
		return "Restore"
	case mode.Recovery:
		return "Recovery mode"
	case mode.DFU:
		return "DFU mode"
	case mode.WTF:
		return "DFU (early stage)"
	case mode.PortDFU:
		return "Port DFU mode"
	default:
		return "Unknown mode"
	}
}

// DisplayName is the phone's name for people: the marketing name, else the
// product type, else a generic name.
func (d Device) DisplayName() string {
	switch {
	case d.Name != "":
		return d.Name
	case d.ProductType != "":
		return d.ProductType
	case d.Mode.IsLowLevel():
		return "iPhone (" + ModeName(d.Mode) + ")"
	default:
		return "iPhone"
	}
}

// ChoiceLabels are the selector's labels for devs, in order, each one
// different: the owner's name for the phone when lockdownd told it, else the
// model; a model name that more than one phone shares gets the end of the
// phone's key ("iPhone 13 Pro Max ·6F70"); then the mode.
func ChoiceLabels(devs []Device) []string {
	names := make([]string, len(devs))
	count := map[string]int{}
	for i, d := range devs {
		names[i] = d.choiceName()
		count[names[i]]++
	}
	out := make([]string, len(devs))
	for i, d := range devs {
		n := names[i]
		if count[n] > 1 {
			n += " ·" + keySuffix(d.Key)
		}
		out[i] = fmt.Sprintf("%d. %s (%s)", i+1, n, ModeName(d.Mode))
	}
	return out
}

// choiceName is the phone's name in the selector, before any suffix.
func (d Device) choiceName() string {
	if d.OwnName != "" {
		return d.OwnName
	}
	return d.DisplayName()
}

// keySuffix is the last four letters or digits of a phone's key, enough to
// tell a few phones apart without showing the whole identifier.
func keySuffix(key string) string {
	if i := strings.LastIndexByte(key, ':'); i >= 0 {
		key = key[i+1:] // without the scheme ("ecid:", "usb:")
	}
	var tail []rune
	for _, r := range strings.ToUpper(key) {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			tail = append(tail, r)
		}
	}
	if len(tail) > 4 {
		tail = tail[len(tail)-4:]
	}
	return string(tail)
}

// SpeedText describes a USB link speed in plain words.
func SpeedText(mbps float64) string {
	switch {
	case mbps <= 0:
		return "unknown speed"
	case mbps < 2:
		return "USB low speed (1.5 Mbit/s)"
	case mbps < 100:
		return "USB full speed (12 Mbit/s): too slow, usually a bad cable or port"
	case mbps < 1000:
		return "USB 2 high speed (480 Mbit/s)"
	default:
		return fmt.Sprintf("USB 3 (%g Gbit/s)", mbps/1000)
	}
}

// SortDevices orders phones by the name the selector shows (the owner's
// name, else the model) then key, so the selector is stable and
// alphabetical.
func SortDevices(devs []Device) {
	sort.SliceStable(devs, func(i, j int) bool {
		a, b := devs[i].choiceName(), devs[j].choiceName()
		if a != b {
			return a < b
		}
		return devs[i].Key < devs[j].Key
	})
}

// BuildDeviceCard builds the device panel for the phones present now, the one
// the user selected (by key; the first when empty or gone) and the host state.
func BuildDeviceCard(devs []Device, selected string, host Host) DeviceCard {
	card := DeviceCard{Selected: -1, Host: hostLines(host)}
	if len(devs) == 0 {
		card.Heading = "Connect your iPhone with a USB cable"
		card.Subheading = "Use the cable that came with it, plugged straight into the computer. The check starts by itself."
		return card
	}
	sorted := append([]Device(nil), devs...)
	SortDevices(sorted)
	idx := 0
	for i, d := range sorted {
		if d.Key == selected {
			idx = i
		}
	}
	if len(sorted) > 1 {
		card.Choices = ChoiceLabels(sorted)
		for _, d := range sorted {
			card.ChoiceKeys = append(card.ChoiceKeys, d.Key)
		}
	}
	card.Selected = idx
	d := sorted[idx]
	card.Connected = true
	card.Heading = d.DisplayName()
	card.ModeName = ModeName(d.Mode)
	card.ModeExplanation = capitalise(d.Mode.Describe())
	if d.Mode == mode.Normal {
		// Not "iOS is running normally" next to an iOS version nobody read yet.
		card.ModeExplanation = "The iPhone has started normally."
	}
	card.Subheading = "Connected"
	switch {
	case d.Disconnected:
		card.Subheading = "Disconnected just now: waiting for it to come back"
	case !d.Listed && host.Known && (host.UsbmuxdStatus == report.UsbmuxdUnreachable || host.UsbmuxdStatus == report.UsbmuxdNotResponding) && !d.Mode.IsLowLevel():
		// Nothing on this computer can talk to it now.
		card.Connected = d.OnUSB
		card.Subheading = "Not visible now: this computer's iPhone service is not answering"
		if d.OnUSB {
			card.Subheading = "On USB, but this computer's iPhone service is not answering"
		}
	}
	card.Lines = append(card.Lines, Line{Label: "Mode", Value: card.ModeName, Bad: d.Mode.IsLowLevel()})
	if d.IOSVersion != "" {
		card.Lines = append(card.Lines, Line{Label: "iOS", Value: d.IOSVersion})
	} else if !d.Mode.IsLowLevel() && d.Mode != mode.Restore {
		card.Lines = append(card.Lines, Line{Label: "iOS", Value: "version not read"})
	}
	card.Lines = append(card.Lines, Line{Label: "Connection", Value: connectionText(d), Bad: d.BehindHub || (d.SpeedMbps > 0 && d.SpeedMbps < 100)})
	card.Lines = append(card.Lines, trustLine(d))
	return card
}

func connectionText(d Device) string {
	if !d.OnUSB {
		if d.Listed {
			return "seen by this computer's iPhone service (USB details not available)"
		}
		return "not seen on USB"
	}
	var parts []string
	parts = append(parts, SpeedText(d.SpeedMbps))
	if d.BehindHub {
		parts = append(parts, "through a hub, dock or adapter")
	} else {
		parts = append(parts, "direct to the computer")
	}
	return strings.Join(parts, ", ")
}

func trustLine(d Device) Line {
	switch {
	case d.Mode.IsLowLevel():
		return Line{Label: "Trust", Value: "not needed in " + lowerFirst(ModeName(d.Mode))}
	case d.Trusted == nil:
		return Line{Label: "Trust", Value: "not known"}
	case *d.Trusted:
		return Line{Label: "Trust", Value: "this computer is trusted"}
	default:
		return Line{Label: "Trust", Value: "not trusted yet", Bad: true}
	}
}

func hostLines(h Host) []Line {
	if !h.Known {
		// The same two rows as once known: rows that arrive late must not
		// push the controls below them down.
		return []Line{{Label: ServiceLabel, Value: "checking…"}, {Label: "USB access", Value: "checking…"}}
	}
	// Plain words; the service's real name, address and any error text
	// are in the Details (BuildDetails).
	const svc = ServiceLabel
	var lines []Line
	st := h.UsbmuxdStatus
	switch {
	case st == report.UsbmuxdOK:
		lines = append(lines, Line{Label: svc, Value: "running"})
	case st == report.UsbmuxdUnreachable && h.UsbmuxdOnDemand:
		lines = append(lines, Line{Label: svc, Value: "not running; it starts when an iPhone is plugged in"})
	case st == report.UsbmuxdUnreachable:
		lines = append(lines, Line{Label: svc, Value: "not running", Bad: true})
	case st == report.UsbmuxdNotResponding:
		lines = append(lines, Line{Label: svc, Value: "running but not answering", Bad: true})
	case st == "":
		lines = append(lines, Line{Label: svc, Value: "not checked yet"})
	default:
		lines = append(lines, Line{Label: svc, Value: "not working properly", Bad: true})
	}
	switch h.USBStatus {
	case USBOK:
		lines = append(lines, Line{Label: "USB access", Value: "ok"})
	case USBDenied:
		lines = append(lines, Line{Label: "USB access", Value: "denied: install the udev rule", Bad: true})
	case USBUnavailable:
		lines = append(lines, Line{Label: "USB access", Value: "not available on this computer", Bad: true})
	case "":
		lines = append(lines, Line{Label: "USB access", Value: "not checked yet"})
	default:
		lines = append(lines, Line{Label: "USB access", Value: h.USBStatus})
	}
	return lines
}

func capitalise(s string) string {
	if s == "" || strings.HasPrefix(s, "iOS") || strings.HasPrefix(s, "iPhone") {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// DeviceFromReport fills what a report knows about a phone into the live view
// (iOS version, trust, model name), keeping live facts the report lacks.
func DeviceFromReport(live Device, rd report.Device) Device {
	out := live
	if out.Name == "" && rd.Model.ProductType != "" {
		// Not the report's "Unknown Apple device" of a phone it could not ask.
		out.Name = rd.Model.Name
	}
	if out.ProductType == "" {
		out.ProductType = rd.Model.ProductType
	}
	if out.IOSVersion == "" {
		out.IOSVersion = rd.Lockdown.ProductVersion
	}
	if out.Trusted == nil && rd.Lockdown.Trusted != nil {
		t := *rd.Lockdown.Trusted
		out.Trusted = &t
	}
	if out.RecoveryFamily == "" || out.RecoveryFamily == "unknown" {
		out.RecoveryFamily = rd.Model.RecoveryButtons
	}
	if !out.OnUSB && rd.USB.Present {
		out.OnUSB = true
		out.SpeedMbps = rd.USB.SpeedMbps
		out.BehindHub = rd.USB.BehindHub
	}
	return out
}

// lowerFirst lowercases the first letter unless the word is an acronym ("DFU").
func lowerFirst(s string) string {
	if len(s) < 2 || strings.ToUpper(s[:2]) == s[:2] {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
