"""Benchmark: which inline scripts and styles count as one item edited (kinds/resources/similarity).

Run by hand (it is not part of the test suite):

    cd /work/main && .venv/bin/python tests/bench/bench_similarity.py

On the distinct inline scripts and <style>s of ../shared/corpus/real-pages, by size: the
similarity of each item to itself edited (one character; ten digits replaced, as a timestamp
changes; a line added; 5 % of its characters changed), and of unrelated items of the same kind
on other pages. A good measure and threshold put every edit above THRESHOLD and every unrelated
pair below it. Then the time to pair the busiest page's inline items, all of them edited, and
one comparison of two 1 MB bodies (capped to their excerpts). TLSH (py-tlsh) and difflib are
measured beside it when installed (py-tlsh is not a dependency: it ships as source only).
"""

from __future__ import annotations

import difflib
import gzip
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_tracker.kinds.resources.extract import extract_resources  # noqa: E402
from desktop_tracker.kinds.resources.similarity import (  # noqa: E402
    THRESHOLD,
    excerpt,
    pair_similar,
    similarity,
)

CORPUS = ROOT.parent / "shared" / "corpus" / "real-pages"


def inline_items() -> list[tuple[int, str, str]]:
    """(page number, kind, text) of every distinct inline item."""
    seen: dict[str, tuple[int, str]] = {}
    for number, path in enumerate(sorted(CORPUS.glob("*.html.gz"))):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        for found in extract_resources(html, "https://example.com/"):
            if found.url is None and found.content:
                seen.setdefault(found.content.decode("utf-8", "replace"), (number, found.kind))
    return [(page, kind, text) for text, (page, kind) in seen.items()]


def edits(rng: random.Random) -> dict[str, Callable[[str], str]]:
    def one(t: str) -> str:
        i = rng.randrange(len(t))
        return t[:i] + ("x" if t[i] != "x" else "y") + t[i + 1 :]

    def digits(t: str) -> str:
        i = rng.randrange(max(1, len(t) - 10))
        return t[:i] + "".join(rng.choice("0123456789") for _ in range(10)) + t[i + 10 :]

    def line(t: str) -> str:
        i = rng.randrange(len(t))
        return t[:i] + '\nvar added = "something new";\n' + t[i:]

    def some(t: str) -> str:
        chars = list(t)
        for _ in range(max(1, len(chars) // 20)):
            chars[rng.randrange(len(chars))] = rng.choice("abcdefghij")
        return "".join(chars)

    return {"one character": one, "ten digits": digits, "a line added": line, "5% changed": some}


def measures() -> dict[str, Callable[[str, str], float | None]]:
    found: dict[str, Callable[[str, str], float | None]] = {
        "indel (ours)": lambda a, b: similarity(excerpt(a), excerpt(b)) or _indel(a, b),
    }
    try:
        import tlsh  # type: ignore[import-not-found]

        def tlsh_distance(a: str, b: str) -> float | None:
            ha, hb = tlsh.hash(a.encode()), tlsh.hash(b.encode())
            return None if "TNULL" in (ha, hb) or "" in (ha, hb) else float(tlsh.diff(ha, hb))

        found["tlsh distance"] = tlsh_distance
    except ImportError:
        pass
    found["difflib (8 KB)"] = lambda a, b: difflib.SequenceMatcher(
        None, excerpt(a)[:8192], excerpt(b)[:8192], autojunk=False
    ).ratio()
    return found


def _indel(a: str, b: str) -> float:
    # The raw score below the threshold too, for the table (similarity() reads those as 0).
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(excerpt(a), excerpt(b)))


def main() -> None:
    rng = random.Random(7)
    items = inline_items()
    print(f"{len(items)} distinct inline items; threshold {THRESHOLD}")
    groups = {
        "under 50 chars": [i for i in items if len(i[2]) < 50],
        "50-255 chars": [i for i in items if 50 <= len(i[2]) < 256],
        "256 chars and more": [i for i in items if len(i[2]) >= 256],
    }
    print(f"{'group':20} {'pair':22} {'measure':15} {'median':>8} {'worst/p99':>10}")
    for name, group in groups.items():
        sample = group if len(group) <= 400 else rng.sample(group, 400)
        for edit_name, edit in edits(rng).items():
            for measure, score in measures().items():
                values = [v for _, _, t in sample if (v := score(t, edit(t))) is not None]
                if not values:
                    continue
                worst = max(values) if "tlsh" in measure else min(values)
                print(
                    f"{name:20} {edit_name:22} {measure:15} "
                    f"{statistics.median(values):8.3f} {worst:10.3f}"
                )
        pairs = []
        while len(pairs) < 1000 and len(group) > 1:
            a, b = rng.sample(group, 2)
            if a[1] == b[1] and a[0] != b[0]:
                pairs.append((a[2], b[2]))
        for measure, score in measures().items():
            values = sorted(v for a, b in pairs if (v := score(a, b)) is not None)
            if values:
                p99 = (
                    values[len(values) // 100] if "tlsh" in measure else values[-len(values) // 100]
                )
                print(
                    f"{name:20} {'unrelated, other pages':22} {measure:15} "
                    f"{statistics.median(values):8.3f} {p99:10.3f}"
                )
    pages: dict[int, list[str]] = {}
    for page, _, text in items:
        pages.setdefault(page, []).append(text)
    busiest = max(pages.values(), key=len)
    edited = [t[: len(t) // 2] + "Z" + t[len(t) // 2 + 1 :] for t in busiest]
    rng.shuffle(edited)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        pairs_found = pair_similar([excerpt(t) for t in busiest], [excerpt(t) for t in edited], str)
        times.append(time.perf_counter() - start)
    print(
        f"pairing the busiest page's {len(busiest)} inline items, all edited: "
        f"{statistics.median(times) * 1000:.1f} ms median, {len(pairs_found)} paired"
    )
    big = "".join(busiest)
    big = (big * (1_000_000 // max(1, len(big)) + 1))[:1_000_000]
    other = "".join(rng.choice("abcdef") for _ in range(1_000_000))
    start = time.perf_counter()
    similarity(excerpt(big), excerpt(other))
    print(f"one comparison of two 1 MB bodies: {(time.perf_counter() - start) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
