// Package speed names negotiated USB speeds. It is apart from device/usb
// (libusb through cgo) so that the rules and the restore verdicts, which
// only word a speed, need nothing else.
package speed

// Name names a negotiated USB speed in Mbit/s by the USB specification's
// words: "low speed" (1.5), "full speed" (12), "high speed" (480),
// "SuperSpeed" (5000 and up); "" when unknown (0).
func Name(mbps float64) string {
	switch {
	case mbps <= 0:
		return ""
	case mbps <= 1.5:
		return "low speed"
	case mbps <= 12:
		return "full speed"
	case mbps <= 480:
		return "high speed"
	}
	return "SuperSpeed"
}
