// Package diagnostics runs Restore Doctor's checks: it gathers device facts
// (USB, usbmuxd, lockdownd) and host facts, runs every check concurrently under
// its own deadline with progress and cancellation, turns the findings into
// steps through diagnostics/rules and returns a diagnostics/report.Report.
// The stability window is a device.Monitor, the same counting the live view
// uses. Host probes are explicit (Config.Host): SystemHostChecks in
// production, fakes in tests; an engine without them probes nothing of this
// computer. diagnostics/session wraps the Engine with the live view for the
// window, `watch` and `check`.
//
// It imports device/ packages and its own sub-packages; it must not import
// app/ or anything that initialises a GUI.
package diagnostics
