"""A private D-Bus session bus for tests, configured by the test alone.

`dbus-daemon --session` (and `dbus-run-session`) read the machine's session.conf, which names the
host's service directories (/usr/share/dbus-1/services, ~/.local/share/dbus-1/services, ...): a
call to a name nobody owns then *starts* whatever the machine has installed for it, dunst for
org.freedesktop.Notifications. So the bus here gets a configuration file of its own, written
next to its socket: one listening socket, EXTERNAL authentication, everything allowed, and no
service directory and no include at all, so nothing is ever started by activation. A service a
test wants on the bus (a fake notification daemon) connects and takes its name itself::

    with private_session_bus() as address:      # "unix:path=/tmp/dt-bus-…/bus,guid=…"
        DesktopNotifier(bus=address)

Every test that needs a bus uses this helper (the `session_bus` fixture in tests/gui/conftest.py
wraps it); none uses `dbus-run-session` or the session's own DBUS_SESSION_BUS_ADDRESS.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

__all__ = ["CONFIG", "dbus_daemon", "private_session_bus"]

# No <standard_session_servicedirs/>, no <servicedir>, no <include>: only what is written here.
CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

START_TIMEOUT = 10.0  # seconds for the daemon to say its address
# A Unix socket's path must fit in sun_path (108 bytes on Linux, with its NUL).
_MAX_SOCKET_PATH = 100


def dbus_daemon() -> str | None:
    """The dbus-daemon program, or None when it is not installed."""
    return shutil.which("dbus-daemon")


@contextlib.contextmanager
def private_session_bus() -> Iterator[str]:
    """Start a bus daemon of our own and yield its address, as it printed it; stop it after.

    Raises FileNotFoundError if dbus-daemon is not installed (check `dbus_daemon()` first, to
    skip). The daemon runs with an environment that names no display and no other bus.
    """
    daemon = dbus_daemon()
    if daemon is None:
        raise FileNotFoundError("dbus-daemon is not installed")
    with tempfile.TemporaryDirectory(prefix="dt-bus-", dir=_short_temp_dir()) as directory:
        socket = Path(directory) / "bus"
        config = Path(directory) / "session.conf"
        config.write_text(CONFIG.format(socket=xml_escape(str(socket))), encoding="utf-8")
        log = Path(directory) / "dbus-daemon.log"
        with log.open("w", encoding="utf-8") as errors:
            process = subprocess.Popen(
                [
                    daemon,
                    f"--config-file={config}",
                    "--nofork",
                    "--nopidfile",
                    "--print-address=1",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                env=_daemon_environment(directory),
            )
        try:
            address = _read_address(process, log)
            assert f"unix:path={socket}" in address, address
            yield address
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            if process.stdout is not None:
                process.stdout.close()


def _read_address(process: subprocess.Popen[str], log: Path) -> str:
    """The first line the daemon prints: its address, printed once it listens."""
    stdout = process.stdout
    assert stdout is not None
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    address = line[0].strip() if line else ""
    if not address:
        process.kill()
        process.wait(timeout=5)
        detail = log.read_text(encoding="utf-8", errors="replace").strip()
        raise RuntimeError(f"dbus-daemon did not start: {detail or 'no address printed'}")
    return address


def _daemon_environment(directory: str) -> dict[str, str]:
    """Only what a bus daemon needs: no display, no other bus, no runtime directory of the
    user's (a daemon that may not start anything has no use for them either)."""
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["HOME"] = directory
    env["XDG_RUNTIME_DIR"] = directory
    return env


def _short_temp_dir() -> str | None:
    """The temporary directory, unless a socket in it would have too long a path."""
    base = tempfile.gettempdir()
    if len(os.fsencode(base)) + len("/dt-bus-XXXXXXXX/bus") < _MAX_SOCKET_PATH:
        return None
    return "/tmp" if os.path.isdir("/tmp") else None
