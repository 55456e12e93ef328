"""A burst of notifications (200 checks finding one change) reaches the inbox and the unread count
in a few batches, not one redraw each, and the list always holds what the count says."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication

from desktop_tracker.domain.revisions import Notification, NotificationKind
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.inbox_view import InboxView
from desktop_tracker.gui.notifications import NotificationCenter
from desktop_tracker.service.trackers import NotificationStored, TrackerService
from tests.support.desktop_app import until
from tests.support.memory_tracker_store import MemoryTrackerStore

GROUPS, EACH = 10, 20  # notifications stored in groups, the loop running between groups


async def test_a_burst_of_notifications_reaches_the_inbox_and_the_count_in_batches(
    qapp: QApplication,
) -> None:
    store = MemoryTrackerStore()
    service = TrackerService(store)
    shop = await service.add(Tracker("Shop", "https://shop.example/", schedule="manual"))
    assert shop.id is not None
    center = NotificationCenter(service, tray=None, desktop=None)
    await center.start()
    inbox = InboxView(service, center, autoload=False)
    inbox.resize(600, 300)
    inbox.show()
    await inbox.reload()

    insertions: list[int] = []
    inbox.list.model().rowsInserted.connect(
        lambda _parent, first, last: insertions.append(last - first + 1)
    )
    # What the list holds whenever a count is said (the inbox hears the center first).
    said: list[tuple[int, int]] = []
    center.unread_changed.connect(lambda count: said.append((count, len(inbox.notifications()))))

    for group in range(GROUPS):
        for number in range(EACH):
            notification = Notification(
                shop.id,
                NotificationKind.CHANGE,
                "Change detected: Shop",
                f"change {group * EACH + number}",
                1000.0 + group * EACH + number,
            )
            stored = await store.write(lambda tx, n=notification: tx.insert_notification(n))
            service.events.publish(NotificationStored(stored))
        assert center.unread_count == (group + 1) * EACH  # counted at once, said soon after
        await asyncio.sleep(0.02)

    total = GROUPS * EACH
    await until(lambda: len(inbox.notifications()) == total and said and said[-1][0] == total)
    newest_first = [f"change {n}" for n in reversed(range(total))]
    assert [n.body for n in inbox.notifications()] == newest_first
    assert sum(insertions) == total
    assert len(insertions) <= GROUPS  # a batch at a time, never a row at a time
    assert len(said) <= GROUPS
    assert all(count == shown for count, shown in said)
    assert inbox.list.model().rowCount(QModelIndex()) == total
    inbox.dispose()
    center.close()
    inbox.deleteLater()
