// Package faults holds the fault suite: plain `go test` tests (run by
// `make test`, never skipped) that drive the real adapters and the real
// binaries into the failures Restore Doctor must survive: a hung usbmuxd,
// garbage frames announcing 4 GB, a phone detached mid-probe, 1000
// attach/detach flaps, usbmuxd restarted mid-watch, corrupt and huge input
// files, a TLS server that stalls. Each test asserts the outcome (the right
// error or finding, returned before its deadline plus generous slack, no
// panic, goroutines back to baseline, peak heap under 64 MB), never an exact
// duration.
//
// It lives under cmd/ because cmd/ is the top layer it needs: its tests
// build and run the cmd/ binaries, and import diagnostics/ and device/. It
// has no non-test code and is imported by nothing.
package faults
