// Package device joins what the USB bus (device/usb) and usbmuxd
// (device/usbmux) say into one Device per physical phone, and runs both
// watchers together as a Monitor that emits merged events and counts flaps
// per phone.
//
// It owns the correlation rules (serial/UDID, then usbmuxd LocationID) and
// the per-phone stability counters. It holds no policy: findings and steps
// belong to diagnostics/. It must not import diagnostics/ or app/.
package device
