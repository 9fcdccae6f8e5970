package report

// Evidence keys: the names checks use in Finding.Evidence and the rules read
// back to explain a step ("the iPhone dropped off USB 3 times in 10 s").
// Values are JSON-friendly: numbers as int or float64, lists as []string or
// []int. A check may add other keys; these are the ones the rules understand.
// Stable: add, never rename.
const (
	// EvDetaches is how often the phone left the bus within EvWindowS (int).
	EvDetaches = "detaches"
	// EvAttaches is how often it came back (int).
	EvAttaches = "attaches"
	// EvWindowS is the sampling window in seconds (number).
	EvWindowS = "window_s"
	// EvFlaps is how often it came back in the same mode after a detach (int):
	// the drops that count as instability (a re-attach in another mode is a
	// mode change, expected during a restore).
	EvFlaps = "flaps"
	// EvSource says which event source saw a flap: "usb", "usbmux" or "usb+usbmux".
	EvSource = "source"

	// EvSpeedMbps is the negotiated USB speed (number: 1.5, 12, 480, 5000…).
	EvSpeedMbps = "speed_mbps"
	// EvExpectedMbps is the speed the phone should have negotiated (480).
	EvExpectedMbps = "expected_mbps"
	// EvPortPath is the chain of hub ports ([]int).
	EvPortPath = "port_path"
	// EvHubDepth is the number of hubs between the computer and the phone (int).
	EvHubDepth = "hub_depth"

	// EvRequests is the number of requests made (int).
	EvRequests = "requests"
	// EvTimeouts is the number of requests that timed out (int).
	EvTimeouts = "timeouts"
	// EvFailures is the number of requests that failed otherwise (int).
	EvFailures = "failures"
	// EvP95Ms is the 95th-percentile round trip in milliseconds (number).
	EvP95Ms = "p95_ms"
	// EvThresholdMs is the threshold the round trip was compared to (number).
	EvThresholdMs = "threshold_ms"
	// EvTimeoutMs is the deadline that expired, in milliseconds (number).
	EvTimeoutMs = "timeout_ms"

	// EvMode is the phone's mode (string, one of Modes).
	EvMode = "mode"
	// EvProductID is the USB product id as 4 hex digits (string).
	EvProductID = "product_id"

	// EvAddress is the usbmuxd address tried (string).
	EvAddress = "address"
	// EvError is the error text, already free of identifiers where possible (string).
	EvError = "error"

	// EvHost is the host name concerned (string).
	EvHost = "host"
	// EvHosts lists host names concerned ([]string).
	EvHosts = "hosts"
	// EvStage is where a network probe failed: "dns", "tcp" or "tls" (string).
	EvStage = "stage"
	// EvRedirectsTo is the address a hosts-file line points an Apple host to (string).
	EvRedirectsTo = "redirects_to"
	// EvPath is a file path (string), e.g. the hosts file.
	EvPath = "path"
	// EvProducts lists security products found active ([]string).
	EvProducts = "products"
	// EvFailedHosts lists the Apple servers that could not be reached ([]string, "host:port").
	EvFailedHosts = "failed_hosts"
	// EvRestoreHosts lists the Apple restore hosts a hosts file redirects ([]string).
	EvRestoreHosts = "restore_hosts"
	// EvActiveThirdParty lists the active third-party security products ([]string).
	EvActiveThirdParty = "active_third_party"
	// EvProblems lists problems in words ([]string), e.g. outdated components.
	EvProblems = "problems"
	// EvComponent names an outdated component (string), e.g. "usbmuxd".
	EvComponent = "component"
	// EvVersion is the installed version (string).
	EvVersion = "version"
	// EvMinimum is the minimum version needed (string).
	EvMinimum = "minimum"

	// Identifier-bearing keys: always redacted on export (see Redact).

	// EvUDID is a device UDID (string).
	EvUDID = "udid"
	// EvSerial is a USB or hardware serial number (string).
	EvSerial = "serial"
	// EvECID is the chip id (string, hex).
	EvECID = "ecid"
	// EvDeviceName is the user-chosen device name (string).
	EvDeviceName = "device_name"
)
