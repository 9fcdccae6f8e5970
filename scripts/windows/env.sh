# shellcheck shell=bash
# Shared settings of the Windows scripts (sourced, not run): pinned versions,
# checksums and the cache directory. Everything built here from outside
# sources is keyed by its checksum, so a new pin never reuses an old build.

# libusb 1.0.29 source, as shipped in the npm package usb 2.17.0 (usb 3.x no longer carries it).
USB_NPM_SPEC="usb@2.17.0"
USB_NPM_TARBALL="https://registry.npmjs.org/usb/-/usb-2.17.0.tgz"
USB_NPM_SHA512="UuFgrlglgDn5ll6d5l7kl3nDb2Yx43qLUGcDq+7UNLZLtbNug0HZBb2Xodhgx2JZB1LqvU+dOGqLEeYUeZqsHg=="
LIBUSB_VERSION="1.0.29"
# The fyne packaging tool, built for the host.
FYNE_TOOL_VERSION="v1.7.4"

MINGW_CC="x86_64-w64-mingw32-gcc"
MINGW_CXX="x86_64-w64-mingw32-g++"
MINGW_AR="x86_64-w64-mingw32-ar"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${RESTOREDOCTOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/restoredoctor}"
LIBUSB_OUT="$CACHE/libusb-mingw64-${LIBUSB_VERSION}-$(printf %s "$USB_NPM_SHA512" | tr -dc 'A-Za-z0-9' | cut -c1-16)"
FYNE_BIN="$CACHE/fyne-${FYNE_TOOL_VERSION}/bin"
WINEPREFIX_DIR="${RESTOREDOCTOR_WINEPREFIX:-$CACHE/wineprefix}"
VERSION="$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' "$ROOT/FyneApp.toml" | head -n1)"

# windows_go_env exports what go needs to cross-build the cgo parts for windows/amd64.
windows_go_env() {
	export CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$MINGW_CC" CXX="$MINGW_CXX"
	# gousb asks pkg-config for libusb-1.0: point it at our static build only.
	export PKG_CONFIG_LIBDIR="$LIBUSB_OUT/lib/pkgconfig"
}

log() { echo "windows: $*" >&2; }
