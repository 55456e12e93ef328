"""Fixtures of the integration tests (the ones every test shares are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.http_server import LocalServer


@pytest.fixture
def servers() -> Iterator[list[LocalServer]]:
    """Three local servers, three origins: each answers /x with its own port."""
    with LocalServer() as a, LocalServer() as b, LocalServer() as c:
        for server in (a, b, c):
            server.route("/x", f"port {server.port}", content_type="text/plain")
        yield [a, b, c]


@pytest.fixture
def data(tmp_path: Path) -> list[str]:
    """The `--data-dir` option of a command, for a data directory of the test's own."""
    return ["--data-dir", str(tmp_path / "data")]
