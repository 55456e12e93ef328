"""Render the app icon from its SVGs: `python resources/icons/render_icons.py`.

The SVGs here are the sources. Run this again after editing one; what it makes is committed:
- desktop_tracker/resources/icons/NAME-SIZE.png, 16–512 px: package data (the wheel and the
  frozen app carry it), used by the window, the tray, the notifications and the Linux packages;
- desktop-tracker.ico (Windows: the .exe and the installer) and desktop-tracker.icns (macOS: the
  .app), here, written with Pillow (`pip install -e '.[packaging]'`); without Pillow they are
  left as they are.
Sizes are those icon themes, trays, Windows and macOS ask for.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
PACKAGE_ICONS = HERE.parent.parent / "desktop_tracker" / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # what Windows picks from: Explorer, taskbar, title
SOURCES = ("desktop-tracker", "desktop-tracker-unread")


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for name in SOURCES:
        for size in SIZES:
            target = PACKAGE_ICONS / f"{name}-{size}.png"
            if not render(HERE / f"{name}.svg", size).save(str(target), "PNG"):
                raise SystemExit(f"cannot write {target}")
            print(target.relative_to(HERE.parent.parent))
    write_ico_and_icns(SOURCES[0])
    return 0


def write_ico_and_icns(name: str) -> None:
    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed: the .ico and .icns are left as they are", file=sys.stderr)
        return
    images = {
        size: Image.open(PACKAGE_ICONS / f"{name}-{size}.png").convert("RGBA") for size in SIZES
    }
    # Every size drawn from the SVG, none scaled by Pillow: the ICO's frames are its append_images.
    ico = HERE / f"{name}.ico"
    images[256].save(ico, sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES if s != 256])  # fmt: skip
    print(ico.relative_to(HERE.parent.parent))
    # ICNS: 16–512 and the @2x of each up to 512 (1024 is the 512@2x, rendered for it).
    big = Image.frombytes("RGBA", (1024, 1024), _rgba(render(HERE / f"{name}.svg", 1024)))
    icns = HERE / f"{name}.icns"
    big.save(icns, append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)])
    print(icns.relative_to(HERE.parent.parent))


def _rgba(image: QImage) -> bytes:
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    return bytes(converted.constBits())[: converted.sizeInBytes()]


if __name__ == "__main__":
    sys.exit(main())
