"""The Content Security Policies a page sets in <meta http-equiv="Content-Security-Policy">.

The HTML Standard applies such a policy only when the <meta> is a child of <head> (one in the
body, or inside <template> or <noscript>, does nothing), and only with a non-empty content
attribute; http-equiv is matched without regard to ASCII case. A report-only policy cannot be
set by a <meta> at all. The Standard also drops report-uri, frame-ancestors and sandbox from a
meta policy: that is for whoever parses the policies returned here.

Only the head is parsed. A quick scan finds where the body would begin, and Lexbor parses the page
up to there: the head's children are the same as in the whole page, since nothing later can add
one, and the body's markup, which can take the parser minutes if crafted to nest deeply, is never
looked at. The scan stops only where it is sure the body has begun; when unsure, it reads on.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from desktop_tracker.kinds.headers.response_headers import MAX_VALUE_CHARS

MAX_POLICIES = 64  # a page with more <meta> policies than this is not a page

_WHITESPACE = " \t\n\f\r"
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# What the tree builder puts in <head>, in "in head" and "after head" modes alike.
_HEAD_VOID = frozenset({"base", "basefont", "bgsound", "link", "meta"})
_HEAD_IGNORED = frozenset({"html", "head"})  # start tags the head mode merges or ignores
# Elements whose content is text up to their end tag (noscript too: browsers run scripts).
_RAW_TEXT = frozenset(
    {"iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title", "xmp"}
)
_BODY_RAW_TEXT = frozenset({"iframe", "noembed", "textarea", "xmp"})  # raw text, but body's
_BODY_END_TAGS = frozenset({"body", "html", "br"})  # end tags that start the body
_TAG_NAME = re.compile(r"[A-Za-z][^\t\n\f\r />]*")
_TAG_STOP = re.compile(r"[>=]")
_COMMENT_END = re.compile(r"--!?>")
# Template content never holds a policy, but can nest elements deeply, which costs the tree
# builder time quadratic in their number (a quarter of a second for 64 KiB of <div>s): beyond
# this much of it in all, it is left out of what Lexbor parses.
_MAX_TEMPLATE_CHARS = 32_768


def meta_policies(html: str) -> list[str]:
    """The content of each <meta http-equiv="Content-Security-Policy"> that a browser applies, in
    document order, stripped; at most `MAX_POLICIES`, each cut at `MAX_VALUE_CHARS`."""
    if not isinstance(html, str):
        return []
    if html.startswith("\ufeff"):
        html = html[1:]  # a byte order mark is the decoder's; to Lexbor it would be body text
    end, templates = _head_extent(html)
    if sum(stop - start for start, stop in templates) <= _MAX_TEMPLATE_CHARS:
        head = html[:end]
    else:
        kept = [0, *(cut for region in templates for cut in region), end]
        head = "".join(html[kept[i] : kept[i + 1]] for i in range(0, len(kept), 2))
    # scripting=True: as in a browser that runs scripts, whose <noscript> holds only text.
    tree = LexborHTMLParser(head, scripting=True)
    policies: list[str] = []
    for node in tree.css("head > meta"):
        attributes = node.attributes
        equiv = attributes.get("http-equiv") or ""
        content = (attributes.get("content") or "").strip(_WHITESPACE)
        if equiv.translate(_LOWER) == "content-security-policy" and content:
            policies.append(content[:MAX_VALUE_CHARS])
            if len(policies) == MAX_POLICIES:
                break
    return policies


def _head_extent(html: str) -> tuple[int, list[tuple[int, int]]]:
    """Where the body begins (the first text or tag a browser would put in <body>, or the end),
    and the (start, end) of the content of each <template> of the head before it.

    A tokenizer's approximation that never stops early on well-formed markup: comments, end tags
    the head ignores, the head's elements (the content of raw-text ones skipped) and whole
    <template>s are read past.
    """
    size = len(html)
    position = 0
    templates = 0  # open <template>s: inside one, anything goes
    content_start = 0
    regions: list[tuple[int, int]] = []
    while position < size:
        lt = html.find("<", position)
        text_end = size if lt < 0 else lt
        if not templates and html[position:text_end].strip(_WHITESPACE):
            return position, regions  # text other than whitespace starts the body
        if lt < 0:
            break
        if html.startswith("<!--", lt):
            position = _comment_end(html, lt)
            continue
        if html.startswith(("<!", "<?"), lt) or html.startswith("</>", lt):
            position = _find_after(html, ">", lt + 2)  # doctype or bogus comment
            continue
        closing = html.startswith("</", lt)
        name_match = _TAG_NAME.match(html, lt + (2 if closing else 1))
        if name_match is None:
            if closing:  # "</" and something odd: a bogus comment
                position = _find_after(html, ">", lt + 2)
                continue
            if not templates:
                return lt, regions  # a lone "<" is text
            position = lt + 1
            continue
        name = name_match[0].translate(_LOWER)
        tag_end = _tag_end(html, name_match.end())
        if closing:
            if name == "template" and templates:
                templates -= 1
                if not templates:
                    regions.append((content_start, lt))
            elif name in _BODY_END_TAGS and not templates:
                return lt, regions
        elif name in _RAW_TEXT:
            if name in _BODY_RAW_TEXT and not templates:
                return lt, regions
            tag_end = (
                _script_end(html, tag_end)
                if name == "script"
                else _raw_text_end(html, name, tag_end)
            )
        elif name == "template":
            templates += 1
            content_start = tag_end if templates == 1 else content_start
        elif name == "plaintext" and templates:
            break  # the rest of the page is its text
        elif not templates and name not in _HEAD_VOID and name not in _HEAD_IGNORED:
            return lt, regions
        position = tag_end
    if templates:
        regions.append((content_start, size))
    return size, regions


def _comment_end(html: str, lt: int) -> int:
    if html.startswith(("<!-->", "<!--->"), lt):
        return lt + (5 if html.startswith("<!-->", lt) else 6)
    end = _COMMENT_END.search(html, lt + 4)
    return len(html) if end is None else end.end()


def _find_after(html: str, needle: str, start: int) -> int:
    found = html.find(needle, start)
    return len(html) if found < 0 else found + len(needle)


def _tag_end(html: str, position: int) -> int:
    # The index after the tag's ">", skipping quoted attribute values; the end if there is none.
    size = len(html)
    while (stop := _TAG_STOP.search(html, position)) is not None:
        if stop[0] == ">":
            return stop.end()
        value = stop.end()
        while value < size and html[value] in _WHITESPACE:
            value += 1
        if value < size and html[value] in "\"'":
            close = html.find(html[value], value + 1)
            if close < 0:
                return size
            position = close + 1
        else:
            position = value
    return size


# The script data states: "<!--" escapes the script, and inside an escape "<script" starts a
# double escape in which "</script" does not end the script (old document.write idioms).
_SCRIPT_MARK = re.compile(r"<!--|-->|<(/?)script[\t\n\f\r />]", re.IGNORECASE)


def _script_end(html: str, position: int) -> int:
    # The index after the script's end tag; the end of the page if it is never closed.
    escaped = double = False
    while (mark := _SCRIPT_MARK.search(html, position)) is not None:
        token = mark[0]
        position = mark.start() + 2 if token == "<!--" else mark.end()
        if token == "<!--":
            escaped = escaped or not double
        elif token == "-->":
            escaped = double = False
        elif mark[1] and not double:  # </script
            return _tag_end(html, mark.end() - 1)
        elif mark[1]:
            double = False  # back to escaped
        elif escaped:
            double = True
    return len(html)


def _raw_text_end(html: str, name: str, position: int) -> int:
    # The index after the element's end tag; the end of the page if it is never closed.
    end_tag = re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)
    found = end_tag.search(html, position)
    return len(html) if found is None else _tag_end(html, found.end() - 1)
