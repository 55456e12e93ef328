"""The history of a headers tracker: its change lines, its findings highlighted by severity (new
ones marked), and the revision's headers, cookies and policies, on real services against a local
server whose response headers change between checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.gui.diff_view import STATE_ROLE, contrast_ratio
from desktop_tracker.gui.kinds.headers_diff_view import (
    FindingsModel,
    HeadersDiffView,
    header_of_change,
    ignore_rule_for_header,
)
from tests.gui.test_history_view import (
    Harness,
    assert_plain,
    column,
    compare,
    dark_palette,
    distance,
    keep_running_when_windows_close,  # noqa: F401 - autouse: closing a view must not quit the app
    revision_ids,
    running,
    select,
    summaries,
)
from tests.support.http_server import LocalServer

FOREGROUND = Qt.ItemDataRole.ForegroundRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
FONT = Qt.ItemDataRole.FontRole

BEFORE = [
    ("Content-Security-Policy", "script-src 'self'; object-src 'none'; base-uri 'none'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Set-Cookie", "session=s3cr3t; Secure; HttpOnly; SameSite=Lax"),
]
AFTER = [
    (
        "Content-Security-Policy",
        "script-src 'self' 'unsafe-inline' http://cdn.example; object-src 'none'; base-uri 'none'",
    ),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Set-Cookie", "session=s3cr3t; Secure; SameSite=Lax"),
]


async def headers_history(h: Harness) -> int:
    """baseline (BEFORE) → AFTER: a weaker CSP, a framing header changed, a cookie's flag lost."""
    h.server.route("/app", "ok", content_type="text/plain", headers=BEFORE)
    tracker = await h.trackers.add(Tracker("App", h.server.url("/app"), kind="headers"))
    assert tracker.id is not None
    await h.check(tracker.id)
    h.server.route("/app", "ok", content_type="text/plain", headers=AFTER)
    await h.check(tracker.id)
    return tracker.id


def rows(model: Any) -> list[list[str]]:
    return [
        [model.index(row, c).data() for c in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def finding_row(model: FindingsModel, check: str) -> int:
    return next(r for r, item in enumerate(model.items) if item.finding.check == check)


async def test_a_headers_history_shows_change_lines_and_new_findings_highlighted(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id = await headers_history(h)
        view = await h.open_view(tracker_id)
        assert summaries(view) == ["3 changes to the security headers", "baseline"]
        diff = view.diff_view
        assert isinstance(diff, HeadersDiffView)

        assert diff.change_lines() == [
            "script-src gained 'unsafe-inline' and http://cdn.example",
            "X-Frame-Options changed from DENY to SAMEORIGIN",
            "cookie session lost HttpOnly",
        ]
        # Each change says which header it is about (what "Ignore this header" would leave out).
        headers_of = dict(rows(diff.changes_model))
        assert headers_of["script-src gained 'unsafe-inline' and http://cdn.example"] == (
            "content-security-policy"
        )
        assert headers_of["X-Frame-Options changed from DENY to SAMEORIGIN"] == "x-frame-options"
        assert headers_of["cookie session lost HttpOnly"] == ""

        # Every finding of the newer revision; the change's own first, marked "new".
        model = diff.findings_model
        entry = view.selected_entry()
        assert entry is not None
        service_findings = h.trackers.findings(entry.revision)
        assert model.rowCount() == len(service_findings)
        new_rows = [r for r in range(model.rowCount()) if model.index(r, 1).data() == "new"]
        assert new_rows == list(range(len(new_rows))) and new_rows
        colours = diff.colours
        inline = finding_row(model, "unsafe-inline")
        assert model.index(inline, 0).data() == "⚠ high"
        assert model.index(inline, 1).data() == "new"
        assert model.index(inline, 1).data(FONT).bold()
        assert model.index(inline, 0).data(STATE_ROLE) == "high"
        assert model.index(inline, 2).data(FOREGROUND) == colours.by_severity["high"][0]
        assert model.index(inline, 2).data(BACKGROUND) == colours.by_severity["high"][1]
        assert "unsafe-inline" in model.index(inline, FindingsModel.MESSAGE_COLUMN).data()
        http = finding_row(model, "http-source")
        assert model.index(http, 0).data() == "⚠ medium"
        assert model.index(http, 2).data(FOREGROUND) == colours.by_severity["medium"][0]
        assert model.index(http, 2).data(BACKGROUND) == colours.by_severity["medium"][1]
        # Low findings read as normal text: no colour of their own.
        low = next(r for r, item in enumerate(model.items) if item.finding.severity == "low")
        assert model.index(low, 2).data(FOREGROUND) is None
        assert model.index(low, 2).data(BACKGROUND) is None
        assert "new weakness" in diff.summary

        # The newer revision as it is: headers, cookies' flags, each directive.
        assert ["x-frame-options", "SAMEORIGIN"] in rows(diff.headers_model)
        assert rows(diff.cookies_model) == [["session", "✓ yes", "✗ no", "Lax"]]
        assert ["header", "script-src", "'self' 'unsafe-inline' http://cdn.example"] in rows(
            diff.policy_model
        )
        assert diff.tabs.tabText(0) == f"Findings ({len(service_findings)})"
        # A cookie's value is never kept, so never shown.
        assert all("s3cr3t" not in cell for row in rows(diff.headers_model) for cell in row)
        assert_plain(view.plain_labels())


async def test_a_headers_baseline_lists_the_revision_and_all_its_findings(
    qapp: QApplication, data_dir: Path, server: LocalServer
) -> None:
    async with running(data_dir, server) as h:
        tracker_id = await headers_history(h)
        view = await h.open_view(tracker_id)
        diff = view.diff_view
        assert isinstance(diff, HeadersDiffView)
        await select(view, revision_ids(view)[1])

        assert diff.summary.startswith("Baseline: nothing older is kept to compare with.")
        assert diff.change_table.isHidden()  # nothing older: no change lines
        assert diff.change_lines() == []
        assert ["x-frame-options", "DENY"] in rows(diff.headers_model)
        assert rows(diff.cookies_model) == [["session", "✓ yes", "✓ yes", "Lax"]]
        entry = view.selected_entry()
        assert entry is not None
        findings = h.trackers.findings(entry.revision)
        model = diff.findings_model
        assert [item.finding for item in model.items] == sorted(
            findings, key=lambda f: ("high", "medium", "low", "info", "syntax").index(f.severity)
        )
        assert column(model, 1) == [""] * len(findings)  # nothing is new in a baseline

        # Back to the newest: the change lines come back.
        newest, baseline = revision_ids(view)
        await select(view, newest)
        assert not diff.change_table.isHidden()
        assert len(diff.change_lines()) == 3

        # Compared through the service, either way round: older to newer.
        await compare(view, baseline)
        assert len(diff.change_lines()) == 3
        await select(view, baseline)
        await compare(view, newest)
        assert "cookie session lost HttpOnly" in diff.change_lines()


def test_severity_colours_read_in_light_and_dark_palettes(qapp: QApplication) -> None:
    view = HeadersDiffView()
    for palette in (QApplication.palette(), dark_palette()):
        view.setPalette(palette)
        colours = view.colours
        base = colours.change.base
        high_fg, high_bg = colours.by_severity["high"]
        medium_fg, medium_bg = colours.by_severity["medium"]
        assert high_fg and high_bg and medium_fg and medium_bg
        for foreground, background in ((high_fg, high_bg), (medium_fg, medium_bg)):
            assert contrast_ratio(foreground, background) >= 4.5
            assert contrast_ratio(foreground, base) >= 4.5
            assert distance(background, base) >= 25
        assert distance(high_fg, medium_fg) >= 60  # red and orange tell apart
        syntax, none = colours.by_severity["syntax"]
        assert none is None and isinstance(syntax, QColor)
        assert contrast_ratio(syntax, base) < contrast_ratio(colours.change.text, base)
        assert colours.by_severity["low"] == (None, None) == colours.by_severity["info"]
    view.deleteLater()


def test_a_change_line_names_its_header() -> None:
    names = [
        "content-security-policy",
        "content-security-policy-report-only",
        "strict-transport-security",
        "x-frame-options",
        "server",
    ]
    cases = {
        "script-src gained 'unsafe-inline'": "content-security-policy",
        "the Content-Security-Policy header was added": "content-security-policy",
        "header policy 2: object-src removed": "content-security-policy",
        "report-only policy: script-src lost 'self'": "content-security-policy-report-only",
        "a report-only policy was added": "content-security-policy-report-only",
        "<meta> policy: script-src removed": None,
        "the policy sent in a <meta> tag was added": None,
        "HSTS max-age lowered from 31536000 to 300": "strict-transport-security",
        "Strict-Transport-Security removed": "strict-transport-security",
        "X-Frame-Options changed from DENY to SAMEORIGIN": "x-frame-options",
        "Server added: 'nginx'": "server",
        "cookie session lost HttpOnly": None,
    }
    for line, header in cases.items():
        assert header_of_change(line, names) == header, line
    # A header neither revision has is nothing to ignore.
    assert header_of_change("HSTS gained preload", ["x-frame-options"]) is None
    assert ignore_rule_for_header("X-Frame-Options") == "^x-frame-options:"
