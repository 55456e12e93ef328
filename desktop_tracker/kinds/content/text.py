"""The text of a page, or of the parts a CSS selector picks, as a person reads it.

What comes out is lines: every block element (p, div, li, h1-h6, tr, section, blockquote ...)
and every <br> starts a line of its own; inside a line, runs of whitespace are one space (a
<pre> or <textarea> keeps its own line breaks and spacing); the cells of a table row are
separated by a tab, whitespace that word-based comparisons skip over; blank lines are left out.
Entities are decoded by the parser.

Left out, because a person looking at the page does not read them: <head> (its <title> too: it
is the tab's label, not the page), script, style, template, noscript (the page is parsed as a
browser that runs scripts parses it, where a <noscript> shows nothing), iframe, object, embed,
video, audio, canvas (their content is a fallback that browsers with the feature do not
show), datalist, a <dialog> that is not open, SVG titles and descriptions (tooltips), comments,
and elements hidden with the `hidden` attribute or an inline style of "display: none" or
"visibility: hidden". Kept: aria-hidden content (it is hidden from screen readers, not from
the eye) and the text of every <option> of a <select> (a new option is a change worth seeing).
Image alt text is not text on the page and is left out. With a selector, a match is read even
if it is one of the elements left out for what they are (selecting a <title> or a JSON <script>
gives its text), and the rules apply to what is inside it; but a match that is hidden, or inside
a hidden element, is not shown on the page and gives no text.

How, by measurement (tests/bench/bench_text.py, the 181 real pages of the corpus): selectolax's
`.text()` is fastest (0.2 ms a page after a 2.7 ms parse) but runs a page's words together
where blocks meet and keeps scripts and styles, so only 29 % of the lines inscriptis gives are
among its lines. inscriptis lays a page out as a text browser does and is the reference for
quality, at 9.8 ms a page (median) plus lxml and requests as dependencies. A walk over
Lexbor's nodes in Python, as here, takes 4.2 ms a page including the parse, and 93 % of
inscriptis's non-empty lines (bullets and indentation aside) are among its lines, in the same
word order (98 % of inscriptis's words in sequence). The differences are choices rather than
misses: inscriptis reads <noscript> and keeps image-free empty list items, lays table cells
side by side in columns of spaces, and indents with spaces. The walk is 2.3 times as fast,
needs no new dependency, and uses the HTML5 parser the rest of the app uses, so it is the one.

Hostile input: the walk keeps its own stack (no recursion, however deep the tree), and pages
that nest absurdly deep are defused before parsing as for resources, so 100,000 nested <div>s
cost about what their size does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from desktop_tracker.core.quoting import quote
from desktop_tracker.kinds.resources.extract import _defuse_runaway_nesting

MAX_SELECTOR_LENGTH = 1000

NOTHING_MATCHED = "the selector matched nothing: the page changed or the selector is wrong"


class SelectorError(ValueError):
    """A selector that gives no text: not valid, or not matching the page."""


class InvalidSelector(SelectorError):
    """Not a CSS selector Lexbor can use; the message says why."""


class SelectorMatchedNothing(SelectorError):
    """A valid selector that matches no element of the page."""


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The elements that end a line before and after them (br and hr included: they break one).
_BLOCKS = _names(
    "address article aside blockquote body br caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li listing main menu nav ol optgroup option p plaintext pre search section select "
    "summary table tbody textarea tfoot thead tr ul xmp"
)
_CELLS = _names("td th")
# Their text keeps its line breaks and spacing.
_PREFORMATTED = _names("pre listing plaintext textarea xmp")
_LEFT_OUT = _names(
    "head script style template noscript iframe object embed video audio canvas datalist "
    "noembed noframes title desc"
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_HIDDEN = ", ".join(
    (
        "[hidden]",
        "dialog:not([open])",
        '[style*="display:none" i]',
        '[style*="display: none" i]',
        '[style*="visibility:hidden" i]',
        '[style*="visibility: hidden" i]',
    )
)
# Characters that show nothing where a browser does not break a line at them.
_INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u2060\ufeff")


def validate_selector(selector: str) -> str:
    """`selector` stripped, once it is known to be a CSS selector Lexbor can run.

    :raises InvalidSelector: for an empty selector, one over 1,000 characters, or one that
        does not parse.
    """
    stripped = selector.strip()
    if not stripped:
        raise InvalidSelector(f"the selector {quote(stripped)} is not valid CSS: it is empty")
    if len(stripped) > MAX_SELECTOR_LENGTH:
        raise InvalidSelector(
            f"the selector {quote(stripped)} is not valid CSS: longer than"
            f" {MAX_SELECTOR_LENGTH:,} characters"
        )
    try:
        LexborHTMLParser("").css(stripped)
    except SelectolaxError as error:
        reason = str(error).rstrip(".")
        reason = reason[:1].lower() + reason[1:]
        message = f"the selector {quote(stripped)} is not valid CSS: {reason}"
        raise InvalidSelector(message) from None
    return stripped


def page_text(html: str, selector: str | None = None) -> str:
    """The page's readable text as lines, or with `selector` the text of each element it
    matches, in document order and separated by a blank line (a match inside another match is
    read once, as part of the outer one; a hidden match gives nothing).

    :raises InvalidSelector: for a selector that is not valid CSS.
    :raises SelectorMatchedNothing: when the selector matches no element of the page.
    """
    query = None if selector is None else validate_selector(selector)
    # A lone surrogate (text decoded with surrogateescape) cannot be handed to the parser as
    # UTF-8, which drops it silently: it is read as the replacement character, as a browser would.
    html = _LONE_SURROGATE.sub("\ufffd", html)
    # scripting=True: parse as a browser that runs scripts, where <noscript> holds only text.
    tree = LexborHTMLParser(_defuse_runaway_nesting(html), scripting=True)
    hidden_nodes = tree.css(_HIDDEN)
    hidden = frozenset(node.mem_id for node in hidden_nodes)
    if query is None:
        root = tree.root
        return "" if root is None else "\n".join(_read(root, hidden))
    matches = tree.css(query)
    if not matches:
        raise SelectorMatchedNothing(f"{NOTHING_MATCHED} ({quote(query)})")
    unseen = _within(hidden_nodes)
    shown = (match for match in matches if match.mem_id not in unseen)
    texts = ("\n".join(_read(match, hidden)) for match in _outermost(shown))
    return "\n\n".join(text for text in texts if text)


def _within(nodes: Iterable[LexborNode]) -> set[int]:
    """The nodes, and every node inside one of them."""
    inside: set[int] = set()
    for node in nodes:
        if node.mem_id not in inside:
            inside.update(descendant.mem_id for descendant in node.traverse())
    return inside


def _outermost(matches: Iterable[LexborNode]) -> Iterator[LexborNode]:
    """The matches that are not inside another match, in document order."""
    # Matches come in document order, so a nested one comes after the match holding it.
    # Marking what each kept match holds costs the size of those subtrees, which are apart;
    # walking up from every match would cost its depth each time.
    inside: set[int] = set()
    for match in matches:
        if match.mem_id in inside:
            continue
        yield match
        inside.update(node.mem_id for node in match.traverse())


def _read(start: LexborNode, hidden: frozenset[int]) -> list[str]:
    """The lines of `start` and everything in it, walked with a stack of its own."""
    lines = _Lines()
    tag = start.tag or ""
    if tag == "-text":
        lines.add(start.text_content or "")
        lines.end_line()
        return lines.done
    lines.enter(tag)
    stack: list[tuple[Iterator[LexborNode], str]] = [(start.iter(include_text=True), tag)]
    while stack:
        children, tag = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            lines.leave(tag)
            continue
        tag = node.tag or ""
        if tag == "-text":
            lines.add(node.text_content or "")
        elif tag[:1] != "-" and tag not in _LEFT_OUT and node.mem_id not in hidden:
            lines.enter(tag)
            stack.append((node.iter(include_text=True), tag))
    lines.end_line()
    return lines.done


class _Lines:
    """The lines read so far and the one being read, as table cells of text fragments."""

    __slots__ = ("_cells", "_preformatted", "done")

    def __init__(self) -> None:
        self.done: list[str] = []
        self._cells: list[list[str]] = [[]]
        self._preformatted = 0  # how many <pre>-like elements we are in

    def add(self, text: str) -> None:
        if not self._preformatted or "\n" not in text:
            self._cells[-1].append(text)
            return
        first, *rest = text.split("\n")
        self._cells[-1].append(first)
        for piece in rest:
            self.end_line()
            self._cells[-1].append(piece)

    def enter(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.end_line()
            if tag in _PREFORMATTED:
                self._preformatted += 1
        elif tag in _CELLS:
            self._cells.append([])

    def leave(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.end_line()
            if tag in _PREFORMATTED:
                self._preformatted -= 1

    def end_line(self) -> None:
        cells = self._cells
        if len(cells) == 1:
            fragments = cells[0]
            if not fragments:
                return
            line = self._tidy("".join(fragments))
            fragments.clear()
        else:
            tidied = (self._tidy("".join(fragments)) for fragments in cells)
            line = "\t".join(cell for cell in tidied if cell)
            self._cells = [[]]
        if line:
            self.done.append(line)

    def _tidy(self, text: str) -> str:
        text = text.translate(_INVISIBLE)
        if self._preformatted:
            return text.rstrip() if text.strip() else ""
        return " ".join(text.split())
