"""desktop_tracker: watches web pages on cron schedules and tells you when they change."""

from __future__ import annotations

import sys

# Every start imports this package, the quickest commands too: what only the version and the
# log's first line need (platform, pathlib) is imported where they ask for it.

__version__ = "0.1.0"

SOURCE_CHECKOUT = "source checkout"
INSTALLED_PACKAGE = "installed package"
FROZEN = "frozen (PyInstaller)"


def build_kind() -> str:
    """How this copy of the app was made: a PyInstaller build, a checkout of the source (also
    installed with `pip install -e`), or a package installed from a wheel."""
    from pathlib import Path

    if getattr(sys, "frozen", False):
        return FROZEN
    if (Path(__file__).resolve().parent.parent / "pyproject.toml").is_file():
        return SOURCE_CHECKOUT
    return INSTALLED_PACKAGE


def qt_version() -> str | None:
    """Qt's version once the GUI has loaded it, else None (nothing is imported here: only the
    GUI imports Qt, and asking must not load it)."""
    core = sys.modules.get("PySide6.QtCore")
    if core is None:
        return None
    try:
        return str(core.qVersion())
    except Exception:  # a half-imported module
        return None


def _qt_not_loaded() -> str:
    from importlib import metadata

    for distribution in ("PySide6_Essentials", "PySide6"):
        try:
            return f"not loaded (PySide6 {metadata.version(distribution)} installed)"
        except metadata.PackageNotFoundError:
            continue
        except Exception:  # metadata not bundled in a frozen build, or unreadable
            break
    return "not loaded"


def build_facts() -> dict[str, str]:
    """What a bug report needs: the version, the platform, Python, Qt (if loaded), build kind."""
    import platform

    system = platform.system() or sys.platform
    release = platform.release()
    machine = platform.machine()
    facts = {
        "version": __version__,
        "platform": " ".join(part for part in (system, release, machine) if part),
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "qt": qt_version() or _qt_not_loaded(),
        "build": build_kind(),
    }
    return facts


def describe_build() -> str:
    """One line for the log: 'desktop-tracker 0.1.0; Linux 6.1.0 x86_64; Python 3.11.2 …'."""
    facts = build_facts()
    return (
        f"desktop-tracker {facts['version']}; {facts['platform']}; Python {facts['python']}"
        f"; Qt {facts['qt']}; {facts['build']}"
    )


def version_text() -> str:
    """`desktop-tracker --version`: the first line as it always was, then the same facts."""
    facts = build_facts()
    return "\n".join(
        [
            f"desktop-tracker {facts['version']}",
            f"platform: {facts['platform']}",
            f"python: {facts['python']}",
            f"qt: {facts['qt']}",
            f"build: {facts['build']}",
        ]
    )
