"""What the app's tables share: their cells live in Qt's items, refilled as one model reset.

The tables keep their cells in QStandardItemModel items, with no Python method that Qt calls per
cell: Qt asks a model for every cell and role at every repaint and re-sort, and each call into
Python must win the GIL back from the threads that check pages (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtGui import QStandardItemModel


@contextmanager
def model_reset(model: QStandardItemModel) -> Iterator[None]:
    """Refill `model` as one reset: views and proxies are told once, before and after, and drop
    their selection quietly. Row by row, a view would report a selection change half-way
    through, while the model held some rows and not others."""
    model.beginResetModel()
    blocked = model.blockSignals(True)
    try:
        yield
    finally:
        model.blockSignals(blocked)
        model.endResetModel()
