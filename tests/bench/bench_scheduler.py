"""desktop_tracker's scheduler against APScheduler 3.11, on the measures the issue sets targets for.

Run by hand (it is not part of the test suite):

    cd /work/main && .venv/bin/python tests/bench/bench_scheduler.py

One process; the memory probe runs in subprocesses of this same file
(``--probe-memory ours|apscheduler DIR``). Progress goes to stderr, the table to stdout.

Our side: the real SQLite store (`Database` + `SqliteJobStore`) and `Scheduler(store, clock)`.
The peer: APScheduler 3.11 `AsyncIOScheduler` with `SQLAlchemyJobStore` on a temp SQLite file,
its jobs calling module-level functions of this file (APScheduler pickles references to them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import pickle
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for tests.support; desktop_tracker itself is installed

import psutil  # noqa: E402
from apscheduler.job import Job as ApsJob  # noqa: E402
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # noqa: E402
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # noqa: E402
from apscheduler.triggers.cron import CronTrigger  # noqa: E402
from apscheduler.triggers.date import DateTrigger  # noqa: E402
from apscheduler.triggers.interval import IntervalTrigger  # noqa: E402

from desktop_tracker.core import schedules  # noqa: E402
from desktop_tracker.core.clock import FakeClock  # noqa: E402
from desktop_tracker.core.jobs import Job, JobTiming  # noqa: E402
from desktop_tracker.core.scheduler import RunContext, Scheduler, first_timing  # noqa: E402
from desktop_tracker.store.database import Database  # noqa: E402
from desktop_tracker.store.job_repository import SqliteJobStore  # noqa: E402
from tests.support.memory_store import MemoryJobStore  # noqa: E402

N_JOBS = 10_000
ZONE = "UTC"
DAY = 86400.0
OUR_ADD_REPEATS = 5
APS_ADD_REPEATS = 3
APS_ADD_BUDGET = 40.0  # seconds of APScheduler adding, at most (it takes ~9 s a round)
START_REPEATS = 5
SAME_INSTANT_REPEATS = 3
CATCH_UP_REPEATS = 3
SPREAD_JOBS = 200
SPREAD_REPEATS = 3
SPREAD_SECONDS = 3.0
LEAD = 1.0  # seconds from now to the first due instant
# APScheduler commits each add_job (~2 ms here, more under load): its instants are set further
# ahead so that adding never eats into them. The lead does not change how late a job runs.
APS_LEAD = LEAD + 0.01 * 200
APS_WAKEUP_WINDOW = 10.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# APScheduler's jobs: module-level, so that its store can pickle references to them.

_APS: dict[str, Any] = {"hits": [], "late": [], "want": 0, "event": None}


def _aps_reset(want: int) -> asyncio.Event:
    event = asyncio.Event()
    _APS.update(hits=[], late=[], want=want, event=event)
    return event


async def aps_noop() -> None:
    """Added by the add measure; never runs."""


async def aps_hit(tag: str) -> None:
    _APS["hits"].append((tag, time.perf_counter()))
    if len(_APS["hits"]) >= _APS["want"] and _APS["event"] is not None:
        _APS["event"].set()


async def aps_late(planned: float) -> None:
    _APS["late"].append(time.time() - planned)
    if len(_APS["late"]) >= _APS["want"] and _APS["event"] is not None:
        _APS["event"].set()


# ----------------------------------------------------------------------------------------------
# Job sets


def realistic_specs(n: int) -> tuple[list[tuple[str, str]], int]:
    """(id, expression) for n jobs: half cron with a realistic spread, half `@every N m`."""
    crons = (
        [f"{m} * * * *" for m in range(60)]
        + ["*/5 * * * *", "*/10 * * * *", "*/15 * * * *", "*/30 * * * *", "@hourly", "@daily"]
        + [f"0 {h} * * *" for h in range(24)]
        + [f"30 {h} * * mon-fri" for h in range(7, 19)]
        + [f"{m} {h} * * *" for h in (6, 12, 18) for m in (5, 20, 45)]
    )
    intervals = [f"@every {n}m" for n in range(1, 121)]
    specs = []
    for i in range(n):
        pool = crons if i % 2 == 0 else intervals
        specs.append((f"job-{i:05d}", pool[(i // 2) % len(pool)]))
    return specs, len({expr for _, expr in specs})


def quiet_specs(n: int, now: float) -> list[tuple[str, str]]:
    """(id, expression) for n jobs none of which is due within two hours of `now`."""
    after = datetime.fromtimestamp(now, UTC)
    candidates = [f"{m} {h} * * *" for h in range(24) for m in range(0, 60, 5)]
    candidates += [f"@every {h}h" for h in range(2, 49)]
    quiet = []
    for expr in candidates:
        due = schedules.parse_schedule(expr, ZONE).next_due_after(after)
        if due is not None and due.timestamp() > now + 2 * 3600:
            quiet.append(expr)
    return [(f"job-{i:05d}", quiet[i % len(quiet)]) for i in range(n)]


def our_jobs(specs: Iterable[tuple[str, str]], handler: str = "bench") -> list[Job]:
    return [Job(job_id, expr, ZONE, handler) for job_id, expr in specs]


def aps_trigger(expr: str) -> CronTrigger | IntervalTrigger:
    if expr.startswith("@every "):
        amount = expr.removeprefix("@every ")
        unit = {"m": "minutes", "h": "hours", "s": "seconds", "d": "days"}[amount[-1]]
        return IntervalTrigger(timezone=UTC, **{unit: int(amount[:-1])})
    presets = {"@hourly": "0 * * * *", "@daily": "0 0 * * *"}
    # Weekdays are written as names: APScheduler 3 numbers them from Monday = 0.
    return CronTrigger.from_crontab(presets.get(expr, expr), timezone=UTC)


def clear_schedule_caches() -> None:
    """Forget parsed schedules and memoised instants, as in a freshly started process."""
    parse = getattr(schedules, "_parse", None)
    if parse is not None and hasattr(parse, "cache_clear"):
        parse.cache_clear()
    memo = getattr(schedules, "_memo", None)
    if isinstance(memo, dict):
        memo.clear()


def once_expression(instant: float) -> str:
    wall = datetime.fromtimestamp(instant, UTC).replace(tzinfo=None)
    return f"once {wall.isoformat(timespec='microseconds')}"


def fractional_once_supported() -> bool:
    try:
        schedule = schedules.parse_schedule("once 2030-01-01T00:00:00.250", ZONE)
        due = schedule.next_due_after(datetime(2029, 1, 1, tzinfo=UTC))
    except schedules.InvalidSchedule:
        return False
    return due is not None and due.microsecond == 250_000


# ----------------------------------------------------------------------------------------------
# Data files


async def _write_ours(path: Path, entries: list[tuple[Job, JobTiming]]) -> None:
    db = Database(path)
    try:
        await SqliteJobStore(db).save_jobs(entries)
    finally:
        await asyncio.to_thread(db.close)


def write_ours(path: Path, entries: list[tuple[Job, JobTiming]]) -> None:
    asyncio.run(_write_ours(path, entries))


_NO_SCHEDULER = SimpleNamespace(timezone=UTC)  # what ApsJob reads of its scheduler


def write_aps(path: Path, jobs: list[dict[str, Any]]) -> None:
    """Write APScheduler jobs as its SQLAlchemy store would, but in one transaction."""
    store = SQLAlchemyJobStore(url=f"sqlite:///{path}")
    try:
        store.jobs_t.create(store.engine, checkfirst=True)
        rows = []
        for spec in jobs:
            job = ApsJob(
                _NO_SCHEDULER,
                id=spec["id"],
                func=spec.get("func", aps_hit),
                trigger=spec["trigger"],
                executor="default",
                args=spec.get("args", ("x",)),
                kwargs={},
                name=spec["id"],
                misfire_grace_time=spec.get("misfire_grace_time", 1),
                coalesce=True,
                max_instances=1,
                next_run_time=spec["next_run_time"],
            )
            rows.append(
                {
                    "id": job.id,
                    "next_run_time": job.next_run_time.timestamp(),
                    "job_state": pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL),
                }
            )
        with store.engine.begin() as conn:
            conn.execute(store.jobs_t.insert(), rows)
    finally:
        store.engine.dispose()


def aps_quiet_jobs(specs: list[tuple[str, str]], now: datetime) -> list[dict[str, Any]]:
    jobs = []
    for job_id, expr in specs:
        trigger = aps_trigger(expr)
        jobs.append(
            {
                "id": job_id,
                "trigger": trigger,
                "next_run_time": trigger.get_next_fire_time(None, now),
            }
        )
    return jobs


def count_rows(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def fresh_copy(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(dst) + suffix).unlink()
    shutil.copyfile(src, dst)
    return dst


def aps_scheduler(path: Path) -> tuple[AsyncIOScheduler, SQLAlchemyJobStore]:
    store = SQLAlchemyJobStore(url=f"sqlite:///{path}")
    return AsyncIOScheduler(jobstores={"default": store}, timezone=UTC), store


async def aps_shutdown(scheduler: AsyncIOScheduler, store: SQLAlchemyJobStore) -> None:
    # AsyncIOScheduler.shutdown only queues the work on the loop.
    with contextlib.suppress(Exception):
        if scheduler.running:
            scheduler.shutdown(wait=False)
    for _ in range(5):
        await asyncio.sleep(0)
    store.engine.dispose()


async def open_ours(path: Path, clock: Any = None) -> tuple[Database, Scheduler]:
    db = Database(path)
    return db, Scheduler(SqliteJobStore(db), clock)


async def close_ours(db: Database, scheduler: Scheduler) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(scheduler.stop(grace=1.0), 10)
    db.close()


# ----------------------------------------------------------------------------------------------
# Statistics


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values: list[float]) -> str:
    return f"runs {', '.join(f'{v:.4g}' for v in values)}"


# ----------------------------------------------------------------------------------------------
# The measures. Each returns {"ours": ..., "aps": ..., plus notes}.


@dataclass
class Row:
    measure: str
    unit: str
    ours: float | None
    aps: float | None
    target: str
    met: Callable[[float], bool] | None
    ratio: bool = True
    digits: int = 1
    error: str | None = None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


# --- add 10,000 ----------------------------------------------------------------------------------


async def _ours_add(path: Path, jobs: list[Job]) -> tuple[float, float, float]:
    """Seconds until add_jobs is awaited, of which the loop spent before handing the rows to
    the database thread, and after the commit came back."""
    db = Database(path)
    store = SqliteJobStore(db)
    scheduler = Scheduler(store)
    marks: dict[str, float] = {}
    save_jobs = store.save_jobs

    def timed_save_jobs(entries: Any) -> Awaitable[None]:
        pending = save_jobs(entries)
        marks["queued"] = time.perf_counter()

        async def committed() -> None:
            await pending
            marks["committed"] = time.perf_counter()

        return committed()

    store.save_jobs = timed_save_jobs  # type: ignore[method-assign]
    try:
        await scheduler.start()
        clear_schedule_caches()
        t0 = time.perf_counter()
        await scheduler.add_jobs(jobs)
        end = time.perf_counter()
        return end - t0, marks["queued"] - t0, end - marks["committed"]
    finally:
        await close_ours(db, scheduler)


async def _aps_add(path: Path, triggers: list[tuple[str, Any]]) -> float:
    scheduler, store = aps_scheduler(path)
    scheduler.start(paused=True)
    try:
        t0 = time.perf_counter()
        for job_id, trigger in triggers:
            scheduler.add_job(aps_noop, trigger, id=job_id)
        return time.perf_counter() - t0
    finally:
        await aps_shutdown(scheduler, store)


def measure_add(tmp: Path, report: Report) -> None:
    specs, distinct = realistic_specs(N_JOBS)
    jobs = our_jobs(specs)
    ours, before_db, after_db = [], [], []
    for k in range(OUR_ADD_REPEATS):
        path = tmp / f"add-ours-{k}.sqlite3"
        gc.collect()
        total, before, after = asyncio.run(asyncio.wait_for(_ours_add(path, jobs), 60))
        ours.append(total)
        before_db.append(before * 1000)
        after_db.append(after * 1000)
        stored = count_rows(path, "jobs")
        if stored != N_JOBS:
            report.findings.append(f"add: our store holds {stored} jobs, not {N_JOBS}")
    log(f"add ours: {', '.join(f'{v * 1000:.0f} ms' for v in ours)}")
    aps: list[float] = []
    spent = 0.0
    while len(aps) < APS_ADD_REPEATS and (not aps or spent + aps[-1] < APS_ADD_BUDGET):
        # Triggers are made before the clock starts, as our Job objects are.
        triggers = [(job_id, aps_trigger(expr)) for job_id, expr in specs]
        path = tmp / f"add-aps-{len(aps)}.sqlite"
        aps.append(asyncio.run(asyncio.wait_for(_aps_add(path, triggers), 120)))
        spent += aps[-1]
        stored = count_rows(path, "apscheduler_jobs")
        if stored != N_JOBS:
            report.findings.append(f"add: APScheduler's store holds {stored} jobs, not {N_JOBS}")
        log(f"add APScheduler: {aps[-1]:.1f} s")
    report.rows.append(
        Row(
            f"add {N_JOBS:,} persisted cron+interval jobs",
            "s",
            median(ours),
            median(aps),
            "<= 0.1 s",
            lambda v: v <= 0.1,
            digits=3,
        )
    )
    report.notes.append(
        f"add: {distinct} distinct expressions ({N_JOBS // 2:,} cron, {N_JOBS // 2:,} @every N m);"
        f" ours {len(ours)} rounds [{summary([v * 1000 for v in ours])} ms], schedule caches"
        f" cleared before each; APScheduler {len(aps)} round(s) [{summary(aps)} s],"
        " one transaction per add_job on a started-paused scheduler."
    )
    report.notes.append(
        f"add, ours: the event loop is busy a median {median(before_db):.0f} ms computing first"
        " instants and building rows before the database thread gets them (a loop stall),"
        f" and {median(after_db):.0f} ms after the commit; the rest is the insert and commit."
    )


# --- start with 10,000 ---------------------------------------------------------------------------


async def _ours_start(path: Path) -> tuple[float, float, float]:
    fired = asyncio.Event()
    hits: list[float] = []

    async def handler(run: RunContext) -> None:
        hits.append(time.perf_counter())
        fired.set()

    clear_schedule_caches()
    t0 = time.perf_counter()
    db = Database(path)
    opened = time.perf_counter()
    scheduler = Scheduler(SqliteJobStore(db))
    scheduler.register_handler("bench", handler)
    try:
        await scheduler.start()
        started = time.perf_counter()
        await asyncio.wait_for(fired.wait(), 10)
        return hits[0] - t0, started - t0, opened - t0
    finally:
        await close_ours(db, scheduler)


async def _aps_start(path: Path) -> float:
    fired = _aps_reset(1)
    t0 = time.perf_counter()
    scheduler, store = aps_scheduler(path)
    try:
        scheduler.start()
        await asyncio.wait_for(fired.wait(), 30)
        return _APS["hits"][0][1] - t0
    finally:
        await aps_shutdown(scheduler, store)


def measure_start(tmp: Path, report: Report) -> None:
    now = time.time()
    specs = quiet_specs(N_JOBS - 1, now)
    entries = [(job, first_timing(job, now)) for job in our_jobs(specs)]
    entries.append((Job("due-now", "* * * * *", ZONE, "bench"), JobTiming(next_due=now)))
    pristine_ours = tmp / "start-ours.sqlite3"
    write_ours(pristine_ours, entries)
    now_dt = datetime.fromtimestamp(now, UTC)
    aps_jobs = aps_quiet_jobs(specs, now_dt)
    aps_jobs.append(
        {
            "id": "due-now",
            "trigger": DateTrigger(run_date=now_dt, timezone=UTC),
            "args": ("start",),
            "misfire_grace_time": None,
            "next_run_time": now_dt,
        }
    )
    pristine_aps = tmp / "start-aps.sqlite"
    write_aps(pristine_aps, aps_jobs)

    ours, ours_start_call, ours_open = [], [], []
    for _ in range(START_REPEATS):
        path = fresh_copy(pristine_ours, tmp / "start-ours-run.sqlite3")
        gc.collect()
        to_fire, to_started, to_open = asyncio.run(asyncio.wait_for(_ours_start(path), 30))
        ours.append(to_fire * 1000)
        ours_start_call.append(to_started * 1000)
        ours_open.append(to_open * 1000)
    aps = []
    for _ in range(START_REPEATS):
        path = fresh_copy(pristine_aps, tmp / "start-aps-run.sqlite")
        gc.collect()
        aps.append(asyncio.run(asyncio.wait_for(_aps_start(path), 60)) * 1000)
    log(f"start ours: {summary(ours)} ms; APScheduler: {summary(aps)} ms")
    report.rows.append(
        Row(
            f"start with {N_JOBS:,} jobs → first due job fires",
            "ms",
            median(ours),
            median(aps),
            "<= 50 ms",
            lambda v: v <= 50,
        )
    )
    report.notes.append(
        f"start: {START_REPEATS} rounds each, timed from Database(path) (APScheduler: from"
        " creating its SQLAlchemyJobStore) to the first handler call; ours"
        f" [{summary(ours)}] ms; of it, opening the file took a median"
        f" {median(ours_open):.1f} ms (PRAGMA quick_check reads every page), the rest is"
        " reading the recovery state and the jobs due within 2 s (definitions too) and firing;"
        " the other jobs' timings are read after the first run has started, and"
        f" Scheduler.start() returned once they were, after a median"
        f" {median(ours_start_call):.1f} ms; APScheduler [{summary(aps)}] ms."
    )


# --- lateness: 200 jobs at one instant, plain asyncio --------------------------------------------


class StallMeter:
    """A ticker that sleeps 1 ms at a time and keeps the longest extra gap inside a window."""

    def __init__(self, window_start: float) -> None:
        self.window_start = window_start  # perf_counter
        self.window_end = math.inf
        self.longest = 0.0
        self._stop = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        last = time.perf_counter()
        while not self._stop:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            if now >= self.window_start and last <= self.window_end:
                self.longest = max(self.longest, now - last - 0.001)
            last = now

    async def finish(self, tail: float = 0.1) -> float:
        self.window_end = time.perf_counter() + tail
        await asyncio.sleep(tail + 0.005)
        self._stop = True
        if self._task is not None:
            await self._task
        return self.longest


async def _ours_same_instant(path: Path) -> tuple[list[float], float]:
    late: list[float] = []
    done = asyncio.Event()

    async def handler(run: RunContext) -> None:
        late.append(time.time() - run.planned_at)
        if len(late) >= SPREAD_JOBS:
            done.set()

    db, scheduler = await open_ours(path)
    scheduler.register_handler("late", handler)
    try:
        await scheduler.start()
        instant = time.time() + LEAD
        expr = once_expression(instant)
        await scheduler.add_jobs(
            [Job(f"same-{i:03d}", expr, ZONE, "late") for i in range(SPREAD_JOBS)]
        )
        meter = StallMeter(time.perf_counter() + (instant - time.time()) - 0.05)
        meter.start()
        await asyncio.wait_for(done.wait(), LEAD + 10)
        stall = await meter.finish()
        return late, stall
    finally:
        await close_ours(db, scheduler)


async def _aps_same_instant(path: Path) -> tuple[list[float], float]:
    done = _aps_reset(SPREAD_JOBS)
    scheduler, store = aps_scheduler(path)
    scheduler.start(paused=True)
    try:
        run_date = datetime.fromtimestamp(time.time() + APS_LEAD, UTC)
        planned = run_date.timestamp()
        for i in range(SPREAD_JOBS):
            scheduler.add_job(
                aps_late,
                DateTrigger(run_date=run_date, timezone=UTC),
                args=(planned,),
                id=f"same-{i:03d}",
                misfire_grace_time=None,
            )
        if time.time() > planned - 0.2:
            raise RuntimeError("adding the jobs took too long; the instant was too close")
        scheduler.resume()
        meter = StallMeter(time.perf_counter() + (planned - time.time()) - 0.05)
        meter.start()
        await asyncio.wait_for(done.wait(), APS_LEAD + 30)
        stall = await meter.finish()
        return list(_APS["late"]), stall
    finally:
        await aps_shutdown(scheduler, store)


def measure_same_instant(tmp: Path, report: Report) -> None:
    ours_p99, ours_stall, ours_early, ours_max = [], [], 0, []
    aps_p99, aps_stall, aps_max = [], [], []
    for k in range(SAME_INSTANT_REPEATS):
        gc.collect()
        late, stall = asyncio.run(
            asyncio.wait_for(_ours_same_instant(tmp / f"same-ours-{k}.sqlite3"), 60)
        )
        ours_p99.append(percentile(late, 99) * 1000)
        ours_max.append(max(late) * 1000)
        ours_stall.append(stall * 1000)
        ours_early += sum(1 for v in late if v < 0)
        gc.collect()
        late, stall = asyncio.run(
            asyncio.wait_for(_aps_same_instant(tmp / f"same-aps-{k}.sqlite"), 90)
        )
        aps_p99.append(percentile(late, 99) * 1000)
        aps_max.append(max(late) * 1000)
        aps_stall.append(stall * 1000)
    log(
        f"same instant ours p99 {summary(ours_p99)} ms stall {summary(ours_stall)} ms;"
        f" APScheduler p99 {summary(aps_p99)} ms stall {summary(aps_stall)} ms"
    )
    report.rows.append(
        Row(
            f"{SPREAD_JOBS} jobs due at one instant: lateness p99",
            "ms",
            median(ours_p99),
            median(aps_p99),
            "<= 20 ms",
            lambda v: v <= 20,
        )
    )
    report.rows.append(
        Row(
            f"{SPREAD_JOBS} jobs due at one instant: longest loop stall",
            "ms",
            median(ours_stall),
            median(aps_stall),
            "<= 20 ms",
            lambda v: v <= 20,
        )
    )
    report.notes.append(
        f"one instant: plain asyncio loop, {SAME_INSTANT_REPEATS} rounds each; max lateness ours"
        f" [{summary(ours_max)}] ms, APScheduler [{summary(aps_max)}] ms; stall = longest"
        " gap beyond 1 ms of a ticker doing asyncio.sleep(0.001), from 50 ms before the instant"
        " to 100 ms after the last run; the instant is 1 s ahead for ours,"
        f" {APS_LEAD:g} s for APScheduler."
    )
    if ours_early:
        report.findings.append(f"one instant: {ours_early} of our runs started early")


# --- lateness: 200 jobs spread over 3 s, in the Qt loop ------------------------------------------


async def _ours_spread(path: Path, fractional: bool) -> tuple[list[float], int]:
    late: list[float] = []
    done = asyncio.Event()

    async def handler(run: RunContext) -> None:
        late.append(time.time() - run.planned_at)
        if len(late) >= SPREAD_JOBS:
            done.set()

    db, scheduler = await open_ours(path)
    scheduler.register_handler("late", handler)
    try:
        await scheduler.start()
        base = time.time() + LEAD
        instants = [base + i * SPREAD_SECONDS / SPREAD_JOBS for i in range(SPREAD_JOBS)]
        if not fractional:
            instants = [float(math.ceil(t)) for t in instants]
        jobs = [
            Job(f"spread-{i:03d}", once_expression(t), ZONE, "late") for i, t in enumerate(instants)
        ]
        timings = await scheduler.add_jobs(jobs)
        off = sum(
            1
            for t, timing in zip(instants, timings, strict=True)
            if timing.next_due is None or abs(timing.next_due - t) > 1e-5
        )
        await asyncio.wait_for(done.wait(), LEAD + SPREAD_SECONDS + 10)
        return late, off
    finally:
        await close_ours(db, scheduler)


async def _aps_spread(path: Path) -> list[float]:
    done = _aps_reset(SPREAD_JOBS)
    scheduler, store = aps_scheduler(path)
    scheduler.start(paused=True)
    try:
        base = time.time() + APS_LEAD
        for i in range(SPREAD_JOBS):
            run_date = datetime.fromtimestamp(base + i * SPREAD_SECONDS / SPREAD_JOBS, UTC)
            scheduler.add_job(
                aps_late,
                DateTrigger(run_date=run_date, timezone=UTC),
                args=(run_date.timestamp(),),
                id=f"spread-{i:03d}",
                misfire_grace_time=None,
            )
        if time.time() > base - 0.1:
            raise RuntimeError("adding the jobs took too long; the first instant was too close")
        scheduler.resume()
        await asyncio.wait_for(done.wait(), APS_LEAD + SPREAD_SECONDS + 30)
        return list(_APS["late"])
    finally:
        await aps_shutdown(scheduler, store)


def measure_spread_qasync(tmp: Path, report: Report) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["QT_API"] = "pyside6"
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    fractional = fractional_once_supported()
    if not fractional:
        report.findings.append(
            "spread: 'once' rejects or drops fractional seconds; jobs were put on whole seconds"
        )
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    ours: list[list[float]] = []
    aps: list[list[float]] = []
    off = 0
    try:
        for k in range(SPREAD_REPEATS):
            gc.collect()
            late, wrong = loop.run_until_complete(
                asyncio.wait_for(_ours_spread(tmp / f"spread-ours-{k}.sqlite3", fractional), 60)
            )
            ours.append([v * 1000 for v in late])
            off += wrong
            gc.collect()
            late = loop.run_until_complete(
                asyncio.wait_for(_aps_spread(tmp / f"spread-aps-{k}.sqlite"), 90)
            )
            aps.append([v * 1000 for v in late])
    finally:
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
    if off:
        report.findings.append(
            f"spread: {off} of our once-jobs were planned for another instant than written"
        )

    def per_round(rounds: list[list[float]], q: float | None) -> list[float]:
        return [max(r) if q is None else percentile(r, q) for r in rounds]

    stats = {
        name: (per_round(ours, q), per_round(aps, q))
        for name, q in (("p50", 50.0), ("p99", 99.0), ("max", None))
    }
    log(
        "spread "
        + "; ".join(
            f"{name} ours {summary(o)} APScheduler {summary(a)} ms"
            for name, (o, a) in stats.items()
        )
    )
    prefix = f"{SPREAD_JOBS} jobs over {SPREAD_SECONDS:.0f} s, Qt loop: lateness"
    limits = {"p50": 1.0, "p99": 5.0}
    for name, (o, a) in stats.items():
        limit = limits.get(name)
        report.rows.append(
            Row(
                f"{prefix} {name}",
                "ms",
                median(o),
                median(a),
                f"<= {limit:g} ms" if limit is not None else "—",
                (lambda v, limit=limit: v <= limit) if limit is not None else None,
                digits=2,
            )
        )
    report.rows.append(
        Row(
            f"{SPREAD_JOBS} jobs over {SPREAD_SECONDS:.0f} s, Qt loop: early runs (all rounds)",
            "",
            float(sum(1 for r in ours for v in r if v < 0)),
            float(sum(1 for r in aps for v in r if v < 0)),
            "0",
            lambda v: v == 0,
            ratio=False,
            digits=0,
        )
    )
    report.notes.append(
        f"Qt loop: qasync.QEventLoop(QApplication), QT_QPA_PLATFORM=offscreen, {SPREAD_REPEATS}"
        f" rounds of {SPREAD_JOBS} runs each, median of the rounds' p50/p99/max; ours"
        " 'once <ISO date-time with µs>' jobs (UTC) from 1 s ahead, APScheduler DateTrigger jobs"
        f" from {APS_LEAD:g} s ahead (its adds commit one by one);"
        f" ours p50 [{summary(stats['p50'][0])}], p99 [{summary(stats['p99'][0])}] ms."
    )


# --- memory --------------------------------------------------------------------------------------


def rss_mb() -> float:
    gc.collect()
    return float(psutil.Process().memory_info().rss) / 2**20


async def _probe_ours(folder: Path) -> dict[str, float]:
    db, scheduler = await open_ours(folder / "empty.sqlite3")
    await scheduler.start()
    prefetch = getattr(scheduler, "_prefetch", None)
    if prefetch is not None:
        await prefetch
    await asyncio.sleep(0.05)
    base = rss_mb()
    await close_ours(db, scheduler)
    del db, scheduler
    db, scheduler = await open_ours(folder / "ours-10k.sqlite3")
    await scheduler.start()
    prefetch = getattr(scheduler, "_prefetch", None)
    if prefetch is not None:
        await prefetch
    else:
        await asyncio.sleep(2)
    await asyncio.sleep(0.05)
    loaded = rss_mb()
    in_memory = len(getattr(scheduler, "_jobs", {}))
    await close_ours(db, scheduler)
    return {"base": base, "loaded": loaded, "definitions": in_memory}


async def _probe_aps(folder: Path) -> dict[str, float]:
    scheduler, store = aps_scheduler(folder / "empty.sqlite")
    scheduler.start()
    await asyncio.sleep(0.1)
    base = rss_mb()
    await aps_shutdown(scheduler, store)
    del scheduler, store
    scheduler, store = aps_scheduler(folder / "aps-10k.sqlite")
    scheduler.start()
    await asyncio.sleep(0.3)
    loaded = rss_mb()
    await aps_shutdown(scheduler, store)
    return {"base": base, "loaded": loaded, "definitions": 0}


def probe_memory(side: str, folder: Path) -> None:
    probe = _probe_ours if side == "ours" else _probe_aps
    result = asyncio.run(asyncio.wait_for(probe(folder), 60))
    print(json.dumps(result))


def run_probe(side: str, folder: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--probe-memory", side, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(ROOT),
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory probe {side} failed: {done.stderr.strip()[-600:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure_memory(tmp: Path, report: Report) -> None:
    folder = tmp / "memory"
    folder.mkdir()
    now = time.time()
    specs = quiet_specs(N_JOBS, now)
    write_ours(folder / "ours-10k.sqlite3", [(j, first_timing(j, now)) for j in our_jobs(specs)])
    write_aps(folder / "aps-10k.sqlite", aps_quiet_jobs(specs, datetime.fromtimestamp(now, UTC)))
    ours, aps, held = [], [], []
    for _ in range(2):
        for side, into in (("ours", ours), ("apscheduler", aps)):
            for name in ("empty.sqlite3", "empty.sqlite"):
                with contextlib.suppress(FileNotFoundError):
                    (folder / name).unlink()
            result = run_probe(side, folder)
            into.append(result["loaded"] - result["base"])
            if side == "ours":
                held.append(result["definitions"])
    log(f"memory ours {summary(ours)} MB; APScheduler {summary(aps)} MB")
    report.rows.append(
        Row(
            f"memory with {N_JOBS:,} jobs, over the empty process",
            "MB",
            median(ours),
            median(aps),
            "<= 20 MB",
            lambda v: v <= 20,
            ratio=False,  # APScheduler's figure is ~0: a ratio would say nothing
        )
    )
    report.notes.append(
        "memory: RSS in a subprocess (psutil), after gc, empty scheduler started vs a second"
        f" scheduler started on a file of {N_JOBS:,} jobs; ours after its background prefetch"
        f" ({int(median(held) or 0):,} definitions in memory), 2 probes each."
        " APScheduler's SQLAlchemy store keeps no job in memory, hence ~0."
    )


# --- wake-ups ------------------------------------------------------------------------------------


async def _ours_wakeups() -> tuple[int, float]:
    clock = FakeClock(start=time.time())
    scheduler = Scheduler(MemoryJobStore(), clock)
    await scheduler.start()
    timings = await scheduler.add_jobs(our_jobs(quiet_specs(N_JOBS, clock.now())))
    soonest = min(t.due for t in timings if t.due is not None) - clock.now()
    await clock.settle()
    calls = 0
    original = clock.sleep

    async def counting_sleep(seconds: float) -> None:
        nonlocal calls
        calls += 1
        await original(seconds)

    clock.sleep = counting_sleep  # type: ignore[method-assign]
    try:
        await clock.advance(3600)
    finally:
        clock.sleep = original  # type: ignore[method-assign]
        await scheduler.stop(grace=0)
    return calls, soonest


async def _aps_wakeups(path: Path) -> int:
    scheduler, store = aps_scheduler(path)
    calls: list[float] = []
    process = scheduler._process_jobs

    def counting() -> float | None:
        calls.append(time.monotonic())
        return process()

    scheduler._process_jobs = counting  # type: ignore[method-assign]
    scheduler.start()
    try:
        await asyncio.sleep(0.5)
        before = len(calls)
        await asyncio.sleep(APS_WAKEUP_WINDOW)
        return len(calls) - before
    finally:
        await aps_shutdown(scheduler, store)


def measure_wakeups(tmp: Path, report: Report) -> None:
    calls, soonest = asyncio.run(asyncio.wait_for(_ours_wakeups(), 120))
    if soonest <= 3600:
        report.findings.append(f"wake-ups: a job was due within {soonest:.0f} s; set is wrong")
    now = time.time()
    path = tmp / "wakeups-aps.sqlite"
    write_aps(path, aps_quiet_jobs(quiet_specs(N_JOBS, now), datetime.fromtimestamp(now, UTC)))
    aps_calls = asyncio.run(asyncio.wait_for(_aps_wakeups(path), APS_WAKEUP_WINDOW + 60))
    per_minute_aps = aps_calls * 60 / APS_WAKEUP_WINDOW
    log(f"wake-ups ours {calls} in 60 fake minutes; APScheduler {aps_calls} in 10 s")
    report.rows.append(
        Row(
            f"wake-ups per minute, {N_JOBS:,} jobs, none due within the hour",
            "/min",
            calls / 60,
            per_minute_aps,
            "<= 2",
            lambda v: v <= 2,
            ratio=False,
            digits=2,
        )
    )
    report.notes.append(
        f"wake-ups: ours = calls to clock.sleep during FakeClock.advance(3600) ({calls} calls),"
        f" MemoryJobStore; APScheduler = calls to _process_jobs in {APS_WAKEUP_WINDOW:.0f} s of"
        " real time after start, times 6 (it sleeps until the next due job)."
    )


# --- catch-up ------------------------------------------------------------------------------------


async def wait_away_from_minute_boundary() -> None:
    """Start only when no minute boundary falls in the next 2.5 s (it would be a real run)."""
    into = time.time() % 60
    if into > 57.0:
        await asyncio.sleep(60 - into + 0.05)


async def _ours_catch_up(path: Path) -> tuple[float, int]:
    hits: list[float] = []
    fired = asyncio.Event()

    async def handler(run: RunContext) -> None:
        hits.append(time.perf_counter())
        fired.set()

    db, scheduler = await open_ours(path)
    scheduler.register_handler("bench", handler)
    try:
        await wait_away_from_minute_boundary()
        clear_schedule_caches()
        t0 = time.perf_counter()
        await scheduler.start()
        await asyncio.wait_for(fired.wait(), 10)
        await asyncio.sleep(1.5)
        return hits[0] - t0, len(hits)
    finally:
        await close_ours(db, scheduler)


async def _aps_catch_up(path: Path) -> tuple[float, int]:
    fired = _aps_reset(1)
    scheduler, store = aps_scheduler(path)
    try:
        await wait_away_from_minute_boundary()
        t0 = time.perf_counter()
        scheduler.start()
        await asyncio.wait_for(fired.wait(), 60)
        await asyncio.sleep(1.5)
        return _APS["hits"][0][1] - t0, len(_APS["hits"])
    finally:
        await aps_shutdown(scheduler, store)


def measure_catch_up(tmp: Path, report: Report) -> None:
    now = time.time()
    missed = math.floor(now / 60) * 60 - 30 * DAY
    pristine_ours = tmp / "catchup-ours.sqlite3"
    write_ours(pristine_ours, [(Job("minutely", "* * * * *", ZONE, "bench"), JobTiming(missed))])
    missed_dt = datetime.fromtimestamp(missed, UTC)
    pristine_aps = tmp / "catchup-aps.sqlite"
    write_aps(
        pristine_aps,
        [
            {
                "id": "minutely",
                "trigger": IntervalTrigger(minutes=1, start_date=missed_dt, timezone=UTC),
                "args": ("catchup",),
                "misfire_grace_time": None,
                "next_run_time": missed_dt,
            }
        ],
    )
    ours_ms, ours_runs, aps_ms, aps_runs = [], [], [], []
    for _ in range(CATCH_UP_REPEATS):
        gc.collect()
        path = fresh_copy(pristine_ours, tmp / "catchup-ours-run.sqlite3")
        took, runs = asyncio.run(asyncio.wait_for(_ours_catch_up(path), 90))
        ours_ms.append(took * 1000)
        ours_runs.append(runs)
        gc.collect()
        path = fresh_copy(pristine_aps, tmp / "catchup-aps-run.sqlite")
        took, runs = asyncio.run(asyncio.wait_for(_aps_catch_up(path), 150))
        aps_ms.append(took * 1000)
        aps_runs.append(runs)
    log(f"catch-up ours {summary(ours_ms)} ms runs {ours_runs}; APS {summary(aps_ms)} {aps_runs}")
    report.rows += [
        Row(
            "catch-up after 30 days down, 1-minute job: runs",
            "",
            float(max(ours_runs)),
            float(max(aps_runs)),
            "1 run",
            lambda v: v == 1,
            ratio=False,
            digits=0,
        ),
        Row(
            "catch-up after 30 days down, 1-minute job: time to the run",
            "ms",
            median(ours_ms),
            median(aps_ms),
            "<= 5 ms",
            lambda v: v <= 5,
            digits=2,
        ),
    ]
    report.notes.append(
        f"catch-up: {CATCH_UP_REPEATS} rounds each, timed from Scheduler.start() (APScheduler:"
        " scheduler.start()) to the handler call; runs counted until 1.5 s later (most in any"
        f" round). Ours [{summary(ours_ms)}] ms; APScheduler IntervalTrigger(minutes=1),"
        f" coalesce=True, misfire_grace_time=None [{summary(aps_ms)}] ms."
    )


# ----------------------------------------------------------------------------------------------
# The table


def fmt(value: float | None, unit: str, digits: int) -> str:
    if value is None:
        return "n/a"
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}".strip() if unit and unit != "/min" else f"{text}{unit}"


def render(report: Report, started: float) -> str:
    header = [
        "measure",
        "desktop_tracker (median)",
        "APScheduler 3.11 (median)",
        "ratio",
        "target",
        "met?",
    ]
    lines = []
    for row in report.rows:
        if row.error is not None:
            lines.append([row.measure, f"ERROR: {row.error}", "", "", row.target, "?"])
            continue
        ratio = "—"
        if row.ratio and row.ours is not None and row.aps:
            ratio = f"{row.ours / row.aps:.3g}×"
        met = "—"
        if row.met is not None and row.ours is not None:
            met = "yes" if row.met(row.ours) else "NO"
        lines.append(
            [
                row.measure,
                fmt(row.ours, row.unit, row.digits),
                fmt(row.aps, row.unit, row.digits),
                ratio,
                row.target,
                met,
            ]
        )
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(cells) for cells in lines]
    out.append("")
    out.append("ratio = desktop_tracker ÷ APScheduler (below 1: ours is lower).")
    out += [f"- {note}" for note in report.notes]
    out += [f"- FINDING: {finding}" for finding in report.findings]
    cpu = platform.processor() or platform.machine()
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in (
            "APScheduler",
            "SQLAlchemy",
            "PySide6_Essentials",
            "qasync",
            "cron-descriptor",
            "psutil",
        )
    )
    out.append(
        f"- machine: {os.cpu_count()} cores ({cpu}, {platform.system()} {platform.release()});"
        f" Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; {versions};"
        f" load average {' / '.join(f'{x:.1f}' for x in psutil.getloadavg())};"
        f" total {time.perf_counter() - started:.0f} s."
    )
    return "\n".join(out)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


MEASURES: list[tuple[str, Callable[[Path, Report], None], list[tuple[str, str]]]] = [
    ("add", measure_add, [("add 10,000 persisted cron+interval jobs", "<= 0.1 s")]),
    ("start", measure_start, [("start with 10,000 jobs → first due job fires", "<= 50 ms")]),
    (
        "same instant",
        measure_same_instant,
        [
            ("200 jobs due at one instant: lateness p99", "<= 20 ms"),
            ("200 jobs due at one instant: longest loop stall", "<= 20 ms"),
        ],
    ),
    (
        "catch-up",
        measure_catch_up,
        [("catch-up after 30 days down, 1-minute job", "1 run, <= 5 ms")],
    ),
    ("wake-ups", measure_wakeups, [("wake-ups per minute, none due within the hour", "<= 2")]),
    ("memory", measure_memory, [("memory with 10,000 jobs, over the empty process", "<= 20 MB")]),
    (
        "Qt loop spread",
        measure_spread_qasync,
        [("200 jobs over 3 s, Qt loop: lateness", "p50 <= 1 ms, p99 <= 5 ms, none early")],
    ),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe-memory", nargs=2, metavar=("SIDE", "DIR"))
    parser.add_argument("--only", action="append", help="run only the named measure(s)")
    args = parser.parse_args()
    if args.probe_memory:
        side, folder = args.probe_memory
        if side not in ("ours", "apscheduler"):
            parser.error("SIDE is ours or apscheduler")
        probe_memory(side, Path(folder))
        return 0

    started = time.perf_counter()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="bench-scheduler-") as name:
        tmp = Path(name)
        for title, measure, placeholders in MEASURES:
            if args.only and title not in args.only:
                continue
            log(f"measuring {title}")
            before = len(report.rows)
            try:
                measure(tmp, report)
            except Exception as error:
                traceback.print_exc()
                del report.rows[before:]
                message = f"{type(error).__name__}: {error}"[:120]
                for label, target in placeholders:
                    report.rows.append(Row(label, "", None, None, target, None, error=message))
            finally:
                asyncio.set_event_loop(None)
                gc.collect()
    print(render(report, started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
