#!/usr/bin/env bash
# The Linux AppImage, from the one-folder build: packaging/linux/build_appimage.sh [OUT_DIR]
# Run after `python packaging/build.py` (CI: .github/workflows/release.yml on ubuntu-22.04).
# appimagetool is downloaded here (it is not packaged by Debian or Ubuntu, and fetches its
# runtime from the internet): so this runs in CI, not on machines without internet access.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-"$root/dist"}
folder="$root/build/packaging/dist/desktop-tracker"
version=$(python3 -c 'import tomllib; print(tomllib.load(open("'"$root"'/pyproject.toml", "rb"))["project"]["version"])')
arch=$(uname -m)
[ -x "$folder/desktop-tracker" ] || { echo "build the app first: python packaging/build.py" >&2; exit 1; }

appdir=$(mktemp -d)/desktop-tracker.AppDir
trap 'rm -rf "$(dirname "$appdir")"' EXIT
mkdir -p "$appdir/usr/share/applications" "$appdir/usr/share/icons/hicolor"
cp -R "$folder" "$appdir/usr/lib-desktop-tracker"
cp "$root/desktop_tracker/resources/desktop-tracker.desktop" "$appdir/desktop-tracker.desktop"
cp "$root/desktop_tracker/resources/desktop-tracker.desktop" "$appdir/usr/share/applications/"
for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "$appdir/usr/share/icons/hicolor/${size}x${size}/apps"
    cp "$root/desktop_tracker/resources/icons/desktop-tracker-$size.png" \
        "$appdir/usr/share/icons/hicolor/${size}x${size}/apps/desktop-tracker.png"
done
cp "$root/desktop_tracker/resources/icons/desktop-tracker-256.png" "$appdir/desktop-tracker.png"
cat > "$appdir/AppRun" <<'APPRUN'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
exec "$here/usr/lib-desktop-tracker/desktop-tracker" "$@"
APPRUN
chmod +x "$appdir/AppRun"

tool="$root/build/packaging/appimagetool-$arch.AppImage"
if [ ! -x "$tool" ]; then
    curl -fsSL -o "$tool" \
        "https://github.com/AppImage/appimagetool/releases/download/continuous/appimagetool-$arch.AppImage"
    chmod +x "$tool"
fi
mkdir -p "$out"
# APPIMAGE_EXTRACT_AND_RUN: no FUSE needed on the CI runner.
APPIMAGE_EXTRACT_AND_RUN=1 ARCH=$arch "$tool" --no-appstream "$appdir" \
    "$out/desktop-tracker-$version-$arch.AppImage"
echo "$out/desktop-tracker-$version-$arch.AppImage"
