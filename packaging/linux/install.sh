#!/bin/sh
# Install desktop_tracker for you alone, in your own menu: no root needed.
#
#   ./install.sh              copy the app to ~/.local/opt/desktop-tracker, link
#                             ~/.local/bin/desktop-tracker, add the menu entry and the icons
#   ./install.sh --uninstall  remove all of that again (your trackers and data stay, in
#                             ~/.local/share/desktop-tracker)
#
# Honours XDG_DATA_HOME (default ~/.local/share) and PREFIX (default ~/.local).
set -eu

APP=desktop-tracker
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-"$HOME/.local"}
DATA_HOME=${XDG_DATA_HOME:-"$HOME/.local/share"}
TARGET="$PREFIX/opt/$APP"
BIN="$PREFIX/bin"
ENTRY="$DATA_HOME/applications/$APP.desktop"
ICONS="$DATA_HOME/icons/hicolor"

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$DATA_HOME/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$ICONS/index.theme" ]; then
        gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$TARGET"
    rm -f "$BIN/$APP" "$ENTRY"
    for icon in "$ICONS"/*/apps/"$APP".png "$ICONS"/scalable/apps/"$APP".svg; do
        rm -f "$icon"
    done
    refresh_caches
    echo "desktop_tracker removed (your data is still in $DATA_HOME/$APP)."
    exit 0
fi
if [ $# -gt 0 ]; then
    echo "usage: $0 [--uninstall]" >&2
    exit 2
fi

# The app: a fresh copy, replacing an earlier one whole (no stale files left behind).
mkdir -p "$PREFIX/opt" "$BIN"
rm -rf "$TARGET.new"
cp -R "$HERE/app" "$TARGET.new"
rm -rf "$TARGET"
mv "$TARGET.new" "$TARGET"
ln -sf "$TARGET/$APP" "$BIN/$APP"

# The icons, at every size, under hicolor (the theme every desktop falls back to).
(cd "$HERE/share/icons/hicolor" && find . -type f) | while read -r icon; do
    mkdir -p "$ICONS/$(dirname "$icon")"
    cp "$HERE/share/icons/hicolor/$icon" "$ICONS/$icon"
done

# The menu entry, pointing at this copy: ~/.local/bin is not on every desktop session's PATH.
mkdir -p "$DATA_HOME/applications"
sed -e "s|^Exec=.*|Exec=$TARGET/$APP|" -e "s|^TryExec=.*|TryExec=$TARGET/$APP|" \
    "$HERE/share/applications/$APP.desktop" > "$ENTRY.tmp"
chmod 644 "$ENTRY.tmp"
mv "$ENTRY.tmp" "$ENTRY"
refresh_caches

echo "desktop_tracker installed: in your menu, and as $BIN/$APP."
case ":$PATH:" in
    *":$BIN:"*) ;;
    *) echo "($BIN is not on your PATH: add it to run desktop-tracker from a terminal.)" ;;
esac
