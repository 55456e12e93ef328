"""An inline script or style edited a little is one item changed, not one removed and one added."""

from __future__ import annotations

import hashlib

from desktop_tracker.kinds.resources.diff import diff_resources
from desktop_tracker.kinds.resources.similarity import THRESHOLD, excerpt, pair_similar, similarity
from desktop_tracker.kinds.resources.snapshot import PageResources, Resource

ANALYTICS = (
    "window.dataLayer = window.dataLayer || [];\n"
    "function gtag(){dataLayer.push(arguments);}\n"
    "gtag('js', new Date());\n"
    "gtag('config', 'G-ABCDEF1234', { anonymize_ip: true });\n"
)
MENU = (
    "document.querySelectorAll('.menu-toggle').forEach(function (button) {\n"
    "  button.addEventListener('click', function () { document.body.classList.toggle('open'); });\n"
    "});\n"
)
STYLE = "body{margin:0;font-family:Georgia,serif}.header{background:#123456;color:#fff}"


def inline(text: str, kind: str = "script") -> Resource:
    data = text.encode()
    digest = hashlib.sha256(data).hexdigest()
    return Resource(kind, None, True, digest, len(data), excerpt=excerpt(text))  # type: ignore[arg-type]


def summary_and_changes(old: list[Resource], new: list[Resource]) -> tuple[str, list[str]]:
    diff = diff_resources(old, new)
    return diff.summary(), [c.change for c in diff.changes]


def test_a_one_character_edit_of_an_inline_script_is_a_change():
    old, new = inline(ANALYTICS), inline(ANALYTICS.replace("1234", "1235"))
    diff = diff_resources([old], [new])
    assert diff.summary() == "1 changed"
    (change,) = diff.changes
    assert (change.old, change.new) == (old, new)
    assert change.to_json()["change"] == "changed" and change.to_json()["url"] is None
    assert diff.details() == [f"changed inline script {new.digest[:12]}"]


def test_unrelated_scripts_stay_one_removed_and_one_added():
    assert summary_and_changes([inline(ANALYTICS)], [inline(MENU)]) == (
        "1 added, 1 removed",
        ["added", "removed"],
    )


def test_a_script_and_a_style_never_pair():
    old = [inline(STYLE, "stylesheet")]
    new = [inline(STYLE.replace("0", "1", 1))]
    assert summary_and_changes(old, new)[0] == "1 added, 1 removed"


def test_short_scripts_pair_only_when_nearly_the_same():
    assert summary_and_changes([inline("init(1);")], [inline("init(2);")])[0] == "1 changed"
    assert summary_and_changes([inline("a()")], [inline("c()")])[0] == "1 added, 1 removed"


def test_several_edits_at_once_pair_each_with_its_own_original():
    widgets = [f"renderWidget({{id: 'w{n}', theme: 'dark', lazy: true}});" for n in range(3)]
    old = [inline(w) for w in widgets] + [inline(MENU)]
    edited = [w.replace("dark", "light") for w in widgets]
    new = [inline(MENU), *(inline(w) for w in reversed(edited))]
    diff = diff_resources(old, new)
    assert diff.summary() == "3 changed"
    pairs = {c.old.digest: c.new.digest for c in diff.changes if c.old and c.new}
    assert pairs == {
        inline(w).digest: inline(e).digest for w, e in zip(widgets, edited, strict=True)
    }


def test_an_item_kept_before_excerpts_were_stored_pairs_with_nothing():
    old = Resource("script", None, True, "1" * 64, 10)
    assert summary_and_changes([old], [inline(ANALYTICS)])[0] == "1 added, 1 removed"


def test_pairing_is_greedy_on_the_best_score_and_the_same_every_time():
    removed = ["abcdefghij", "abcdefghiX"]
    added = ["abcdefghiX"]
    assert pair_similar(removed, added, str) == [(1, 0)]
    assert pair_similar(removed, added, str) == pair_similar(removed, added, str)


def test_long_texts_are_compared_by_their_ends():
    body = "var x = 1;\n" * 100_000
    assert len(excerpt(body)) == 8192
    assert similarity(excerpt(body), excerpt(body[:500_000] + "y" + body[500_001:])) == 1.0
    assert similarity(excerpt(body), excerpt("q" * len(body))) < THRESHOLD


def test_the_stored_snapshot_keeps_excerpts_but_the_command_line_json_does_not():
    resource = inline(ANALYTICS)
    snapshot = PageResources("https://a.test/", "https://a.test/", 200, [resource])
    assert PageResources.from_json(snapshot.to_json()).resources == [resource]
    assert "excerpt" not in snapshot.check_json()["scripts"][0]
    assert "excerpt" not in resource.to_json()
