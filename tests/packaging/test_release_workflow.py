"""The release workflow stays valid: it reads as the YAML GitHub expects (jobs on the runners we
promise, each step a `uses` or a `run`), and every script and file it calls is in the repo.

No YAML library is a dependency of the app or its tests, so this reads the workflow with a small
reader for the block-style subset it is written in (mappings, lists of mappings, `|` scalars);
anything outside that subset (flow mappings, anchors, tabs) fails here rather than in CI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def _scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(part) for part in text[1:-1].split(",") if part.strip()]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _strip_comment(line: str) -> str:
    quote = None
    for i, char in enumerate(line):
        if char in "\"'" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and (i == 0 or line[i - 1] == " "):
            return line[:i].rstrip()
    return line.rstrip()


def read_yaml(text: str) -> Any:
    """Block-style YAML: `key: value`, `key:` + indented block, `- ` list items, `key: |`."""
    assert "\t" not in text, "tabs in YAML"
    lines = text.splitlines()
    pos = 0

    def indent_of(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    def skip_blank() -> None:
        nonlocal pos
        while pos < len(lines) and not _strip_comment(lines[pos]).strip():
            pos += 1

    def block_scalar(parent_indent: int) -> str:
        nonlocal pos
        body: list[str] = []
        indent = None
        while pos < len(lines):
            line = lines[pos]
            if line.strip() and indent_of(line) <= parent_indent:
                break
            if line.strip() and indent is None:
                indent = indent_of(line)
            body.append(line[indent or 0 :] if line.strip() else "")
            pos += 1
        return "\n".join(body).strip("\n") + "\n"

    def value_after(rest: str, indent: int) -> Any:
        nonlocal pos
        rest = _strip_comment(rest).strip()
        if rest in ("|", "|-", ">", ">-"):
            return block_scalar(indent)
        if rest:
            assert not rest.startswith("{"), f"flow mapping at line {pos}"
            assert not rest.startswith(("&", "*")), f"anchor or alias at line {pos}"
            return _scalar(rest)
        skip_blank()
        if pos < len(lines) and indent_of(lines[pos]) > indent:
            return node(indent_of(lines[pos]))
        if (
            pos < len(lines)
            and indent_of(lines[pos]) == indent
            and lines[pos].lstrip().startswith("- ")
        ):
            return node(indent)  # a list at its key's indentation
        return None

    def mapping_entry(content: str, indent: int, result: dict[str, Any]) -> None:
        match = re.match(r"^([\w.-]+|\"[^\"]+\"|'[^']+'):(?:\s+(.*))?$", content)
        assert match, f"not a mapping entry at line {pos}: {content!r}"
        key = _scalar(match.group(1))
        assert key not in result, f"duplicate key {key!r} at line {pos}"
        result[key] = value_after(match.group(2) or "", indent)

    def node(indent: int) -> Any:
        nonlocal pos
        skip_blank()
        is_list = lines[pos].lstrip().startswith("- ")
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        while True:
            skip_blank()
            if pos >= len(lines) or indent_of(lines[pos]) < indent:
                break
            line = _strip_comment(lines[pos])
            assert indent_of(line) == indent, f"bad indentation at line {pos + 1}: {line!r}"
            content = line.strip()
            if is_list:
                assert content.startswith("- "), f"expected a list item at line {pos + 1}"
                item_indent = indent + 2
                inner = content[2:]
                pos += 1
                if re.match(r"^[\w.-]+:(\s|$)", inner):
                    item: dict[str, Any] = {}
                    mapping_entry(inner, item_indent, item)
                    while True:
                        skip_blank()
                        if pos >= len(lines) or indent_of(lines[pos]) != item_indent:
                            break
                        entry_line = _strip_comment(lines[pos]).strip()
                        pos += 1
                        mapping_entry(entry_line, item_indent, item)
                    items.append(item)
                else:
                    items.append(_scalar(inner))
            else:
                assert not content.startswith("- "), f"unexpected list item at line {pos + 1}"
                pos += 1
                mapping_entry(content, indent, mapping)
        return items if is_list else mapping

    skip_blank()
    return node(0)


def workflow() -> dict[str, Any]:
    return read_yaml(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_reads_as_a_github_workflow():
    flow = workflow()
    assert set(flow) >= {"name", "on", "jobs"}
    assert flow["on"]["push"]["tags"] == ["v*"]
    runners = set()
    for name, job in flow["jobs"].items():
        assert job["timeout-minutes"], name
        steps = job["steps"]
        assert steps and all(("uses" in s) != ("run" in s) for s in steps), name
        assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in steps), name
        assert any("--self-test" in s.get("run", "") for s in steps), name
        assert any("packaging/build.py" in s.get("run", "") for s in steps), name
        if "strategy" in job:
            runners |= {entry["runner"] for entry in job["strategy"]["matrix"]["include"]}
        else:
            runners.add(job["runs-on"])
    assert runners == {"ubuntu-22.04", "windows-2022", "macos-14", "macos-15-intel"}


def test_every_script_and_file_the_workflow_calls_is_in_the_repo():
    flow = workflow()
    scripts = "\n".join(
        step["run"] for job in flow["jobs"].values() for step in job["steps"] if "run" in step
    )
    called = set(re.findall(r"(?<![\w/\\])(packaging[/\\][\w./\\-]+)", scripts))
    assert {"packaging/build.py", "packaging/linux/build_appimage.sh"} <= called
    for path in called:
        assert (ROOT / path.replace("\\", "/")).is_file(), f"{path} is called but not in the repo"
    # The built app it runs is what build.py and the spec make (build/packaging/dist/NAME).
    for name, inside in re.findall(
        r"build[/\\]packaging[/\\]dist[/\\]([\w.-]+)[/\\]?([\w.-]*)", scripts
    ):
        assert name in ("desktop-tracker", "desktop_tracker.app"), name
        if name == "desktop-tracker" and inside:
            assert inside in ("desktop-tracker", "desktop-tracker.exe", "desktop-tracker-cli.exe")
    # ... and what those scripts use in turn.
    for path in (
        "packaging/desktop-tracker.spec",
        "packaging/entry_point.py",
        "packaging/linux/install.sh",
        "packaging/macos/make_dmg.sh",
        "packaging/windows/desktop-tracker.iss",
        "resources/icons/desktop-tracker.ico",
        "resources/icons/desktop-tracker.icns",
    ):
        assert (ROOT / path).is_file(), path


def test_the_reader_refuses_what_it_does_not_understand():
    for bad in ("a:\n\tb: 1\n", "a: {b: 1}\n", "a: 1\na: 2\n", "a:\n  - b: 1\n   c: 2\n"):
        try:
            read_yaml(bad)
        except AssertionError:
            continue
        raise AssertionError(f"accepted {bad!r}")
    assert read_yaml("a:\n  b: [x, 'y']\n  c: |\n    one\n    two\n") == {
        "a": {"b": ["x", "y"], "c": "one\ntwo\n"}
    }
