"""Kept bodies of scripts and stylesheets: what the store keeps and what the body diff shows.

A body is kept once, by the SHA-256 of its bytes, whichever trackers and revisions have it; a
revision is linked to the bodies it had, so that bodies no revision links to are found by a
query (and dropped first when the data directory is over its cap). A body's beautified text is
kept beside it, marked with the beautifier's version that made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_tracker.kinds.resources.bodies import MAX_BODY_BYTES, CapturedBody, language_of
from desktop_tracker.kinds.resources.snapshot import PageResources, Resource

if TYPE_CHECKING:  # the store interface names this module's types: imported for types only
    from desktop_tracker.domain.tracker_store import TrackerTransaction

__all__ = [
    "MAX_BODY_BYTES",
    "Beautified",
    "BodyPair",
    "CapturedBody",
    "ResourceKey",
    "body_digests",
    "captured_bodies",
    "keep_revision_bodies",
    "read_sides",
]

DEFAULT_BODY_CAP_BYTES = 500 * 1024 * 1024
"""The data directory's cap on kept bodies when no preference says otherwise (compressed)."""


@dataclass(frozen=True, slots=True)
class Beautified:
    """A body's beautified text as kept; `text` None: the body reads well as it is."""

    text: str | None


@dataclass(frozen=True, slots=True)
class ResourceKey:
    """Which resource of two revisions to show the bodies of: an external one by its URL (both
    sides have it), an inline one by each side's digest (inline items are known by their
    bytes, so an edited one has another digest in each revision)."""

    kind: str  # "script" | "stylesheet"
    url: str | None
    old_digest: str | None = None
    new_digest: str | None = None

    @classmethod
    def of(cls, old: Resource | None, new: Resource | None) -> ResourceKey:
        """The key of a diff's row, from its two sides (either may be None)."""
        side = new if new is not None else old
        assert side is not None, "a row has at least one side"
        if side.url is not None:
            return cls(side.kind, side.url)
        return cls(
            side.kind,
            None,
            old.digest if old is not None else None,
            new.digest if new is not None else None,
        )


@dataclass(frozen=True, slots=True)
class BodyPair:
    """The two bodies of one resource in two revisions, for the body diff.

    A side's `text` is None when that revision has no body of it: the resource is not in that
    revision (added or removed), or its body was not kept, and `old_reason`/`new_reason` say
    why in words. `*_beautified` is the text laid out for reading, the text itself when it was
    readable already, None with the text. `language` is "script" or "style".
    """

    label: str  # how the user sees the resource named: its URL, or "inline script 2403…"
    url: str | None
    language: str
    old_text: str | None
    new_text: str | None
    old_beautified: str | None
    new_beautified: str | None
    old_reason: str | None
    new_reason: str | None

    @property
    def beautified(self) -> bool:
        """Whether either side reads otherwise beautified."""
        return (self.old_beautified or "") != (self.old_text or "") or (
            self.new_beautified or ""
        ) != (self.new_text or "")


def captured_bodies(snapshot: object) -> Sequence[CapturedBody]:
    """The bodies a check had in hand (a resources snapshot's; other kinds keep none)."""
    return snapshot.bodies if isinstance(snapshot, PageResources) else ()


def body_digests(snapshot: object) -> list[str]:
    """The digests of every body a revision names, whether or not this check fetched it (a
    resource answered "not modified" has its body kept from an earlier check)."""
    if not isinstance(snapshot, PageResources):
        return []
    return sorted({r.digest for r in snapshot.resources if r.digest})


NOT_IN_REVISION = "it is not in this revision"
"""The reason a side has no body when the resource was added or removed (said by the diff)."""


class UnknownResource(LookupError):
    """Neither revision has the resource asked for."""


def keep_revision_bodies(
    tx: TrackerTransaction, revision_id: int, snapshot: object, cap: int, now: float
) -> list[str]:
    """Keep a saved revision's bodies and links, then keep the data directory under `cap`
    bytes. Returns the digests kept new (to be beautified)."""
    digests = body_digests(snapshot)
    if not digests:
        return []
    new = tx.keep_bodies(revision_id, captured_bodies(snapshot), digests, now)
    dropped = set(tx.trim_bodies(cap))
    return [digest for digest in new if digest not in dropped]


@dataclass(frozen=True, slots=True)
class Side:
    """One revision's side of a resource, as the store has it."""

    resource: Resource | None  # None: not in that revision (or no revision: the baseline)
    data: bytes | None
    beautified: Beautified | None  # None: not made yet by this beautifier version
    reason: str | None  # why `data` is None, in words


def read_sides(
    tx: TrackerTransaction,
    old_revision_id: int | None,
    new_revision_id: int,
    key: ResourceKey,
    version: str,
    cap_mb: int,
) -> tuple[Side, Side]:
    """Both sides of `key` (old first) in one read. :raises UnknownRevision, UnknownResource:"""
    new_revision = tx.get_revision(new_revision_id)
    old_revision = tx.get_revision(old_revision_id) if old_revision_id is not None else None
    if old_revision is not None and old_revision.tracker_id != new_revision.tracker_id:
        raise UnknownResource(
            f"revisions {old_revision_id} and {new_revision_id} are of different trackers: "
            "bodies are compared within one tracker's history"
        )
    language = language_of(key.kind)
    sides = []
    for revision, digest in ((old_revision, key.old_digest), (new_revision, key.new_digest)):
        snapshot = revision.snapshot if revision is not None else None
        resource = None
        if isinstance(snapshot, PageResources) and (key.url is not None or digest is not None):
            resource = snapshot.find(key.kind, key.url, digest)
        if resource is None or revision is None:
            sides.append(Side(None, None, None, NOT_IN_REVISION))
            continue
        sides.append(_side(tx, revision.id, resource, language, version, cap_mb))
    if sides[0].resource is None and sides[1].resource is None:
        what = key.url if key.url is not None else f"this inline {key.kind}"
        raise UnknownResource(f"neither revision has {what}: the history may have changed")
    return sides[0], sides[1]


def _side(
    tx: TrackerTransaction,
    revision_id: int,
    resource: Resource,
    language: str,
    version: str,
    cap_mb: int,
) -> Side:
    if resource.error is not None or not resource.digest:
        return Side(resource, None, None, f"it could not be loaded ({resource.error})")
    data = tx.get_body(resource.digest)
    if data is not None:
        return Side(resource, data, tx.get_beautified(resource.digest, language, version), None)
    if resource.size > MAX_BODY_BYTES:
        reason = (
            f"it is {_megabytes(resource.size)}, more than the {_megabytes(MAX_BODY_BYTES)} "
            "kept of one body"
        )
    elif resource.digest in tx.linked_bodies(revision_id):
        reason = (
            f"it was dropped to keep the stored bodies under {cap_mb} MB "
            "(the storage cap in Preferences)"
        )
    else:
        reason = "it was not kept: this revision was taken before bodies were kept"
    return Side(resource, None, None, reason)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
