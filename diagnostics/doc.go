// Package diagnostics runs Restore Doctor's checks: it gathers device facts
// (USB, usbmuxd, lockdownd) and host facts, runs every check concurrently under
// its own deadline with progress and cancellation, turns the findings into
// steps through diagnostics/rules and returns a diagnostics/report.Report.
// Engine is the single entry point shared by the CLI and the GUI.
//
// It imports device/ packages and its own sub-packages; it must not import
// app/ or anything that initialises a GUI.
package diagnostics
