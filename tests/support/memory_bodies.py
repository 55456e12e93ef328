"""Kept bodies in memory, for MemoryTrackerStore: the SQLite store's rules (body_repository.py)
on dicts. Sizes count as SQLite's do: the zlib-compressed bytes."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from desktop_tracker.domain.bodies import Beautified, CapturedBody


@dataclass(slots=True)
class MemoryBodies:
    data: dict[str, bytes] = field(default_factory=dict)  # digest → compressed body
    used_at: dict[str, float] = field(default_factory=dict)
    links: dict[int, set[str]] = field(default_factory=dict)  # revision id → digests
    # (digest, language) → (version, compressed text or None)
    beautified: dict[tuple[str, str], tuple[str, bytes | None]] = field(default_factory=dict)

    def keep(
        self, revision_id: int, bodies: Sequence[CapturedBody], digests: Sequence[str], now: float
    ) -> list[str]:
        new = []
        for body in bodies:
            if body.digest not in self.data:
                self.data[body.digest] = zlib.compress(body.data, 6)
                new.append(body.digest)
        linked = {d for d in digests if d in self.data}
        if linked:
            self.links.setdefault(revision_id, set()).update(linked)
        for digest in linked:
            self.used_at[digest] = now
        return list(dict.fromkeys(new))

    def get(self, digest: str) -> bytes | None:
        stored = self.data.get(digest)
        return zlib.decompress(stored) if stored is not None else None

    def get_beautified(self, digest: str, language: str, version: str) -> Beautified | None:
        found = self.beautified.get((digest, language))
        if found is None or found[0] != version:
            return None
        return Beautified(zlib.decompress(found[1]).decode() if found[1] is not None else None)

    def save_beautified(
        self, digest: str, language: str, version: str, beautified: Beautified
    ) -> None:
        if digest not in self.data:
            return
        text = beautified.text
        self.beautified[(digest, language)] = (
            version,
            zlib.compress(text.encode(), 6) if text is not None else None,
        )

    def unlink(self, revision_ids: Iterable[int]) -> None:
        for revision_id in revision_ids:
            self.links.pop(revision_id, None)

    def stored_bytes(self) -> int:
        return sum(map(len, self.data.values())) + sum(
            len(text or b"") for _, text in self.beautified.values()
        )

    def trim(self, cap: int, latest_revisions: Iterable[int]) -> list[str]:
        total = self.stored_bytes()
        if total <= cap:
            return []
        protected = set().union(*(self.links.get(r, set()) for r in latest_revisions))
        newest: dict[str, int] = {}
        for revision_id, digests in self.links.items():
            for digest in digests:
                newest[digest] = max(newest.get(digest, revision_id), revision_id)
        candidates = sorted(
            (d for d in self.data if d not in protected),
            key=lambda d: (d in newest, newest.get(d, 0), self.used_at.get(d, 0.0), d),
        )
        dropped = []
        for digest in candidates:
            if total <= cap:
                break
            total -= self._size(digest)
            dropped.append(digest)
            self._drop(digest)
        return dropped

    def _size(self, digest: str) -> int:
        return len(self.data[digest]) + sum(
            len(text or b"") for (d, _), (_, text) in self.beautified.items() if d == digest
        )

    def _drop(self, digest: str) -> None:
        del self.data[digest]
        self.used_at.pop(digest, None)
        for key in [k for k in self.beautified if k[0] == digest]:
            del self.beautified[key]


def latest_revision_ids(revisions: Mapping[int, object], tracker_of: Mapping[int, int]) -> set[int]:
    """Each tracker's newest revision id."""
    latest: dict[int, int] = {}
    for revision_id in revisions:
        tracker_id = tracker_of[revision_id]
        latest[tracker_id] = max(latest.get(tracker_id, revision_id), revision_id)
    return set(latest.values())
