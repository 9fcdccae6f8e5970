#!/usr/bin/env bash
# Build the Linux desktop bundle of Restore Doctor with `fyne package`
# (metadata and icon from FyneApp.toml) into dist/:
#   dist/restoredoctor-VERSION-linux-ARCH.tar.xz  (usr/local/bin/restoredoctor, the .desktop
#   file, the icon, and a Makefile whose `make install` puts them in place)
# The fyne tool is run at a pinned version through the Go module proxy.
set -euo pipefail

FYNE_TOOL="fyne.io/tools/cmd/fyne@v1.7.4"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

version="$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml | head -n1)"
mkdir -p dist
export LANG="${LANG:-en_US.UTF-8}"
# fyne package merges -ldflags from GOFLAGS into its build: stamp the version.
export GOFLAGS="${GOFLAGS:-} -ldflags=-X=main.version=${version}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "package: Restore Doctor ${version} for linux/$(go env GOARCH)"
# fyne package writes a temporary metadata file into --src while it builds, so
# it works on a copy of the tree, never on the checkout others may be building.
mkdir -p "$work/src" "$work/out"
tar -C "$root" --exclude=./.git --exclude=./dist --exclude=./bin -cf - . | tar -C "$work/src" -xf -
(
  cd "$work/out"
  go run "$FYNE_TOOL" package -os linux --release \
    --src "$work/src/cmd/restoredoctor" \
    --icon "$work/src/assets/icon/restoredoctor.png" \
    --name "Restore Doctor" --app-id io.github.restoredoctor --app-version "$version" \
    --exe restoredoctor
)
shopt -s nullglob
bundles=("$work/out"/*.tar.xz)
if [ ${#bundles[@]} -eq 0 ]; then
  echo "package: fyne package produced no .tar.xz in $work/out" >&2
  ls -la "$work/out" >&2
  exit 1
fi
out="dist/restoredoctor-${version}-linux-$(go env GOARCH).tar.xz"
mv -f "${bundles[0]}" "$out"
echo "package: wrote $out"
tar -tJf "$out" | sed 's/^/  /'
# The bundled binary must start (it prints its version without a display).
tar -C "$work" -xJf "$out" restoredoctor/usr/local/bin/restoredoctor
"$work/restoredoctor/usr/local/bin/restoredoctor" version
