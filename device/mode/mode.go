// Package mode names the USB identities an Apple device passes through while it
// is used and restored (normal, restore, recovery, DFU, …) and classifies a USB
// product id into one of them. It owns no I/O and imports nothing of the project.
package mode

// Mode is the state an Apple device is in, as seen on USB and through lockdownd.
// The string values are the report contract's `devices[].mode` values.
type Mode string

// The modes of the report contract.
const (
	Normal   Mode = "normal"   // iOS booted; lockdownd answers com.apple.mobile.lockdown
	Restore  Mode = "restore"  // restore ramdisk; same product ids as normal, lockdownd answers com.apple.mobile.restored
	Recovery Mode = "recovery" // iBoot recovery mode (0x1280–0x1283)
	DFU      Mode = "dfu"      // SecureROM DFU (0x1227)
	WTF      Mode = "wtf"      // older "WTF" DFU stage (0x1222)
	PortDFU  Mode = "port-dfu" // port DFU of newer devices (0xF014)
	Unknown  Mode = "unknown"  // an Apple product id we do not classify
)

// AppleVendorID is Apple's USB vendor id.
const AppleVendorID uint16 = 0x05AC

// FromProductID classifies an Apple USB product id. Normal covers 0x1290–0x12AF,
// the range usbmuxd itself accepts; restore mode shares it and can only be told
// apart through lockdownd's QueryType.
func FromProductID(pid uint16) Mode {
	switch {
	case pid >= 0x1290 && pid <= 0x12AF:
		return Normal
	case pid >= 0x1280 && pid <= 0x1283:
		return Recovery
	case pid == 0x1227:
		return DFU
	case pid == 0x1222:
		return WTF
	case pid == 0xF014:
		return PortDFU
	default:
		return Unknown
	}
}

// IsLowLevel reports whether m is a boot-loader mode (recovery, DFU, WTF, port DFU)
// in which usbmuxd does not list the device and lockdownd does not run.
func (m Mode) IsLowLevel() bool {
	switch m {
	case Recovery, DFU, WTF, PortDFU:
		return true
	}
	return false
}

// Describe returns a plain-words explanation of the mode for people.
func (m Mode) Describe() string {
	switch m {
	case Normal:
		return "iOS is running normally"
	case Restore:
		return "a restore is in progress (the phone runs the restore system)"
	case Recovery:
		return "recovery mode: the phone waits for a computer to update or restore it"
	case DFU:
		return "DFU mode: the lowest-level restore mode, the screen stays black"
	case WTF:
		return "an early DFU stage of older devices"
	case PortDFU:
		return "port DFU mode: a low-level restore mode of newer devices"
	default:
		return "an Apple device in a mode this tool does not recognise"
	}
}
