"""Render the app icon's PNGs from its SVGs: `python resources/icons/render_icons.py`.

Run it again after editing an SVG; the PNGs are committed so the app, the tray and packaging need
no SVG support at run time. Sizes are those icon themes and trays ask for.
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
SIZES = (16, 32, 48, 64, 128, 256)
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
            target = HERE / f"{name}-{size}.png"
            if not render(HERE / f"{name}.svg", size).save(str(target), "PNG"):
                raise SystemExit(f"cannot write {target}")
            print(target.relative_to(HERE.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
