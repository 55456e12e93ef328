"""Every kind of tracker, by name. A new kind is a module with a `KIND` and a line here."""

from __future__ import annotations

from desktop_tracker.core.quoting import quote
from desktop_tracker.kinds import content, headers, resources
from desktop_tracker.kinds.base import Kind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (resources.KIND, content.KIND, headers.KIND)}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)
DEFAULT_KIND = resources.KIND.name


class UnknownKind(LookupError):
    """No kind has that name; the message names the kinds there are."""


def kind_for(name: str) -> Kind:
    """:raises UnknownKind:"""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(
            f"unknown tracker kind {quote(name)}: use {', '.join(KIND_NAMES)}"
        ) from None
