"""The icons and the desktop entry: package data the wheel declares and the app finds with
importlib.resources; the Windows and macOS icon files beside their SVG source (fast tests).

The wheel itself is built and frozen by the slow tests (test_frozen_app.py)."""

from __future__ import annotations

import fnmatch
import struct
import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DATA = ROOT / "desktop_tracker" / "resources"
SOURCES = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_every_icon_size_is_package_data_declared_in_pyproject():
    with (ROOT / "pyproject.toml").open("rb") as file:
        patterns = tomllib.load(file)["tool"]["setuptools"]["package-data"][
            "desktop_tracker.resources"
        ]
    shipped = [
        p.relative_to(PACKAGE_DATA).as_posix() for p in PACKAGE_DATA.rglob("*") if p.is_file()
    ]
    declared = {f for f in shipped if any(fnmatch.fnmatch(f, pattern) for pattern in patterns)}
    assert "desktop-tracker.desktop" in declared
    for name in ("desktop-tracker", "desktop-tracker-unread"):
        assert (SOURCES / f"{name}.svg").is_file()
        for size in SIZES:
            assert f"icons/{name}-{size}.png" in declared
            assert png_size(PACKAGE_DATA / "icons" / f"{name}-{size}.png") == (size, size)
    undeclared = {f for f in shipped if f not in declared and not f.endswith((".py", ".pyc"))}
    assert not undeclared, f"in the package folder but not in the wheel: {undeclared}"


def test_the_app_finds_its_icons_through_importlib_resources():
    from desktop_tracker.gui.tray import icon_path, icons_dir

    data = resources.files("desktop_tracker.resources")
    assert (data / "desktop-tracker.desktop").is_file()
    assert icons_dir() == Path(str(data / "icons"))
    assert icon_path(512) == icons_dir() / "desktop-tracker-512.png"


def test_the_windows_icon_holds_every_size_windows_asks_for():
    data = (SOURCES / "desktop-tracker.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = {data[6 + 16 * i] or 256 for i in range(count)}  # width byte: 0 means 256
    assert sizes == {16, 24, 32, 48, 64, 128, 256}


def test_the_macos_icon_is_an_icns_with_retina_sizes():
    data = (SOURCES / "desktop-tracker.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    kinds, offset = set(), 8
    while offset < len(data):
        kind, length = (
            data[offset : offset + 4],
            struct.unpack(">I", data[offset + 4 : offset + 8])[0],
        )
        kinds.add(kind.decode("ascii"))
        offset += length
    # 128, 256, 512 and 512@2x (1024), and the @2x of 16 and 32.
    assert {"ic07", "ic08", "ic09", "ic10", "ic11", "ic12"} <= kinds, kinds
