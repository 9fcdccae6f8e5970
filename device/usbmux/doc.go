// Package usbmux talks to usbmuxd (Linux/macOS) or Apple Mobile Device Service
// (Windows) and, through it, to lockdownd on a phone, using go-ios for the wire
// messages and adding what go-ios lacks: an address parser that never panics,
// deadlines on every dial and read, cancellation, frame-size and plist checks
// before allocation, reconnecting device notifications, a trust check without
// pairing and a lockdown round-trip probe.
//
// It owns every socket to usbmuxd in the project. It imports nothing from
// diagnostics/ or app/ and must not: it reports raw facts (statuses, entries,
// values, timings), never findings.
package usbmux
