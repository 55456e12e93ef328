"""Resource diffs and security findings between two revisions."""

from __future__ import annotations

from desktop_tracker.kinds.resources.diff import diff_resources
from desktop_tracker.kinds.resources.snapshot import Resource


def ext(url: str, digest: str = "a" * 64, **fields: object) -> Resource:
    kind = fields.pop("kind", "script")
    return Resource(kind, url, False, digest, 10, **fields)  # type: ignore[arg-type]


def inline(digest: str, kind: str = "script") -> Resource:
    return Resource(kind, None, True, digest, 5)  # type: ignore[arg-type]


def test_same_resources_make_an_empty_diff():
    page = [ext("https://a.test/app.js"), inline("1" * 64)]
    diff = diff_resources(page, list(page))
    assert diff.is_empty and diff.findings == []
    assert diff.summary() == "no change"


def test_added_removed_and_changed_are_matched_by_url_and_inline_by_digest():
    old = [ext("https://a.test/app.js", "1" * 64), ext("https://a.test/old.js"), inline("2" * 64)]
    new = [ext("https://a.test/app.js", "9" * 64), inline("3" * 64), ext("https://a.test/new.js")]
    diff = diff_resources(old, new)
    assert [(c.change, c.resource.label) for c in diff.changes] == [
        ("changed", "https://a.test/app.js"),
        ("added", "inline script 333333333333"),
        ("added", "https://a.test/new.js"),
        ("removed", "https://a.test/old.js"),
        ("removed", "inline script 222222222222"),
    ]
    assert diff.summary() == "2 added, 2 removed, 1 changed"


def test_a_script_and_a_stylesheet_with_the_same_url_are_different_resources():
    old = [ext("https://a.test/x", kind="script")]
    new = [ext("https://a.test/x", kind="stylesheet")]
    assert diff_resources(old, new).summary() == "1 added, 1 removed"


def test_a_resource_that_starts_failing_to_load_is_changed():
    old = [ext("https://a.test/app.js")]
    new = [Resource("script", "https://a.test/app.js", False, "", 0, error="404 Not Found")]
    assert [c.change for c in diff_resources(old, new).changes] == ["changed"]


def test_a_new_third_party_origin_is_a_finding_once():
    old = [ext("https://cdn.known.test/a.js", third_party=True)]
    new = [
        ext("https://cdn.known.test/a.js", third_party=True),
        ext("https://evil.test/x.js", third_party=True),
        ext("https://evil.test/y.js", third_party=True),
    ]
    findings = diff_resources(old, new).findings
    assert [(f.check, f.url) for f in findings] == [
        ("new_third_party_origin", "https://evil.test/x.js")
    ]
    assert "https://evil.test" in findings[0].message


def test_losing_the_integrity_attribute_is_a_finding():
    old = [ext("https://cdn.test/lib.js", integrity="sha384-abc", integrity_ok=True)]
    new = [ext("https://cdn.test/lib.js")]
    assert [f.check for f in diff_resources(old, new).findings] == ["integrity_removed"]


def test_bytes_that_stop_matching_their_integrity_are_a_finding_once():
    good = ext("https://cdn.test/lib.js", "1" * 64, integrity="sha384-abc", integrity_ok=True)
    bad = ext("https://cdn.test/lib.js", "2" * 64, integrity="sha384-abc", integrity_ok=False)
    assert [f.check for f in diff_resources([good], [bad]).findings] == ["integrity_mismatch"]
    assert diff_resources([bad], [bad]).findings == []


def test_first_party_resources_never_make_origin_findings():
    new = [ext("https://www.site.test/a.js", third_party=False)]
    assert diff_resources([], new).findings == []
