"""A page's scripts and stylesheets, fingerprinted: what one check of a resources tracker finds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from desktop_tracker.kinds.resources.bodies import CapturedBody

ResourceKind = Literal["script", "stylesheet"]


@dataclass(frozen=True, slots=True)
class Resource:
    """One script or stylesheet as found on the page."""

    kind: ResourceKind
    url: str | None  # absolute; None when the content is in the page itself
    inline: bool
    digest: str  # SHA-256 of the bytes, hex; "" when the resource could not be loaded
    size: int
    integrity: str | None = None
    integrity_ok: bool | None = None  # None: no integrity attribute a browser would check
    third_party: bool = False
    error: str | None = None  # why it could not be loaded
    # Inline only: what similarity compares (kinds/resources/similarity.py `excerpt`), so that
    # an edited inline item reads as changed. None in revisions kept before it was stored.
    excerpt: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What matches a resource across revisions: its URL, or its digest when inline."""
        return (self.kind, self.url) if self.url is not None else (self.kind, "#" + self.digest)

    @property
    def label(self) -> str:
        """How the user sees it named."""
        if self.url is not None:
            return self.url
        return f"inline {self.kind} {self.digest[:12]}"

    def to_json(self) -> dict[str, Any]:
        """The command line's JSON form (a contract: keys and order are fixed)."""
        return {
            "url": self.url,
            "inline": self.inline,
            "digest": self.digest,
            "size": self.size,
            "integrity": self.integrity,
            "integrity_ok": self.integrity_ok,
            "third_party": self.third_party,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, kind: ResourceKind, data: Mapping[str, Any]) -> Resource:
        return cls(
            kind=kind,
            url=data["url"],
            inline=bool(data["inline"]),
            digest=str(data["digest"]),
            size=int(data["size"]),
            integrity=data.get("integrity"),
            integrity_ok=data.get("integrity_ok"),
            third_party=bool(data.get("third_party", False)),
            error=data.get("error"),
            excerpt=data.get("excerpt"),
        )


@dataclass(frozen=True, slots=True)
class PageResources:
    """The result of checking one page."""

    url: str
    final_url: str
    status: int
    resources: list[Resource] = field(default_factory=list)  # document order
    # The bodies this check had in hand, to be kept with its revision; never in the JSON.
    bodies: tuple[CapturedBody, ...] = field(default=(), compare=False, repr=False)

    @property
    def scripts(self) -> list[Resource]:
        return [r for r in self.resources if r.kind == "script"]

    @property
    def styles(self) -> list[Resource]:
        return [r for r in self.resources if r.kind == "stylesheet"]

    def check_json(self) -> dict[str, Any]:
        """`desktop-tracker check URL --json`, exactly."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "scripts": [r.to_json() for r in self.scripts],
            "styles": [r.to_json() for r in self.styles],
        }

    def to_json(self) -> dict[str, Any]:
        """The stored form: every resource with its kind, in document order."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "resources": [_stored(r) for r in self.resources],
        }

    def find(self, kind: str, url: str | None, digest: str | None) -> Resource | None:
        """The resource of that kind with that URL (external) or that digest (inline)."""
        for resource in self.resources:
            if resource.kind == kind and (
                resource.url == url if url is not None else resource.digest == digest
            ):
                return resource
        return None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PageResources:
        return cls(
            str(data["url"]),
            str(data["final_url"]),
            int(data["status"]),
            [Resource.from_json(r["kind"], r) for r in data["resources"]],
        )


def _stored(resource: Resource) -> dict[str, Any]:
    stored = {"kind": resource.kind, **resource.to_json()}
    if resource.excerpt is not None:
        stored["excerpt"] = resource.excerpt
    return stored
