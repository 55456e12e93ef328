"""How long the command line takes to start and answer, against the issue's 0.2 s target.

Run by hand (it is not part of the test suite):

    cd /work/main && .venv/bin/python tests/bench/bench_cli.py [--runs N] [--imports]

Like hyperfine: each command is run N times (after 2 warm-up runs) through the venv's own
`desktop-tracker` entry point, in a fresh process each time, timed from before the fork to the
exit (subprocess.run, output captured); the table gives the median, the fastest and the
90th percentile, and the median's ratio to the target. The commands alternate round by round, so
that a busy moment of the machine falls on all of them alike. `python -c pass` is the floor: the
interpreter and the venv's site start alone (an editable install adds its import finder there).

`list` runs on a data directory made beforehand with three trackers, so it opens the database
and reads real rows; `$DESKTOP_TRACKER_HOME` points into the temporary directory for every run.

Bytecode is written and used as for an installed package (PYTHONDONTWRITEBYTECODE is dropped
for the runs: without it every start compiles the app's sources again, tens of milliseconds).

--imports: for each command, the modules that cost most to import (`python -X importtime`,
self time, one run), to say where the time goes.
--checkout DIR: time the package in DIR instead (e.g. an older commit, `git archive HEAD
desktop_tracker | tar -x -C DIR`), started as the entry point starts it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.2  # seconds, for --help and schedule (the issue); list is held to it too
WARMUP = 2


def entry_point() -> Path:
    """The venv's console script: what `desktop-tracker` runs when installed."""
    script = Path(sys.executable).parent / "desktop-tracker"
    if not script.is_file():
        sys.exit(f"no {script}: run this with the venv's python (pip install -e . first)")
    return script


def program(checkout: Path | None) -> list[str]:
    """The command that starts the app: the entry point, or the same lines on another copy."""
    if checkout is None:
        return [str(entry_point())]
    start = (
        f"import sys; sys.path.insert(0, {str(checkout)!r}); sys.argv[0] = 'desktop-tracker';"
        " from desktop_tracker.launcher import main; sys.exit(main())"
    )
    return [sys.executable, "-c", start]


def commands(data_dir: Path, checkout: Path | None) -> dict[str, list[str]]:
    app = program(checkout)
    return {
        "python -c pass (the floor)": [sys.executable, "-c", "pass"],
        "desktop-tracker --help": [*app, "--help"],
        "desktop-tracker schedule '*/5 * * * *'": [*app, "schedule", "*/5 * * * *"],
        "desktop-tracker list --data-dir DIR": [*app, "list", "--data-dir", str(data_dir)],
    }


def run_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1:]} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return took


def percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(q / 100 * len(ordered))) - 1)]


def prepare(data_dir: Path, env: dict[str, str], checkout: Path | None) -> None:
    """Three trackers, added by the copy under test (its schema is the one it reads)."""
    app = program(checkout)
    for name, schedule in (("Shop", "*/30 * * * *"), ("Blog", "@every 15m"), ("Docs", "@daily")):
        subprocess.run(
            [*app, "add", f"https://{name.lower()}.example/", "--name", name,
             "--schedule", schedule, "--tz", "UTC", "--data-dir", str(data_dir)],
            check=True, capture_output=True, env=env, timeout=60,
        )  # fmt: skip


def top_imports(argv: list[str], env: dict[str, str], count: int = 12) -> list[tuple[int, str]]:
    """(self µs, module) of the slowest imports of one run."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, env=env
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(self_us), name.strip()))
    return sorted(rows, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each (default 30)")
    parser.add_argument("--imports", action="store_true", help="list the slowest imports")
    parser.add_argument("--checkout", type=Path, help="time the package in this folder instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as name:
        tmp = Path(name)
        env = {**os.environ, "DESKTOP_TRACKER_HOME": str(tmp / "home")}
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
        data_dir = tmp / "data"
        prepare(data_dir, env, args.checkout)
        table = commands(data_dir, args.checkout)
        times: dict[str, list[float]] = {label: [] for label in table}
        for round_number in range(WARMUP + args.runs):
            for label, argv in table.items():
                took = run_once(argv, env)
                if round_number >= WARMUP:
                    times[label].append(took)
        print_table(times)
        if args.imports:
            for label, argv in table.items():
                if label.startswith("python"):
                    continue
                if args.checkout is not None:
                    argv = argv[1:]  # -c and the lines, to python -X importtime
                print(f"\n{label}: slowest imports (self time, one run)")
                for self_us, module in top_imports(argv, env):
                    print(f"  {self_us / 1000:6.1f} ms  {module}")
    return 0


def print_table(times: dict[str, list[float]]) -> None:
    header = ["command", "median", "min", "p90", "median ÷ 0.2 s", "met?"]
    rows = []
    for label, values in times.items():
        middle = statistics.median(values)
        floor = label.startswith("python")
        rows.append(
            [
                label,
                f"{middle * 1000:.0f} ms",
                f"{min(values) * 1000:.0f} ms",
                f"{percentile(values, 90) * 1000:.0f} ms",
                f"{middle / TARGET:.2f}×",
                "—" if floor else ("yes" if middle <= TARGET else "NO"),
            ]
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    runs = len(next(iter(times.values())))
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{runs} runs each after {WARMUP} warm-up rounds, commands alternating; wall time of"
        f" subprocess.run. Machine: {os.cpu_count()} cores, {platform.system()}"
        f" {platform.release()}, Python {platform.python_version()}; load average {load}."
    )


if __name__ == "__main__":
    sys.exit(main())
