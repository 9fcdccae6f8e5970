// Package report defines the diagnostics report: the JSON contract
// `restoredoctor.report/v1` (see DESIGN.md), its Markdown rendering and the
// redaction of identifiers. It holds data and formatting only: it runs no checks
// and imports nothing from app/.
//
// report is a leaf: it imports nothing of the project. The step catalogue
// (diagnostics/catalog) and the rules (diagnostics/rules) import report, never
// the other way round; renderers that want catalogue text take a Guide.
package report

import "time"

// Schema is the value of Report.Schema for this version of the contract.
const Schema = "restoredoctor.report/v1"

// Report is one complete diagnostics run. Field names are a contract: scripts
// and tests depend on them, so rename nothing.
type Report struct {
	Schema string `json:"schema"`
	// Simulated marks a report of the demo (a simulated iPhone), not of a
	// real phone (added to v1; optional for readers).
	Simulated bool `json:"simulated,omitempty"`
	// Language is the code of the language the report's sentences are in
	// ("en", "de", "zh-Hans"): summary, reasons, titles and details. Keys,
	// IDs and enumeration values stay English in every language (added to
	// v1; optional for readers: a report without it is English).
	Language     string       `json:"language,omitempty"`
	GeneratedAt  time.Time    `json:"generated_at"`
	ToolVersion  string       `json:"tool_version"`
	Host         Host         `json:"host"`
	Devices      []Device     `json:"devices"`
	Checks       []Check      `json:"checks"`
	Findings     []Finding    `json:"findings"`
	Steps        []Step       `json:"steps"`
	Professional Professional `json:"professional"`
	// PrimaryStep is the step to try first; nil when nothing applies.
	PrimaryStep *int `json:"primary_step"`
	// Summary is the verdict in one or two sentences (added to v1; optional
	// for readers): the step to try first, or "no fault found", plus the fix
	// texts of findings that have no step (udev rule, Trust prompt).
	Summary string `json:"summary,omitempty"`
	// BackupSummary is what the window says before step 5's erase about
	// the phone's backups, in sentences made from its backup.local and
	// backup.icloud findings (the window's export sets it; added to v1,
	// optional for readers). The findings hold the facts.
	BackupSummary []string `json:"backup_summary,omitempty"`
	// Complete is false when the run was cut short (signal, --timeout) or a
	// check ended in error (diagnostics.MarkCompleteness, the one rule);
	// IncompleteReasons then says why, and
	// Summary starts "Incomplete check:" and never says "no fault found".
	// (Added to v1: old readers ignore them; a report without them predates
	// the fields.)
	Complete          bool     `json:"complete"`
	IncompleteReasons []string `json:"incomplete_reasons"`
	// InProgress marks a provisional report: the verdict so far of a run
	// that is still going (the quick pass is done, the sampling window or a
	// slow check is not). Such a report is not complete; its first
	// incomplete reason starts "in progress:". Final reports never carry it
	// (added to v1; optional for readers).
	InProgress *InProgress `json:"in_progress,omitempty"`
	// RestoreTimeline is the recording of a restore, its stages and verdict
	// (added to v1; optional for readers; only in reports of a recording).
	RestoreTimeline *RestoreTimeline `json:"restore_timeline,omitempty"`
	// Tried are the user's answers ("cable", "port", "computer",
	// "restart") when the check ran: the findings were measured after
	// them, so only these are evidence ("even with another cable"). nil in
	// a report that does not record them (added to v1; optional for readers).
	Tried []string `json:"tried,omitempty"`
}

// InProgress says how far a run was when a provisional report was made.
type InProgress struct {
	// ElapsedS and WindowS are how much of the sampling window has passed,
	// of how long (WindowS 0: no window).
	ElapsedS float64 `json:"elapsed_s"`
	WindowS  float64 `json:"window_s"`
	// Pending are the ids of the checks still running; they are not in Checks.
	Pending []string `json:"pending"`
}

// Provisional reports whether r is a verdict so far rather than a final one.
func (r *Report) Provisional() bool { return r != nil && r.InProgress != nil }

// Incomplete reports whether the report says it is incomplete (it has
// reasons). A report from before the field existed has neither.
func (r *Report) Incomplete() bool { return len(r.IncompleteReasons) > 0 }

// Host describes the computer the check ran on.
type Host struct {
	OS      string     `json:"os"`
	Usbmuxd UsbmuxdRef `json:"usbmuxd"`
}

// Usbmuxd status values.
const (
	UsbmuxdOK            = "ok"
	UsbmuxdUnreachable   = "unreachable"
	UsbmuxdNotResponding = "not_responding"
	UsbmuxdError         = "error"
)

// UsbmuxdRef is where usbmuxd (or Apple Mobile Device Service) was looked for
// and what state it was in.
type UsbmuxdRef struct {
	Address string `json:"address"`
	Status  string `json:"status"` // ok | unreachable | not_responding | error
}

// Device is one physical phone as seen through USB, usbmuxd and lockdownd.
type Device struct {
	// Key identifies the phone within the report; a redacted hash unless
	// identifiers are included.
	Key       string        `json:"key"`
	Mode      string        `json:"mode"` // normal|restore|recovery|dfu|wtf|port-dfu|unknown
	Model     Model         `json:"model"`
	USB       USB           `json:"usb"`
	Usbmux    Usbmux        `json:"usbmux"`
	Lockdown  Lockdown      `json:"lockdown"`
	Stability Stability     `json:"stability"`
	Recovery  *RecoveryInfo `json:"recovery,omitempty"`
}

// Model is what the phone is, by name and recovery-button family.
type Model struct {
	ProductType     string `json:"product_type"`
	Name            string `json:"name"`
	RecoveryButtons string `json:"recovery_buttons"` // face-id-or-8-later|iphone-7|home-button|ipad-no-home-button|unknown
}

// USB is the phone's USB link.
type USB struct {
	Present   bool    `json:"present"`
	VendorID  string  `json:"vendor_id"`  // "05ac"
	ProductID string  `json:"product_id"` // "12a8"
	SpeedMbps float64 `json:"speed_mbps"`
	Bus       int     `json:"bus"`
	PortPath  []int   `json:"port_path"`
	BehindHub bool    `json:"behind_hub"`
}

// Usbmux says whether usbmuxd lists the phone.
type Usbmux struct {
	Listed bool `json:"listed"`
}

// Lockdown is what lockdownd answered and how fast.
type Lockdown struct {
	Reachable      bool   `json:"reachable"`
	ProductVersion string `json:"product_version"`
	// Trusted is nil when trust could not be determined.
	Trusted  *bool `json:"trusted"`
	RTTms    RTT   `json:"rtt_ms"`
	Requests int   `json:"requests"`
	Timeouts int   `json:"timeouts"`
	Failures int   `json:"failures"`
}

// RTT is a round-trip-time summary in milliseconds.
type RTT struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	Max float64 `json:"max"`
}

// Stability counts how often the phone left and came back in the sampling window.
type Stability struct {
	WindowS  float64 `json:"window_s"`
	Detaches int     `json:"detaches"`
	Attaches int     `json:"attaches"`
}

// RecoveryInfo is the parsed recovery/DFU serial string (iBoot's USB serial).
// Identifier fields (ECID, SRNM, IMEI, nonces) are redacted on export.
type RecoveryInfo struct {
	CPID string `json:"cpid,omitempty"`
	CPRV string `json:"cprv,omitempty"`
	CPFM string `json:"cpfm,omitempty"`
	SCEP string `json:"scep,omitempty"`
	BDID string `json:"bdid,omitempty"`
	ECID string `json:"ecid,omitempty"`
	IBFL string `json:"ibfl,omitempty"`
	SRTG string `json:"srtg,omitempty"`
	SRNM string `json:"srnm,omitempty"`
	IMEI string `json:"imei,omitempty"`
	NONC string `json:"nonc,omitempty"`
	SNON string `json:"snon,omitempty"`
	SDOM string `json:"sdom,omitempty"`
}

// Check status values.
const (
	StatusPass        = "pass"
	StatusWarn        = "warn"
	StatusFail        = "fail"
	StatusSkipped     = "skipped"
	StatusUnsupported = "unsupported"
	StatusError       = "error"
)

// Check is the outcome of one check.
type Check struct {
	ID         string  `json:"id"`
	Status     string  `json:"status"` // pass|warn|fail|skipped|unsupported|error
	DurationMs float64 `json:"duration_ms"`
	Detail     string  `json:"detail"`
}

// Severity values.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Finding is a fact with a stable id, its evidence and the steps it supports.
type Finding struct {
	ID       string         `json:"id"`
	Severity string         `json:"severity"` // info|warning|critical
	Summary  string         `json:"summary"`
	Evidence map[string]any `json:"evidence"`
	Steps    []int          `json:"steps"`
	// DeviceKey names the device the finding concerns ("" for host findings).
	DeviceKey string `json:"device_key,omitempty"`
}

// Confidence values.
const (
	ConfidenceHigh   = "high"
	ConfidenceMedium = "medium"
	ConfidenceLow    = "low"
)

// Step is one of the six fix steps with the verdict for it.
type Step struct {
	Number     int      `json:"number"`
	Title      string   `json:"title"`
	Applies    bool     `json:"applies"`
	Rank       *int     `json:"rank"`
	Confidence *string  `json:"confidence"` // high|medium|low|null
	Reasons    []string `json:"reasons"`
}

// Professional says whether to see a repair professional, and why.
type Professional struct {
	Recommended bool     `json:"recommended"`
	Reasons     []string `json:"reasons"`
}
