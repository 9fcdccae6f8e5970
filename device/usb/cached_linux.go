//go:build cgo && linux

package usb

/*
#include <stdio.h>
#include <stdlib.h>

// rd_read_attr reads a sysfs attribute through libc (so that umockdev's
// preload, which wraps libc, sees it as libusb's reads are seen).
static int rd_read_attr(const char *path, char *buf, int n) {
	FILE *f = fopen(path, "r");
	if (f == NULL) return -1;
	size_t r = fread(buf, 1, (size_t)(n - 1), f);
	fclose(f);
	buf[r] = 0;
	return (int)r;
}
*/
import "C"

import (
	"errors"
	"strconv"
	"strings"
	"unsafe"
)

var errNoCachedSerial = errors.New("the kernel has no cached serial string for this device")

// cachedSerial is the serial string the kernel read from the device when it
// enumerated it, from sysfs (/sys/bus/usb/devices/<bus>-<ports>/serial):
// no transfer to the device. It goes through libc, not Go's os package, so
// a umockdev testbed's sysfs is the one read.
func cachedSerial(d Device) (string, error) { return cachedAttr(d, "serial") }

// cachedAttr reads the sysfs attribute attr ("serial", "product") of d.
func cachedAttr(d Device, attr string) (string, error) {
	if d.Bus <= 0 || len(d.PortPath) == 0 {
		return "", errNoCachedSerial
	}
	var b strings.Builder
	b.WriteString("/sys/bus/usb/devices/")
	b.WriteString(strconv.Itoa(d.Bus))
	b.WriteByte('-')
	for i, p := range d.PortPath {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(p))
	}
	b.WriteByte('/')
	b.WriteString(attr)
	path := C.CString(b.String())
	defer C.free(unsafe.Pointer(path))
	buf := make([]byte, maxSerial+1)
	n := C.rd_read_attr(path, (*C.char)(unsafe.Pointer(&buf[0])), C.int(len(buf)))
	if n < 0 {
		return "", errNoCachedSerial
	}
	return strings.TrimRight(string(buf[:n]), "\n"), nil
}
