//go:build !(cgo && linux)

package usb

// The umockdev child process (umockdev_test.go) needs Linux and libusb; on
// other builds TestMain recognises the variable but has nothing to run.
const childEnv = "RESTOREDOCTOR_USB_UMOCKDEV_CHILD"

func childMain(string) int { return 2 }
