"""The text of scripts and stylesheets, kept beside their fingerprints for the body diff.

A body is known by the SHA-256 of its bytes, the same digest its `Resource` has: the store keeps
each body once however many trackers and revisions have it. Inline bodies are kept as the
fingerprint saw them, masks applied (a masked nonce reads "…"), so the digest still names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from desktop_tracker.kinds.base import FetchedResource

Language = Literal["script", "style"]

MAX_BODY_BYTES = 5 * 1024 * 1024
"""The largest body kept (raw): bigger bundles are fingerprinted but their text is not kept.
5 MB holds the biggest framework bundles in common use with room to spare."""


@dataclass(frozen=True, slots=True)
class CapturedBody:
    """One body a check found, to be kept with the revision that names it."""

    digest: str  # SHA-256 of `data`, hex
    language: Language
    data: bytes


@dataclass(frozen=True, slots=True)
class FetchedWithBody(FetchedResource):
    """A fetched resource with its bytes (None when the answer had none: a 304, a failure, or a
    body over MAX_BODY_BYTES)."""

    body: bytes | None = None


def language_of(kind: str) -> Language:
    """What the beautifier calls a resource kind: "script", or "style" for a stylesheet."""
    return "script" if kind == "script" else "style"
