"""The resources kind: a page's scripts and stylesheets, fingerprinted, and what changed in them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop_tracker.kinds.base import (
    CaptureRequest,
    Diff,
    Finding,
    InvalidOption,
    Page,
    Snapshot,
    Subresources,
)
from desktop_tracker.kinds.resources.capture import capture_resources
from desktop_tracker.kinds.resources.diff import ResourceDiff, diff_resources
from desktop_tracker.kinds.resources.extract import extract_resources
from desktop_tracker.kinds.resources.snapshot import PageResources, Resource

__all__ = ["KIND", "PageResources", "Resource", "ResourceDiff", "ResourcesKind"]


class ResourcesKind:
    name = "resources"
    label = "Scripts and styles"
    needs_html = True

    def parse_options(self, data: Mapping[str, Any]) -> dict[str, Any]:
        for key in data:
            raise InvalidOption(key, f"a resources tracker has no option {key!r}")
        return {}

    def describe_ignore(self) -> str:
        return "resource URLs"

    async def capture(
        self, page: Page, request: CaptureRequest, subresources: Subresources
    ) -> PageResources:
        return await capture_resources(page, request, subresources)

    def snapshot_from_json(self, data: Mapping[str, Any]) -> PageResources:
        return PageResources.from_json(data)

    def diff(self, old: Snapshot | None, new: Snapshot, options: Mapping[str, Any]) -> ResourceDiff:
        return diff_resources(_resources(old) if old is not None else [], _resources(new))

    def notifies(self, diff: Diff, options: Mapping[str, Any]) -> bool:
        return not diff.is_empty

    def findings(self, snapshot: Snapshot) -> list[Finding]:
        # What is weak in one page's resources shows as a change (a new third-party origin, a
        # lost integrity attribute); a single snapshot adds nothing to that.
        return []

    def check_json(
        self, page: Page, snapshot: Snapshot, options: Mapping[str, Any]
    ) -> dict[str, Any]:
        return _snapshot(snapshot).check_json()

    def revision_json(self, snapshot: Snapshot) -> dict[str, Any]:
        resources = _snapshot(snapshot)
        return {
            "scripts": [r.to_json() for r in resources.scripts],
            "styles": [r.to_json() for r in resources.styles],
        }

    def noise_lines(self, page: Page, options: Mapping[str, Any]) -> list[str]:
        # What masks apply to: the URLs as written, and the lines of inline bodies.
        lines: list[str] = []
        for found in extract_resources(page.text, page.final_url):
            if found.url is not None:
                lines.append(found.url)
            else:
                lines.extend((found.content or b"").decode("utf-8", "replace").splitlines())
        return lines


def _snapshot(snapshot: Snapshot) -> PageResources:
    assert isinstance(snapshot, PageResources)
    return snapshot


def _resources(snapshot: Snapshot) -> list[Resource]:
    return _snapshot(snapshot).resources


KIND = ResourcesKind()
