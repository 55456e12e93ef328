"""Trackers as the user sees them: add, edit, remove, check, history, notifications, import/export.

A tracker's definition and the scheduler job that checks it are written in one transaction.
When the scheduler runs in this process it is told at once; when another process (the command
line) changes trackers, the running scheduler notices within 30 s (`Scheduler` syncs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from desktop_tracker.core.clock import Clock, SystemClock
from desktop_tracker.core.events import EventBus, JobFailed, SchedulerEvent
from desktop_tracker.core.jobs import Job, RunRecord
from desktop_tracker.core.quoting import quote_some
from desktop_tracker.core.scheduler import RunContext, Scheduler, first_timing
from desktop_tracker.core.words import first_line
from desktop_tracker.domain.bodies import (
    DEFAULT_BODY_CAP_BYTES,
    Beautified,
    BodyPair,
    ResourceKey,
    captured_bodies,
    keep_revision_bodies,
    read_sides,
)
from desktop_tracker.domain.revisions import (
    FailureStreak,
    Notification,
    NotificationKind,
    Revision,
    RevisionInfo,
)
from desktop_tracker.domain.tracker_store import (
    TrackerStore,
    TrackerTransaction,
    UnknownTracker,
)
from desktop_tracker.domain.trackers import CHECK_HANDLER, Tracker
from desktop_tracker.kinds.base import CaptureRequest, Checked, Diff, Finding, Kind, Page
from desktop_tracker.kinds.beautify import BEAUTIFIER_VERSION, beautify
from desktop_tracker.kinds.noise import ProposedRule, propose_masks
from desktop_tracker.kinds.registry import kind_for
from desktop_tracker.kinds.resources.bodies import language_of
from desktop_tracker.kinds.resources.capture import exact_url_rule
from desktop_tracker.kinds.rules import masked
from desktop_tracker.service.export_format import (
    ImportRefused,
    export_document,
    export_text,
    parse_export,
    write_export,
)

if TYPE_CHECKING:  # the network stack is imported by whoever makes a checker, when it does
    from desktop_tracker.tracking.page_check import Checker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RevisionSaved:
    tracker_id: int
    revision_id: int
    diff: Diff
    baseline: bool


@dataclass(frozen=True, slots=True)
class NotificationStored:
    notification: Notification


@dataclass(frozen=True, slots=True)
class TrackersChanged:
    """Trackers were added, edited or removed."""


@dataclass(frozen=True, slots=True)
class CheckFailed:
    """A tracker's run failed for good and its failure streak is recorded; `told` when this
    failure was notified (the first of its streak). A failed check saves no revision: this is
    what says that a run log has a new failed run."""

    tracker_id: int
    told: bool


TrackerEvent = RevisionSaved | NotificationStored | TrackersChanged | CheckFailed


@dataclass(frozen=True, slots=True)
class TrackerOverview:
    """One row of the trackers table: the tracker and what the user wants to know about it."""

    tracker: Tracker
    next_check: float | None  # None: manual, paused, or a "once" that has run
    last_run: RunRecord | None
    unread: int  # unread notifications
    failure: FailureStreak | None = None  # failing now: since when, and the latest error


RuleField = Literal["ignore", "mask"]


class IncomparableRevisions(ValueError):
    """Two revisions of different kinds (the tracker's kind changed between them)."""


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check of a stored tracker: what it found, and the revision kept if it changed."""

    tracker: Tracker
    checked: Checked
    revision_id: int | None  # None: nothing changed since the last revision
    diff: Diff | None
    baseline: bool = False  # the revision kept is the tracker's first


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    revision: Revision
    diff: Diff | None  # against the previous revision; None for the oldest kept
    previous: Revision | None = None  # what `diff` is from (None when it is None)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two revisions of one tracker, `old` → `new`, and what changed between them."""

    old: Revision
    new: Revision
    diff: Diff


class TrackerService:
    def __init__(
        self,
        store: TrackerStore,
        checker: Checker | None = None,
        scheduler: Scheduler | None = None,
        clock: Clock | None = None,
        *,
        body_cap_bytes: Callable[[], int] | None = None,
    ) -> None:
        """`body_cap_bytes`: the cap on kept script and style bodies in the data directory
        (compressed), read at every saved revision (the preference `storage_cap_mb`)."""
        self._store = store
        self._body_cap = body_cap_bytes or (lambda: DEFAULT_BODY_CAP_BYTES)
        self._beautifying = asyncio.Lock()  # one body at a time: each is seconds of CPU
        self._background: set[asyncio.Task[None]] = set()  # beautifying, dropped at shutdown
        self._checker = checker
        self._scheduler = scheduler
        self._clock: Clock = clock or SystemClock()
        self.events: EventBus[TrackerEvent] = EventBus()
        self._pending: set[asyncio.Task[Any]] = set()
        if scheduler is not None:
            scheduler.register_handler(CHECK_HANDLER, self.check_handler)
            scheduler.events.subscribe(self._on_scheduler_event)

    # -- editing ----------------------------------------------------------------------------

    async def add(self, tracker: Tracker) -> Tracker:
        """:raises InvalidTracker, DuplicateTracker:"""
        return await self._save(tracker, lambda tx, t: tx.insert_tracker(t))

    async def update(self, tracker: Tracker) -> Tracker:
        """Save edits; the schedule restarts from now. :raises InvalidTracker, UnknownTracker:"""
        return await self._save(tracker, lambda tx, t: tx.update_tracker(t))

    async def _save(
        self, tracker: Tracker, write_row: Callable[[TrackerTransaction, Tracker], Tracker]
    ) -> Tracker:
        """The tracker and its job in one transaction, then the running scheduler."""
        tracker = tracker.validated()
        now = self._clock.now()

        def work(tx: TrackerTransaction) -> Tracker:
            saved = write_row(tx, tracker)
            job = job_for(saved)
            tx.write_jobs([(job, first_timing(job, now))])
            return saved

        saved = await self._store.write(work)
        await self._tell_scheduler(saved)
        self.events.publish(TrackersChanged())
        return saved

    async def remove(self, tracker_id: int) -> None:
        tracker = await self.get(tracker_id)

        def work(tx: TrackerTransaction) -> None:
            tx.delete_tracker(tracker_id)
            tx.delete_job(tracker.job_id)

        await self._store.write(work)
        if self._scheduler is not None:
            await self._scheduler.remove_job(tracker.job_id)
        self.events.publish(TrackersChanged())

    async def add_rule(self, tracker_id: int, rules: RuleField, pattern: str) -> bool:
        """Add an ignore or mask rule to a tracker ("ignore this" from a diff), in one
        transaction and without moving its schedule; False if it had the rule already.
        :raises InvalidTracker: for a pattern that is not a regular expression."""

        def work(tx: TrackerTransaction) -> bool:
            tracker = tx.get_tracker(tracker_id)
            if pattern in getattr(tracker, rules):
                return False
            changed = replace(tracker, **{rules: (*getattr(tracker, rules), pattern)})
            tx.update_tracker(changed.validated())
            return True

        added = await self._store.write(work)
        if added:
            self.events.publish(TrackersChanged())
        return added

    async def set_enabled(self, tracker_id: int, enabled: bool) -> Tracker:
        return await self.update(replace(await self.get(tracker_id), enabled=enabled))

    # -- reading ----------------------------------------------------------------------------

    async def all(self) -> list[Tracker]:
        return await self._store.read(lambda tx: tx.list_trackers())

    async def get(self, tracker_id: int) -> Tracker:
        return await self._store.read(lambda tx: tx.get_tracker(tracker_id))

    async def find(self, name: str) -> Tracker:
        """:raises UnknownTracker: naming some trackers that exist."""
        return await self._store.read(lambda tx: tx.find_tracker(name))

    async def history(
        self, tracker_id: int, limit: int | None = None, *, before: int | None = None
    ) -> list[HistoryEntry]:
        """Kept revisions, newest first, each with its diff against the one before it; with
        `before`, only those older than the revision of that id (the next page of a list).

        The snapshots are read and the diffs worked out in the store's thread, not the caller's
        (the window's): a page of them takes tens of milliseconds."""

        def work(tx: TrackerTransaction) -> list[HistoryEntry]:
            tracker = tx.get_tracker(tracker_id)
            wanted = None if limit is None else limit + 1  # and the one before the last
            revisions = tx.list_revisions(tracker_id, wanted, before=before)
            entries = []
            for index, revision in enumerate(revisions if limit is None else revisions[:limit]):
                older = revisions[index + 1] if index + 1 < len(revisions) else None
                diff = _diff(tracker, older, revision)
                entries.append(HistoryEntry(revision, diff, older if diff is not None else None))
            return entries

        return await self._store.read(work)

    async def revision_list(self, tracker_id: int) -> list[RevisionInfo]:
        """Every kept revision of the tracker, newest first, without snapshots or diffs: cheap
        however many are kept (what a list of them needs before it shows their diffs)."""
        return await self._store.read(lambda tx: tx.list_revision_info(tracker_id))

    async def compare(self, old_revision_id: int, new_revision_id: int) -> Diff:
        """The diff between any two revisions of one tracker.

        :raises UnknownRevision: when either is not kept (any more).
        """
        return (await self.comparison(old_revision_id, new_revision_id)).diff

    async def comparison(self, old_revision_id: int, new_revision_id: int) -> Comparison:
        """Two revisions of one tracker and the diff between them, worked out in the store's
        thread. :raises UnknownRevision, IncomparableRevisions:"""

        def work(tx: TrackerTransaction) -> Comparison:
            old, new = tx.get_revision(old_revision_id), tx.get_revision(new_revision_id)
            diff = _diff(tx.get_tracker(new.tracker_id), old, new)
            if diff is None:
                raise IncomparableRevisions(
                    f"revision {old.id} is of a {old.kind} tracker and {new.id} of a {new.kind} "
                    "tracker: only revisions of one kind can be compared"
                )
            return Comparison(old, new, diff)

        return await self._store.read(work)

    def findings(self, revision: Revision) -> list[Finding]:
        """What is weak in one revision, judged by its kind (a headers tracker's CSP…)."""
        return kind_for(revision.kind).findings(revision.snapshot)

    async def clear_history(self, tracker_id: int) -> None:
        await self._store.write(lambda tx: tx.clear_revisions(tracker_id))

    async def runs(self, tracker: Tracker, limit: int = 100) -> list[RunRecord]:
        return await self._store.runs_for(tracker.job_id, limit)

    async def overview(self) -> list[TrackerOverview]:
        """Every tracker with its next check, last run and unread count, in one read.

        With a scheduler, the next checks are its own (in memory, and never older than the
        file's), read on this loop after the store's read: reading and parsing every job from
        the file again was a third of the time of this read with 10,000 trackers."""
        scheduler = self._scheduler

        def next_checks(trackers: list[Tracker]) -> dict[str, float | None]:
            due: dict[str, float | None] = {}
            for tracker in trackers:
                timing = scheduler.timing(tracker.job_id) if scheduler and tracker.enabled else None
                due[tracker.job_id] = timing.due if timing is not None else None
            return due

        def work(tx: TrackerTransaction) -> list[TrackerOverview]:
            trackers = tx.list_trackers()
            timings = tx.job_timings() if scheduler is None else {}
            last_runs = tx.last_runs()
            unread = tx.unread_counts()
            failures = tx.list_failure_streaks()
            rows = []
            for tracker in trackers:
                job, timing = timings.get(tracker.job_id, (None, None))
                due = timing.due if timing is not None and job is not None and job.enabled else None
                assert tracker.id is not None
                rows.append(
                    TrackerOverview(
                        tracker,
                        due,
                        last_runs.get(tracker.job_id),
                        unread.get(tracker.id, 0),
                        failures.get(tracker.id),
                    )
                )
            return rows

        rows = await self._store.read(work)
        if scheduler is None:
            return rows
        due = next_checks([row.tracker for row in rows])
        return [replace(row, next_check=due[row.tracker.job_id]) for row in rows]

    async def notifications(self, *, unread_only: bool = False) -> list[Notification]:
        return await self._store.read(lambda tx: tx.list_notifications(unread_only=unread_only))

    async def mark_read(self, ids: list[int] | None = None) -> None:
        now = self._clock.now()
        await self._store.write(lambda tx: tx.mark_notifications_read(ids, now))

    # -- checks -----------------------------------------------------------------------------

    async def check_now(self, tracker_id: int) -> asyncio.Task[RunRecord] | None:
        """Check at once through the scheduler (never twice at the same time)."""
        if self._scheduler is None:
            raise RuntimeError("checks need the scheduler to be running")
        return await self._scheduler.run_now((await self.get(tracker_id)).job_id)

    async def check_handler(self, run: RunContext) -> None:
        """The scheduler's "check tracker" handler: fetch, diff, keep a revision, notify."""
        await self.check_once(int(run.job.payload["tracker_id"]))

    async def check_once(self, tracker_id: int) -> CheckOutcome:
        """Check a tracker now (without the scheduler: the command line's `check NAME`), keep
        its revision if it changed, notify.

        A check that succeeds ends the tracker's failure streak in the same transaction as its
        result, and "NAME works again" is told if the failure was.

        :raises FetchError, CaptureFailed: when the check fails (nothing is stored).
        """
        if self._checker is None:
            raise RuntimeError("no checker is configured")
        tracker = await self.get(tracker_id)
        kind = kind_for(tracker.kind)
        checked = await self._checker.check(kind, capture_request(tracker))
        cap, new_bodies = self._body_cap(), []

        def work(tx: TrackerTransaction) -> tuple[Notification | None, Stored | None]:
            now = self._clock.now()
            recovered, saved = _store_success(tx, tracker, kind, checked, now)
            if saved is not None:  # its bodies with it, in the same transaction
                new_bodies.extend(keep_revision_bodies(tx, saved[0], checked.snapshot, cap, now))
            return recovered, saved

        recovered, saved = await self._store.write(work)
        self._beautify_later(checked.snapshot, new_bodies)
        if recovered is not None:
            self.events.publish(NotificationStored(recovered))
        if saved is None:
            return CheckOutcome(tracker, checked, None, None, baseline=False)
        revision_id, diff, baseline, notification = saved
        assert tracker.id is not None
        self.events.publish(RevisionSaved(tracker.id, revision_id, diff, baseline))
        if notification is not None:
            self.events.publish(NotificationStored(notification))
        return CheckOutcome(tracker, checked, revision_id, diff, baseline=baseline)

    async def fetch_page(self, tracker: Tracker) -> Page:
        """The tracker's page as its kind would see it, stored nowhere (learning noise)."""
        if self._checker is None:
            raise RuntimeError("no checker is configured")
        return await self._checker.fetch(kind_for(tracker.kind), capture_request(tracker))

    async def learn_noise(self, tracker: Tracker, fetches: int = 3) -> list[ProposedRule]:
        """Fetch the tracker's page `fetches` times and propose mask rules for what changed
        between fetches by itself (nonces, tokens, timestamps, cache-busting query strings).
        Rules it has already are applied first, so only new noise is proposed.
        :raises FetchError, CaptureFailed:"""
        kind = kind_for(tracker.kind)
        samples = []
        for _ in range(fetches):
            page = await self.fetch_page(tracker)
            lines = kind.noise_lines(page, tracker.options)
            samples.append("\n".join(masked(line, tracker.mask) for line in lines))
        return propose_masks(samples)

    async def check_unsaved(self, tracker: Tracker) -> Checked:
        """Check a tracker that need not be saved (the command line's `check URL`, the editor's
        preview); writes nothing. :raises FetchError, CaptureFailed:"""
        if self._checker is None:
            raise RuntimeError("no checker is configured")
        return await self._checker.check(kind_for(tracker.kind), capture_request(tracker))

    async def failure_streaks(self) -> dict[int, FailureStreak]:
        """The trackers failing now, by id."""
        return await self._store.read(lambda tx: tx.list_failure_streaks())

    def _on_scheduler_event(self, event: SchedulerEvent) -> None:
        if not isinstance(event, JobFailed) or not event.job_id.startswith("tracker:"):
            return
        if not event.gave_up and self._retry_follows(event):
            return  # the run is not over: its retry comes
        tracker_id = int(event.job_id.split(":", 1)[1])
        error, now = event.error, self._clock.now()
        # Queued now, while the scheduler publishes, so it is written no later than the run's
        # failed result (queued on the loop's next turn): after a crash either both are lost
        # (the run runs again) or the streak is there, and a run that fails again tells nothing.
        stored = self._store.write(lambda tx: _record_failure(tx, tracker_id, error, now))
        task = asyncio.ensure_future(self._publish_stored(tracker_id, stored))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _retry_follows(self, event: JobFailed) -> bool:
        """Whether the scheduler planned a retry of this failed run. It plans none when the
        next scheduled run comes first and takes its place (`gave_up` is then False): that run
        starts over, so this one's failure is final all the same."""
        timing = self._scheduler.timing(event.job_id) if self._scheduler is not None else None
        return (
            timing is not None
            and timing.retry_due is not None
            and timing.retry_attempt == event.attempt + 1
            and timing.retry_planned == event.planned_at
        )

    async def _publish_stored(
        self, tracker_id: int, stored: Awaitable[Notification | None]
    ) -> None:
        try:
            notification = await stored
        except Exception:
            log.exception("a failed check could not be recorded")
            return
        if notification is not None:
            self.events.publish(NotificationStored(notification))
        self.events.publish(CheckFailed(tracker_id, told=notification is not None))

    # -- import and export ------------------------------------------------------------------

    async def export(self) -> dict[str, Any]:
        return export_document(await self.all())

    async def export_to(self, path: Path) -> int:
        """Write every tracker to an export file readable by the user alone (it holds request
        headers); returns how many. :raises ExportFailed: in words."""
        data = await self.export()
        await asyncio.to_thread(write_export, path, export_text(data))
        return len(data["trackers"])

    async def import_(self, data: Any) -> list[Tracker]:
        """Add every tracker of an export, all or none. :raises ImportRefused:"""
        trackers = parse_export(data)
        existing = {(t.kind, t.name) for t in await self.all()}
        clashes = [t.name for t in trackers if (t.kind, t.name) in existing]
        if clashes:
            raise ImportRefused(
                f"trackers with these names exist already: {quote_some(clashes)}. "
                "Nothing was imported: rename or remove them first."
            )
        now = self._clock.now()

        def work(tx: TrackerTransaction) -> list[Tracker]:
            saved = [tx.insert_tracker(t) for t in trackers]
            tx.write_jobs([(job, first_timing(job, now)) for job in map(job_for, saved)])
            return saved

        saved = await self._store.write(work)
        for tracker in saved:
            await self._tell_scheduler(tracker)
        self.events.publish(TrackersChanged())
        return saved

    # -- bodies of scripts and stylesheets ---------------------------------------------------

    async def resource_bodies(
        self, old_revision_id: int | None, new_revision_id: int, resource_key: ResourceKey
    ) -> BodyPair:
        """The old and new body of one resource of a diff (`old_revision_id` None: the new
        revision is a baseline), raw and beautified. A body beautified by another version of
        the beautifier (or not yet) is beautified now, off the loop, and kept.
        :raises UnknownRevision, UnknownResource:"""
        cap_mb = self._body_cap() // (1024 * 1024)
        old, new = await self._store.read(
            lambda tx: read_sides(
                tx, old_revision_id, new_revision_id, resource_key, BEAUTIFIER_VERSION, cap_mb
            )
        )
        language = language_of(resource_key.kind)
        texts = []
        for side in (old, new):
            text = side.data.decode("utf-8", "replace") if side.data is not None else None
            beautified = side.beautified
            if text is not None and beautified is None and side.resource is not None:
                beautified = await self._beautify(side.resource.digest, language, text)
            texts.append((text, beautified.text if beautified and beautified.text else text))
        shown = new.resource or old.resource
        assert shown is not None  # read_sides refuses a key that neither revision has
        return BodyPair(
            shown.label,
            shown.url,
            language,
            texts[0][0],
            texts[1][0],
            texts[0][1],
            texts[1][1],
            old.reason if texts[0][0] is None else None,
            new.reason if texts[1][0] is None else None,
        )

    async def ignore_resource(self, tracker_id: int, url: str) -> Tracker:
        """Leave the resource at `url` (and only it) out of the tracker's later checks: an
        ignore rule matching exactly that URL. :raises UnknownTracker:"""
        await self.add_rule(tracker_id, "ignore", exact_url_rule(url))
        return await self.get(tracker_id)

    def _beautify_later(self, snapshot: object, digests: list[str]) -> None:
        """Beautify the bodies just kept, in the background: a big one takes seconds, and the
        body diff must open at once."""
        wanted = set(digests)
        bodies = [b for b in captured_bodies(snapshot) if b.digest in wanted]
        if not bodies:
            return

        def lay_out_all() -> list[tuple[str, str, Beautified]]:
            laid_out = []
            for body in bodies:
                text = body.data.decode("utf-8", "replace")
                pretty = beautify(text, language_of(body.language))
                laid_out.append((body.digest, body.language, Beautified(_changed(pretty, text))))
            return laid_out

        async def run() -> None:
            try:
                # One thread hop and one write for all of a check's bodies: in a burst of
                # checks, each step on the event loop is the window's time.
                async with self._beautifying:
                    laid_out = await asyncio.to_thread(lay_out_all)

                def keep(tx: TrackerTransaction) -> None:
                    for digest, language, beautified in laid_out:
                        tx.save_beautified(digest, language, BEAUTIFIER_VERSION, beautified)

                await self._store.write(keep)
            except asyncio.CancelledError:
                raise
            except Exception:  # the body diff beautifies it when opened, then
                log.exception("a kept body could not be beautified")

        task = asyncio.ensure_future(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _beautify(self, digest: str, language: str, text: str) -> Beautified:
        """Beautify on a worker thread and keep the text beside its body."""
        async with self._beautifying:
            laid_out = await asyncio.to_thread(beautify, text, language_of(language))
        beautified = Beautified(_changed(laid_out, text))
        await self._store.write(
            lambda tx: tx.save_beautified(digest, language, BEAUTIFIER_VERSION, beautified)
        )
        return beautified

    async def wait_idle(self) -> None:
        """Wait for notifications being stored in the background (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def wait_beautified(self) -> None:
        """Wait for the bodies being beautified in the background (tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def stop_background(self) -> None:
        """Drop the beautifying still to do (at shutdown): a body not beautified yet is when
        its diff is first opened, so quitting need not wait seconds for it."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*list(self._background), return_exceptions=True)

    # -- plumbing ---------------------------------------------------------------------------

    async def _tell_scheduler(self, tracker: Tracker) -> None:
        if self._scheduler is not None:
            await self._scheduler.add_job(job_for(tracker))


def _changed(laid_out: str, text: str) -> str | None:
    """Kept as None when beautifying changed nothing: the body itself is the text to read."""
    return laid_out if laid_out != text else None


def job_for(tracker: Tracker) -> Job:
    """The scheduler job that checks a saved tracker."""
    return Job(
        id=tracker.job_id,
        schedule=tracker.schedule,
        timezone=tracker.timezone,
        handler=CHECK_HANDLER,
        payload={"tracker_id": tracker.id},
        retry=tracker.retry,
        enabled=tracker.enabled,
    )


def capture_request(tracker: Tracker) -> CaptureRequest:
    """What the tracker's kind needs to know to take a snapshot of its page."""
    return CaptureRequest(
        tracker.url,
        dict(tracker.headers),
        dict(tracker.options),
        tuple(tracker.ignore),
        tuple(tracker.mask),
        tracker.verify_tls,
    )


def _diff(tracker: Tracker, old: Revision | None, new: Revision) -> Diff | None:
    """From `old` to `new` by their kind; None when there is no older one of the same kind."""
    if old is None or old.kind != new.kind:
        return None
    return kind_for(new.kind).diff(old.snapshot, new.snapshot, tracker.options)


Stored = tuple[int, Diff, bool, Notification | None]


def _store_result(
    tx: TrackerTransaction, tracker: Tracker, kind: Kind, checked: Checked, now: float
) -> Stored | None:
    """Keep the result if it changed; notify unless it is the baseline. One transaction."""
    assert tracker.id is not None
    try:
        current = tx.get_tracker(tracker.id)
    except UnknownTracker:
        return None  # removed while it was being checked
    if current.kind != tracker.kind:
        return None  # made another kind while it was being checked: its next check counts
    latest = tx.latest_revision(tracker.id)
    old = latest.snapshot if latest is not None and latest.kind == tracker.kind else None
    diff = kind.diff(old, checked.snapshot, current.options)
    if latest is not None and diff.is_empty:
        return None
    page = checked.page
    revision_id = tx.save_revision(
        tracker.id,
        page.final_url,
        page.status,
        checked.snapshot.to_json(),
        current.revisions,
        now,
    )
    baseline = latest is None
    if baseline or not current.notify or not kind.notifies(diff, current.options):
        return revision_id, diff, baseline, None
    weaknesses = [f"New weakness: {f.message}" for f in diff.findings]
    body = "\n".join([diff.summary(), *diff.details()[:_BODY_LINES], *weaknesses])
    notification = tx.insert_notification(
        Notification(
            tracker.id,
            NotificationKind.CHANGE,
            f"Change detected: {current.name}",  # the summary is the body's, said once
            body,
            now,
            revision_id,
        )
    )
    return revision_id, diff, baseline, notification


_BODY_LINES = 8  # of a change's details in its notification; the history has them all


def _store_success(
    tx: TrackerTransaction, tracker: Tracker, kind: Kind, checked: Checked, now: float
) -> tuple[Notification | None, Stored | None]:
    """A check succeeded: end the failure streak ("works again", stored first), then keep the
    result. One transaction."""
    assert tracker.id is not None
    recovered = _end_failure(tx, tracker.id, now)
    return recovered, _store_result(tx, tracker, kind, checked, now)


def _end_failure(tx: TrackerTransaction, tracker_id: int, now: float) -> Notification | None:
    """End the tracker's failure streak; "works again" if its failure was told. A check that
    succeeds with no streak (the common case) costs one lookup by key."""
    streak = tx.end_failure_streak(tracker_id)
    if streak is None or not streak.notified:
        return None
    try:
        current = tx.get_tracker(tracker_id)
    except UnknownTracker:
        return None
    if not current.notify:
        return None  # turned off since: the streak ends quietly
    reason = first_line(streak.error, "unknown error")
    body = f"It had failed since {_local_time(streak.since)} ({reason})."
    return tx.insert_notification(
        Notification(
            tracker_id, NotificationKind.RECOVERED, f"{current.name} works again", body, now
        )
    )


def _record_failure(
    tx: TrackerTransaction, tracker_id: int, error: str, now: float
) -> Notification | None:
    """A run failed for good. The first of a streak is told, if the tracker notifies (with
    notify off the streak is kept all the same, so turning it on later tells nothing old);
    later ones only update the streak's error. One transaction."""
    try:
        tracker = tx.get_tracker(tracker_id)
    except UnknownTracker:
        return None  # removed meanwhile
    streak = tx.get_failure_streak(tracker_id)
    if streak is not None:
        tx.save_failure_streak(replace(streak, error=error, updated_at=now))
        return None
    tx.save_failure_streak(FailureStreak(tracker_id, now, error, tracker.notify, now))
    if not tracker.notify:
        return None
    return tx.insert_notification(
        Notification(
            tracker_id,
            NotificationKind.FAILURE,
            f"Check failed: {tracker.name}",
            error.strip() or "unknown error",  # the reason, in words (the fetcher's own)
            now,
        )
    )


def _local_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M")
