"""The scheduler: runs jobs at their due instants, never early, never twice, never lost.

How it keeps its promises:
- Due times are absolute wall-clock instants (UTC) kept in a heap. Every pass of the loop reads
  the wall clock again and fires what is due, so a long sleep is never trusted: after a suspend or
  a forward clock jump the next pass (at most `max_idle` seconds later) runs what became due, and
  after a backward jump nothing is due again because each job's next instant was moved past the
  run when it was taken.
- Timers may wake early (qasync's Qt timers do) or late. The loop approaches a due instant in
  shrinking sleeps and checks the wall clock before firing, so nothing starts before its time.
- Missed runs collapse into one: when a job is taken, its next instant is computed after *now*,
  whatever the number of instants that were missed. That costs one computation, however long the
  downtime.
- A run is recorded as started (and its job's next instant moved on) in the same transaction; a
  run still marked started when the scheduler starts again was cut short by a crash and is run
  again. Writes of runs due together are handed to the store as one batch.
- Starting on thousands of jobs, what is due within a couple of seconds is read first, with its
  definitions, and fired; the other jobs' timings are read after. What happens to a job in
  between (it fires, is added, changed or removed) wins over that older read.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from desktop_tracker.core.clock import Clock, SystemClock
from desktop_tracker.core.events import (
    ClockJumped,
    EventBus,
    JobFailed,
    JobFinished,
    JobStarted,
    RetryScheduled,
    RunInterrupted,
    RunSkipped,
    SchedulerEvent,
)
from desktop_tracker.core.job_store import JobStore
from desktop_tracker.core.jobs import (
    Job,
    JobTiming,
    MisfirePolicy,
    RunClaim,
    RunOutcome,
    RunRecord,
    RunResult,
)
from desktop_tracker.core.schedules import InvalidSchedule, parse_schedule
from desktop_tracker.core.words import error_in_words

log = logging.getLogger(__name__)

# Qt's coarse timers are precise for intervals of 20 ms or less; above that they may be 5% off
# either way. Approaching a due instant by sleeping 94% of the remaining time keeps every wake-up
# before the instant, and the last step is short enough to be precise.
_PRECISE_SLEEP = 0.020
_APPROACH = 0.94
# At start, jobs due within this many seconds are read (with their definitions) and queued before
# the timings of all the others; a job due later than that is queued by then.
_START_HORIZON = 2.0


@dataclass(frozen=True, slots=True)
class RunContext:
    """What a handler is told about the run it performs."""

    job: Job
    run_id: str
    planned_at: float
    attempt: int


Handler = Callable[[RunContext], Awaitable[None]]


class UnknownJob(KeyError):
    """No job has that id."""


class Scheduler:
    """Runs jobs from a `JobStore` on a `Clock`, in the running asyncio loop."""

    def __init__(
        self,
        store: JobStore,
        clock: Clock | None = None,
        *,
        max_concurrent: int = 8,
        max_idle: float = 30.0,
        misfire_grace: float = 60.0,
        jump_threshold: float = 2.0,
        sync_interval: float = 5.0,
    ) -> None:
        self._store = store
        self._clock: Clock = clock or SystemClock()
        self._max_idle = max_idle
        self._misfire_grace = misfire_grace
        self._jump_threshold = jump_threshold
        self._sync_interval = sync_interval
        self._limit = asyncio.Semaphore(max_concurrent)
        self.events: EventBus[SchedulerEvent] = EventBus()
        self._handlers: dict[str, Handler] = {}

        self._timings: dict[str, JobTiming] = {}  # enabled jobs only
        self._jobs: dict[str, Job] = {}  # definitions loaded so far
        # (due, job id): a job has one current entry; ids break ties, and are unique.
        self._heap: list[tuple[float, str]] = []
        self._queued: dict[str, float] = {}  # the heap entry that is current for each job
        self._running: dict[str, asyncio.Task[RunRecord]] = {}
        self._deferred: set[str] = set()  # due while running: run again when the run ends
        self._writes: set[asyncio.Task[object]] = set()  # store writes not yet done
        self._results: list[RunResult] = []  # results waiting to be handed to the store
        self._prefetch: asyncio.Task[None] | None = None
        # While start reads the timings of the jobs not due soon: the ids whose timing changed
        # meanwhile (in memory, they are newer than what was read).
        self._loading: set[str] | None = None
        self._ready = asyncio.Event()  # set once start knows every job's timing

        self._changed = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._paused = False
        self._stopping = False

    # -- set-up ---------------------------------------------------------------------------

    def register_handler(self, name: str, handler: Handler) -> None:
        self._handlers[name] = handler

    @property
    def running(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    @property
    def paused(self) -> bool:
        return self._paused

    async def start(self) -> None:
        """Recover runs cut short by a crash, fire what is due, load every job's timing and go on
        firing.

        What is due (or soon due) is read first, definitions and all, and fired before the
        timings of the other jobs are read: those are most of the file, and reading them takes
        longer than firing. `start` returns once every job's timing is known.
        """
        if self.running:
            return
        self._stopping = False
        self._ready.clear()
        now = self._clock.now()
        # Queued together: the store runs them one after the other, in this order.
        recovering = self._store.recover_interrupted(now)
        baseline = self._store.changed_elsewhere()  # the baseline for noticing other writers
        soon = self._store.load_due(now + _START_HORIZON)
        interrupted = await recovering
        await baseline
        first = await soon
        rerun_ids = {run.job_id for run in interrupted} - first.keys()
        if rerun_ids:  # rare: a crash; their jobs are due again now, wherever their schedule is
            first.update(await self._store.load_due(now + _START_HORIZON, rerun_ids))
        self._timings = {}
        for job_id, (job, timing) in first.items():
            self._jobs[job_id] = job
            self._timings[job_id] = timing
        reruns: list[Awaitable[None]] = []
        for run in interrupted:
            current = self._timings.get(run.job_id)
            if current is None:
                continue  # the job was removed or paused since
            rerun = current._replace(
                retry_due=now, retry_attempt=run.attempt, retry_planned=run.planned_at
            )
            self._timings[run.job_id] = rerun
            reruns.append(self._store.save_timing(run.job_id, rerun))
            self.events.publish(RunInterrupted(run.job_id, run.run_id, run.planned_at, run.attempt))
        for saved in reruns:
            await saved
        self._queued = {}
        for job_id, timing in self._timings.items():
            due = timing.due
            if due is not None:
                self._queued[job_id] = due
        self._compact_heap()
        self._loading = set()
        try:
            if not self._paused:
                try:
                    await self._fire_due(self._clock.now())
                except Exception:
                    log.exception("firing at start failed; the loop tries again")
            self._loop_task = asyncio.ensure_future(self._run_loop())
            # The runs just started take their first step (their handlers are called) before
            # the database thread starts building thousands of timings, which holds the GIL.
            await asyncio.sleep(0)
            rest = await self._store.load_timings()
        except BaseException:
            self._loading = None
            self._ready.set()
            await self.stop(grace=0)
            raise
        touched, self._loading = self._loading, None
        # Jobs fired, added, changed or removed meanwhile are known better here than in the read.
        known = self._timings
        fresh = {i: t for i, t in rest.items() if i not in known and i not in touched}
        known.update(fresh)
        self._queue_all(fresh)
        self._ready.set()
        self._changed.set()
        if not self._stopping:
            self._prefetch = asyncio.ensure_future(self._prefetch_definitions())

    async def stop(self, grace: float = 10.0) -> None:
        """Stop firing; let runs in flight finish for `grace` seconds, then interrupt them."""
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        runs = list(self._running.values())
        if runs:
            _, unfinished = await asyncio.wait(runs, timeout=grace)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*runs, return_exceptions=True)
        if self._prefetch is not None:
            self._prefetch.cancel()
            await asyncio.gather(self._prefetch, return_exceptions=True)
        await self.flush()

    async def flush(self) -> None:
        """Wait until every run record has been handed to the store and written."""
        self._flush_results()
        while self._writes:
            await asyncio.gather(*list(self._writes), return_exceptions=True)

    # -- jobs -----------------------------------------------------------------------------

    async def add_job(self, job: Job) -> JobTiming:
        """Add or replace a job, its next instant computed from now (a pending retry is dropped)."""
        return (await self.add_jobs([job]))[0]

    async def add_jobs(self, jobs: Iterable[Job]) -> list[JobTiming]:
        """Add or replace many jobs in one transaction.

        :raises InvalidSchedule: if any job's schedule is invalid; then none is saved.
        """
        now = self._clock.now()
        # Jobs added together mostly share a few schedules: compute each one's instant once.
        planned: dict[tuple[str, str, bool], JobTiming] = {}
        entries: list[tuple[Job, JobTiming]] = []
        for job in jobs:
            key = (job.schedule, job.timezone, job.enabled)
            timing = planned.get(key)
            if timing is None:
                timing = planned[key] = first_timing(job, now)
            entries.append((job, timing))
        await self._store.save_jobs(entries)
        enabled: dict[str, JobTiming] = {}
        for job, timing in entries:
            self._jobs[job.id] = job
            if job.enabled:
                enabled[job.id] = timing
            else:
                enabled.pop(job.id, None)  # given twice, the last one disabled
                self._forget(job.id)
        if self._loading is not None:
            self._loading.update(enabled)
        self._timings.update(enabled)
        self._queue_all(enabled)
        self._changed.set()
        return [timing for _, timing in entries]

    async def remove_job(self, job_id: str) -> None:
        """Remove a job; a run in flight finishes, but nothing more of it runs."""
        await self._store.delete_job(job_id)
        self._forget(job_id)
        self._jobs.pop(job_id, None)
        self._changed.set()

    def pause_all(self) -> None:
        """Fire nothing until `resume_all`; runs in flight finish."""
        self._paused = True

    def resume_all(self) -> None:
        """Fire again; jobs that became due while paused run once."""
        self._paused = False
        self._changed.set()

    def timing(self, job_id: str) -> JobTiming | None:
        """The job's current timing, or None if it is unknown or paused."""
        return self._timings.get(job_id)

    async def run_now(self, job_id: str) -> asyncio.Task[RunRecord] | None:
        """Run a job at once ("Check now"), off its schedule, which stays as it is.

        Returns the run's task, or None when the job is already running (it never overlaps).
        """
        if job_id in self._running:
            return None
        if self._loading is not None:
            await self._ready.wait()  # its timing may not be read yet: the claim writes it
            if job_id in self._running:
                return None
        job = await self._definition(job_id)
        now = self._clock.now()
        claim = RunClaim(
            run_id=_new_run_id(),
            job_id=job_id,
            planned_at=now,
            started_at=now,
            attempt=1,
            timing_after=self._timings.get(job_id, JobTiming(None)),
        )
        self._spawn(self._store.record_claims([claim]))
        return self._start_run(job, claim)

    # -- the loop -------------------------------------------------------------------------

    async def _run_loop(self) -> None:
        last_wall, last_mono = self._clock.now(), self._clock.monotonic()
        last_sync = last_mono
        while True:
            now, mono = self._clock.now(), self._clock.monotonic()
            drift = (now - last_wall) - (mono - last_mono)
            if abs(drift) > self._jump_threshold:
                log.info("wall clock moved %.1f s apart from monotonic time; re-planning", drift)
                self.events.publish(ClockJumped(drift))
            last_wall, last_mono = now, mono
            if mono - last_sync >= self._sync_interval:
                last_sync = mono
                await self._sync_external_changes()
            if not self._paused:
                try:
                    await self._fire_due(now)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # A store or handler-lookup failure must not end the scheduler.
                    log.exception("scheduler pass failed; trying again on the next pass")
                    await self._clock.sleep(1.0)
                    continue
            await self._wait(self._delay_until_next(self._clock.now()))

    async def _sync_external_changes(self) -> None:
        """Pick up jobs that another process (the command line) added, changed or removed."""
        try:
            if not await self._store.changed_elsewhere():
                return
            timings = await self._store.load_timings()
        except Exception:
            log.exception("could not look for changes made by another process")
            return
        log.info("jobs were changed by another process; reloading their timing")
        self._jobs = {i: job for i, job in self._jobs.items() if i in self._running}
        for job_id in list(self._timings):
            if job_id not in timings:
                self._forget(job_id)
        for job_id, timing in timings.items():
            if self._timings.get(job_id) != timing:
                self._set_timing(job_id, timing)
        if self._prefetch is None or self._prefetch.done():
            self._prefetch = asyncio.ensure_future(self._prefetch_definitions())

    def _delay_until_next(self, now: float) -> float:
        self._drop_stale_heads()
        if self._paused or not self._heap:
            return self._max_idle
        remaining = self._heap[0][0] - now
        if remaining <= 0:
            return 0.0
        if remaining >= self._max_idle:
            return self._max_idle
        if remaining > _PRECISE_SLEEP:
            return remaining * _APPROACH
        # Timers overshoot (see Clock.timer_slack): stop short of the instant and cover the rest
        # by yielding to the loop.
        return max(0.0, remaining - self._clock.timer_slack)

    async def _wait(self, delay: float) -> None:
        if delay <= 0:
            await asyncio.sleep(0)  # let other tasks run between passes
            return
        if self._changed.is_set():
            self._changed.clear()
            return
        sleeper = asyncio.ensure_future(self._clock.sleep(delay))
        changed = asyncio.ensure_future(self._changed.wait())
        try:
            await asyncio.wait({sleeper, changed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            changed.cancel()
        self._changed.clear()

    async def _fire_due(self, now: float) -> None:
        due_ids: list[str] = []
        while self._heap and self._heap[0][0] <= now:
            due, job_id = heapq.heappop(self._heap)
            if self._queued.get(job_id) != due:
                continue  # replaced by a later entry
            del self._queued[job_id]
            if job_id in self._running:
                self._deferred.add(job_id)
            else:
                due_ids.append(job_id)
        if not due_ids:
            return
        missing = [job_id for job_id in due_ids if job_id not in self._jobs]
        if missing:
            self._jobs.update(await self._store.load_jobs(missing))
            now = max(now, self._clock.now())
        claims: list[RunClaim] = []
        skips: list[tuple[RunRecord, JobTiming]] = []
        starts: list[tuple[Job, RunClaim]] = []
        nexts: dict[tuple[str, str], float | None] = {}  # jobs due together share schedules
        for job_id in due_ids:
            timing = self._timings.get(job_id)
            job = self._jobs.get(job_id)
            if timing is None or job is None:
                continue  # removed or paused while we looked it up
            taken = self._take(job, timing, now, nexts)
            if isinstance(taken, RunClaim):
                claims.append(taken)
                starts.append((job, taken))
            else:
                skips.append(taken)
        if claims:
            self._spawn(self._store.record_claims(claims))
        if skips:
            self._spawn(self._store.record_skips(skips))
        for job, claim in starts:
            self._start_run(job, claim)

    def _take(
        self,
        job: Job,
        timing: JobTiming,
        now: float,
        nexts: dict[tuple[str, str], float | None] | None = None,
    ) -> RunClaim | tuple[RunRecord, JobTiming]:
        """Decide what the due job runs now, and move its timing past it. `nexts`: the next
        instants after `now` found so far, by schedule and zone."""
        scheduled = timing.next_due is not None and timing.next_due <= now
        if scheduled:
            assert timing.next_due is not None
            planned, attempt = timing.next_due, 1
            # One computation from now, however many instants were missed.
            after = JobTiming(self._next_instant(job, now, nexts))
        else:
            assert timing.retry_due is not None
            planned = timing.retry_planned if timing.retry_planned is not None else timing.retry_due
            attempt = max(1, timing.retry_attempt)
            after = JobTiming(timing.next_due)
        self._set_timing(job.id, after)
        if scheduled and job.misfire is MisfirePolicy.SKIP and now - planned > self._misfire_grace:
            record = RunRecord(
                _new_run_id(), job.id, planned, now, now, RunOutcome.SKIPPED, None, attempt
            )
            self.events.publish(RunSkipped(job.id, planned, after.next_due))
            return record, after
        return RunClaim(_new_run_id(), job.id, planned, now, attempt, after)

    def _next_instant(
        self, job: Job, after: float, nexts: dict[tuple[str, str], float | None] | None = None
    ) -> float | None:
        key = (job.schedule, job.timezone)
        if nexts is not None and key in nexts:
            return nexts[key]
        try:
            schedule = parse_schedule(job.schedule, job.timezone)
        except InvalidSchedule:
            log.exception("job %s has a schedule that no longer parses; it will not run", job.id)
            return None
        nxt = schedule.next_due_after(datetime.fromtimestamp(after, UTC))
        instant = nxt.timestamp() if nxt is not None else None
        if nexts is not None:
            nexts[key] = instant
        return instant

    # -- one run --------------------------------------------------------------------------

    def _start_run(self, job: Job, claim: RunClaim) -> asyncio.Task[RunRecord]:
        task = asyncio.ensure_future(self._execute(job, claim))
        self._running[job.id] = task
        return task

    async def _execute(self, job: Job, claim: RunClaim) -> RunRecord:
        started = claim.started_at
        try:
            async with self._limit:
                started = self._clock.now()
                self.events.publish(
                    JobStarted(job.id, claim.run_id, claim.planned_at, started, claim.attempt)
                )
                handler = self._handlers.get(job.handler)
                if handler is None:
                    raise LookupError(f"no handler named {job.handler!r} is registered")
                await handler(RunContext(job, claim.run_id, claim.planned_at, claim.attempt))
        except asyncio.CancelledError:
            record = self._interrupted(job, claim, started)
            raise
        except Exception as error:
            record = self._failed(job, claim, started, error_in_words(error))
        else:
            record = self._succeeded(job, claim, started)
        finally:
            self._running.pop(job.id, None)
            if job.id in self._deferred:
                self._deferred.discard(job.id)
                timing = self._timings.get(job.id)
                if timing is not None:
                    self._set_timing(job.id, timing)
                    self._changed.set()
        return record

    def _finish(
        self,
        claim: RunClaim,
        started: float,
        outcome: RunOutcome,
        error: str | None,
        timing: JobTiming | None,
    ) -> RunRecord:
        ended = self._clock.now()
        result = RunResult(claim.run_id, claim.job_id, started, ended, outcome, error, timing)
        # Runs that end together (a burst due at one instant) are written as one batch, handed
        # over on the next turn of the loop, after the claims that were handed over before.
        if not self._results:
            asyncio.get_running_loop().call_soon(self._flush_results)
        self._results.append(result)
        return RunRecord(
            claim.run_id,
            claim.job_id,
            claim.planned_at,
            started,
            ended,
            outcome,
            error,
            claim.attempt,
        )

    def _succeeded(self, job: Job, claim: RunClaim, started: float) -> RunRecord:
        record = self._finish(claim, started, RunOutcome.SUCCEEDED, None, None)
        self.events.publish(
            JobFinished(
                job.id,
                claim.run_id,
                claim.planned_at,
                started,
                record.ended_at or started,
                claim.attempt,
            )
        )
        return record

    def _failed(self, job: Job, claim: RunClaim, started: float, error: str) -> RunRecord:
        now = self._clock.now()
        timing = self._timings.get(job.id)
        delay = job.retry.delay_after(claim.attempt)
        retry_due = now + delay if delay is not None else None
        new_timing: JobTiming | None = None
        if timing is not None and retry_due is not None:
            if timing.next_due is not None and timing.next_due <= retry_due:
                retry_due = None  # the next scheduled run comes first and takes the retry's place
            else:
                new_timing = timing._replace(
                    retry_due=retry_due,
                    retry_attempt=claim.attempt + 1,
                    retry_planned=claim.planned_at,
                )
                self._set_timing(job.id, new_timing)
                self._changed.set()
        record = self._finish(claim, started, RunOutcome.FAILED, error, new_timing)
        gave_up = delay is None
        self.events.publish(
            JobFailed(job.id, claim.run_id, claim.planned_at, claim.attempt, error, gave_up)
        )
        if new_timing is not None and retry_due is not None:
            self.events.publish(RetryScheduled(job.id, claim.attempt + 1, retry_due))
        return record

    def _interrupted(self, job: Job, claim: RunClaim, started: float) -> RunRecord:
        """The app is stopping during the run: record it and run it again at the next start."""
        timing = self._timings.get(job.id)
        new_timing: JobTiming | None = None
        if timing is not None:
            new_timing = timing._replace(
                retry_due=self._clock.now(),
                retry_attempt=claim.attempt,
                retry_planned=claim.planned_at,
            )
            self._timings[job.id] = new_timing  # not queued: the scheduler is stopping
            if self._loading is not None:
                self._loading.add(job.id)
        record = self._finish(claim, started, RunOutcome.INTERRUPTED, "interrupted", new_timing)
        self.events.publish(RunInterrupted(job.id, claim.run_id, claim.planned_at, claim.attempt))
        return record

    # -- bookkeeping ----------------------------------------------------------------------

    def _set_timing(self, job_id: str, timing: JobTiming) -> None:
        self._timings[job_id] = timing
        if self._loading is not None:
            self._loading.add(job_id)
        due = timing.due
        if due is None:
            self._queued.pop(job_id, None)
            return
        if self._queued.get(job_id) == due:
            return
        self._queued[job_id] = due
        heapq.heappush(self._heap, (due, job_id))
        if len(self._heap) > 2 * len(self._queued) + 1024:
            self._compact_heap()

    def _queue_all(self, timings: dict[str, JobTiming]) -> None:
        """Queue many jobs at these timings (already theirs in `_timings`): one heapify rather
        than a push each."""
        if len(timings) < 64:
            for job_id, timing in timings.items():
                self._set_timing(job_id, timing)
            return
        queued = self._queued
        entries = []
        for job_id, timing in timings.items():
            due = timing.due
            if due is None:
                queued.pop(job_id, None)
            elif queued.get(job_id) != due:
                queued[job_id] = due
                entries.append((due, job_id))
        if len(self._heap) + len(entries) > 2 * len(queued) + 1024:
            self._compact_heap()  # drops the entries the new ones replace
        else:
            self._heap += entries
            heapq.heapify(self._heap)

    def _forget(self, job_id: str) -> None:
        if self._loading is not None:
            self._loading.add(job_id)
        self._timings.pop(job_id, None)
        self._queued.pop(job_id, None)
        self._deferred.discard(job_id)

    def _drop_stale_heads(self) -> None:
        while self._heap and self._queued.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)

    def _compact_heap(self) -> None:
        """Rebuild the heap from the current entries, dropping stale ones."""
        self._heap = [(due, job_id) for job_id, due in self._queued.items()]
        heapq.heapify(self._heap)

    async def _definition(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            job = (await self._store.load_jobs([job_id])).get(job_id)
            if job is None:
                raise UnknownJob(job_id)
            self._jobs[job_id] = job
        return job

    async def _prefetch_definitions(self) -> None:
        """Load job definitions in the background so that firing needs no database read."""
        ids = [job_id for job_id in self._timings if job_id not in self._jobs]
        for start in range(0, len(ids), 2000):
            loaded = await self._store.load_jobs(ids[start : start + 2000])
            for job_id, job in loaded.items():
                self._jobs.setdefault(job_id, job)

    def _flush_results(self) -> None:
        results, self._results = self._results, []
        if results:
            self._spawn(self._store.record_results(results))

    def _spawn(self, work: Awaitable[object]) -> None:
        task: asyncio.Task[object] = asyncio.ensure_future(work)
        self._writes.add(task)
        task.add_done_callback(self._write_done)

    def _write_done(self, task: asyncio.Task[object]) -> None:
        self._writes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("scheduler store write failed", exc_info=task.exception())


def first_timing(job: Job, now: float) -> JobTiming:
    """The timing of a job added (or changed) at `now`: its first instant after now.

    :raises InvalidSchedule: if the job's schedule is invalid.
    """
    schedule = parse_schedule(job.schedule, job.timezone)
    if not job.enabled:
        return JobTiming(None)
    nxt = schedule.next_due_after(datetime.fromtimestamp(now, UTC))
    return JobTiming(nxt.timestamp() if nxt is not None else None)


def _new_run_id() -> str:
    # 128 random bits as 32 hex digits, as uuid4().hex is, without building a UUID: a burst of
    # runs due together makes hundreds.
    return os.urandom(16).hex()
