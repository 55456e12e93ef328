"""What changed between two revisions of a page's resources, and what matters for security."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from desktop_tracker.kinds.base import Finding
from desktop_tracker.kinds.resources.similarity import pair_similar
from desktop_tracker.kinds.resources.snapshot import Resource

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class ResourceChange:
    change: ChangeKind
    old: Resource | None
    new: Resource | None

    @property
    def resource(self) -> Resource:
        found = self.new if self.new is not None else self.old
        assert found is not None
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "kind": self.resource.kind,
            "url": self.resource.url,
            "old": self.old.to_json() if self.old else None,
            "new": self.new.to_json() if self.new else None,
        }


@dataclass(frozen=True, slots=True)
class ResourceDiff:
    changes: list[ResourceChange]
    findings: list[Finding]

    def count(self, change: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.change == change)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        """'2 added, 1 changed' — the words of a change notification."""
        parts = [
            f"{n} {kind}" for kind in ("added", "removed", "changed") if (n := self.count(kind))
        ]
        return ", ".join(parts) if parts else "no change"

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.count("added"),
            "removed": self.count("removed"),
            "changed": self.count("changed"),
            "changes": [c.to_json() for c in self.changes],
            # The resources kind's own finding form, older than the other kinds' (a contract).
            "findings": [
                {"kind": f.check, "message": f.message, "url": f.url} for f in self.findings
            ],
        }

    def details(self) -> list[str]:
        """One line per change, then the findings: the body of a change notification."""
        return [
            f"{c.change} {c.resource.label}"  # "inline script 2403…" names its kind
            if c.resource.url is None
            else f"{c.change} {c.resource.kind} {c.resource.url}"
            for c in self.changes
        ]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def diff_resources(old: Sequence[Resource], new: Sequence[Resource]) -> ResourceDiff:
    """Match by URL (inline: by digest). Same key, other bytes, load state, integrity attribute,
    integrity result or party = changed; only in `new` = added; only in `old` = removed. An
    inline item that went and one of the same kind that came with a similar text are one item
    edited: changed (kinds/resources/similarity.py). Changes come in the new page's order,
    removals after them in the old page's order.

    The integrity attribute and the party are in the page, not in the resource's bytes: a page
    that drops `integrity=` from the same script, or that moved to another site so that its
    scripts became third-party, has changed in the way security reviewers care about most.
    """
    old_by_key = {r.key: r for r in old}
    new_keys = {r.key for r in new}
    changes: list[ResourceChange] = []
    for resource in new:
        before = old_by_key.get(resource.key)
        if before is None:
            changes.append(ResourceChange("added", None, resource))
        elif _state(before) != _state(resource):
            changes.append(ResourceChange("changed", before, resource))
    changes.extend(ResourceChange("removed", r, None) for r in old if r.key not in new_keys)
    return ResourceDiff(_pair_inline_edits(changes), _findings(old, new, old_by_key))


def _pair_inline_edits(changes: list[ResourceChange]) -> list[ResourceChange]:
    """An added inline item paired with a removed one becomes one change, in the added one's
    place; the removed one's entry goes."""
    paired: dict[int, ResourceChange] = {}
    dropped: set[int] = set()
    for kind in ("script", "stylesheet"):
        added = [i for i, c in enumerate(changes) if c.change == "added" and _inline(c.new, kind)]
        removed = [
            i for i, c in enumerate(changes) if c.change == "removed" and _inline(c.old, kind)
        ]
        if not added or not removed:
            continue
        for r, a in pair_similar(removed, added, lambda i: _excerpt(changes[i])):
            before, after = changes[removed[r]].old, changes[added[a]].new
            paired[added[a]] = ResourceChange("changed", before, after)
            dropped.add(removed[r])
    if not paired:
        return changes
    return [paired.get(i, c) for i, c in enumerate(changes) if i not in dropped]


def _inline(resource: Resource | None, kind: str) -> bool:
    return resource is not None and resource.url is None and resource.kind == kind


def _excerpt(change: ResourceChange) -> str | None:
    return change.resource.excerpt


def _state(resource: Resource) -> tuple[object, ...]:
    """What makes a resource changed. A load error counts by its presence, not its words: a
    timeout one day and a reset the next is the same failure."""
    return (
        resource.digest,
        resource.error is None,
        resource.integrity,
        resource.integrity_ok,
        resource.third_party,
    )


def _findings(
    old: Sequence[Resource], new: Sequence[Resource], old_by_key: dict[tuple[str, str], Resource]
) -> list[Finding]:
    findings: list[Finding] = []
    known_origins = {origin(r.url) for r in old if r.url and r.third_party}
    for resource in new:
        if resource.url and resource.third_party:
            resource_origin = origin(resource.url)
            if resource_origin not in known_origins:
                known_origins.add(resource_origin)
                findings.append(
                    Finding(
                        "new_third_party_origin",
                        "medium",
                        f"a {resource.kind} now loads from a new third-party origin "
                        f"{resource_origin}",
                        url=resource.url,
                    )
                )
    for resource in new:
        before = old_by_key.get(resource.key)
        if before is not None and before.integrity and not resource.integrity:
            findings.append(
                Finding(
                    "integrity_removed",
                    "medium",
                    f"{resource.label} lost its integrity attribute: "
                    "its bytes are no longer checked",
                    url=resource.url,
                )
            )
        if resource.integrity_ok is False and (before is None or before.integrity_ok is not False):
            findings.append(
                Finding(
                    "integrity_mismatch",
                    "high",
                    f"{resource.label} no longer matches its integrity attribute: a browser will "
                    "refuse to load it, or it was tampered with",
                    url=resource.url,
                )
            )
    return findings
