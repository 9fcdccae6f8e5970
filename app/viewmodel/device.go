package viewmodel

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
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

// modeKey is the message key part of a mode.
func modeKey(m mode.Mode) string {
	switch m {
	case mode.Normal, mode.Restore, mode.Recovery, mode.DFU, mode.WTF:
		return string(m)
	case mode.PortDFU:
		return "port_dfu"
	default:
		return "unknown"
	}
}

// ModeName is the short name of a mode for people, as a label ("Recovery
// mode").
func ModeName(m mode.Mode) string { return i18n.T("window.mode." + modeKey(m)) }

// modeInline is the name of a mode inside a sentence ("recovery mode").
func modeInline(m mode.Mode) string { return i18n.T("window.mode_inline." + modeKey(m)) }

// modeExplanation says what a mode means for the user, as a sentence.
func modeExplanation(m mode.Mode) string { return i18n.T("window.mode_explain." + modeKey(m)) }

// modeWord is a report's mode value ("normal", "recovery") as a word in
// "mode: normal → recovery"; a value this version does not know is shown
// as it is.
func modeWord(v string) string {
	k := modeKey(mode.Mode(v))
	if k == "unknown" {
		return v
	}
	return i18n.T("window.modeword." + k)
}

// DisplayName is the phone's name for people: the marketing name, else the
// product type, else a generic name.
func (d Device) DisplayName() string {
	switch {
	case d.Name != "":
		return report.ModelDisplayName(d.Name) // the report's name of an unknown model is English data
	case d.ProductType != "":
		return d.ProductType
	case d.Mode.IsLowLevel():
		return i18n.T("window.device.iphone_in_mode", i18n.Args{"Mode": ModeName(d.Mode)})
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
		out[i] = i18n.T("window.device.choice", i18n.Args{"N": i18n.Int(i + 1), "Name": n, "Mode": ModeName(d.Mode)})
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
		return i18n.T("window.speed.unknown")
	case mbps < 2:
		return i18n.T("window.speed.low", i18n.Args{"Mbit": i18n.Num(1.5, 1)})
	case mbps < 100:
		return i18n.T("window.speed.full", i18n.Args{"Mbit": i18n.Int(12)})
	case mbps < 1000:
		return i18n.T("window.speed.high", i18n.Args{"Mbit": i18n.Int(480)})
	default:
		return i18n.T("window.speed.super", i18n.Args{"Gbit": i18n.Num(mbps/1000, 3)})
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
		card.Heading = i18n.T("window.device.connect")
		card.Subheading = i18n.T("window.device.connect_hint")
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
	// For Normal, not "iOS is running normally" next to an iOS version
	// nobody read yet: "The iPhone has started normally."
	card.ModeExplanation = modeExplanation(d.Mode)
	card.Subheading = i18n.T("window.device.connected")
	switch {
	case d.Disconnected:
		card.Subheading = i18n.T("window.device.disconnected")
	case !d.Listed && host.Known && (host.UsbmuxdStatus == report.UsbmuxdUnreachable || host.UsbmuxdStatus == report.UsbmuxdNotResponding) && !d.Mode.IsLowLevel():
		// Nothing on this computer can talk to it now.
		card.Connected = d.OnUSB
		card.Subheading = i18n.T("window.device.not_visible")
		if d.OnUSB {
			card.Subheading = i18n.T("window.device.on_usb_no_service")
		}
	}
	card.Lines = append(card.Lines, Line{Label: i18n.T("window.line.mode"), Value: card.ModeName, Bad: d.Mode.IsLowLevel()})
	if d.IOSVersion != "" {
		card.Lines = append(card.Lines, Line{Label: "iOS", Value: d.IOSVersion})
	} else if !d.Mode.IsLowLevel() && d.Mode != mode.Restore {
		card.Lines = append(card.Lines, Line{Label: "iOS", Value: i18n.T("window.line.ios_not_read")})
	}
	card.Lines = append(card.Lines, Line{Label: ConnectionLabel(), Value: connectionText(d), Bad: d.BehindHub || (d.SpeedMbps > 0 && d.SpeedMbps < 100)})
	card.Lines = append(card.Lines, trustLine(d))
	return card
}

func connectionText(d Device) string {
	if !d.OnUSB {
		if d.Listed {
			return i18n.T("window.connection.service_only")
		}
		return i18n.T("window.connection.not_on_usb")
	}
	if d.BehindHub {
		return i18n.T("window.connection.hub", i18n.Args{"Speed": SpeedText(d.SpeedMbps)})
	}
	return i18n.T("window.connection.direct", i18n.Args{"Speed": SpeedText(d.SpeedMbps)})
}

// ConnectionLabel is the device card's connection line.
func ConnectionLabel() string { return i18n.T("window.line.connection") }

// TrustLabel is the device card's trust line.
func TrustLabel() string { return i18n.T("window.line.trust") }

// usbAccessLabel is the host card's USB access line.
func usbAccessLabel() string { return i18n.T("window.line.usb_access") }

func trustLine(d Device) Line {
	switch {
	case d.Mode.IsLowLevel():
		return Line{Label: TrustLabel(), Value: i18n.T("window.trust.not_needed", i18n.Args{"Mode": modeInline(d.Mode)})}
	case d.Trusted == nil:
		return Line{Label: TrustLabel(), Value: i18n.T("window.trust.unknown")}
	case *d.Trusted:
		return Line{Label: TrustLabel(), Value: i18n.T("window.trust.trusted")}
	default:
		return Line{Label: TrustLabel(), Value: i18n.T("window.trust.not_yet"), Bad: true}
	}
}

func hostLines(h Host) []Line {
	if !h.Known {
		// The same two rows as once known: rows that arrive late must not
		// push the controls below them down.
		checking := i18n.T("window.host.checking")
		return []Line{{Label: ServiceLabel(), Value: checking}, {Label: usbAccessLabel(), Value: checking}}
	}
	// Plain words; the service's real name, address and any error text
	// are in the Details (BuildDetails).
	svc, usb := ServiceLabel(), usbAccessLabel()
	var lines []Line
	st := h.UsbmuxdStatus
	switch {
	case st == report.UsbmuxdOK:
		lines = append(lines, Line{Label: svc, Value: i18n.T("window.host.running")})
	case st == report.UsbmuxdUnreachable && h.UsbmuxdOnDemand:
		lines = append(lines, Line{Label: svc, Value: i18n.T("window.host.on_demand")})
	case st == report.UsbmuxdUnreachable:
		lines = append(lines, Line{Label: svc, Value: i18n.T("window.host.not_running"), Bad: true})
	case st == report.UsbmuxdNotResponding:
		lines = append(lines, Line{Label: svc, Value: i18n.T("window.host.not_answering"), Bad: true})
	case st == "":
		lines = append(lines, Line{Label: svc, Value: i18n.T("window.host.not_checked")})
	default:
		lines = append(lines, Line{Label: svc, Value: i18n.T("window.host.not_working"), Bad: true})
	}
	switch h.USBStatus {
	case USBOK:
		lines = append(lines, Line{Label: usb, Value: i18n.T("window.host.usb_ok")})
	case USBDenied:
		lines = append(lines, Line{Label: usb, Value: i18n.T("window.host.usb_denied"), Bad: true})
	case USBUnavailable:
		lines = append(lines, Line{Label: usb, Value: i18n.T("window.host.usb_unavailable"), Bad: true})
	case "":
		lines = append(lines, Line{Label: usb, Value: i18n.T("window.host.not_checked")})
	default:
		lines = append(lines, Line{Label: usb, Value: h.USBStatus})
	}
	return lines
}

// capitalise makes the first letter of s a capital ("iOS" and "iPhone"
// stay), letter by letter, not byte by byte: s may be in any language.
func capitalise(s string) string {
	if s == "" || strings.HasPrefix(s, "iOS") || strings.HasPrefix(s, "iPhone") {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
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

// lowerFirst lowercases the first letter unless the word is an acronym
// ("DFU") or the language writes nouns with a capital (German).
func lowerFirst(s string) string {
	if i18n.Current().Code == "de" {
		return s
	}
	r1, n1 := utf8.DecodeRuneInString(s)
	r2, _ := utf8.DecodeRuneInString(s[n1:])
	if n1 == len(s) || !unicode.IsUpper(r1) || unicode.IsUpper(r2) || !unicode.IsLetter(r2) {
		return s
	}
	return string(unicode.ToLower(r1)) + s[n1:]
}
