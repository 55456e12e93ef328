#!/usr/bin/env bash
# The macOS disk image: make_dmg.sh path/to/desktop_tracker.app path/to/out.dmg
# The .app beside a link to /Applications, compressed (UDZO), with hdiutil (macOS only).
# Called by packaging/build.py on macOS (CI: .github/workflows/release.yml).
set -euo pipefail
app=$1
out=$2
[ -d "$app" ] || { echo "no app bundle at $app" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
# Not signed or notarised: users open it the first time with right-click → Open. With a
# Developer ID, sign here: codesign --deep --force --options runtime -s "$IDENTITY" "$stage"/*.app
rm -f "$out"
hdiutil create -volname "desktop_tracker" -srcfolder "$stage" -ov -format UDZO -fs HFS+ "$out"
hdiutil verify "$out"
