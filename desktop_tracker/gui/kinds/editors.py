"""Each kind's own fields in the tracker editor, registered by the kind's name.

The editor shows the fields of the kind chosen and keeps the common ones (name, URL, schedule,
retries, request headers, ignore and mask rules) whatever the kind. A kind's fields are a
QWidget of the `KindFields` shape in a module of this package of their own; a new kind needs
that module and a line in FIELDS. (A kind without a line gets `NoFields`: no options.)

Options a first tracker does not need (ContentFields' "additions only", HeadersFields' more
headers) are the kind's advanced part, another widget, which the editor puts in its folded
Advanced section and opens when one of them is set.

The fields modules do not import this one when they run (this one imports them): they have the
shape, they do not inherit it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_tracker.gui.kinds.content_fields import ContentFields
from desktop_tracker.gui.kinds.headers_fields import HeadersFields
from desktop_tracker.gui.kinds.resources_fields import ResourcesFields
from desktop_tracker.gui.plain_text import plain_label

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from desktop_tracker.domain.trackers import Tracker
    from desktop_tracker.kinds.base import Checked, Kind
    from desktop_tracker.kinds.noise import ProposedRule

__all__ = ["FIELDS", "EditorService", "FieldsHost", "KindFields", "NoFields", "fields_for"]


class EditorService(Protocol):
    """What the editor asks of the trackers service (`TrackerService` is one): nothing it asks
    writes anything."""

    async def check_unsaved(self, tracker: Tracker) -> Checked: ...

    async def learn_noise(self, tracker: Tracker, fetches: int = 3) -> list[ProposedRule]: ...


class FieldsHost(Protocol):
    """What a kind's fields may ask of the editor they are in."""

    def service(self) -> EditorService | None:
        """The service to fetch pages through; None when the editor was given none."""
        ...

    def draft(self, options: Mapping[str, Any]) -> Tracker | str:
        """The tracker the form stands for with these options, valid enough to fetch its page
        (URL, request headers, TLS, ignore and mask rules), or why not, in words."""
        ...


class KindFields(Protocol):
    """The fields of one kind. Constructed as `Fields(kind, host, parent)`."""

    summary: ClassVar[str]  # one line: what a tracker of the kind watches
    ignore_example: ClassVar[str]  # a rule to show in the empty ignore field

    def __init__(self, kind: Kind, host: FieldsHost, parent: QWidget | None = None) -> None: ...

    @property
    def changed(self) -> SignalInstance:
        """Emitted after every edit of an option by the user (not by `load`)."""
        ...

    def load(self, options: Mapping[str, Any]) -> None:
        """Show these options (missing ones take the kind's defaults)."""
        ...

    def options(self) -> dict[str, Any]:
        """The options as entered, for `Tracker.options` (the kind normalises them)."""
        ...

    def validate(self) -> str | None:
        """The first problem as `Tracker.validated` says it ("selector: …"), None if none."""
        ...

    def show_errors(self, shown: bool) -> None:
        """Show each problem under its own field (True), or none of them yet (False)."""
        ...

    def focus_order(self) -> list[QWidget]:
        """The inputs, in the order Tab visits them."""
        ...

    def advanced_part(self) -> QWidget | None:
        """The advanced options, a widget of their own that the editor places in its Advanced
        section and shows while the kind is chosen; None if the kind has none. The same widget
        every time."""
        ...

    def advanced_focus_order(self) -> list[QWidget]:
        """The advanced part's inputs, in the order Tab visits them."""
        ...

    def advanced_in_use(self) -> list[str]:
        """Each advanced option that holds other than its default, in words ("notify on
        additions only"), for the editor to open its Advanced section and say what is set."""
        ...

    def stop(self) -> None:
        """Cancel any work in flight (the editor is closing)."""
        ...


class NoFields(QWidget):
    """The fields of a kind that has no options, or no module here yet."""

    summary: ClassVar[str] = ""
    ignore_example: ClassVar[str] = ""
    changed = Signal()

    def __init__(self, kind: Kind, host: FieldsHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plain_label(f"A {kind.label} tracker has no settings of its own."))

    def load(self, options: Mapping[str, Any]) -> None:
        pass

    def options(self) -> dict[str, Any]:
        return {}

    def validate(self) -> str | None:
        return None

    def show_errors(self, shown: bool) -> None:
        pass

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


FIELDS: dict[str, type[KindFields]] = {
    "resources": ResourcesFields,
    "content": ContentFields,
    "headers": HeadersFields,
}


def fields_for(kind_name: str) -> type[KindFields]:
    return FIELDS.get(kind_name, NoFields)
