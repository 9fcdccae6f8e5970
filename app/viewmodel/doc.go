// Package viewmodel turns what the diagnostics engine knows (reports, live
// device events, host status, the step catalogue) into plain structs the
// Fyne widgets of package app render: the device card, the verdict line, the
// ranked step cards, the before/after changes and the stability strip.
//
// Everything here is a pure function of its inputs so it is tested with table
// tests and no window. It imports report and mode types only: no Fyne, no
// USB, no sockets, and nothing from package app.
package viewmodel
