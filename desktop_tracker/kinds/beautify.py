"""Minified scripts and stylesheets laid out for reading, before their bodies are diffed.

`beautify(text, "script")` runs jsbeautifier, `beautify(text, "style")` cssbeautifier (both the
js-beautify project's Python ports, MIT), with options fixed here, so that the same text always
gives the same lines. It only re-lays code out: jsbeautifier's unpackers (which would decode
"packed" or URL-encoded scripts into other code) are never run, so what is shown is the code the
site serves.

Code that is readable already is returned as it is: a text is *minified* when lines longer than
`LONG_LINE` characters hold at least half of it. Beautified code has short lines, so
`beautify(beautify(x))` costs a scan and returns its input (unless long string literals still
make up half of it: then it is laid out again, to the same text).

Cost (tests/bench/bench_body_diff.py, on real minified code from the corpus's pages, 1 MB each):
1.2 to 1.6 s for a script (37,000 lines out) and 1.5 to 2.5 s for a stylesheet (89,000 lines
out) on one core of the project's machines, the guards below 60-70 ms of it: far beyond what a
window may take to open, so a body is beautified off the GUI thread when it is stored, its
beautified text kept beside it and marked with `BEAUTIFIER_VERSION`.

Hostile input: the beautifiers indent each line by its nesting, so 10,000 unclosed "{" become
200 MB of output (40,000 of them run out of memory), and a run of tokens of one character costs
them about 16 µs each, five times what real code costs. So a text is returned untouched, and
`beautify` never raises, when:

- it is longer than `MAX_CHARS` characters or has more than `MAX_TOKENS` tokens (a word or one
  other character): about 2 s of real minified script, at most about 10 s of the worst tokens;
- brackets nest deeper than `MAX_DEPTH`, or the indentation they would add is more than
  `MAX_GROWTH` times the text (real minified code nests under 20 deep and grows about twice);
- the beautifier fails on it (it overflows Python's stack on 3,000 nested template literals).
"""

from __future__ import annotations

import re
from typing import Literal, TypeVar

from cssbeautifier.__version__ import __version__ as _css_version
from cssbeautifier.css.beautifier import Beautifier as _CssBeautifier
from cssbeautifier.css.options import BeautifierOptions as _CssOptions
from jsbeautifier.__version__ import __version__ as _js_version
from jsbeautifier.javascript.beautifier import Beautifier as _JsBeautifier
from jsbeautifier.javascript.options import BeautifierOptions as _JsOptions

_AnyOptions = TypeVar("_AnyOptions", _JsOptions, _CssOptions)

Language = Literal["script", "style", "stylesheet"]  # "stylesheet" is the resources' word

# Changes whenever the output for a given input may change: a beautifier's version, an option
# or a rule here. A stored beautified text marked with another version is made again.
BEAUTIFIER_VERSION = f"1; jsbeautifier {_js_version}; cssbeautifier {_css_version}"

LONG_LINE = 300  # characters: a line longer than this is minified code, or data
MAX_CHARS = 3_000_000
MAX_TOKENS = 600_000
MAX_DEPTH = 200
MAX_GROWTH = 8
INDENT = 2

_TOKEN = re.compile(r"[\w$]+|\S")
_NOT_NESTING = re.compile(r"[^{}\[\]();,]+")
_OPEN = frozenset("{[(")
_CLOSE = frozenset("}])")


def is_minified(text: str) -> bool:
    """Whether lines longer than `LONG_LINE` characters hold at least half of `text`."""
    if len(text) <= LONG_LINE:
        return False
    on_long_lines = sum(len(line) for line in text.split("\n") if len(line) > LONG_LINE)
    return 2 * on_long_lines >= len(text)


def beautify(text: str, language: Language, *, force: bool = False) -> str:
    """`text` laid out for reading when it is minified (or whatever its lines, with `force`),
    else `text` itself; `text` itself too when it is too big, too deep or breaks the beautifier.
    Raises ValueError only for a language that is not "script", "style" or "stylesheet"."""
    if language == "script":
        run = _beautify_script
    elif language in ("style", "stylesheet"):
        run = _beautify_style
    else:
        raise ValueError(f"no beautifier for {language!r}: 'script' or 'style'")
    if not (force or is_minified(text)) or not fits(text):
        return text
    try:
        beautified = run(text)
    except (Exception, RecursionError, MemoryError):
        return text  # whatever the input made the beautifier do, the text is shown as it came
    return beautified if beautified.strip() or not text.strip() else text


def fits(text: str) -> bool:
    """Whether `text` is small and shallow enough for the beautifiers' time and memory."""
    if len(text) > MAX_CHARS:
        return False
    if len(_TOKEN.findall(text)) > MAX_TOKENS:
        return False
    depth = growth = 0
    allowed = MAX_GROWTH * len(text) + 100_000
    # Only the marks counted, in C first: then a loop over characters, not regex matches.
    for mark in _NOT_NESTING.sub("", text):
        if mark in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif mark in _CLOSE and depth:
            depth -= 1
        # Each of these may start a new line, indented by the depth.
        growth += depth
        if growth * INDENT > allowed:
            return False
    return True


def _laid_out(options: _AnyOptions) -> _AnyOptions:
    """The layout both beautifiers share: our indent, blank lines kept (two at most), no
    wrapping, and no .editorconfig read from wherever the app happens to run."""
    options.indent_size = INDENT
    options.indent_char = " "
    options.eol = "\n"
    options.end_with_newline = False
    options.preserve_newlines = True
    options.max_preserve_newlines = 2
    options.wrap_line_length = 0
    options.editorconfig = False
    return options


def _beautify_script(text: str) -> str:
    options = _laid_out(_JsOptions())
    options.eval_code = False
    beautifier = _JsBeautifier(options)
    # The unpackers turn packed and URL-encoded scripts into other code: never run them.
    beautifier.unpack = _no_unpacking
    return str(beautifier.beautify(text, options))


def _beautify_style(text: str) -> str:
    options = _laid_out(_CssOptions())
    return str(_CssBeautifier(text, options).beautify())


def _no_unpacking(source: str, evalcode: bool = False) -> str:
    return source
