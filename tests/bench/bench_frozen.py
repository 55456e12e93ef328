"""The frozen app's numbers: build time, sizes, cold start to the window shown, self-test time.

    .venv/bin/python tests/bench/bench_frozen.py [--runs 7] [--reuse BUILD.json] [--filters]

- Build: `python packaging/build.py --json` (clean venv, `pip install .`, PyInstaller, tar.gz and
  .deb), timed by step; or --reuse the JSON of a build made already.
- Sizes: the one-folder app, the tar.gz (target <= 55 MB) and the .deb.
- Start to window: each run starts the app (a fresh data directory) on an Xvfb display of its
  own and waits for the X server to report its first top-level window mapped (`xev -root`
  prints MapNotify as it happens): what a user sees. Frozen, and from a venv (the clean build
  venv's `desktop-tracker` script, a normal install, and the checkout's .venv, editable);
  medians of N runs, and the ratio. The first run after a build is the coldest (the file cache
  is warm after that; dropping it needs the whole machine, so it is not done).
- Self-test: `--self-test`, frozen and from the build venv, medians.
- --filters: the folder and tar.gz with each filter of the spec turned off alone, and with none
  and with no stripping (one PyInstaller run each, ~15 s; the venv of the build is reused):
  what each filter saves.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "packaging" / "build.py"
APP = "desktop-tracker"
WINDOW_TIMEOUT_S = 30.0


def build(extra_env: dict[str, str] | None = None, *args: str) -> dict[str, Any]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(BUILD), "--json", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(extra_env or {})},
    )
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr[-3000:]}")
    summary: dict[str, Any] = json.loads(result.stdout)
    summary["wall_s"] = time.perf_counter() - started
    return summary


class Display:
    """An Xvfb server of our own, and `xev -root` watching it for windows being mapped."""

    def __init__(self) -> None:
        if not shutil.which("Xvfb") or not shutil.which("xev"):
            raise SystemExit("needs Xvfb and xev (apt install xvfb x11-utils)")
        read_fd, write_fd = os.pipe()
        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten",
             "tcp"], pass_fds=(write_fd,), stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            self.name = f":{pipe.readline().strip()}"

    def close(self) -> None:
        self.server.terminate()
        self.server.wait(10)

    def time_to_window(self, command: list[str], data_dir: Path) -> float:
        """Seconds from the app's start to the first top-level window the X server maps."""
        env = {**os.environ, "DISPLAY": self.name}
        for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
            env.pop(name, None)
        watcher = subprocess.Popen(
            ["xev", "-root", "-event", "substructure", "-display", self.name],
            stdout=subprocess.PIPE, text=True, bufsize=1,
        )  # fmt: skip
        time.sleep(0.2)  # xev selects its events before the app starts
        started = time.perf_counter()
        app = subprocess.Popen(
            [*command, "--data-dir", str(data_dir)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert watcher.stdout is not None
            block = ""
            while time.perf_counter() - started < WINDOW_TIMEOUT_S:
                line = watcher.stdout.readline()
                if not line:
                    break
                block = line if line.startswith("MapNotify") else block + line
                if block.startswith("MapNotify") and "override NO" in block:
                    return time.perf_counter() - started
            raise RuntimeError(f"no window within {WINDOW_TIMEOUT_S} s: {command}")
        finally:
            app.send_signal(signal.SIGTERM)
            try:
                app.wait(15)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()
            watcher.terminate()
            watcher.wait(5)


def start_times(display: Display, command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data_dir:
            times.append(display.time_to_window(command, Path(data_dir)))
    return times


def self_test_times(command: list[str], runs: int) -> list[float]:
    times = []
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run([*command, "--self-test"], capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"self-test failed: {command}\n{result.stdout}{result.stderr}")
    return times


def tar_gz_bytes(folder: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "app.tar.gz"
        with tarfile.open(target, "w:gz", compresslevel=9) as tar:
            tar.add(folder, arcname=APP)
        return target.stat().st_size


def measure_filters() -> list[tuple[str, int, int]]:
    """(variant, folder bytes, tar.gz bytes of the folder alone), one PyInstaller run each."""
    spec = (ROOT / "packaging" / f"{APP}.spec").read_text(encoding="utf-8")
    names = re.findall(r'^\s+"(\w+)": drop_\w+,$', spec, flags=re.MULTILINE)
    variants: list[tuple[str, dict[str, str]]] = [("all filters, stripped (the release)", {})]
    for name in [*names, "unreachable"]:
        others = ",".join(n for n in names if n != name)
        if name != "unreachable":
            others += ",unreachable"
        variants.append((f"without the {name} filter", {"DESKTOP_TRACKER_FILTERS": others}))
    variants.append(("all filters, not stripped", {"DESKTOP_TRACKER_STRIP": "0"}))
    variants.append(("no filter, not stripped", {"DESKTOP_TRACKER_FILTERS": "none",
                                                 "DESKTOP_TRACKER_STRIP": "0"}))  # fmt: skip
    rows = []
    for label, env in variants:
        summary = build(env, "--skip-venv", "--no-packages")
        folder = Path(summary["folder"])
        rows.append((label, summary["folder_bytes"], tar_gz_bytes(folder)))
        print(f"  {label}: {rows[-1][1] / 1e6:.1f} MB, tar.gz {rows[-1][2] / 1e6:.1f} MB",
              file=sys.stderr)  # fmt: skip
    build({}, "--skip-venv")  # leave the release build in place
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", metavar="BUILD_JSON", help="a build.py --json summary")
    parser.add_argument("--filters", action="store_true", help="also measure each filter")
    args = parser.parse_args()

    summary = json.loads(Path(args.reuse).read_text()) if args.reuse else build()
    folder = Path(summary["folder"])
    frozen = [summary["executable"]]
    build_venv = folder.parents[1] / "venv" / "bin" / APP
    checkout_venv = ROOT / ".venv" / "bin" / APP

    print("\n## Build")
    if "wall_s" in summary:
        times = summary["times"]
        print(
            f"build.py total {summary['wall_s']:.1f} s: venv + pip install {times['venv_s']} s, "
            f"PyInstaller {times['pyinstaller_s']} s, tar.gz + .deb {times['packages_s']} s"
        )
    print(f"folder {summary['folder_bytes'] / 1e6:.1f} MB")
    for kind, artefact in summary["artefacts"].items():
        print(f"{kind} {artefact['bytes'] / 1e6:.1f} MB ({artefact['bytes'] / 2**20:.1f} MiB)")

    display = Display()
    try:
        rows = []
        for label, command in (
            ("frozen (one folder)", frozen),
            ("build venv (pip install .)", [str(build_venv)]),
            ("checkout .venv (editable)", [str(checkout_venv)]),
        ):
            if not Path(command[0]).exists():
                continue
            times = start_times(display, command, args.runs)
            rows.append((label, times))
    finally:
        display.close()
    print(f"\n## Start to window shown (Xvfb; median of {args.runs}; first run in brackets)")
    base = statistics.median(rows[0][1])
    print("| how | median | min | max | first | ratio to frozen |")
    print("|---|---|---|---|---|---|")
    for label, times in rows:
        median = statistics.median(times)
        print(
            f"| {label} | {median * 1000:.0f} ms | {min(times) * 1000:.0f} ms | "
            f"{max(times) * 1000:.0f} ms | {times[0] * 1000:.0f} ms | {median / base:.2f} |"
        )

    print(f"\n## --self-test (wall time of the process, median of {max(3, args.runs // 2)})")
    for label, command in (("frozen", frozen), ("build venv", [str(build_venv)])):
        times = self_test_times(command, max(3, args.runs // 2))
        print(f"{label}: {statistics.median(times) * 1000:.0f} ms")

    if args.filters:
        print("\n## What each filter saves (folder / tar.gz of the folder alone)")
        rows_f = measure_filters()
        release = rows_f[0]
        print("| variant | folder | tar.gz | filter saves (folder / tar.gz) |")
        print("|---|---|---|---|")
        for label, size, tgz in rows_f:
            print(
                f"| {label} | {size / 1e6:.1f} MB | {tgz / 1e6:.1f} MB | "
                f"{(size - release[1]) / 1e6:+.1f} MB / {(tgz - release[2]) / 1e6:+.1f} MB |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
