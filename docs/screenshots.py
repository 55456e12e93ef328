"""Render the main window, the tracker editor and a history diff with demo data, to docs/*.png.

    .venv/bin/python docs/screenshots.py

Offscreen (no display needed): a local HTTP server plays a small shop whose checkout page changes
between checks (a new third-party script, a library whose bytes no longer match its integrity
attribute), in a throw-away data directory. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_tracker.core.retry import RetryStrategy  # noqa: E402
from desktop_tracker.domain.trackers import Tracker  # noqa: E402
from desktop_tracker.gui.app import DesktopApp  # noqa: E402
from desktop_tracker.gui.single_instance import server_name  # noqa: E402
from desktop_tracker.gui.tracker_editor import TrackerEditor  # noqa: E402
from tests.support.http_server import LocalServer  # noqa: E402

OUT = ROOT / "docs"


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def checkout(server: LocalServer, *, changed: bool) -> str:
    lib = b"/* payment lib 3.2 */"
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
        server.route("/js/payment.js", b"/* payment lib 3.2 */", content_type="text/javascript")
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
        server.route(
            "/js/payment.js", b"/* payment lib 3.2 */ skim()", content_type="text/javascript"
        )
        server.route("/checkout", checkout(server, changed=True))
        assert shop.id is not None
        await (await trackers.check_now(shop.id))  # type: ignore[misc]
        await asyncio.sleep(0.6)  # the table and inbox pick the events up

        window = app.window
        window.resize(1280, 560)
        window.refresh()
        await asyncio.sleep(0.4)
        window.grab().save(str(OUT / "main-window.png"))

        editor = TrackerEditor(window, shop, ["Blog", "Docs"])
        editor.show()
        await asyncio.sleep(0.3)
        editor.grab().save(str(OUT / "tracker-editor.png"))
        editor.close()

        window.open_history(shop.id)
        history = window._history_windows[shop.id]
        history.resize(1200, 640)
        await asyncio.sleep(1.0)
        history.grab().save(str(OUT / "history-diff.png"))

        app.quit.set()
        await running
    print("wrote", ", ".join(p.name for p in sorted(OUT.glob("*.png"))))


def main() -> None:
    qt = QApplication.instance() or QApplication([])
    qt.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qt)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder:
        loop.run_until_complete(make(Path(folder) / "data"))


if __name__ == "__main__":
    main()
