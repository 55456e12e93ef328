"""The headers kind's diff: what changed in the security headers, and every weakness, by severity.

Above, the change lines as a reviewer reads them ("script-src gained 'unsafe-inline'", "HSTS
max-age lowered from 31536000 to 300"); below, the newer revision as it is: its findings (the
new ones marked "new"), its headers, its cookies' flags and each Content-Security-Policy's
directives. A baseline shows the same without the change lines.

Findings are coloured by severity (high red, medium orange, low and info the normal text, syntax
greyed), and always say their severity in a word too. Header values, cookie names and CSP sources
come from the web: DisplayRole strings and escaped tool tips only, in Qt's own items.

"Ignore this header" (Ctrl+I, or the context menu) on a change or a header proposes an ignore
rule matching the header's "name:" line (`^name:`), which the headers kind leaves out of later
checks. Cookies and policies sent in <meta> tags are not headers an ignore rule can leave out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_tracker.gui.diff_view import (
    TEXT_CONTRAST,
    WARNING,
    Cell,
    ChangeColours,
    KindDiffView,
    RowsModel,
    action_button,
    blend,
    configure_table,
    ensure_contrast,
    literal,
    view_action,
)
from desktop_tracker.gui.plain_text import plain_label
from desktop_tracker.kinds.base import SEVERITIES, Diff, Finding, Severity, Snapshot
from desktop_tracker.kinds.headers import HeadersDiff, HeadersSnapshot
from desktop_tracker.kinds.headers.response_headers import CookieFlags

SHOWN_VALUE = 1_000  # characters of a header value shown in its cell (the tool tip has more)
TIP_VALUE = 4_000

_SEVERITY_TEXT: dict[str, str] = {
    "high": f"{WARNING} high",
    "medium": f"{WARNING} medium",
    "low": "low",
    "info": "info",
    "syntax": "syntax",
}
_CSP = "content-security-policy"
_REPORT_ONLY = "content-security-policy-report-only"
_HSTS = "strict-transport-security"


def ignore_rule_for_header(name: str) -> str:
    """An ignore rule matching the header's "name: value" line, whatever its value."""
    return "^" + literal(name.lower()) + ":"


def header_of_change(line: str, names: Iterable[str]) -> str | None:
    """The header a change line is about, of the headers `names` (lower case) the two
    revisions have; None for a cookie, a policy in a <meta> tag, or a header not among them.

    The lines are the headers kind's review sentences: a header's lines start with its name,
    HSTS's with "HSTS", a report-only policy's with "report-only policy" or "a/another
    report-only policy", a <meta> policy's with "<meta> policy" or "the/another policy sent in
    a <meta> tag"; the other policy lines (a directive's name first) are the CSP header's.
    """
    known = set(names)
    lowered = line.lower()
    for name in sorted(known, key=len, reverse=True):  # the longest first: "…-report-only"
        if lowered.startswith(name + " ") or lowered.startswith(name + ":"):
            return name
    if lowered.startswith("hsts "):
        return _HSTS if _HSTS in known else None
    if lowered.startswith("cookie "):
        return None
    if "report-only polic" in lowered.split(":")[0]:
        return _REPORT_ONLY if _REPORT_ONLY in known else None
    if "<meta>" in lowered.split(":")[0]:
        return None
    return _CSP if _CSP in known else None


# -- colours ----------------------------------------------------------------------------------


# Orange beside ChangeColours' red: per theme, then checked against the palette.
_LIGHT_ORANGE, _LIGHT_ORANGE_TINT, _DARK_ORANGE = "#a34100", "#f0883e", "#ffa657"


@dataclass(frozen=True, slots=True)
class SeverityColours:
    """A finding's colours by severity for one palette: (foreground, background), None for
    the view's own."""

    change: ChangeColours
    by_severity: dict[str, tuple[QColor | None, QColor | None]]

    @classmethod
    def from_palette(cls, change: ChangeColours) -> SeverityColours:
        if change.dark:
            orange_tint = blend(change.base, QColor(_DARK_ORANGE), 0.22)
            orange = ensure_contrast(QColor(_DARK_ORANGE), orange_tint, TEXT_CONTRAST)
        else:
            orange_tint = blend(change.base, QColor(_LIGHT_ORANGE_TINT), 0.18)
            orange = ensure_contrast(QColor(_LIGHT_ORANGE), orange_tint, TEXT_CONTRAST)
        return cls(
            change,
            {
                "high": (change.accent["red"], change.tint["red"]),
                "medium": (orange, orange_tint),
                "low": (None, None),
                "info": (None, None),
                "syntax": (change.muted, None),
            },
        )


# -- models -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeRow:
    text: str
    header: str | None  # what "Ignore this header" leaves out; None: nothing to ignore


class ChangesModel(RowsModel):
    """The change lines, one a row, with the header each is about."""

    COLUMNS = ("Change", "Header")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self.COLUMNS, parent)

    def cells(self, item: ChangeRow, colours: ChangeColours) -> list[Cell]:
        return [
            Cell(item.text, tooltip=item.text),
            Cell(item.header or "", foreground=colours.muted),
        ]


@dataclass(frozen=True, slots=True)
class FindingRow:
    finding: Finding
    new: bool


class FindingsModel(RowsModel):
    """Findings, new first, then by severity; coloured by severity, "new" in bold."""

    COLUMNS = ("Severity", "New", "Finding", "About")
    MESSAGE_COLUMN = 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self.COLUMNS, parent)
        self._severity_colours: SeverityColours | None = None

    def state(self, item: FindingRow) -> str:
        return item.finding.severity

    def background(self, item: FindingRow, colours: ChangeColours) -> QColor | None:
        return self._severities(colours).by_severity[item.finding.severity][1]

    def cells(self, item: FindingRow, colours: ChangeColours) -> list[Cell]:
        finding = item.finding
        foreground, _ = self._severities(colours).by_severity[finding.severity]
        strong = finding.severity in ("high", "medium")
        return [
            Cell(
                _SEVERITY_TEXT.get(finding.severity, finding.severity),
                foreground=foreground,
                bold=strong,
            ),
            Cell(
                "new" if item.new else "",
                tooltip="Not in the older revision" if item.new else None,
                foreground=foreground,
                bold=item.new,
            ),
            Cell(finding.message, tooltip=finding.message, foreground=foreground),
            Cell(finding.directive or finding.url or "", foreground=foreground),
        ]

    def _severities(self, colours: ChangeColours) -> SeverityColours:
        if self._severity_colours is None or self._severity_colours.change is not colours:
            self._severity_colours = SeverityColours.from_palette(colours)
        return self._severity_colours


@dataclass(frozen=True, slots=True)
class HeaderRow:
    name: str
    value: str


class HeadersModel(RowsModel):
    COLUMNS = ("Header", "Value")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self.COLUMNS, parent)

    def cells(self, item: HeaderRow, colours: ChangeColours) -> list[Cell]:
        value = item.value
        shown = value if len(value) <= SHOWN_VALUE else value[:SHOWN_VALUE] + "…"
        tip = value if len(value) <= TIP_VALUE else value[:TIP_VALUE] + "…"
        return [Cell(item.name), Cell(shown, tooltip=tip)]


class CookiesModel(RowsModel):
    COLUMNS = ("Cookie", "Secure", "HttpOnly", "SameSite")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self.COLUMNS, parent)

    def cells(self, item: CookieFlags, colours: ChangeColours) -> list[Cell]:
        def flag(on: bool) -> Cell:
            return Cell("✓ yes" if on else "✗ no", foreground=None if on else colours.muted)

        return [
            Cell(item.name or "(no name)"),
            flag(item.secure),
            flag(item.httponly),
            Cell(item.samesite or "not set", foreground=None if item.samesite else colours.muted),
        ]


@dataclass(frozen=True, slots=True)
class DirectiveRow:
    policy: str  # "header", "report-only header 2", "<meta> tag"…
    directive: str
    sources: tuple[str, ...]


class PolicyModel(RowsModel):
    COLUMNS = ("Policy", "Directive", "Sources")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self.COLUMNS, parent)

    def cells(self, item: DirectiveRow, colours: ChangeColours) -> list[Cell]:
        sources = " ".join(item.sources)
        return [
            Cell(item.policy, foreground=colours.muted),
            Cell(item.directive),
            Cell(sources or "(none)", tooltip=sources or None),
        ]


_POLICY_NAMES = {"header": "header", "report-only": "report-only header", "meta": "<meta> tag"}


def policy_rows(snapshot: HeadersSnapshot) -> list[DirectiveRow]:
    policies = snapshot.policies
    counts: dict[str, int] = {}
    for policy in policies:
        counts[policy.source] = counts.get(policy.source, 0) + 1
    seen: dict[str, int] = {}
    rows = []
    for policy in policies:
        seen[policy.source] = seen.get(policy.source, 0) + 1
        name = _POLICY_NAMES.get(policy.source, policy.source)
        if counts[policy.source] > 1:
            name = f"{name} {seen[policy.source]}"
        rows += [
            DirectiveRow(name, directive, tuple(sources))
            for directive, sources in policy.directives.items()
        ]
    return rows


def finding_rows(findings: Sequence[Finding], new: Sequence[Finding]) -> list[FindingRow]:
    """Every finding, those of `new` marked (as many times as `new` has them), new ones first,
    then by severity."""
    remaining = list(new)
    rows = []
    for finding in findings:
        fresh = finding in remaining
        if fresh:
            remaining.remove(finding)
        rows.append(FindingRow(finding, fresh))
    # Findings of the change that the revision's own list lacks (cannot happen for this kind's
    # diffs, whose new findings are the new revision's): shown all the same.
    rows += [FindingRow(finding, True) for finding in remaining]
    rank = {severity: number for number, severity in enumerate(SEVERITIES)}
    return sorted(rows, key=lambda row: (not row.new, rank.get(row.finding.severity, 99)))


def _count(findings: Sequence[Finding], severity: Severity) -> int:
    return sum(1 for finding in findings if finding.severity == severity)


# -- the widget -------------------------------------------------------------------------------


class HeadersDiffView(KindDiffView):
    """A headers tracker's revision: its changes from another one, or it alone (baseline)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._summary = plain_label("", self)
        self._summary.setWordWrap(True)
        self._ignore_action = view_action(
            self, "Ignore this header…", "Ctrl+I", self.ignore_selected
        )
        self._ignore_action.setEnabled(False)
        self._ignore = action_button(
            self._ignore_action,
            "Ignore this header…",
            "Leave the selected header out of this tracker's next checks (an ignore rule "
            "matching its name)",
            self,
        )

        self._changes = ChangesModel(self)
        self._findings = FindingsModel(self)
        self._headers = HeadersModel(self)
        self._cookies = CookiesModel(self)
        self._policy = PolicyModel(self)
        self._change_table = self._table(self._changes, "Changes", stretch=0)
        self._change_table.setColumnWidth(1, 220)
        self._finding_table = self._table(self._findings, "Findings", stretch=2)
        for column, width in enumerate((110, 50)):
            self._finding_table.setColumnWidth(column, width)
        self._finding_table.setColumnWidth(3, 170)
        self._header_table = self._table(self._headers, "Headers", stretch=1)
        self._header_table.setColumnWidth(0, 260)
        self._cookie_table = self._table(self._cookies, "Cookies", stretch=0)
        for column in (1, 2, 3):
            self._cookie_table.setColumnWidth(column, 100)
        self._policy_table = self._table(self._policy, "Content-Security-Policy", stretch=2)
        self._policy_table.setColumnWidth(0, 140)
        self._policy_table.setColumnWidth(1, 160)
        # Sentences read from their start (the whole one is the tool tip); URLs keep both ends.
        for table in (self._change_table, self._finding_table):
            table.setTextElideMode(Qt.TextElideMode.ElideRight)

        self._tabs = QTabWidget(self)
        self._tabs.setAccessibleName("The newer revision")
        self._tabs.tabBar().setAccessibleName("Findings, headers, cookies or policy")
        self._tabs.addTab(self._finding_table, "Findings")
        self._tabs.addTab(self._header_table, "Headers")
        self._tabs.addTab(self._cookie_table, "Cookies")
        self._tabs.addTab(self._policy_table, "Content-Security-Policy")
        self._splitter = QSplitter(Qt.Orientation.Vertical, self)
        self._splitter.addWidget(self._change_table)
        self._splitter.addWidget(self._tabs)
        self._splitter.setStretchFactor(0, 2)
        self._splitter.setStretchFactor(1, 3)
        self._splitter.setChildrenCollapsible(False)
        self._message = plain_label("", self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._splitter)
        self._stack.addWidget(self._message)

        bar = QHBoxLayout()
        bar.addWidget(self._summary, 1)
        bar.addWidget(self._ignore)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self._stack, 1)

        self._target: str | None = None  # the header "Ignore this header" is about
        for table in (self._change_table, self._header_table):
            table.selectionModel().selectionChanged.connect(
                lambda *_, table=table: self._on_selection(table)
            )
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(
                lambda position, table=table: self._context_menu(table, position)
            )
        self._update_colours()
        self.show_message("")

    def _table(self, model: RowsModel, name: str, *, stretch: int) -> QTableView:
        table = QTableView(self)
        table.setModel(model)
        table.setAccessibleName(name)
        configure_table(table, stretch=stretch)
        return table

    # -- what tests and the history view use ---------------------------------------------------

    @property
    def changes_model(self) -> ChangesModel:
        return self._changes

    @property
    def findings_model(self) -> FindingsModel:
        return self._findings

    @property
    def headers_model(self) -> HeadersModel:
        return self._headers

    @property
    def cookies_model(self) -> CookiesModel:
        return self._cookies

    @property
    def policy_model(self) -> PolicyModel:
        return self._policy

    @property
    def change_table(self) -> QTableView:
        return self._change_table

    @property
    def header_table(self) -> QTableView:
        return self._header_table

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    @property
    def ignore_button(self) -> QPushButton:
        return self._ignore

    @property
    def colours(self) -> SeverityColours:
        return SeverityColours.from_palette(self._colours)

    @property
    def summary(self) -> str:
        return self._summary.text()

    @property
    def message(self) -> str:
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    def labels(self) -> list[QLabel]:
        return [self._summary, self._message]

    def change_lines(self) -> list[str]:
        return [row.text for row in self._changes.items]

    def select_change(self, text: str) -> None:
        rows = [row.text for row in self._changes.items]
        self._change_table.selectRow(rows.index(text))

    def select_header(self, name: str) -> None:
        rows = [row.name for row in self._headers.items]
        self._header_table.selectRow(rows.index(name))

    # -- showing --------------------------------------------------------------------------------

    def show_diff(
        self, diff: Diff, old: Snapshot, new: Snapshot, findings: Sequence[Finding] = ()
    ) -> None:
        assert isinstance(diff, HeadersDiff)
        before, after = _headers(old), _headers(new)
        names = [*before.headers, *after.headers]
        self._changes.set_items(
            [ChangeRow(line, header_of_change(line, names)) for line in diff.changes]
        )
        self._change_table.show()
        self._show_snapshot(after, findings, diff.findings)
        new_count = len(diff.findings)
        parts = [diff.summary() if diff.changes else "No change to the security headers"]
        if new_count:
            parts.append(f"{WARNING} {new_count} new weakness{'es' if new_count != 1 else ''}")
        parts.append(self._findings_said(findings))
        self._summary.setText(" · ".join(parts))

    def show_baseline(self, snapshot: Snapshot, findings: Sequence[Finding] = ()) -> None:
        headers = _headers(snapshot)
        self._changes.set_items([])
        self._change_table.hide()  # nothing older: nothing changed
        self._show_snapshot(headers, findings, ())
        self._summary.setText(
            f"Baseline: nothing older is kept to compare with. {len(headers.headers)} security "
            f"header{'s' if len(headers.headers) != 1 else ''}, {len(headers.cookies)} "
            f"cookie{'s' if len(headers.cookies) != 1 else ''} · {self._findings_said(findings)}"
        )

    def show_message(self, text: str) -> None:
        for model in (self._changes, self._findings, self._headers, self._cookies, self._policy):
            model.set_items([])
        self._summary.setText("")
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)
        self._update_ignore(None)

    def ignore_selected(self) -> None:
        """Propose an ignore rule for the header of the selected change or header."""
        if self._target is not None:
            self.request_rule("ignore", ignore_rule_for_header(self._target))

    # -- internals -------------------------------------------------------------------------------

    def _show_snapshot(
        self, snapshot: HeadersSnapshot, findings: Sequence[Finding], new: Sequence[Finding]
    ) -> None:
        self._findings.set_items(finding_rows(findings, new))
        self._headers.set_items([HeaderRow(n, v) for n, v in snapshot.headers.items()])
        self._cookies.set_items(list(snapshot.cookies))
        self._policy.set_items(policy_rows(snapshot))
        for index, (name, model) in enumerate(
            (
                ("Findings", self._findings),
                ("Headers", self._headers),
                ("Cookies", self._cookies),
                ("Content-Security-Policy", self._policy),
            )
        ):
            self._tabs.setTabText(index, f"{name} ({model.rowCount()})")
        self._stack.setCurrentWidget(self._splitter)
        self._update_ignore(None)

    @staticmethod
    def _findings_said(findings: Sequence[Finding]) -> str:
        if not findings:
            return "no weaknesses found"
        counts = [f"{n} {severity}" for severity in SEVERITIES if (n := _count(findings, severity))]
        total = len(findings)
        return f"{total} finding{'s' if total != 1 else ''} ({', '.join(counts)})"

    def _selected(self, table: QTableView) -> str | None:
        rows = table.selectionModel().selectedRows()
        if not rows:
            return None
        if table is self._change_table:
            change: ChangeRow = self._changes.entry(rows[0].row())
            return change.header
        header: HeaderRow = self._headers.entry(rows[0].row())
        return header.name

    def _on_selection(self, table: QTableView) -> None:
        self._update_ignore(self._selected(table))

    def _update_ignore(self, header: str | None) -> None:
        self._target = header
        self._ignore_action.setEnabled(header is not None)
        # "&&": a header's name may hold "&", which a button would read as a mnemonic.
        shown = header.replace("&", "&&") if header else None
        self._ignore.setText(f"Ignore {shown}…" if shown else "Ignore this header…")

    def _context_menu(self, table: QTableView, position: QPoint) -> None:
        index = table.indexAt(position)
        if not index.isValid():
            return
        table.selectRow(index.row())
        header = self._selected(table)
        if header is None:
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self._ignore_action)  # with its key
        menu.popup(table.viewport().mapToGlobal(position))

    def _update_colours(self) -> None:
        self._colours = ChangeColours.from_palette(self.palette())
        for model in (self._changes, self._findings, self._headers, self._cookies, self._policy):
            model.set_colours(self._colours)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._update_colours()
        super().changeEvent(event)


def _headers(snapshot: Snapshot) -> HeadersSnapshot:
    assert isinstance(snapshot, HeadersSnapshot)
    return snapshot
