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
// Benchmarks time clients against it, so its own plist work is done once per
// distinct message: a request payload seen before is not decoded again, and
// the encoded answers of requests that depend only on the phone and the
// session state are kept per attached phone (wirecache.go). The bytes on the
// wire are the same as without the caches.
//
// Addresses: go-ios takes Server.Addr ("unix:///path" or "127.0.0.1:port");
// libusbmuxd 2.0 (libimobiledevice 1.3) only takes "UNIX:/path" or
// "host:port" in USBMUXD_SOCKET_ADDRESS (Server.LibimobiledeviceAddr) and
// silently falls back to /var/run/usbmuxd for "unix:///path" or a bare path.
//
// Results follow usbmuxd: Connect to an unknown (or recovery/DFU) device
// answers 2 (BADDEV), to a port other than 62078 answers 3 (CONNREFUSED); a
// missing pair record answers 2 (ENOENT); an unknown MessageType 1.
//
// It owns only the simulator; it imports device/mode and device/usb (types and
// the Source interface) and nothing from diagnostics/ or app/. Real TLS
// lockdown sessions are not simulated: StartSession on a trusted phone answers
// EnableSessionSSL=false.
package sim
