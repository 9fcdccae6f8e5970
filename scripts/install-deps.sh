#!/usr/bin/env bash
# Installs the Debian packages Restore Doctor needs to build, run and test,
# only those that are missing. Runs apt-get as root (directly, or through sudo).
set -euo pipefail

packages=(
	gcc pkg-config
	libusb-1.0-0-dev            # gousb (cgo) links libusb
	xorg-dev libgl1-mesa-dev    # Fyne (GLFW/OpenGL)
	umockdev                    # fake USB devices for tests
	xvfb xdotool x11-utils imagemagick # GUI smoke test and screenshots
	usbmuxd                     # the real daemon: Linux users need it at run time
	libimobiledevice-utils      # idevice_id / ideviceinfo: the outside client the simulator is checked against
	fonts-wqy-microhei          # a CJK font: Japanese/Korean/Chinese in the window (Fyne falls back to OS fonts) and the timeline picture
)
case "${1:-}" in
--runtime)
	packages=(gcc pkg-config libusb-1.0-0-dev xorg-dev libgl1-mesa-dev usbmuxd fonts-wqy-microhei)
	;;
--windows)
	# Cross-building and testing the Windows .exe (scripts/windows-*.sh).
	packages=(
		gcc pkg-config               # the host fyne tool and restoredoctor-sim
		gcc-mingw-w64-x86-64         # cgo for windows/amd64: libusb, GLFW
		npm                          # fetches the pinned libusb source tarball (usb@2.17.0)
		nsis                         # the installer
		wine wine64 libwine          # runs the .exe and `go test -exec` under Xvfb
		xvfb x11-utils imagemagick   # a display for Wine and the screenshot
		fonts-wqy-microhei           # copied into the Wine prefix: the window in Chinese under Wine
	)
	;;
esac

missing=()
for p in "${packages[@]}"; do
	# npm may come from a nodejs that is not Debian's (and conflicts with Debian's npm).
	if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then SUDO=sudo; else
		echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
