"""The body diff window: a changed script's old and new body, unified or side by side, with
search, the resource's actions, and words where a body is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton

from desktop_tracker.gui import body_diff_view
from desktop_tracker.gui.body_diff_view import (
    CHUNK,
    ROW_STATE,
    SIDE_BY_SIDE,
    UNIFIED,
    BodyDiffWindow,
    shown_line,
)

OLD = "".join(f"var line{n} = {n};\n" for n in range(1, 201))
NEW = (
    OLD.replace("var line10 = 10;", "var line10 = 1000;")
    .replace("var line150 = 150;\n", "")
    .replace("var line180 = 180;\n", "var line180 = 180;\nfunction added() {}\n")
)


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new session would: unified, changes only."""
    monkeypatch.setattr(
        body_diff_view, "_remembered", {"mode": UNIFIED, "whole": False, "indent": True}
    )


@pytest.fixture
def window(qtbot) -> Iterator[BodyDiffWindow]:  # type: ignore[no-untyped-def]
    ignored: list[bool] = []
    shown = BodyDiffWindow(
        "app.js",
        "https://cdn.example.com/app.js",
        OLD,
        NEW,
        language="script",
        on_ignore=lambda: ignored.append(True),
        beautified=True,
    )
    shown.ignored = ignored  # type: ignore[attr-defined]
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown


def cell(window: BodyDiffWindow, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
    table = window.table
    table.ensure_filled(row, row)
    return table.model().index(row, column).data(role)


def shown_texts(window: BodyDiffWindow, column: int) -> list[str]:
    count = window.table.model().rowCount()
    return [cell(window, row, column) or "" for row in range(count)]


def test_unified_shows_the_changed_lines_with_marks_numbers_and_folds_in_words(
    window: BodyDiffWindow,
) -> None:
    assert window.summary == "+2 −2 lines, beautified"
    assert window.mode == UNIFIED
    lines = shown_texts(window, 2)
    assert "− var line10 = 10;" in lines
    assert "+ var line10 = 1000;" in lines
    assert "− var line150 = 150;" in lines
    assert "+ function added() {}" in lines
    assert "  var line9 = 9;" in lines  # context, unmarked
    folds = [cell(window, row, 0) for row in window.table.spanned_rows()]
    assert folds[0] == "Old lines 7–13, new lines 7–13 (6 unchanged lines before)"
    assert folds[-1] == "17 unchanged lines after"  # lines 184 to 200
    removed = lines.index("− var line10 = 10;")
    assert cell(window, removed, 0) == "10" and cell(window, removed, 1) in ("", None)
    assert cell(window, removed, 2, ROW_STATE) == "removed"
    # Changed lines are tinted, each its own way; unchanged ones are not.
    added = lines.index("+ var line10 = 1000;")
    removed_tint = cell(window, removed, 2, Qt.ItemDataRole.BackgroundRole)
    added_tint = cell(window, added, 2, Qt.ItemDataRole.BackgroundRole)
    assert removed_tint is not None and added_tint is not None and removed_tint != added_tint
    assert cell(window, lines.index("  var line9 = 9;"), 2, Qt.ItemDataRole.BackgroundRole) is None


def test_side_by_side_faces_the_old_line_with_the_new_and_the_choice_is_remembered(
    window: BodyDiffWindow, qtbot
) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.buttons()["side by side"], Qt.MouseButton.LeftButton)
    assert window.mode == SIDE_BY_SIDE
    before, after = shown_texts(window, 1), shown_texts(window, 3)
    row = before.index("− var line10 = 10;")
    assert after[row] == "+ var line10 = 1000;"
    assert cell(window, row, 0) == "10" and cell(window, row, 2) == "10"
    gone = before.index("− var line150 = 150;")
    assert after[gone] == ""  # nothing in its place
    new = after.index("+ function added() {}")
    assert before[new] == ""

    window.close()
    again = BodyDiffWindow("app.js", None, OLD, NEW, language="script", on_ignore=None)
    qtbot.addWidget(again)
    assert again.mode == SIDE_BY_SIDE


def test_the_whole_file_shows_every_line(window: BodyDiffWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.set_whole_file(True)
    assert window.table.model().rowCount() == 200 + 2  # 199 old lines beside 1 removed, 2 added
    assert window.table.spanned_rows() == []


def test_search_finds_and_counts_and_f3_goes_on(window: BodyDiffWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus()
    qtbot.keyClicks(window.search_box, "LINE15")  # any case
    # line15, line150 removed; line151..153 shown around it; line152.. folded away
    rows = window.table.rows
    assert window.matches.endswith(
        f"of {len([r for r in rows if r.kind != 'fold' and 'line15' in r.text])}"
    )
    first = window.table.current_row()
    assert "line15" in rows[first].text
    assert window.matches.startswith("1 of")
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert window.matches.startswith("2 of")
    assert window.table.current_row() > first
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert window.matches.startswith("1 of") and window.table.current_row() == first
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)  # wraps around
    total = int(window.matches.split(" of ")[1])
    assert window.matches == f"{total} of {total}"
    qtbot.mouseClick(window.buttons()["next"], Qt.MouseButton.LeftButton)
    assert window.matches == f"1 of {total}"


def test_a_match_only_in_folded_lines_says_where_it_is(window: BodyDiffWindow) -> None:
    window.search_box.setText("line100 ")
    assert "No match in the lines shown" in window.matches
    assert "Whole file" in window.matches
    window.set_whole_file(True)
    assert window.matches == "1 of 1"
    window.search_box.setText("nowhere at all")
    assert window.matches == "No match"


def test_copy_url_puts_it_on_the_clipboard(window: BodyDiffWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    QGuiApplication.clipboard().setText("something else")
    qtbot.mouseClick(window.buttons()["copy"], Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "https://cdn.example.com/app.js"


def test_ctrl_c_copies_the_selected_lines_whole(window: BodyDiffWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    lines = shown_texts(window, 2)
    window.table.go_to(lines.index("− var line10 = 10;"))
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "-var line10 = 10;"


def test_open_in_browser_opens_only_web_addresses(
    window: BodyDiffWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True
    )
    qtbot.mouseClick(window.buttons()["open"], Qt.MouseButton.LeftButton)
    assert opened == ["https://cdn.example.com/app.js"]
    for url in ("javascript:alert(1)", "file:///etc/passwd", "data:text/javascript,1", None):
        other = BodyDiffWindow("x", url, OLD, NEW, language="script", on_ignore=None)
        qtbot.addWidget(other)
        assert not other.buttons()["open"].isEnabled()
        assert other.open_in_browser() is False
        assert other.buttons()["copy"].isEnabled() == (url is not None)
    assert opened == ["https://cdn.example.com/app.js"]


def test_ignore_asks_first_then_calls_back(
    window: BodyDiffWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def answer(result: QMessageBox.StandardButton):  # type: ignore[no-untyped-def]
        def exec_(box: QMessageBox) -> int:
            assert box.textFormat() == Qt.TextFormat.PlainText
            asked.append(box.informativeText())
            return result

        return exec_

    monkeypatch.setattr(QMessageBox, "exec", answer(QMessageBox.StandardButton.Cancel))
    qtbot.mouseClick(window.buttons()["ignore"], Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "https://cdn.example.com/app.js" in asked[0]
    assert window.ignored == []  # type: ignore[attr-defined]
    monkeypatch.setattr(QMessageBox, "exec", answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(window.buttons()["ignore"], Qt.MouseButton.LeftButton)
    assert window.ignored == [True]  # type: ignore[attr-defined]
    assert not window.buttons()["ignore"].isEnabled()


def test_without_a_callback_there_is_no_ignore_action(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = BodyDiffWindow(
        "a.css", "https://a.test/a.css", "a{}\n", "b{}\n", language="style", on_ignore=None
    )
    qtbot.addWidget(window)
    assert window.buttons()["ignore"].isHidden()
    assert window.ignore_resource() is False


def test_a_missing_old_body_is_said_in_words_and_the_new_body_shown_whole(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = BodyDiffWindow(
        "new.js", "https://a.test/new.js", None, NEW, language="script", on_ignore=None
    )
    qtbot.addWidget(window)
    window.show()
    assert "no old body" in window.notice.lower()
    assert window.summary == "New body only: 200 lines"
    assert window.message == ""
    assert window.table.model().rowCount() == 200
    assert cell(window, 0, 2) == "+ var line1 = 1;"


def test_a_missing_new_body_is_said_in_words(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = BodyDiffWindow(
        "old.css", "https://a.test/old.css", "a{}\n", None, language="style", on_ignore=None
    )
    qtbot.addWidget(window)
    assert "no new body" in window.notice.lower() and "stylesheet" in window.notice
    assert window.summary == "Old body only: 1 lines"


def test_no_body_at_all_is_a_message_not_an_empty_pane(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = BodyDiffWindow(
        "gone.js", "https://a.test/gone.js", None, None, language="script", on_ignore=None
    )
    qtbot.addWidget(window)
    window.show()
    assert "No body was kept for either version of this script" in window.message
    assert not window.search_box.isEnabled()
    assert window.buttons()["copy"].isEnabled()  # the resource's actions still work


def test_the_same_lines_say_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = BodyDiffWindow("a.js", None, "a\r\n", "a\r\n", language="script", on_ignore=None)
    qtbot.addWidget(window)
    assert window.summary == "No change in the lines"
    assert "same" in window.message
    window = BodyDiffWindow("a.js", None, "a\n", "a", language="script", on_ignore=None)
    qtbot.addWidget(window)
    assert "final newline" in window.message


def test_escape_closes_the_window(window: BodyDiffWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_every_control_has_an_accessible_name(window: BodyDiffWindow) -> None:
    for control in window.controls():
        assert control.accessibleName(), control
    for button in window.findChildren(QPushButton):
        assert button.accessibleName(), button.text()
    for field in window.findChildren(QLineEdit):
        assert field.accessibleName()


def test_web_text_is_plain_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    hostile = "<b>bold</b><img src=x onerror=alert(1)>"
    window = BodyDiffWindow(
        hostile,
        f"https://a.test/{hostile}",
        f"{hostile}\n",
        f"{hostile}!\n",
        language="script",
        on_ignore=None,
    )
    qtbot.addWidget(window)
    for label in window.labels():
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert cell(window, 1, 2) == f"− {hostile}"
    assert hostile in window.windowTitle()


def test_control_characters_and_long_lines_are_shown_readably() -> None:
    assert shown_line("a\rb\x00c\u2028d\te") == "a␍b␀c␤d   e"
    long = "x" * 5_000
    assert shown_line(long) == "x" * 2_000 + " … (3,000 more characters)"


def test_the_selected_line_is_shown_whole_with_its_changed_words(window: BodyDiffWindow) -> None:
    lines = shown_texts(window, 2)
    window.table.go_to(lines.index("+ var line10 = 1000;"))
    assert (
        window.detail_text == "− Old line 10:\nvar line10 = 10;\n+ New line 10:\nvar line10 = 1000;"
    )
    window.table.go_to(lines.index("  var line9 = 9;"))
    assert window.detail_text == "Line 9 (old), 9 (new):\nvar line9 = 9;"


def test_fifty_thousand_lines_open_with_only_a_screenful_made(qtbot) -> None:  # type: ignore[no-untyped-def]
    old = "".join(f"  value{n} = compute({n}, options);\n" for n in range(50_000))
    new = old.replace("compute(25000,", "compute(25001,").replace("value4999 ", "renamed4999 ")
    window = BodyDiffWindow("big.js", None, old, new, language="script", on_ignore=None)
    qtbot.addWidget(window)
    window.set_whole_file(True)
    window.show()
    qtbot.waitExposed(window)
    table = window.table
    assert table.model().rowCount() == 50_002
    assert table.filled_rows() <= 3 * CHUNK  # the rows around the first change, nothing else
    table.scrollToBottom()
    last = table.model().rowCount() - 1
    assert table.model().index(last, 2).data() == "    value49999 = compute(49999, options);"
    window.search_box.setText("compute(25001,")  # the old line 25001, and the changed 25000
    assert window.matches == "1 of 2"
    assert (
        table.model().index(table.current_row(), 2).data()
        == "+   value25000 = compute(25001, options);"
    )


def test_a_theme_change_tints_the_rows_again(window: BodyDiffWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    lines = shown_texts(window, 2)
    row = lines.index("+ var line10 = 1000;")
    light = cell(window, row, 2, Qt.ItemDataRole.BackgroundRole)
    palette = QPalette(window.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e0e0e0"))
    window.setPalette(palette)
    QApplication.processEvents()
    dark = cell(window, row, 2, Qt.ItemDataRole.BackgroundRole)
    assert dark != light
    assert QColor(dark).lightness() < QColor(light).lightness()


def test_indentation_is_ignored_until_untick_and_the_summary_says_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    old = "a();\nif (x) {\n  b();\n  c();\n}\n"
    new = "a();\nif (x) {\n  try {\n    b();\n    c();\n  } catch (e) {}\n}\n"
    window = BodyDiffWindow("a.js", None, old, new, language="script", on_ignore=None)
    qtbot.addWidget(window)
    assert window.summary == "+2 −0 lines; 2 re-indented lines not counted"
    indent = next(
        c for c in window.controls() if c.accessibleName() == "Ignore changes of indentation"
    )
    indent.setChecked(False)
    assert window.summary == "+4 −2 lines"
    assert "−   b();" in shown_texts(window, 2)


def test_bodies_that_differ_only_in_indentation_say_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = BodyDiffWindow(
        "a.css", None, "a {\n  b: c;\n}\n", "a {\n    b: c;\n}\n", language="style", on_ignore=None
    )
    qtbot.addWidget(window)
    window.show()
    assert "differ only in the indentation of 1 line" in window.message
    indent = next(
        c for c in window.controls() if c.accessibleName() == "Ignore changes of indentation"
    )
    indent.setChecked(False)
    assert window.message == ""
    assert window.summary == "+1 −1 lines"
    assert window.search_box.isEnabled()
