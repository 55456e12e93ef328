"""Resources checks of a URL without a tracker: the page checker with the resources kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from desktop_tracker.kinds.base import CaptureRequest
from desktop_tracker.kinds.resources import KIND as RESOURCES
from desktop_tracker.kinds.resources import PageResources
from desktop_tracker.tracking.fetcher import Fetcher
from desktop_tracker.tracking.page_check import PageChecker


class ResourceChecks:
    """One page checker (its conditional-request cache shared by every check)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._checker = PageChecker(fetcher)

    async def check(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        verify_tls: bool = True,
        ignore: Sequence[str] = (),
        mask: Sequence[str] = (),
    ) -> PageResources:
        request = CaptureRequest(
            url, dict(headers or {}), {}, tuple(ignore), tuple(mask), verify_tls
        )
        snapshot = (await self._checker.check(RESOURCES, request)).snapshot
        assert isinstance(snapshot, PageResources)
        return snapshot
