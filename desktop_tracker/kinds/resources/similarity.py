"""Whether an inline script or style that is gone and one that is new are one item, edited.

Inline items have no URL: they are known by their bytes, so any edit makes a new one. Two are
the same item changed when their texts are similar enough: rapidfuzz's Indel normalized
similarity (1 − insertions and deletions / total length), on an excerpt of each text.

Measured on the 2,772 distinct inline scripts and styles of the real-pages corpus
(tests/bench/bench_similarity.py prints the table again):

- one character edited: similarity ≥ 0.996 from 256 characters up, ≥ 0.98 from 50, and 0.8
  for the shortest (a 10-character body); ten digits replaced (a timestamp): ≥ 0.96 from 256;
- unrelated items of the same kind on other pages: median 0.23, 99th percentile 0.45–0.49
  (256 characters and more), 0.59–0.71 (50–255), 0.56–0.75 (under 50), over two samplings.

So the threshold is 0.8: above every percentile of unrelated items, below nearly every small
edit. Items of one page are often near-copies of each other (one config call per widget);
pairing the best matches first keeps those apart.

TLSH (py-tlsh) was the other candidate: it hashes nothing under 50 bytes (a third of the inline
items are shorter than 256), its distances for a one-character edit ran up to 186 on bigger
items (unrelated ones start near 107), and it ships as source only, so every installer build
would need a C++ compiler. difflib's ratio agrees with Indel but took 234 ms for one pair of
8 KB excerpts, where rapidfuzz takes well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from rapidfuzz.distance import Indel

THRESHOLD = 0.8
"""Similarity at or above which a removed and an added inline item are one item, changed."""

EXCERPT_END = 4096
"""Characters kept from each end of a long text: the comparison's cap (an edit in the middle of
a long body leaves its ends alike, which is what an edit is; a different body differs there)."""

T = TypeVar("T")


def excerpt(text: str) -> str:
    """What is compared of a text: all of it up to 8 KB, else its first and last 4 KB."""
    if len(text) <= 2 * EXCERPT_END:
        return text
    return text[:EXCERPT_END] + text[-EXCERPT_END:]


def similarity(a: str, b: str) -> float:
    """0 (nothing in common) to 1 (the same), of two excerpts; below THRESHOLD reads as 0."""
    longest, total = max(len(a), len(b)), len(a) + len(b)
    if not total:
        return 1.0
    # Lengths alone bound the score: a text twice as long as the other cannot be an edit of it.
    if 2 * (total - longest) / total < THRESHOLD:
        return 0.0
    return float(Indel.normalized_similarity(a, b, score_cutoff=THRESHOLD))


def pair_similar(
    removed: Sequence[T], added: Sequence[T], text: Callable[[T], str | None]
) -> list[tuple[int, int]]:
    """(removed index, added index) of the pairs that are one item changed: the most similar
    pair first, each item used once; ties go to the earlier items, so the answer is the same
    every time. Items whose `text` is None (kept before excerpts were) pair with nothing."""
    scored: list[tuple[float, int, int]] = []
    added_texts = [text(item) for item in added]
    for i, old in enumerate(removed):
        before = text(old)
        if before is None:
            continue
        for j, after in enumerate(added_texts):
            if after is None:
                continue
            score = similarity(before, after)
            if score >= THRESHOLD:
                scored.append((-score, i, j))
    scored.sort()
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs = []
    for _, i, j in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((i, j))
    return sorted(pairs)
