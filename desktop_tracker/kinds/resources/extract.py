"""The scripts and stylesheets a page names, found the way a browser that runs scripts finds them.

The page goes through a real HTML5 parser (Lexbor) with scripting enabled, so what browsers never
load is never reported: the markup inside <noscript> is text, the content of <template> is not in
the document, and scripts in MathML are not scripts. URLs are resolved as the WHATWG URL Standard
does for http(s), closely enough that two spellings a browser fetches as one URL are one here.

Left out on purpose: event-handler and style attributes, CSS @import, and anything a script would
add at run time; only what the markup itself names.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import quote, unquote, unquote_to_bytes, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from desktop_tracker.kinds.resources.fingerprint import normalise_host

ResourceKind = Literal["script", "stylesheet"]


@dataclass(frozen=True, slots=True)
class FoundResource:
    kind: ResourceKind
    url: str | None  # absolute http(s) URL to fetch; None for inline bodies and data: URLs
    inline: bool  # True: content is in the page (inline <script>/<style> body, or a data: URL)
    content: bytes | None  # the bytes when inline (UTF-8 of the element text; decoded data: URL)
    integrity: str | None  # the integrity attribute, verbatim (stripped), if present and non-empty
    source: str  # what named it, for the user: "script", "module script", "link stylesheet",
    # "style", "preload", "modulepreload", "data: URL"


_ASCII_WHITESPACE = " \t\n\f\r"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_WHITESPACE_TO_SPACE = str.maketrans("\t\n\f\r", "    ")

# The HTML Standard's "JavaScript MIME type essence" strings: a <script> of any other type is a
# data block (JSON-LD, templates, import maps, speculation rules) that no browser executes.
_JAVASCRIPT_TYPES = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)
# Destinations a modulepreload may name and still fetch a JavaScript module.
_SCRIPT_LIKE_DESTINATIONS = frozenset(
    {"", "script", "audioworklet", "paintworklet", "serviceworker", "sharedworker", "worker"}
)
# Sources that only hint at a fetch; an element that uses the same URL describes it better.
_HINTS = frozenset({"preload", "modulepreload"})

_DEFAULT_PORTS = {"http": 80, "https": 443}
# The URL Standard trims C0 controls and spaces around a URL and drops tabs and newlines inside it.
_C0_CONTROL_OR_SPACE = "".join(map(chr, range(0x21)))
_DROP_TAB_AND_NEWLINE = str.maketrans("", "", "\t\n\r")
_SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
# Printable ASCII the URL Standard leaves alone in a path and in a (special) query; `quote` also
# leaves letters, digits and "_.-~", and encodes everything else as UTF-8 percent-escapes.
_PATH_SAFE = "!$%&'()*+,-./:;=@[\\]^_|~"
_QUERY_SAFE = "!$%&()*+,-./:;=?@[\\]^_`{|}~"
_FORBIDDEN_HOST_CHARACTERS = frozenset(" #%/:<>?@[\\]^|\x7f") | frozenset(map(chr, range(0x20)))
_SINGLE_DOT_SEGMENTS = frozenset({".", "%2e"})
_DOUBLE_DOT_SEGMENTS = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})

# Elements the parser may put in the SVG or MathML namespace although their names are HTML's.
_MAYBE_FOREIGN = (
    "svg script, svg style, svg link, svg base, math script, math style, math link, math base"
)


def extract_resources(html: str, page_url: str) -> list[FoundResource]:
    """Every script and stylesheet the page names, in document order, each once.

    External resources are one per (kind, URL without fragment), inline ones one per
    (kind, SHA-256 of the bytes); a repeat keeps the first one's place in the order.
    """
    # scripting=True: parse as a browser that runs scripts, where <noscript> holds only text.
    tree = LexborHTMLParser(_defuse_runaway_nesting(html), scripting=True)
    foreign = _foreign_namespaces(tree)
    found = _Found(page_url)
    for node in tree.css("base, script, link, style"):
        namespace = foreign.get(node.mem_id, "html")
        if namespace == "math":
            continue  # MathML has no such elements: a browser does nothing with them
        tag = node.tag
        attributes = node.attributes
        if tag == "base":
            if namespace == "html" and "href" in attributes:
                found.set_base(attributes["href"] or "")
        elif tag == "script":
            source = _script_source(attributes)
            if source is None:
                continue
            # SVG scripts name their file in href (or the older xlink:href), HTML ones in src.
            names = ("href", "xlink:href") if namespace == "svg" else ("src",)
            reference = next((name for name in names if name in attributes), None)
            if reference is not None:
                # A src, even an empty or unusable one, means the body is never run.
                found.external("script", attributes[reference], source, _integrity(attributes))
            else:
                found.inline("script", node.text(), source)
        elif tag == "style":
            if _is_css(attributes):
                found.inline("stylesheet", node.text(), "style")
        elif tag == "link" and namespace == "html":
            link = _link_kind(attributes)
            if link is not None:
                found.external(link[0], attributes.get("href"), link[1], _integrity(attributes))
    return found.resources()


class _Found:
    """The resources found so far, each once, in the order first met."""

    def __init__(self, page_url: str) -> None:
        self._page_url = page_url
        # A browser resolves each URL when it meets the element: until the first <base href> has
        # been parsed, against the page's own URL.
        self._base = page_url
        self._base_seen = False
        self._found: dict[tuple[str, str], FoundResource] = {}

    def set_base(self, href: str) -> None:
        if not self._base_seen:  # only the first <base href> counts
            self._base_seen = True
            self._base = _base_url(href, self._page_url)

    def external(
        self, kind: ResourceKind, value: str | None, source: str, integrity: str | None
    ) -> None:
        url = _resolve(value or "", self._base)
        if url is None:
            return
        if url.startswith("data:"):
            self._add(FoundResource(kind, None, True, _data_url_bytes(url), integrity, "data: URL"))
        else:
            self._add(FoundResource(kind, url, False, None, integrity, source))

    def inline(self, kind: ResourceKind, text: str | None, source: str) -> None:
        if text and text.strip(_ASCII_WHITESPACE):
            # Browsers ignore integrity on inline bodies, so none is reported for them.
            content = text.encode("utf-8", "replace")
            self._add(FoundResource(kind, None, True, content, None, source))

    def resources(self) -> list[FoundResource]:
        return list(self._found.values())

    def _add(self, resource: FoundResource) -> None:
        if resource.url is not None:
            key = (resource.kind, resource.url)
        else:
            key = (resource.kind, hashlib.sha256(resource.content or b"").hexdigest())
        earlier = self._found.get(key)
        # Re-assigning a key keeps its place in the dict: the first one's place in the page.
        self._found[key] = resource if earlier is None else _merge(earlier, resource)


def _merge(first: FoundResource, later: FoundResource) -> FoundResource:
    """One resource named twice. The element that uses it says best what it is (a <script> over a
    preload of the same URL); an integrity attribute on either one is worth checking."""
    if first.source in _HINTS and later.source not in _HINTS:
        kept, other = later, first
    else:
        kept, other = first, later
    if kept.integrity is None and other.integrity is not None:
        return replace(kept, integrity=other.integrity)
    return kept


def _script_source(attributes: dict[str, str | None]) -> str | None:
    """The source of a <script> a browser runs ("script", "module script"); None: a data block."""
    type_ = attributes.get("type")
    if type_ is None:
        # The obsolete language attribute still counts when there is no type: "text/" + language.
        language = attributes.get("language")
        type_ = f"text/{language}" if language else ""
    essence = _mime_essence(type_)
    if essence == "" or essence in _JAVASCRIPT_TYPES:
        return "script"
    if essence == "module":
        return "module script"
    return None


def _link_kind(attributes: dict[str, str | None]) -> tuple[ResourceKind, str] | None:
    rel = _ascii_lower(attributes.get("rel") or "").translate(_ASCII_WHITESPACE_TO_SPACE)
    tokens = set(rel.split(" "))
    if "stylesheet" in tokens:  # also "alternate stylesheet": fetched, in case it is chosen
        return ("stylesheet", "link stylesheet") if _is_css(attributes) else None
    destination = _ascii_lower(attributes.get("as") or "")
    if "modulepreload" in tokens:
        return ("script", "modulepreload") if destination in _SCRIPT_LIKE_DESTINATIONS else None
    if "preload" in tokens:
        if destination == "script":
            return ("script", "preload")
        if destination == "style":
            return ("stylesheet", "preload")
    return None


def _is_css(attributes: dict[str, str | None]) -> bool:
    # A <style> or stylesheet <link> typed as anything but CSS ("text/less") is skipped by browsers.
    return _mime_essence(attributes.get("type") or "") in ("", "text/css")


def _integrity(attributes: dict[str, str | None]) -> str | None:
    return (attributes.get("integrity") or "").strip(_ASCII_WHITESPACE) or None


def _mime_essence(value: str) -> str:
    # Parameters ("; charset=utf-8") are ignored, so a script that declares one is still reported.
    return _ascii_lower(value.partition(";")[0].strip(_ASCII_WHITESPACE))


def _ascii_lower(value: str) -> str:
    # HTML's "ASCII case-insensitive": str.lower() would also fold "K" (Kelvin sign) into "k".
    return value.translate(_ASCII_LOWER)


def _foreign_namespaces(tree: LexborHTMLParser) -> dict[int, str]:
    """The SVG and MathML elements among script/style/link/base, by node id: "svg" or "math".

    The node API does not expose namespaces; the serialiser does (`<svg:script>`). Most pages have
    no <svg> or <math> at all, and where they do, only these few elements are serialised.
    """
    if tree.css_first("svg, math") is None:
        return {}
    namespaces: dict[int, str] = {}
    for node in tree.css(_MAYBE_FOREIGN):
        markup = node.html_pretty(tag_with_ns=True) or ""
        if markup.startswith(("<svg:", "<math:")):
            namespaces[node.mem_id] = markup[1 : markup.index(":")]
    return namespaces


def _base_url(href: str, page_url: str) -> str:
    """The document base URL a <base href> sets: its href resolved against the page's URL."""
    value = href.strip(_C0_CONTROL_OR_SPACE).translate(_DROP_TAB_AND_NEWLINE)
    if not value:
        return page_url
    scheme, _ = _split_scheme(value)
    if scheme is not None and scheme not in _DEFAULT_PORTS:
        # Another scheme (data:, javascript:) is a valid base URL, against which no relative URL
        # resolves to anything fetchable; keep it so that those resolve to nothing.
        return value
    return _resolve(value, page_url) or page_url


def _resolve(value: str, base: str) -> str | None:
    """`value` as the absolute URL a browser would fetch, without its fragment: an http(s) URL,
    normalised, or a data: URL as written. None when a browser would fetch nothing (empty value,
    javascript:, about:, blob:, an unparsable host)."""
    value = value.strip(_C0_CONTROL_OR_SPACE).translate(_DROP_TAB_AND_NEWLINE)
    if not value:
        return None
    scheme, rest = _split_scheme(value)
    if scheme == "data":
        return "data:" + rest.partition("#")[0]
    base_scheme = _split_scheme(base)[0]
    if scheme is None:
        if base_scheme not in _DEFAULT_PORTS:
            return None  # relative to an opaque base (data:, about:blank): fails in a browser
        value = _backslashes_to_slashes(value)
        if value.startswith("//"):
            absolute = f"{base_scheme}://{value.lstrip('/')}"
        else:
            absolute = urljoin(base, value)
    elif scheme in _DEFAULT_PORTS:
        rest = _backslashes_to_slashes(rest)
        if rest.startswith("/") or scheme != base_scheme:
            # "http:/host", "http:\\host", "https:host" from an http page: any number of slashes
            # (even none) still introduces the host in http(s).
            absolute = f"{scheme}://{rest.lstrip('/')}"
        else:
            absolute = urljoin(base, rest)  # "http:file.js" on an http page is relative
    else:
        return None
    return _normalise_http_url(absolute)


def _split_scheme(value: str) -> tuple[str | None, str]:
    colon = value.find(":")
    if colon <= 0:
        return None, value
    scheme = value[:colon]
    if not ("a" <= scheme[0].lower() <= "z") or not _SCHEME_CHARACTERS.issuperset(scheme):
        return None, value
    return scheme.lower(), value[colon + 1 :]


def _backslashes_to_slashes(value: str) -> str:
    # In http(s) URLs "\" is "/" everywhere before the query or fragment.
    end = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=len(value))
    return value[:end].replace("\\", "/") + value[end:]


def _normalise_http_url(url: str) -> str | None:
    """Lower-case scheme and host, punycode, no default port, dot segments resolved, unsafe
    characters percent-encoded, no fragment: the serialisation a browser fetches."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port that is not a number in range
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    if ":" in host:  # IPv6, already checked by urlsplit
        host = f"[{host}]"
    else:
        ascii_host = normalise_host(unquote(host) if "%" in host else host)
        if not ascii_host or not _FORBIDDEN_HOST_CHARACTERS.isdisjoint(ascii_host):
            return None
        host = ascii_host
    userinfo, at, _ = parts.netloc.rpartition("@")
    authority = f"{userinfo}{at}{host}"
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        authority += f":{port}"
    path = quote(_remove_dot_segments(parts.path or "/"), safe=_PATH_SAFE, errors="replace")
    query = quote(parts.query, safe=_QUERY_SAFE, errors="replace")
    return f"{parts.scheme}://{authority}{path}" + (f"?{query}" if query else "")


def _remove_dot_segments(path: str) -> str:
    if "." not in path and "%2" not in path:
        return path
    segments = path.split("/")[1:]  # the path starts with "/"
    kept: list[str] = []
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        lowered = segment.lower()
        if lowered in _DOUBLE_DOT_SEGMENTS:
            if kept:
                kept.pop()
            if index == last:
                kept.append("")
        elif lowered in _SINGLE_DOT_SEGMENTS:
            if index == last:
                kept.append("")
        else:
            kept.append(segment)
    return "/" + "/".join(kept)


def _data_url_bytes(url: str) -> bytes:
    """The body of a data: URL, as the Fetch Standard's data: URL processor decodes it.

    Where a browser would fail (no comma, base64 that is not), the text itself stands in, so the
    resource still has bytes whose changes can be noticed."""
    header, comma, data = url[len("data:") :].partition(",")
    if not comma:
        return url.encode("utf-8", "replace")
    body = unquote_to_bytes(data)
    media_type = _ascii_lower(header.strip(_ASCII_WHITESPACE))
    if media_type.endswith("base64") and media_type[: -len("base64")].rstrip(" ").endswith(";"):
        decoded = _forgiving_base64(body)
        return decoded if decoded is not None else data.encode("utf-8", "replace")
    return body


def _forgiving_base64(data: bytes) -> bytes | None:
    # Whitespace anywhere and any amount of "=" at the end are tolerated (browsers allow at most
    # two); a length that cannot be base64 or a character outside the alphabet is not.
    compact = data.translate(None, b" \t\n\f\r").rstrip(b"=")
    if len(compact) % 4 == 1:
        return None
    try:
        return base64.b64decode(compact + b"=" * (-len(compact) % 4), validate=True)
    except binascii.Error:
        return None


# Runaway nesting. The HTML Standard's tree builder searches its stack of open elements for many
# start and end tags, and rebuilds the open formatting elements (<b>, <a>, <font> ...) after most
# of them, so thousands of unclosed elements cost time quadratic or worse in their number: in
# Lexbor, 20,000 nested <div>s take half a second, 200,000 three minutes, and 80 KB of crafted <b>
# and <i> tags most of a minute. Blink and WebKit stop nesting at 512 open elements. Here a quick
# scan finds the start tags that would open elements beyond such limits and renames them <param>,
# a void element that opens nothing, so Lexbor's work stays about linear in the page's size.
#
# The scan is an approximation of the tokenizer: it only needs to be right about pages that nest
# absurdly deep, and on every other page it changes nothing. It never renames the elements this
# module reports or whose content decides what is reported (script, style, link, base, noscript,
# template, svg, math ...), so a resource is found wherever the runaway markup would have put it.
_SCAN_FROM_TAGS = 2000  # fewer "<" than this cannot cost more than a few hundred milliseconds
_OPEN_LIMIT = 512
_FORMATTING_LIMIT = 64  # open formatting elements, each rebuilt after block-level tags


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOID_ELEMENTS = _names(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param "
    "source track wbr"
)
_RAW_TEXT_ELEMENTS = _names("iframe noembed noframes noscript script style textarea title xmp")
_FOREIGN_ROOTS = _names("svg math")
# SVG and MathML elements whose content is parsed as HTML again.
_HTML_ISLANDS = _names("annotation-xml desc foreignobject mi mn mo ms mtext title")
# Start tags that end SVG and MathML content and go back to HTML.
_BREAKOUT_ELEMENTS = _names(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img "
    "li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var"
)
# Elements whose start tag closes an open one of the same name (most common cases only).
_IMPLIED_END = _names("dd dt li option p")
_FORMATTING_ELEMENTS = _names("a b big code em font i nobr s small strike strong tt u")
# Never renamed: what this module reports, and what changes how what follows is parsed (or, for
# template, whether it is live).
_KEPT_ELEMENTS = _RAW_TEXT_ELEMENTS | _names(
    "annotation-xml applet body button caption colgroup desc foreignobject form frameset head "
    "html marquee math mi mn mo ms mtext object optgroup option select svg table tbody td "
    "template tfoot th thead tr"
)
_TAG_NAME_END = frozenset(" \t\n\f\r/>")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _defuse_runaway_nesting(html: str) -> str:
    """`html`, with the start tags that would nest beyond the limits above renamed <param>."""
    if html.count("<") < _SCAN_FROM_TAGS:
        return html
    size = len(html)
    elements = _OpenElements()
    renamed: list[tuple[int, int]] = []
    position = 0
    while (lt := html.find("<", position)) >= 0 and lt + 1 < size:
        if html[lt + 1] == "!":  # comment, doctype, CDATA: skipped whole
            close = "-->" if html.startswith("<!--", lt) else ">"
            end = html.find(close, lt + 2)
            position = size if end < 0 else end + len(close)
            continue
        closing = html[lt + 1] == "/"
        start = lt + 2 if closing else lt + 1
        if start >= size or html[start] not in _ASCII_LETTERS:
            position = lt + 1
            continue
        end = start + 1
        while end < size and html[end] not in _TAG_NAME_END:
            end += 1
        name = _ascii_lower(html[start:end])
        position = end
        if closing:
            elements.close(name)
        elif name in _VOID_ELEMENTS:
            pass
        elif name in _RAW_TEXT_ELEMENTS and not elements.in_foreign:  # SVG <style> holds markup
            position = _end_tag_position(html, name, end)
        elif name == "plaintext":
            break  # everything after it is text
        elif not elements.open(name):
            renamed.append((start, end))
    if not renamed:
        return html
    pieces: list[str] = []
    kept_from = 0
    for start, end in renamed:
        pieces += (html[kept_from:start], "param")
        kept_from = end
    pieces.append(html[kept_from:])
    return "".join(pieces)


def _end_tag_position(html: str, name: str, start: int) -> int:
    """Where the end tag of a raw-text element (</script>, </STYLE>) begins; the end if none."""
    while (lt := html.find("</", start)) >= 0:
        candidate = html[lt + 2 : lt + 2 + len(name)]
        if len(candidate) == len(name) and _ascii_lower(candidate) == name:
            return lt
        start = lt + 2
    return len(html)


class _OpenElements:
    """The scan's rough idea of the parser's stack of open elements and list of active
    formatting elements: enough to tell where nesting runs away."""

    def __init__(self) -> None:
        self._stack: list[str] = []
        self._open: dict[str, int] = {}
        # Formatting elements stay active after an unrelated end tag closes them, to be rebuilt
        # later; only their own end tag ends them.
        self._formatting: dict[str, int] = {}
        self._formatting_total = 0
        # Where SVG or MathML content (True) or an HTML island in it (False) begins on the stack.
        self._contexts: list[tuple[int, bool]] = []
        self.in_foreign = False  # the innermost context is SVG or MathML

    def open(self, name: str) -> bool:
        """Push a start tag's element; False when it would run away and must not open."""
        if self.in_foreign and name in _BREAKOUT_ELEMENTS:
            while self._stack and self.in_foreign:
                self._pop()
        elif self._stack and self._stack[-1] == name and name in _IMPLIED_END:
            self._pop()  # <li><li>: the second closes the first, as in the parser
        formatting = name in _FORMATTING_ELEMENTS
        if name not in _KEPT_ELEMENTS and (
            len(self._stack) >= _OPEN_LIMIT
            or (formatting and self._formatting_total >= _FORMATTING_LIMIT)
        ):
            return False
        if name in _FOREIGN_ROOTS:
            self._contexts.append((len(self._stack), True))
            self.in_foreign = True
        elif self.in_foreign and name in _HTML_ISLANDS:
            self._contexts.append((len(self._stack), False))
            self.in_foreign = False
        self._stack.append(name)
        self._open[name] = self._open.get(name, 0) + 1
        if formatting:
            self._formatting[name] = self._formatting.get(name, 0) + 1
            self._formatting_total += 1
        return True

    def close(self, name: str) -> None:
        if self._formatting.get(name):
            self._formatting[name] -= 1
            self._formatting_total -= 1
        if self._open.get(name):
            while self._pop() != name:
                pass

    def _pop(self) -> str:
        name = self._stack.pop()
        self._open[name] -= 1
        if self._contexts and self._contexts[-1][0] == len(self._stack):
            self._contexts.pop()
            self.in_foreign = bool(self._contexts) and self._contexts[-1][1]
        return name
