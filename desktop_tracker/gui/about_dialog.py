"""About desktop_tracker: its version, where its data and log are, and the licences of what it
ships with.

The libraries' licences are listed here rather than read from their installed metadata: the
frozen app (PyInstaller) carries no metadata for them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker import __version__
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.gui.tray import APP_TITLE

# What the app ships with, and under which licence (SPDX expressions).
BUNDLED_LICENCES = (
    ("Qt and PySide6", "LGPL-3.0-only (or GPL-2.0/3.0)"),
    ("qasync", "BSD-2-Clause"),
    ("httpx, httpcore", "BSD-3-Clause"),
    ("h11, anyio, sniffio", "MIT (sniffio: MIT or Apache-2.0)"),
    ("idna", "BSD-3-Clause"),
    ("certifi (CA certificates)", "MPL-2.0"),
    ("selectolax (with Lexbor, Apache-2.0)", "MIT"),
    ("publicsuffixlist (the Public Suffix List)", "MPL-2.0"),
    ("charset-normalizer", "MIT"),
    ("cron-descriptor", "MIT"),
    ("platformdirs", "MIT"),
    ("tzdata (the IANA time zone database)", "Apache-2.0"),
    ("tzlocal", "MIT"),
    ("jeepney (Linux)", "MIT"),
    ("csp-evaluator's checks and host lists (kinds/headers)", "Apache-2.0"),
)


def about_text(data_dir: Path, log_file: Path) -> str:
    """The dialog's facts as plain lines (also what the tests read)."""
    return "\n".join(
        [
            f"{APP_TITLE} {__version__}",
            f"Qt {qVersion()}",
            f"Data directory: {data_dir}",
            f"Log file: {log_file}",
        ]
    )


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, log_file: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_TITLE}")
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{APP_TITLE}</b> {__version__}", self)
        title.setTextFormat(Qt.TextFormat.RichText)  # our own words only
        title.setAccessibleName(f"{APP_TITLE} version {__version__}")
        layout.addWidget(title)
        layout.addWidget(
            plain_label(
                "Watches web pages on your schedules and tells you when their scripts, "
                "styles, text or security headers change.",
                self,
            )
        )
        # Paths are the user's (any characters): plain text, selectable to copy.
        self.facts = plain_label(about_text(data_dir, log_file), self)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setAccessibleName("Version, data directory and log file")
        layout.addWidget(self.facts)
        self.licences = QTextBrowser(self)
        self.licences.setAccessibleName("Licences of the bundled libraries")
        self.licences.setPlainText(
            f"{APP_TITLE} is MIT licensed. It ships with:\n\n"
            + "\n".join(f"• {name}: {licence}" for name, licence in BUNDLED_LICENCES)
        )
        layout.addWidget(self.licences)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        layout.addWidget(buttons)
        self.resize(520, 460)

    def text(self) -> str:
        return self.facts.text()
