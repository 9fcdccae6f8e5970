#!/usr/bin/env bash
# Builds a static libusb-1.0 for windows/amd64 with mingw-w64 from the C
# sources in the pinned npm tarball (checksum verified) into the cache
# (scripts/windows/env.sh: LIBUSB_OUT). A finished build is reused.
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ -f "$LIBUSB_OUT/lib/libusb-1.0.a" ] && [ -f "$LIBUSB_OUT/lib/pkgconfig/libusb-1.0.pc" ]; then
	exit 0
fi
command -v "$MINGW_CC" >/dev/null || "$ROOT/scripts/install-deps.sh" --windows

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tgz="$work/usb.tgz"
if command -v npm >/dev/null; then
	(cd "$work" && npm pack --silent "$USB_NPM_SPEC" >/dev/null && mv usb-*.tgz "$tgz")
else
	curl -fsSL --max-time 120 -o "$tgz" "$USB_NPM_TARBALL"
fi
got="$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$USB_NPM_SHA512" ]; then
	log "libusb: checksum mismatch for $USB_NPM_SPEC: got sha512-$got, want sha512-$USB_NPM_SHA512"
	exit 1
fi
tar -xzf "$tgz" -C "$work"
src="$work/package/libusb/libusb"
[ -f "$src/core.c" ] || { log "libusb: $USB_NPM_SPEC has no libusb/ sources"; exit 1; }

tmp="$LIBUSB_OUT.tmp.$$"
rm -rf "$tmp"
b="$tmp/build"
mkdir -p "$b" "$tmp/include/libusb-1.0" "$tmp/lib/pkgconfig"
# What ./configure --host=x86_64-w64-mingw32 would write (the tarball's
# msvc/config.h is MSVC-only).
cat >"$b/config.h" <<'H'
#define DEFAULT_VISIBILITY __attribute__ ((visibility ("default")))
#define PRINTF_FORMAT(a, b) __attribute__ ((__format__ (__printf__, a, b)))
#define ENABLE_LOGGING 1
#define PLATFORM_WINDOWS 1
#define HAVE_STRUCT_TIMESPEC 1
#define HAVE_SYS_TIME_H 1
#define _GNU_SOURCE 1
#define _WIN32_WINNT _WIN32_WINNT_VISTA
H
log "libusb: building $LIBUSB_VERSION for windows/amd64"
for f in core.c descriptor.c hotplug.c io.c strerror.c sync.c \
	os/events_windows.c os/threads_windows.c os/windows_common.c \
	os/windows_usbdk.c os/windows_winusb.c; do
	# -Wno-array-bounds: upstream windows_winusb.c trips it, harmlessly.
	"$MINGW_CC" -O2 -Wall -Wno-array-bounds -std=gnu11 -fno-strict-aliasing \
		-I"$b" -I"$src" -I"$src/os" -c "$src/$f" -o "$b/$(basename "$f" .c).o"
done
"$MINGW_AR" rcs "$tmp/lib/libusb-1.0.a" "$b"/*.o
cp "$src/libusb.h" "$tmp/include/libusb-1.0/"
cat >"$tmp/lib/pkgconfig/libusb-1.0.pc" <<PC
prefix=$LIBUSB_OUT
libdir=\${prefix}/lib
includedir=\${prefix}/include
Name: libusb-1.0
Description: C API for USB device access (static, mingw-w64, from $USB_NPM_SPEC)
Version: $LIBUSB_VERSION
Libs: -L\${libdir} -lusb-1.0
Cflags: -I\${includedir}/libusb-1.0
PC
rm -rf "$b"
mkdir -p "$(dirname "$LIBUSB_OUT")"
rm -rf "$LIBUSB_OUT"
mv "$tmp" "$LIBUSB_OUT"
log "libusb: $LIBUSB_OUT"
