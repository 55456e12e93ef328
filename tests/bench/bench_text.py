"""Content trackers' pure pieces against their peers, on the real pages of the corpus.

Run by hand (it is not part of the test suite):

    cd /work/main && .venv/bin/python tests/bench/bench_text.py

Four tables, every peer measured in the same run, rounds alternating between the sides:

1. Page text: ours (`page_text`, a walk over Lexbor's nodes) against selectolax's own `.text()`
   (with and without a newline between text nodes) and inscriptis (`get_text`, a text browser's
   layout: the reference for quality). Speed is the median over pages of each page's median
   time (parse included). Quality is measured against inscriptis's text: the share of its
   non-empty lines that are among the candidate's lines (whitespace collapsed, list bullets
   and indentation set aside: they are layout, not text), the share of the candidate's lines
   among its lines, and the share of its words that the candidate has in the same order. Then
   hostile pages: 10 MB of real pages in one, 100,000 nested <div>s, 100,000 unclosed <b>s.
2. Diff: each page's text against a changed copy (a word changed on every 7th line, every
   13th line gone, a line added after every 17th), all 181 pages: difflib's `unified_diff`
   against `diff_text` (which also pairs lines and marks words) and `diff_text(...).unified()`.
   The same on the pages' HTML source lines, which are fewer and longer.
3. Rules: `apply_rules` (3 drop and 5 mask rules, line by line) against one `re.sub` per mask
   over the whole text, which is faster but lets a mask run across lines.
4. Noise: `propose_masks` on 3 fetches of each page's text with a clock, a counter, a UUID
   and a cache-busting URL in it, against `diff_text` alone on the same pairs (the floor); how
   many pages the proposals make equal, and on how many a changed sentence still shows.

inscriptis is not a dependency of the app: install it to run this (`.venv/bin/pip install
inscriptis`); without it its rows say so.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from desktop_tracker.kinds.content.rules import apply_rules  # noqa: E402
from desktop_tracker.kinds.content.text import page_text  # noqa: E402
from desktop_tracker.kinds.noise import propose_masks  # noqa: E402
from desktop_tracker.kinds.text_diff import diff_text  # noqa: E402
from desktop_tracker.tracking.encoding import decode_html  # noqa: E402

try:
    from inscriptis import get_text as inscriptis_text  # type: ignore[import-untyped,import-not-found,unused-ignore]
except ImportError:  # measured only where it is installed
    inscriptis_text = None

CORPUS = ROOT.parent / "shared" / "corpus" / "real-pages"
ROUNDS = 3
HOSTILE_ROUNDS = 1
DROP = (r"^Share\b", r"^Advertisement$", r"cookies?")
MASK = (r"\b\d{1,2}:\d{2}\b", r"\b\d{4}-\d{2}-\d{2}\b", r"\d+ comments", r"©\s*\d{4}", r"\$\d+")
_BULLET = re.compile(r"^(?:[*+o\-•]|\d+\.)\s+")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_pages() -> list[str]:
    files = sorted(CORPUS.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"no pages in {CORPUS}")
    return [decode_html(gzip.decompress(f.read_bytes()), None)[0] for f in files]


# ----------------------------------------------------------------------------------------------
# Timing: every side on every input, a round at a time, the sides in turn.


def time_sides(
    sides: dict[str, Callable[[Any], object]], inputs: Sequence[Any], rounds: int
) -> dict[str, list[list[float]]]:
    """Seconds per input per round for each side: {side: [[round 1 times], ...]}."""
    times: dict[str, list[list[float]]] = {side: [] for side in sides}
    for round_ in range(rounds):
        for side, run in sides.items():
            measured = []
            for item in inputs:
                started = time.perf_counter()
                run(item)
                measured.append(time.perf_counter() - started)
            times[side].append(measured)
            log(f"round {round_ + 1}: {side} {sum(measured):.2f} s")
    return times


def per_item_median(rounds: list[list[float]]) -> list[float]:
    return [statistics.median(values) for values in zip(*rounds, strict=True)]


def round_totals(rounds: list[list[float]]) -> list[float]:
    return [sum(values) for values in rounds]


# ----------------------------------------------------------------------------------------------
# Page text and its quality


def text_plain(html: str) -> str:
    body = LexborHTMLParser(html, scripting=True).body
    return "" if body is None else body.text()


def text_lines(html: str) -> str:
    body = LexborHTMLParser(html, scripting=True).body
    return "" if body is None else body.text(separator="\n")


def normal_lines(text: str) -> list[str]:
    lines = (" ".join(_BULLET.sub("", line.strip()).split()) for line in text.split("\n"))
    return [line for line in lines if line]


def quality(reference: str, candidate: str) -> tuple[float, float, float]:
    """(reference lines found, candidate lines found in the reference, words in order)."""
    ref, ours = normal_lines(reference), normal_lines(candidate)
    ref_set, our_set = set(ref), set(ours)
    recall = sum(line in our_set for line in ref) / len(ref) if ref else 1.0
    precision = sum(line in ref_set for line in ours) / len(ours) if ours else 1.0
    ref_words = " ".join(ref).split()  # bullets and indentation aside, as for the lines
    our_words = " ".join(ours).split()
    matcher = difflib.SequenceMatcher(None, ref_words, our_words, autojunk=False)
    in_order = sum(block.size for block in matcher.get_matching_blocks())
    return recall, precision, in_order / len(ref_words) if ref_words else 1.0


def hostile_pages(pages: list[str]) -> dict[str, str]:
    big: list[str] = []
    size = 0
    for page in pages * 10:
        big.append(page)
        size += len(page)
        if size >= 10 * 1024**2:
            break
    return {
        f"{size / 1024**2:.0f} MB of {len(big)} real pages in one": "\n".join(big),
        "100,000 nested <div>s": "<div>" * 100_000 + "deep" + "</div>" * 100_000,
        "100,000 unclosed <b>s": "<p>" + "<b>x" * 100_000,
    }


def text_tables(pages: list[str], rounds: int) -> list[str]:
    sides: dict[str, Callable[[Any], object]] = {
        "ours: page_text (walk over Lexbor nodes)": page_text,
        "selectolax body.text()": text_plain,
        "selectolax body.text(separator='\\n')": text_lines,
    }
    if inscriptis_text is not None:
        sides["inscriptis get_text"] = inscriptis_text
    times = time_sides(sides, pages, rounds)
    ours_ms = statistics.median(per_item_median(times[next(iter(sides))])) * 1000
    reference = [inscriptis_text(page) for page in pages] if inscriptis_text else None
    rows = []
    for side, run in sides.items():
        median_ms = statistics.median(per_item_median(times[side])) * 1000
        total = statistics.median(round_totals(times[side]))
        if reference is not None:
            log(f"quality of {side}")
            scores = [
                quality(ref, str(run(page))) for ref, page in zip(reference, pages, strict=True)
            ]
            recall, precision, order = (statistics.median(s[k] for s in scores) for k in range(3))
            mean_recall = statistics.mean(s[0] for s in scores)
            shares = [
                f"{100 * recall:.0f} % (mean {100 * mean_recall:.0f} %)",
                f"{100 * precision:.0f} %",
                f"{100 * order:.0f} %",
            ]
        else:
            shares = ["inscriptis not installed"] * 3
        rows.append(
            [
                side,
                f"{median_ms:.2f} ms",
                f"{ours_ms / median_ms:.2f}×",
                f"{total:.2f} s",
                *shares,
            ]
        )
    header = ["page text", "median per page", "speed vs ours", "all pages", "inscriptis lines"]
    header += ["lines in inscriptis", "words in order"]
    out = table(header, rows)
    out.append("")
    hostile_rows = []
    for name, html in hostile_pages(pages).items():
        cells = [name]
        for side, run in sides.items():
            if "separator" in side:
                continue
            started = time.perf_counter()
            try:
                result = run(html)
                cells.append(f"{time.perf_counter() - started:.2f} s, {len(str(result)):,} chars")
            except Exception as error:  # a peer that fails on it is what is measured
                cells.append(f"{type(error).__name__} after {time.perf_counter() - started:.1f} s")
        hostile_rows.append(cells)
        log(f"hostile: {name}")
    names = [side for side in sides if "separator" not in side]
    out += table(["hostile page", *names], hostile_rows)
    return out


# ----------------------------------------------------------------------------------------------
# Diff


def changed_copy(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    for k, line in enumerate(lines):
        if k % 13 == 12:
            continue
        if k % 7 == 6:
            words = line.split(" ")
            words[len(words) // 2] = "CHANGED"
            line = " ".join(words)
        out.append(line)
        if k % 17 == 16:
            out.append(f"A line added after line {k + 1}")
    return "\n".join(out)


def difflib_unified(pair: tuple[str, str]) -> str:
    old, new = pair
    return "\n".join(
        difflib.unified_diff(old.split("\n"), new.split("\n"), "before", "after", lineterm="")
    )


def diff_tables(pages: list[str], texts: list[str], rounds: int) -> list[str]:
    rows = []
    inputs = {
        "page text": [(text, changed_copy(text)) for text in texts],
        "HTML source": [(page, changed_copy(page)) for page in pages],
    }
    for name, pairs in inputs.items():
        sides: dict[str, Callable[[Any], object]] = {
            "difflib unified_diff": difflib_unified,
            "ours: diff_text": lambda pair: diff_text(*pair),
            "ours: diff_text(...).unified()": lambda pair: diff_text(*pair).unified(),
        }
        times = time_sides(sides, pairs, rounds)
        peer = statistics.median(round_totals(times["difflib unified_diff"]))
        lines = [len(old.split("\n")) for old, _ in pairs]
        for side in sides:
            total = statistics.median(round_totals(times[side]))
            median_ms = statistics.median(per_item_median(times[side])) * 1000
            rows.append(
                [
                    f"{name} (median {statistics.median(lines):,.0f} lines)",
                    side,
                    f"{total:.3f} s",
                    f"{median_ms:.2f} ms",
                    f"{total / peer:.2f}×",
                ]
            )
    header = ["181 pages vs a changed copy", "side", "all pages", "median per page", "÷ difflib"]
    return table(header, rows)


# ----------------------------------------------------------------------------------------------
# Rules and noise


def masks_whole_text(text: str) -> str:
    for pattern in MASK:
        text = re.sub(pattern, "…", text)
    return text


def rules_table(texts: list[str], rounds: int) -> list[str]:
    sides: dict[str, Callable[[Any], object]] = {
        "ours: apply_rules (line by line)": lambda text: apply_rules(text, DROP, MASK),
        "re.sub per mask over the whole text": masks_whole_text,
    }
    times = time_sides(sides, texts, rounds)
    ours = statistics.median(round_totals(times[next(iter(sides))]))
    rows = []
    for side in sides:
        total = statistics.median(round_totals(times[side]))
        median_ms = statistics.median(per_item_median(times[side])) * 1000
        rows.append([side, f"{total:.3f} s", f"{median_ms:.3f} ms", f"{ours / total:.2f}×"])
    return table(["rules on 181 page texts", "all pages", "median per page", "ours ÷ it"], rows)


def noisy_fetches(text: str, sentence_changed: bool = False) -> list[str]:
    lines = text.split("\n")
    middle = len(lines) // 2
    fetches = []
    for k in range(3):
        noisy = list(lines)
        noisy.insert(0, f"Last updated 10:{41 + k} | {1200 + 13 * k:,} readers")
        noisy.insert(middle, f"request 3f2b{k}1c9-8d7e-4f6a-9b0c-1d2e3f4a5b{k}c")
        noisy.append(f"https://cdn.example.com/app.js?v=1700000{k}00&amp;lang=en")
        fetches.append("\n".join(noisy))
    if sentence_changed:
        fetches.append(fetches[0].replace("\n", "\nThis sentence is new.\n", 1))
    return fetches


def noise_table(texts: list[str], rounds: int) -> list[str]:
    samples = [noisy_fetches(text) for text in texts]
    sides: dict[str, Callable[[Any], object]] = {
        "ours: propose_masks (3 fetches)": propose_masks,
        "diff_text alone on the 2 pairs": lambda fetches: [
            diff_text(fetches[0], f) for f in fetches[1:]
        ],
    }
    times = time_sides(sides, samples, rounds)
    equal = visible = 0
    found: Counter[str] = Counter()
    for text, fetches in zip(texts, samples, strict=True):
        masks = [rule.pattern for rule in propose_masks(fetches)]
        found.update(masks)
        if len({apply_rules(f, (), masks) for f in fetches}) == 1:
            equal += 1
        changed = noisy_fetches(text, sentence_changed=True)
        if apply_rules(changed[3], (), masks) != apply_rules(changed[0], (), masks):
            visible += 1
    ours = statistics.median(round_totals(times[next(iter(sides))]))
    rows = []
    for side in sides:
        total = statistics.median(round_totals(times[side]))
        median_ms = statistics.median(per_item_median(times[side])) * 1000
        rows.append([side, f"{total:.2f} s", f"{median_ms:.2f} ms", f"{ours / total:.2f}×"])
    out = table(["noise learning, 181 pages", "all pages", "median per page", "ours ÷ it"], rows)
    out.append("")
    out.append(
        f"- proposals made the 3 fetches equal on {equal} of {len(texts)} pages; a new sentence"
        f" still showed on {visible} of {len(texts)}; rules proposed, most common:"
        f" {', '.join(f'{pattern} ({n})' for pattern, n in found.most_common(4))}."
    )
    return out


# ----------------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = cells + [""] * (len(header) - len(cells))
        return "| " + " | ".join(c.ljust(w) for c, w in zip(padded, widths, strict=True)) + " |"

    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [
        line(cells) for cells in rows
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"default {ROUNDS}")
    args = parser.parse_args()
    started = time.perf_counter()
    pages = load_pages()
    log(f"{len(pages)} pages, {sum(map(len, pages)) / 1024**2:.1f} MB of HTML")
    texts = [page_text(page) for page in pages]
    out = text_tables(pages, args.rounds)
    out += ["", *diff_tables(pages, texts, args.rounds)]
    out += ["", *rules_table(texts, args.rounds)]
    out += ["", *noise_table(texts, args.rounds)]
    sizes = [len(page) for page in pages]
    lines = [len(text.split("\n")) for text in texts]
    versions = ", ".join(f"{n} {_version(n)}" for n in ("selectolax", "inscriptis", "lxml"))
    out += [
        "",
        f"- pages: {len(pages)} from {CORPUS}, decoded as the app decodes them; median"
        f" {statistics.median(sizes) / 1024:.0f} KB of HTML, largest {max(sizes) / 1024:.0f} KB;"
        f" our text: median {statistics.median(lines):.0f} lines, largest {max(lines):,}.",
        f"- rounds: {args.rounds}, the sides in turn; 'median per page' is the median over pages"
        " of each page's median over rounds, 'all pages' the median over rounds of the total.",
        f"- machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()},"
        f" {platform.system()} {platform.release()}); Python {platform.python_version()};"
        f" {versions}; total {time.perf_counter() - started:.0f} s.",
    ]
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
