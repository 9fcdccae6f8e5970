// Package restoretrace is the passive record of a restore: what USB
// enumeration and usbmuxd's Listen stream showed, and when. A recording sends
// nothing to any phone; every Event here is something the computer saw on its
// own. The same events are written to a trace file (JSON lines, one Header
// line then one Event per line), replayed by the simulator, and read by
// diagnostics/restore, which turns them into stages and a verdict.
//
// The package owns the event vocabulary and the file format only: it does no
// USB or socket I/O and imports nothing from diagnostics/ or app/ (only
// internal/idhash, the redaction the reports use too).
package restoretrace

// Schema is the Header's schema value of a trace file of this version.
const Schema = "restoredoctor.trace/v1"

// Header is the first line of a trace file.
type Header struct {
	Schema string `json:"schema"`
	// StartedAt is when the recording started (RFC 3339, UTC); every Event's
	// TimeMS counts from it.
	StartedAt   string `json:"started_at"`
	ToolVersion string `json:"tool_version"`
	// OS is the recording computer's GOOS: what it could observe depends on it.
	OS string `json:"os"`
	// PollMS is the USB poll interval: re-enumerations shorter than it can
	// only show as an address change, not as a detach/attach pair.
	PollMS int `json:"poll_ms"`
	// Redacted is true when identifiers (UDID, ECID, serial, IMEI, nonces)
	// were replaced by short hashes before they were written.
	Redacted bool `json:"redacted"`
	// Source names where the events came from: "libusb+usbmuxd",
	// "wintree+amds", "replay:<file>", "demo:<name>".
	Source string `json:"source"`
	// Note is free text (where a demo trace's pattern comes from).
	Note string `json:"note,omitempty"`
}

// Kind is what an Event observed.
type Kind string

// Event kinds. USB kinds come from enumeration snapshots, usbmux kinds from
// usbmuxd's (or Apple Mobile Device Service's) Listen stream, record kinds
// from the recorder itself.
const (
	// USBAttach: a device appeared on the bus.
	USBAttach Kind = "usb.attach"
	// USBDetach: a device left the bus.
	USBDetach Kind = "usb.detach"
	// USBChange: the same device (same key, same port) now shows other facts
	// (address, speed, product id, iBoot fields): a re-enumeration shorter
	// than the poll interval, or a fall to full speed.
	USBChange Kind = "usb.change"
	// MuxAttach / MuxDetach: usbmuxd listed / stopped listing a device.
	MuxAttach Kind = "usbmux.attach"
	MuxDetach Kind = "usbmux.detach"
	// MuxDown / MuxUp: the Listen connection to usbmuxd was lost / is back
	// (Finder and iTunes restart the service during a restore).
	MuxDown Kind = "usbmux.down"
	MuxUp   Kind = "usbmux.up"
	// RecordStart / RecordStop: the recording began / ended. A stop's Reason
	// says how: "done" (the user or the recorder ended it on a final stage),
	// "interrupted" (Ctrl-C, window closed, error): an interrupted recording
	// is incomplete, never a success.
	RecordStart Kind = "record.start"
	RecordStop  Kind = "record.stop"
	// Gap: the recorder could not observe for a while (the computer slept,
	// a USB snapshot failed); what happened meanwhile is unknown.
	Gap Kind = "record.gap"
)

// Event is one observation, TimeMS after the Header's StartedAt.
type Event struct {
	TimeMS int64 `json:"t_ms"`
	Kind   Kind  `json:"kind"`
	// Key is the phone's key (device.Key: "ecid:…", "udid:…", "usb:…"),
	// hashed when the trace is redacted. Empty for record.* and usbmux.down/up.
	Key string `json:"key,omitempty"`
	// USB is the device as enumeration showed it (usb.* kinds; on a detach,
	// the last facts seen).
	USB *USBFacts `json:"usb,omitempty"`
	// Mux is what usbmuxd said (usbmux.attach/detach).
	Mux *MuxFacts `json:"mux,omitempty"`
	// Reason explains record.stop, record.gap and usbmux.down ("interrupted",
	// "done", "poll failed: …", "suspended 42 s", "connection refused").
	Reason string `json:"reason,omitempty"`
	// DurationMS is how long a record.gap lasted: nothing was observed from
	// TimeMS-DurationMS to TimeMS (optional; 0 when unknown).
	DurationMS int64 `json:"duration_ms,omitempty"`
}

// USBFacts are the passively readable facts of one Apple device on the bus.
type USBFacts struct {
	VendorID  uint16 `json:"vendor_id"`
	ProductID uint16 `json:"product_id"`
	// Mode is mode.FromProductID's class ("normal", "recovery", "dfu", …):
	// on USB alone, restore mode cannot be told from normal by the product
	// id; see diagnostics/restore for what else tells them apart.
	Mode      string  `json:"mode"`
	Bus       int     `json:"bus"`
	Address   int     `json:"address"`
	PortPath  []int   `json:"port_path,omitempty"`
	SpeedMbps float64 `json:"speed_mbps"`
	// Configurations is bNumConfigurations from the device descriptor (0: unknown).
	Configurations int `json:"configurations,omitempty"`
	// Interfaces are the interfaces of every configuration as the OS cached
	// them ("config.interface:class/subclass/protocol" in hex; optional):
	// recorded so that real restores can show whether restore mode differs
	// from normal mode here (docs/restore-stages.md).
	Interfaces []string `json:"interfaces,omitempty"`
	// Product is the product string the OS cached at enumeration (optional;
	// Linux only).
	Product string `json:"product,omitempty"`
	// IBoot holds the fields of a recovery/DFU serial string (CPID, BDID,
	// ECID, IBFL, SRTG, …), identifiers hashed when redacted.
	IBoot map[string]string `json:"iboot,omitempty"`
}

// MuxFacts are what usbmuxd's Listen stream says of one device.
type MuxFacts struct {
	DeviceID       int    `json:"device_id"`
	ConnectionType string `json:"connection_type,omitempty"`
	// LocationID is the USB location usbmuxd reports (0 when absent).
	LocationID uint32 `json:"location_id,omitempty"`
	// SpeedBps is usbmuxd's ConnectionSpeed (0 when absent).
	SpeedBps int64 `json:"speed_bps,omitempty"`
	// ProductID is usbmuxd's ProductID (0 when absent).
	ProductID uint16 `json:"product_id,omitempty"`
}
