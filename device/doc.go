// Package device is the one live model of the phones on this computer. It
// joins what the USB bus (device/usb) and usbmuxd (device/usbmux) say into
// one Device per physical phone (Merge), gives each phone one key in every
// mode and across unplug/replug (Key: its ECID where known), and runs both
// watchers together as a Monitor: the only code that turns USB and usbmuxd
// events into phones, tells restore mode from normal mode (through
// lockdownd), and counts drops, flaps and mode changes per phone with a
// timestamped history on an injectable clock.
//
// It owns the identity and correlation rules and the stability counting. It
// holds no policy: findings and steps belong to diagnostics/. It must not
// import diagnostics/ or app/.
package device
