"""The resources kind's fields in the tracker editor: none beyond the common ones, only a note
of what is watched. (The shape is `gui.kinds.editors.KindFields`.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.kinds.base import InvalidOption

if TYPE_CHECKING:
    from desktop_tracker.gui.kinds.editors import FieldsHost
    from desktop_tracker.kinds.base import Kind

NOTE = (
    "Every script and stylesheet the page loads is fetched and fingerprinted: a file added, "
    "removed or changed, and a lost integrity check, are changes. Ignore rules leave out "
    "resources by URL."
)


class ResourcesFields(QWidget):
    summary: ClassVar[str] = (
        "The scripts and stylesheets the page loads: which ones, from where, and their content."
    )
    ignore_example: ClassVar[str] = r"e.g. ^https://www\.googletagmanager\.com/"
    changed = Signal()

    def __init__(self, kind: Kind, host: FieldsHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind
        self.note = plain_label(NOTE)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The note's wrapped lines, counted at the width it got: the form around it sizes it
        # for one line otherwise, and its words run over the fields above.
        super().resizeEvent(event)
        height = self.note.heightForWidth(event.size().width())
        if height > 0 and self.note.minimumHeight() != height:
            self.note.setMinimumHeight(height)

    def load(self, options: Mapping[str, Any]) -> None:
        pass  # no options of its own

    def options(self) -> dict[str, Any]:
        return {}

    def validate(self) -> str | None:
        try:
            self._kind.parse_options(self.options())
        except InvalidOption as error:
            return f"{error.field}: {error}"
        return None

    def show_errors(self, shown: bool) -> None:
        pass  # nothing here can be wrong

    def focus_order(self) -> list[QWidget]:
        return []

    def advanced_part(self) -> QWidget | None:
        return None

    def advanced_focus_order(self) -> list[QWidget]:
        return []

    def advanced_in_use(self) -> list[str]:
        return []

    def stop(self) -> None:
        pass
