// Package sim is a usbmuxd + lockdownd simulator that speaks the real wire
// protocols on a real socket, for tests, demos and benchmarks: usbmuxd's
// 16-byte little-endian header + plist frames (ListDevices, Listen with
// Attached/Detached events, Connect, ReadPairRecord, ReadBUID, ListListeners,
// Save/DeletePairRecord) and, behind Connect to port 62078, lockdownd's 4-byte
// big-endian length + plist frames (QueryType, GetValue, ValidatePair, Pair,
// StartSession without TLS, StopSession, Goodbye). Scenarios inject the faults
// Restore Doctor diagnoses: flapping, slow or dropping lockdownd, untrusted
// phones, a hung or garbage-speaking usbmuxd, full-speed links, hubs and
// phones in recovery, DFU or restore mode. The message shapes follow
// libimobiledevice's usbmuxd (src/client.c), libusbmuxd and lockdown.c; the
// cross-check test runs idevice_id and ideviceinfo against it.
//
// It owns only the simulator; it imports device/mode and device/usb (types and
// the Source interface) and nothing from diagnostics/ or app/. Real TLS
// lockdown sessions are not simulated: StartSession on a trusted phone answers
// EnableSessionSSL=false.
package sim
