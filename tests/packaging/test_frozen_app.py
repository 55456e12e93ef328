"""The frozen app, as users get it: built once (conftest.frozen_build), then run.

The build's `--self-test`, `check URL --json` against a local server, the schedule's words with
the system's zone files hidden; the tar.gz unpacked and installed into a home of its own; the
.deb unpacked with `dpkg-deb -x`: in each the desktop entry, the icons and a launcher that runs.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

APP = "desktop-tracker"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
TARBALL_LIMIT = 55 * 1024 * 1024
SCRIPT = b"console.log('first party');\n"
STYLE = b"body { color: #222; }\n"
PAGE = (
    b"<!doctype html><html><head>"
    b'<link rel="stylesheet" href="/site.css">'
    b'<script src="/app.js"></script>'
    b'<script src="https://cdn.third-party.invalid/lib.js"></script>'
    b"<script>var inline = 1;</script>"
    b"</head><body>hello</body></html>"
)


def run_app(executable: str | Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    return subprocess.run(
        [str(executable), *args], capture_output=True, text=True, timeout=180, env=environment
    )


@pytest.fixture
def site() -> Iterator[str]:
    files = {"/": (PAGE, "text/html"), "/app.js": (SCRIPT, "text/javascript"),
             "/site.css": (STYLE, "text/css")}  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, kind = files.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# -- the folder ---------------------------------------------------------------------------------


def test_the_frozen_app_passes_its_self_test(frozen_build):
    result = run_app(frozen_build["executable"], "--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    # One line per step, each with its time.
    for step in ("migrations", "words", "zone", "suffixes", "check", "revision", "window"):
        assert step in result.stdout, result.stdout


def test_the_frozen_app_says_it_is_frozen(frozen_build):
    result = run_app(frozen_build["executable"], "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{APP} {frozen_build['version']}")
    assert "frozen" in result.stdout.lower()


def test_check_json_of_the_frozen_app_against_a_local_server(frozen_build, site):
    result = run_app(frozen_build["executable"], "check", site, "--json")
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["status"] == 200 and page["final_url"] == site
    first, third, inline = page["scripts"]
    assert first["url"] == site + "app.js" and not first["third_party"]
    assert first["digest"] == hashlib.sha256(SCRIPT).hexdigest() and first["size"] == len(SCRIPT)
    # third_party needs the bundled public suffix list; the host does not exist, so an error.
    assert third["third_party"] is True and third["error"]
    assert inline["inline"] is True and inline["url"] is None
    assert page["styles"][0]["digest"] == hashlib.sha256(STYLE).hexdigest()


def test_schedules_read_in_words_with_the_bundled_zone_data(frozen_build):
    result = run_app(
        frozen_build["executable"], "schedule", "0 9 * * 1", "--tz", "Europe/Paris", "--json",
        PYTHONTZPATH="/nonexistent",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    schedule = json.loads(result.stdout)
    assert schedule["description"].startswith("At 09:00"), schedule  # not "Cron 0 9 * * 1"
    assert schedule["next"][0].endswith(":00+01:00") or schedule["next"][0].endswith(":00+02:00")


def test_the_build_carries_the_package_data_the_wheel_declares(frozen_build):
    folder = Path(frozen_build["folder"])
    data = folder / "_internal" / "desktop_tracker" / "resources"
    assert (data / f"{APP}.desktop").is_file()
    for size in ICON_SIZES:
        assert (data / "icons" / f"{APP}-{size}.png").is_file(), size
    assert not list(folder.rglob("*.py")), "sources of the app in the bundle"
    assert not [p for p in folder.rglob("*") if p.is_symlink() and not p.exists()], "dangling"
    # Filtered out (see the spec): translations, the gtk3 theme, kiosk platforms.
    qt = folder / "_internal" / "PySide6" / "Qt"
    assert not (qt / "translations").exists() or not list((qt / "translations").iterdir())
    assert not list(qt.rglob("libqgtk3.so")) and not list(qt.rglob("libqeglfs.so"))
    assert list(qt.rglob("libqxcb.so")) and list(qt.rglob("libqoffscreen.so"))


# -- the tar.gz ---------------------------------------------------------------------------------


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_the_tarball_installs_into_the_users_menu(frozen_build, tmp_path):
    tarball = Path(frozen_build["artefacts"]["tar.gz"]["path"])
    assert tarball.stat().st_size <= TARBALL_LIMIT
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    top = tmp_path / "unpacked" / APP
    assert (top / "share" / "applications" / f"{APP}.desktop").is_file()
    for size in ICON_SIZES:
        assert (top / "share/icons/hicolor" / f"{size}x{size}" / "apps" / f"{APP}.png").is_file()
    assert run_app(top / "app" / APP, "--version").returncode == 0

    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share")}
    env.pop("PREFIX", None)
    done = subprocess.run(
        ["sh", str(top / "install.sh")], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    entry = read_entry(home / ".local/share/applications" / f"{APP}.desktop")
    launcher = Path(entry["Exec"])
    assert launcher == home / ".local/opt" / APP / APP and entry["TryExec"] == entry["Exec"]
    assert entry["Icon"] == APP
    for size in ICON_SIZES:
        assert (home / f".local/share/icons/hicolor/{size}x{size}/apps/{APP}.png").is_file()
    assert (home / ".local/share/icons/hicolor/scalable/apps" / f"{APP}.svg").is_file()
    linked = home / ".local/bin" / APP
    assert linked.is_symlink()
    for program in (launcher, linked):
        result = run_app(program, "schedule", "@daily", "--json")
        assert result.returncode == 0, result.stderr

    done = subprocess.run(
        ["sh", str(top / "install.sh"), "--uninstall"], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0
    assert not (home / ".local/opt" / APP).exists() and not linked.exists()
    assert not (home / ".local/share/applications" / f"{APP}.desktop").exists()
    assert not list((home / ".local/share/icons").rglob(f"{APP}.*"))


# -- the .deb -----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")
def test_the_deb_holds_the_app_its_launcher_entry_and_icons(frozen_build, tmp_path):
    deb = frozen_build["artefacts"]["deb"]["path"]
    fields = subprocess.run(
        ["dpkg-deb", "--field", deb, "Package", "Depends", "Architecture"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"Package: {APP}" in fields and "libc6 (>= " in fields
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", deb, str(root)], check=True)
    app = root / "opt" / APP / APP
    assert os.access(app, os.X_OK)
    launcher = root / "usr" / "bin" / APP
    assert launcher.is_symlink() and os.readlink(launcher) == f"/opt/{APP}/{APP}"
    entry = read_entry(root / "usr/share/applications" / f"{APP}.desktop")
    assert entry["Exec"] == APP and entry["Icon"] == APP  # /usr/bin is on every PATH
    for size in ICON_SIZES:
        assert (root / f"usr/share/icons/hicolor/{size}x{size}/apps/{APP}.png").is_file()
    # The launcher is a symlink into /opt: the app must find its files through one.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / APP).symlink_to(app)
    result = run_app(bin_dir / APP, "schedule", "0 9 * * 1", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["description"].startswith("At 09:00")


def test_the_build_ran_in_a_clean_environment_from_a_normal_install(frozen_build):
    venv = Path(frozen_build["folder"]).parents[1] / "venv"
    python = venv / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", "import desktop_tracker, sys; print(desktop_tracker.__file__)"],
        capture_output=True, text=True, check=True, cwd="/",
    )  # fmt: skip
    assert "site-packages" in result.stdout, result.stdout
    assert sys.prefix != str(venv)
    listing = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True
    )
    names = {p["name"].lower() for p in json.loads(listing.stdout)}
    assert not names & {"pyqt5", "pyqt6", "pyside2", "pytest"}, names
