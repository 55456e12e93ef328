"""Benchmark: the text diff of a changed 1 MB minified bundle, against the 300 ms it may take to
open (target: from two beautified bodies to the window shown, diffed and painted).

Run by hand (it is not part of the test suite):

    cd /work/main && QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_body_diff.py

Bodies: real minified code, the inline scripts and <style>s of the corpus's pages
(../shared/corpus/real-pages), each kept once, the minified ones (lines over 300 characters on
average) joined until 1 MB: one script bundle and one stylesheet. Each has two new versions:

- a few edits: five places changed (two helpers or rules added, two numbers changed, one
  piece dropped);
- many edits, a new version of its libraries: in 40 % of the pieces the one-letter names a
  minifier gives are all renamed, in 10 % a third of the numbers change, 5 % are gone.

Measured, each the median of `--rounds` rounds (the sides in turn):

1. beautify (`kinds.beautify`: jsbeautifier, cssbeautifier) of each 1 MB body, and its guards
   alone (`is_minified`, `fits`): what a body costs once, when it is stored;
2. the line diff of the beautified bodies: ours (`kinds.line_diff`, indentation ignored, as the
   window diffs by default) against difflib's SequenceMatcher on the same lines (the peer;
   `text_diff.diff_text` runs it), and our unified rows;
3. `BodyDiffWindow` opened on the two beautified texts: constructed (the diff included), shown
   and painted (offscreen Qt, events processed), in its default unified view; then switched to
   side by side and to the whole file.

Every row is set against the 300 ms target: "× target" is the median over 300 ms.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402
from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from desktop_tracker.gui.body_diff_view import (  # noqa: E402
    SIDE_BY_SIDE,
    UNIFIED,
    BodyDiffWindow,
    Mode,
)
from desktop_tracker.kinds.beautify import (  # noqa: E402
    BEAUTIFIER_VERSION,
    Language,
    beautify,
    fits,
    is_minified,
)
from desktop_tracker.kinds.line_diff import diff_lines  # noqa: E402
from desktop_tracker.kinds.text_diff import split_lines  # noqa: E402
from desktop_tracker.tracking.encoding import decode_html  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real-pages"
SIZE = 1_000_000
TARGET_MS = 300.0
ROUNDS = 5


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the bodies -------------------------------------------------------------------------------


def corpus_code() -> tuple[list[str], list[str]]:
    """The corpus pages' inline scripts and stylesheets, each once, in page order."""
    scripts: dict[str, None] = {}
    styles: dict[str, None] = {}
    files = sorted(CORPUS.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"no pages in {CORPUS}")
    for path in files:
        html = decode_html(gzip.decompress(path.read_bytes()), None)[0]
        tree = LexborHTMLParser(html)
        for node in tree.css("script"):
            kind = (node.attributes.get("type") or "text/javascript").lower()
            if "javascript" in kind or "module" in kind:
                scripts.setdefault((node.text() or "").strip(), None)
        for node in tree.css("style"):
            styles.setdefault((node.text() or "").strip(), None)
    return [s for s in scripts if s], [s for s in styles if s]


def bundle(pieces: list[str], separator: str) -> list[str]:
    """Minified pieces (long lines, 2 KB or more) until they make SIZE characters."""
    chosen: list[str] = []
    total = 0
    for piece in pieces:
        if len(piece) >= 2_000 and len(piece) / (piece.count("\n") + 1) > 300:
            chosen.append(piece)
            total += len(piece) + len(separator)
            if total >= SIZE:
                break
    return chosen


def few_edits(pieces: list[str], separator: str, rng: random.Random, language: str) -> str:
    """Five edits a release makes: two things added, two values changed, one piece gone."""
    out = list(pieces)
    spots = rng.sample(range(len(out)), 5)
    for k, spot in enumerate(spots[:2]):
        added = (
            f";function addedHelper{k}(a,b){{return a+b*{k}}}"
            if language == "script"
            else f".added-{k}{{color:#12345{k};margin:0 {k}px}}"
        )
        out[spot] += added
    for spot in spots[2:4]:
        numbers = list(_NUMBER.finditer(out[spot]))
        if numbers:
            found = numbers[rng.randrange(len(numbers))]
            value = str(int(found.group(1)) + 1)
            out[spot] = out[spot][: found.start()] + value + out[spot][found.end() :]
    del out[spots[4]]
    return separator.join(out)


_NAME = re.compile(r"(?<![\w$.#-])([a-z])(?![\w$-])")
_NUMBER = re.compile(r"\b(\d+)\b")


def many_edits(pieces: list[str], separator: str, rng: random.Random) -> str:
    out = []
    for piece in pieces:
        roll = rng.random()
        if roll < 0.4:
            letters = list("abcdefghijklmnopqrstuvwxyz")
            shuffled = letters[:]
            rng.shuffle(shuffled)
            names = dict(zip(letters, shuffled, strict=True))
            piece = _NAME.sub(lambda m, names=names: names[m.group(1)], piece)
        elif roll < 0.5:
            piece = _NUMBER.sub(
                lambda m: str(int(m.group(1)) + 1) if rng.random() < 0.3 else m.group(1), piece
            )
        elif roll < 0.55:
            continue
        out.append(piece)
    return separator.join(out)


# -- timing -----------------------------------------------------------------------------------


def timed(work: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def open_window(old: str, new: str, language: Language, mode: Mode) -> Callable[[], None]:
    app = QApplication.instance()
    assert app is not None

    def run() -> None:
        window = BodyDiffWindow(
            "bundle", "https://cdn.example.com/bundle", old, new,
            language=language, on_ignore=lambda: None, beautified=True,
        )  # fmt: skip
        window.set_mode(mode)
        window.show()
        app.processEvents()
        window.close()
        window.deleteLater()

    return run


def switch(old: str, new: str, language: Language, action: str) -> Callable[[], None]:
    app = QApplication.instance()
    assert app is not None
    window = BodyDiffWindow("bundle", None, old, new, language=language, on_ignore=None)
    window.show()
    app.processEvents()

    def run() -> None:
        # Each round from the default view, so the rows are made again (not cached).
        window._rows.clear()
        if action == "side by side":
            window.set_mode(SIDE_BY_SIDE)
            app.processEvents()
            window.set_mode(UNIFIED)
        else:
            window.set_whole_file(True)
            app.processEvents()
            window.set_whole_file(False)

    return run


def diff_rows(name: str, old: str, new: str, language: Language, rounds: int) -> list[list[str]]:
    """The diff and the window, ours, on one pair of beautified bodies; difflib beside them."""
    diff = diff_lines(old, new, ignore_indentation=True)
    note = f"{len(diff.old):,} → {len(diff.new):,} lines, {diff.summary()}"
    if diff.reindented:
        note += f", {diff.reindented:,} re-indented"
    a, b = split_lines(old), split_lines(new)

    def ours() -> None:
        diff_lines(old, new, ignore_indentation=True)

    def peer() -> None:
        difflib.SequenceMatcher(None, a, b).get_opcodes()

    shown = f"{len(diff.unified_rows()):,} rows"
    rows = [
        row("diff: ours (line_diff)", name, timed(ours, rounds), note),
        row("diff: difflib SequenceMatcher (peer)", name, timed(peer, max(1, rounds // 2))),
        row("unified rows (3 lines of context)", name, timed(diff.unified_rows, rounds), shown),
    ]
    log(f"diffed {name}")
    for step, work, what in (
        ("window open: construct + show + paint", open_window(old, new, language, UNIFIED), ""),
        ("window open, side by side", open_window(old, new, language, SIDE_BY_SIDE), ""),
        ("switch to side by side", switch(old, new, language, "side by side"), ""),
        ("switch to the whole file", switch(old, new, language, "whole"), "unified"),
    ):
        rows.append(row(step, name, timed(work, rounds), what))
    log(f"window for {name}")
    return rows


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [
        line(cells) for cells in rows
    ]


def row(step: str, body: str, times: list[float], note: str = "") -> list[str]:
    median = statistics.median(times)
    return [step, body, f"{median:,.1f}", f"{max(times):,.1f}", f"{median / TARGET_MS:.2f}×", note]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"default {ROUNDS}")
    args = parser.parse_args()
    rounds = args.rounds
    started = time.perf_counter()
    app = QApplication.instance() or QApplication([])
    rng = random.Random(20)
    scripts, styles = corpus_code()
    bodies: dict[str, tuple[str, str, dict[str, str]]] = {}
    for language, pieces, separator in (("script", scripts, "\n;"), ("style", styles, "\n")):
        chosen = bundle(pieces, separator)
        old = separator.join(chosen)
        versions = {
            "a few edits": few_edits(chosen, separator, rng, language),
            "many edits": many_edits(chosen, separator, rng),
        }
        bodies[language] = (old, separator, versions)
        log(f"{language}: {len(old):,} characters in {old.count(chr(10)) + 1} lines")

    rows: list[list[str]] = []
    beautified: dict[str, tuple[str, dict[str, str]]] = {}
    for language, (old, _, versions) in bodies.items():
        library = "jsbeautifier" if language == "script" else "cssbeautifier"
        name = f"1 MB {language}"
        guards = timed(lambda o=old: (is_minified(o), fits(o)), rounds)
        rows.append(row("guards: is_minified + fits", name, guards))
        times = timed(lambda o=old, lang=language: beautify(o, lang), max(1, rounds // 2))
        out = beautify(old, language)
        rows.append(
            row(f"beautify ({library})", name, times, f"{len(split_lines(out)):,} lines out")
        )
        log(f"beautified {language}: {statistics.median(times):.0f} ms")
        beautified[language] = (
            out,
            {edit: beautify(new, language) for edit, new in versions.items()},
        )

    for language, (old, versions) in beautified.items():
        for edit, new in versions.items():
            rows += diff_rows(f"{language}, {edit}", old, new, language, rounds)

    header = ["step", "body", "median ms", "max ms", "× target (300 ms)", "what"]
    out = table(header, rows)
    out += [
        "",
        f"- bodies: the corpus's inline scripts and <style>s ({CORPUS}), minified pieces joined to"
        f" {SIZE:,} characters; rounds: {rounds} (beautify and difflib: {max(1, rounds // 2)}).",
        f"- {BEAUTIFIER_VERSION}; Qt platform {os.environ.get('QT_QPA_PLATFORM')}.",
        f"- machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()},"
        f" {platform.system()} {platform.release()}); Python {platform.python_version()};"
        f" total {time.perf_counter() - started:.0f} s.",
    ]
    print("\n".join(out), flush=True)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
