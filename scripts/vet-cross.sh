#!/usr/bin/env bash
# go vet for the operating systems this machine cannot build the GUI for:
# windows and darwin (amd64 and arm64) with CGO_ENABLED=0. Every package is
# vetted except those that need cgo by nature: they import GLFW/OpenGL
# through Fyne's app package, and on darwin Fyne's widgets (which ask Cocoa
# for the scroller behaviour through cgo). device/usb builds without cgo and
# says USB is unavailable. The cgo packages are vetted for windows by `make
# test-windows` (mingw) and for darwin by the release workflow.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for target in windows/amd64 darwin/amd64 darwin/arm64; do
	export GOOS="${target%/*}" GOARCH="${target#*/}" CGO_ENABLED=0
	cgo_only=" github.com/go-gl/"
	[ "$GOOS" = darwin ] && cgo_only="$cgo_only fyne.io/fyne/v2/internal/widget "
	pkgs=() skipped=()
	while read -r pkg deps; do
		skip=""
		for c in $cgo_only; do
			case " $deps " in *" $c"*) skip=1 ;; esac
		done
		if [ -n "$skip" ]; then skipped+=("$pkg"); else pkgs+=("$pkg"); fi
	done < <(go list -e -deps=false -f '{{.ImportPath}} {{join .Deps " "}}' ./...)
	echo "vet-cross: $target: ${#pkgs[@]} packages (cgo-only, skipped: ${skipped[*]##*/restoredoctor/})" >&2
	go vet "${pkgs[@]}" || status=1
	# The command-line build links no window toolkit: it must build for each OS
	# even without cgo (its tests need the cgo USB fixtures, so it is built, not vetted).
	go build -tags nowindow -o /dev/null ./cmd/restoredoctor || status=1
done
exit $status
