"""The headers kind's fields in the tracker editor: what is always watched (the security headers
and cookie flags), and, in the advanced part, more response headers to watch. (The shape is
`gui.kinds.editors.KindFields`.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from desktop_tracker.gui.plain_text import plain_label, plain_tooltip
from desktop_tracker.gui.schedule_editor import ErrorLine
from desktop_tracker.kinds.base import InvalidOption
from desktop_tracker.kinds.headers.response_headers import SECURITY_HEADERS

if TYPE_CHECKING:
    from desktop_tracker.gui.kinds.editors import FieldsHost
    from desktop_tracker.kinds.base import Kind

__all__ = ["ALWAYS_WATCHED", "HeadersFields", "header_title", "split_names"]

NOTE = (
    "Always watched: the security headers (CSP, HSTS, X-Frame-Options, …) and the flags of "
    "every cookie (never its value)."
)


def header_title(name: str) -> str:
    """A header name as it is usually written: "x-frame-options" → "X-Frame-Options"."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


ALWAYS_WATCHED = ", ".join(header_title(name) for name in SECURITY_HEADERS)


def split_names(text: str) -> list[str]:
    """Header names as typed, separated by commas (a space is no separator: "X Y" is one wrong
    name, said so, rather than two names the user did not mean)."""
    return [name.strip() for name in text.replace("\n", ",").split(",") if name.strip()]


class HeadersFields(QWidget):
    summary: ClassVar[str] = (
        "The response's security headers and cookie flags: what changed, and what got weaker."
    )
    ignore_example: ClassVar[str] = r"e.g. ^report-to:"
    changed = Signal()

    def __init__(self, kind: Kind, host: FieldsHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind

        self.extra_label = plain_label("More headers to watch (comma-separated):")
        self.extra = QLineEdit()
        self.extra.setPlaceholderText("e.g. cache-control, server")
        self.extra.setAccessibleName("More headers to watch")
        self.extra_label.setBuddy(self.extra)
        self.extra_error = ErrorLine()
        self.note = plain_label(NOTE)
        self.note.setWordWrap(True)
        self.note.setToolTip(plain_tooltip(f"Always watched: {ALWAYS_WATCHED}, and Set-Cookie."))
        self.note.setAccessibleDescription(f"Always watched: {ALWAYS_WATCHED}")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        self._advanced = QWidget()
        advanced = QVBoxLayout(self._advanced)
        advanced.setContentsMargins(0, 0, 0, 0)
        advanced.setSpacing(2)
        advanced.addWidget(self.extra_label)
        advanced.addWidget(self.extra)
        advanced.addWidget(self.extra_error)

        self.extra.textEdited.connect(lambda _text: self.changed.emit())

    def load(self, options: Mapping[str, Any]) -> None:
        names = options.get("headers", [])
        self.extra.setText(", ".join(names) if isinstance(names, list) else "")

    def options(self) -> dict[str, Any]:
        return {"headers": split_names(self.extra.text())}

    def validate(self) -> str | None:
        try:
            self._kind.parse_options(self.options())
        except InvalidOption as error:
            return f"{error.field}: {error}"
        return None

    def show_errors(self, shown: bool) -> None:
        message: str | None = None
        if shown:
            try:
                self._kind.parse_options(self.options())
            except InvalidOption as error:
                message = str(error) if error.field == "headers" else f"{error.field}: {error}"
        self.extra_error.show_message(message)
        self.extra.setAccessibleDescription(message or "")

    def focus_order(self) -> list[QWidget]:
        return []

    def advanced_part(self) -> QWidget | None:
        return self._advanced

    def advanced_focus_order(self) -> list[QWidget]:
        return [self.extra]

    def advanced_in_use(self) -> list[str]:
        count = len(split_names(self.extra.text()))
        if not count:
            return []
        return [f"{count} more header{'' if count == 1 else 's'} watched"]

    def stop(self) -> None:
        pass
