"""The content kind: the text of a page, or of a CSS selector's matches, as a person reads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_tracker.kinds.base import (
    CaptureFailed,
    CaptureRequest,
    Diff,
    Finding,
    InvalidOption,
    Page,
    Snapshot,
    Subresources,
)
from desktop_tracker.kinds.content.rules import apply_rules
from desktop_tracker.kinds.content.text import SelectorError, page_text, validate_selector
from desktop_tracker.kinds.text_diff import TextDiff, diff_text

__all__ = ["KIND", "ContentDiff", "ContentKind", "ContentSnapshot"]

_OPTIONS = ("selector", "additions_only")
DETAIL_LINES = 20  # of a change, in its details; the history shows the whole diff


@dataclass(frozen=True, slots=True)
class ContentSnapshot:
    text: str  # after the tracker's ignore and mask rules
    selector: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "selector": self.selector}


@dataclass(frozen=True, slots=True)
class ContentDiff:
    text: TextDiff
    findings: list[Finding] = field(default_factory=list)  # text has no weaknesses of its own

    @property
    def is_empty(self) -> bool:
        return self.text.is_empty

    def summary(self) -> str:
        return self.text.summary()

    def details(self) -> list[str]:
        lines = [
            ("+ " if line.change == "added" else "- ") + "".join(s.text for s in line.segments)
            for line in self.text.lines
            if line.change != "same"
        ]
        return lines[:DETAIL_LINES]

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.text.added,
            "removed": self.text.removed,
            "unified": self.text.unified(),
        }


class ContentKind:
    name = "content"
    label = "Page text"
    needs_html = True

    def parse_options(self, data: Mapping[str, Any]) -> dict[str, Any]:
        for key in data:
            if key not in _OPTIONS:
                raise InvalidOption(
                    key, f"a content tracker has no option {key!r}: it has {', '.join(_OPTIONS)}"
                )
        selector = data.get("selector")
        if selector is not None and not isinstance(selector, str):
            raise InvalidOption("selector", "the selector must be text")
        if isinstance(selector, str) and not selector.strip():
            selector = None
        if selector is not None:
            try:
                selector = validate_selector(selector)
            except SelectorError as error:
                raise InvalidOption("selector", str(error)) from None
        additions_only = data.get("additions_only", False)
        if not isinstance(additions_only, bool):
            raise InvalidOption("additions_only", "additions_only must be true or false")
        return {"selector": selector, "additions_only": additions_only}

    def describe_ignore(self) -> str:
        return "lines of text"

    async def capture(
        self, page: Page, request: CaptureRequest, subresources: Subresources
    ) -> ContentSnapshot:
        selector = request.options.get("selector")
        try:
            text = page_text(page.text, selector)
        except SelectorError as error:
            raise CaptureFailed(str(error)) from None
        return ContentSnapshot(apply_rules(text, request.ignore, request.mask), selector)

    def snapshot_from_json(self, data: Mapping[str, Any]) -> ContentSnapshot:
        return ContentSnapshot(str(data["text"]), data.get("selector"))

    def diff(self, old: Snapshot | None, new: Snapshot, options: Mapping[str, Any]) -> ContentDiff:
        before = _snapshot(old).text if old is not None else ""
        return ContentDiff(diff_text(before, _snapshot(new).text))

    def notifies(self, diff: Diff, options: Mapping[str, Any]) -> bool:
        assert isinstance(diff, ContentDiff)
        if options.get("additions_only"):
            return any(line.strip() for line in diff.text.added_text())
        return not diff.is_empty

    def findings(self, snapshot: Snapshot) -> list[Finding]:
        return []

    def check_json(
        self, page: Page, snapshot: Snapshot, options: Mapping[str, Any]
    ) -> dict[str, Any]:
        content = _snapshot(snapshot)
        return {
            "url": page.url,
            "final_url": page.final_url,
            "status": page.status,
            "selector": content.selector,
            "text": content.text,
        }

    def revision_json(self, snapshot: Snapshot) -> dict[str, Any]:
        return _snapshot(snapshot).to_json()

    def noise_lines(self, page: Page, options: Mapping[str, Any]) -> list[str]:
        try:
            return page_text(page.text, options.get("selector")).splitlines()
        except SelectorError as error:
            raise CaptureFailed(str(error)) from None


def _snapshot(snapshot: Snapshot | None) -> ContentSnapshot:
    assert isinstance(snapshot, ContentSnapshot)
    return snapshot


KIND = ContentKind()
