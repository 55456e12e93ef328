#!/usr/bin/env bash
# The README's pictures under a real X server with a window manager, so that windows have their
# title bars. Needs Debian's xvfb, openbox and imagemagick (apt install xvfb openbox imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
display=:93
Xvfb "$display" -screen 0 1440x900x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$openbox" "$xvfb" 2>/dev/null || true' EXIT
sleep 1
DISPLAY=$display openbox >/dev/null 2>&1 &
openbox=$!
sleep 1
DISPLAY=$display QT_QPA_PLATFORM=xcb SCREENSHOTS_DATA=${SCREENSHOTS_DATA:-} .venv/bin/python -X faulthandler docs/screenshots.py
