"""Noise learning: mask rules for what changes between fetches of a page that did not change.

Given the same text fetched a few times in a row (a page's text, a list of resource URLs and
inline contents, header values: anything in lines), every line that differs is paired with
its counterpart and the parts that differ are named by their shape: a UUID, a timestamp, a
date, a time, a relative time, a Unix time, a query string's value, a number, a token. A rule
matches the shape, not the values seen, so the next fetch's value is masked too:

- timestamps, dates, times and UUIDs look like nothing else, so their rules stand alone
  (`\\b\\d{1,2}:\\d{2}(?::\\d{2})?...`);
- a number or a token (a nonce, a CSRF token, a session id, a hash in a file name) could be
  content anywhere else on the page, so its rule is tied to the stable text beside it, the
  name it follows (`(?<=csrf_token" value=")[A-Za-z0-9_-]+`) or the words after it
  (`\\d+(?:[.,]\\d+)*(?= comments)`), and a token must look random (a digit in it, or long
  and in mixed case): a word that changed is content;
- a query string's value (`?v=123`, `?_=1699999999`, `?ver=abc123`) is tied to its name.

A change that fits no shape (a sentence, a word) is left alone, and a rule is dropped if it
would mask more than three words at once or a whole line of words: masks hide noise, never
content. The rules are meant for `apply_rules`' masks, which apply them line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from desktop_tracker.kinds.rules import MASK, compile_rule
from desktop_tracker.kinds.text_diff import diff_text, split_lines, words

MAX_EXAMPLES = 3
_CONTEXT = 40  # characters of stable text a rule is tied to, at most
_CONTEXT_NAMES = 2  # names (words) of the stable text a rule is tied to, at most
_MAX_MIDDLE = 2_000_000  # characters that differ in a line pair, beyond which it is not split
_REFINE_UP_TO = 2_000  # words of a part that differs, matched again all words counting
_REGROUP = 8  # words between two parts that differ, below which they are matched again as one
_WINDOW = 500  # characters around a change where the shape holding it is looked for
_MAX_TOKEN = 400  # characters: a longer "token" is text that changed, not a value
_MERGE_GAP = 2  # equal characters between two changed pieces that still make one token
_TIMESTAMP_GAP = 366 * 86_400  # two Unix times further apart than this are not a clock


@dataclass(frozen=True, slots=True)
class ProposedRule:
    """A mask rule (a regular expression), why it is proposed and values it masked."""

    pattern: str
    reason: str
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Shape:
    name: str
    regex: re.Pattern[str]
    reason: str


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s"
_TIMESTAMP = "a timestamp that changes between fetches"
_DATE = "a date that changes between fetches"
# Shapes that are noise wherever they are, most specific first: the first whose match holds
# the whole change on both sides names it.
_STANDALONE = (
    _Shape(
        "uuid",
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "a UUID that changes between fetches",
    ),
    _Shape(
        "http date",
        re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} " + _MONTH + r" \d{4} [\d:]{8} GMT"),
        _TIMESTAMP,
    ),
    _Shape(
        "iso datetime",
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
        ),
        _TIMESTAMP,
    ),
    _Shape("iso date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), _DATE),
    _Shape(
        "month date",
        re.compile(
            rf"\b(?:{_DAY})?(?:{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
            rf"|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}})\b"
        ),
        _DATE,
    ),
    _Shape("numeric date", re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"), _DATE),
    _Shape(
        "relative time",
        re.compile(
            r"\b\d+\s(?:second|sec|minute|min|hour|hr|day|week|month|year)s?\sago\b",
            re.IGNORECASE,
        ),
        "a relative time ('5 minutes ago') that changes between fetches",
    ),
    _Shape(
        "time",
        re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:\s?[AaPp][Mm]\b)?"),
        "a time of day that changes between fetches",
    ),
    _Shape("unix time", re.compile(r"\b1\d{9}(?:\d{3})?\b"), _TIMESTAMP),
)
_QUERY_VALUE = re.compile(r"[?&]([A-Za-z0-9_.\-\[\]]{1,40})=([^&#\s\"'<>]*)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_RULE = r"\d+(?:[.,]\d+)*"
_TOKEN_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_SPLITS_A_TOKEN = frozenset("+/=.-_:")  # equal characters that may sit inside a random token
_NAME = re.compile(r"[^\W\d_]{2}")  # two letters: the context names something
_WORD = re.compile(r"[^\W\d_]{2,}")
_IDENTIFIER = re.compile(r"[^\W\d][\w-]*")  # a name in text or markup: csrf_token, nonce
_TOKEN_PUNCTUATION = frozenset("_-+/=.:,")  # "," for numbers: 1,204
_TOKEN_NAMES = (
    (re.compile(r"nonce", re.IGNORECASE), "a nonce"),
    (re.compile(r"csrf|xsrf|authenticity", re.IGNORECASE), "a CSRF token"),
    (re.compile(r"sess|sid\b", re.IGNORECASE), "a session id"),
)


@dataclass
class _Found:
    reason: str
    examples: list[str] = field(default_factory=list)

    def seen(self, *values: str) -> None:
        for value in values:
            if value not in self.examples and len(self.examples) < MAX_EXAMPLES:
                self.examples.append(value)


def propose_masks(samples: Sequence[str]) -> list[ProposedRule]:
    """Mask rules that make `samples` (the same text fetched several times) read the same
    wherever what differed has the shape of noise, in the order they are to be applied."""
    if len(samples) < 2:
        return []
    found: dict[str, _Found] = {}
    base = samples[0]
    for other in samples[1:]:
        for old, new in diff_text(base, other).side_by_side():
            if old is None or new is None or old.change == "same":
                continue
            for pattern, reason, values in _rules_for_pair(old.text, new.text):
                found.setdefault(pattern, _Found(reason)).seen(*values)
    lines = {line for sample in samples for line in split_lines(sample)}
    proposed = [
        ProposedRule(pattern, entry.reason, tuple(entry.examples))
        for pattern, entry in found.items()
        if _masks_no_content(pattern, lines)
    ]
    # Rules tied to stable text first, while that text is as it was; then the shapes, the
    # longest first, so a date and time is masked whole before its time alone could be.
    rank = {shape.regex.pattern: k for k, shape in enumerate(_STANDALONE)}
    return sorted(proposed, key=lambda rule: rank.get(rule.pattern, -1))


def _rules_for_pair(a: str, b: str) -> Iterator[tuple[str, str, tuple[str, str]]]:
    """(pattern, reason, the two values) for each part that differs between two versions of
    a line and has the shape of noise."""
    for a_lo, a_hi, b_lo, b_hi in _changed_spans(a, b):
        # A query string's value first: its name says more than its shape.
        rule = _query_rule(a, a_lo, a_hi, b, b_lo, b_hi)
        if rule is None:
            rule = _standalone_rule(a, a_lo, a_hi, b, b_lo, b_hi)
        if rule is None:
            rule = _token_rule(a, a_lo, a_hi, b, b_lo, b_hi)
        if rule is not None:
            yield rule


def _changed_spans(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """Where two lines differ: (start, end) in `a` and (start, end) in `b` for each part,
    parts split by an unchanged stretch longer than a character or two."""
    prefix = _common_prefix(a, b)
    suffix = _common_prefix(a[prefix:][::-1], b[prefix:][::-1])
    a_end, b_end = len(a) - suffix, len(b) - suffix
    if (a_end - prefix) + (b_end - prefix) > _MAX_MIDDLE:
        return [(prefix, a_end, prefix, b_end)]
    spans: list[tuple[int, int, int, int]] = []
    for span in _word_changes(a, prefix, a_end, b, prefix, b_end):
        if spans and _one_token(a[spans[-1][1] : span[0]]):
            spans[-1] = (spans[-1][0], span[1], spans[-1][2], span[3])
        else:
            spans.append(span)
    return spans


def _word_changes(
    a: str, a_lo: int, a_hi: int, b: str, b_lo: int, b_hi: int, refined: bool = False
) -> Iterator[tuple[int, int, int, int]]:
    """The parts of a[a_lo:a_hi] and b[b_lo:b_hi] that differ, word by word."""
    wa, wb = words(a[a_lo:a_hi]), words(b[b_lo:b_hi])
    offsets_a, offsets_b = _offsets(wa, a_lo), _offsets(wb, b_lo)
    # In a long line (a minified page), words like " ", '"' and "=" are everywhere and would
    # make the match quadratic: they anchor nothing at first; each part that differs is then
    # matched again word by word, all words counting, to split it where it is the same.
    popular = not refined and len(wa) + len(wb) > _REFINE_UP_TO
    parts: list[tuple[int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=popular).get_opcodes():
        if tag == "equal":
            continue
        last = parts[-1] if parts else None
        if popular and last and i1 - last[1] <= _REGROUP and j1 - last[3] <= _REGROUP:
            parts[-1] = (last[0], i2, last[2], j2)  # matched again below, as one part
        else:
            parts.append((i1, i2, j1, j2))
    for i1, i2, j1, j2 in parts:
        span = (offsets_a[i1], offsets_a[i2], offsets_b[j1], offsets_b[j2])
        if popular and (i2 - i1) + (j2 - j1) <= _REFINE_UP_TO:
            yield from _word_changes(a, span[0], span[1], b, span[2], span[3], refined=True)
        else:
            yield span


def _one_token(gap: str) -> bool:
    return len(gap) <= _MERGE_GAP and all(c in _SPLITS_A_TOKEN or c.isalnum() for c in gap)


def _offsets(pieces: list[str], start: int) -> list[int]:
    offsets = [start]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    return offsets


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by halving (string slices compare in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _covering(
    regex: re.Pattern[str], line: str, lo: int, hi: int, group: int = 0
) -> re.Match[str] | None:
    """The match of `regex` (or of its `group`) that holds line[lo:hi], looked for near it:
    a line can be a whole minified page."""
    for near in regex.finditer(line, max(0, lo - _WINDOW), min(len(line), hi + _WINDOW)):
        if near.start() > lo:
            break
        match = regex.match(line, near.start())  # to the line's real end, not the window's
        if match is None or match.end(group) == match.start(group):
            continue
        if match.start(group) <= lo and hi <= match.end(group):
            return match
    return None


def _standalone_rule(
    a: str, a_lo: int, a_hi: int, b: str, b_lo: int, b_hi: int
) -> tuple[str, str, tuple[str, str]] | None:
    for shape in _STANDALONE:
        in_a = _covering(shape.regex, a, a_lo, a_hi)
        in_b = None if in_a is None else _covering(shape.regex, b, b_lo, b_hi)
        if in_a is None or in_b is None:
            continue
        if shape.name == "unix time" and not _close_in_time(in_a.group(), in_b.group()):
            continue
        return shape.regex.pattern, shape.reason, (in_a.group(), in_b.group())
    return None


def _close_in_time(a: str, b: str) -> bool:
    scale = 1000 if len(a) == 13 else 1
    return len(a) == len(b) and abs(int(a) - int(b)) <= _TIMESTAMP_GAP * scale


def _query_rule(
    a: str, a_lo: int, a_hi: int, b: str, b_lo: int, b_hi: int
) -> tuple[str, str, tuple[str, str]] | None:
    in_a = _covering(_QUERY_VALUE, a, a_lo, a_hi, group=2)
    in_b = None if in_a is None else _covering(_QUERY_VALUE, b, b_lo, b_hi, group=2)
    if in_a is None or in_b is None or in_a.group(1) != in_b.group(1):
        return None
    values = (in_a.group(2), in_b.group(2))
    if not all(values):
        return None
    name = in_a.group(1)
    pattern = f"(?<=[?&]{re.escape(name)}=){_token_class(values)}"
    return pattern, f"a cache-busting query string (?{name}=…) that changes between fetches", values


def _token_rule(
    a: str, a_lo: int, a_hi: int, b: str, b_lo: int, b_hi: int
) -> tuple[str, str, tuple[str, str]] | None:
    """A rule for a number or a random-looking token, tied to the stable text beside it."""
    number_a = _covering(_NUMBER, a, a_lo, a_hi)
    number_b = None if number_a is None else _covering(_NUMBER, b, b_lo, b_hi)
    if (
        number_a is not None
        and number_b is not None
        and _whole_token(a, number_a)
        and _whole_token(b, number_b)
    ):
        (a_lo, a_hi), (b_lo, b_hi) = number_a.span(), number_b.span()
        body = _NUMBER_RULE
    else:
        a_lo, a_hi = _expand(a, a_lo, a_hi)
        b_lo, b_hi = _expand(b, b_lo, b_hi)
        body = ""
    values = (a[a_lo:a_hi], b[b_lo:b_hi])
    if not all(_is_token(value) for value in values):
        return None
    if not (body or all(_looks_random(value) for value in values)):
        return None
    body = body or _token_class(values)
    before = _context_before(a, a_lo, b, b_lo)
    after = _context_after(a, a_hi, b, b_hi)
    if before:
        pattern = f"(?<={_escape(before)}){body}"
        context = before
    elif after:
        pattern = f"{body}(?={_escape(after)})"
        context = after
    else:
        return None  # nothing stable names it: it could be content
    if body == _NUMBER_RULE:
        return pattern, "a counter that changes between fetches", values
    kind = next((what for name, what in _TOKEN_NAMES if name.search(context)), "a token")
    return pattern, f"{kind} that changes between fetches", values


def _whole_token(line: str, match: re.Match[str]) -> bool:
    """Whether a number stands alone, not as the digits of a token such as "a1b2"."""
    start, end = match.span()
    return (start == 0 or not line[start - 1].isalnum()) and (
        end == len(line) or not line[end].isalnum()
    )


def _expand(line: str, lo: int, hi: int) -> tuple[int, int]:
    while lo > 0 and line[lo - 1] in _TOKEN_CHARACTERS:
        lo -= 1
    while hi < len(line) and line[hi] in _TOKEN_CHARACTERS:
        hi += 1
    return lo, hi


def _is_token(value: str) -> bool:
    """Whether a value is one token: no space, quote or bracket in it, and not long."""
    return 0 < len(value) <= _MAX_TOKEN and all(
        c.isalnum() or c in _TOKEN_PUNCTUATION for c in value
    )


def _looks_random(value: str) -> bool:
    has_digit = any(c.isdigit() for c in value)
    mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return has_digit or (len(value) >= 16 and mixed_case)


def _token_class(values: Sequence[str]) -> str:
    """A character class wide enough for every value of the token's kind, not only those
    seen: a random token that happened to have no capital letter may have one next time."""
    seen = "".join(values)
    if all(c.isdigit() for c in seen):
        return r"\d+"
    letters = [c for c in seen if c.isalpha()]
    mixed_case = any(c.isupper() for c in letters) and any(c.islower() for c in letters)
    if any(c in "+/" for c in seen):
        return r"[A-Za-z0-9+/]+={0,2}"
    if mixed_case or len(max(values, key=len)) >= 16:
        return r"[A-Za-z0-9_-]+"
    case = "A-Z" if letters and all(c.isupper() for c in letters) else "a-z"
    # "-" last, where a class reads it as itself.
    extra = "".join(c for c in "_.-" if c in seen)
    return f"[0-9{case}{extra}]+"


def _context_before(a: str, a_lo: int, b: str, b_lo: int) -> str:
    """The stable text just before the token in both lines, from the start of the second
    name back (`csrf_token" value="`, `script nonce="`), when it names something."""
    same = 0
    while same <= _CONTEXT and same < min(a_lo, b_lo) and a[a_lo - 1 - same] == b[b_lo - 1 - same]:
        same += 1
    common = a[a_lo - same : a_lo]
    reach = common[-_CONTEXT:]
    starts = [match.start() for match in _IDENTIFIER.finditer(reach)]
    if starts and starts[0] == 0 and len(reach) < len(common) and common[-len(reach) - 1].isalnum():
        starts.pop(0)  # a word cut at the reach's edge names nothing
    if not starts:
        return ""
    tail = reach[starts[max(0, len(starts) - _CONTEXT_NAMES)] :]
    return tail if _NAME.search(tail) else ""


def _context_after(a: str, a_hi: int, b: str, b_hi: int) -> str:
    """The stable text just after the token in both lines, to the end of the second name
    (` people read this` gives ` people read`), when it names something."""
    same = 0
    room = min(len(a) - a_hi, len(b) - b_hi)
    while same <= _CONTEXT and same < room and a[a_hi + same] == b[b_hi + same]:
        same += 1
    common = a[a_hi : a_hi + same]
    reach = common[:_CONTEXT]
    ends = [match.end() for match in _IDENTIFIER.finditer(reach)]
    if (
        ends
        and ends[-1] == len(reach)
        and len(reach) < len(common)
        and common[len(reach)].isalnum()
    ):
        ends.pop()
    if not ends:
        return ""
    head = reach[: ends[min(len(ends), _CONTEXT_NAMES) - 1]]
    return head if _NAME.search(head) else ""


_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")


def _escape(text: str) -> str:
    """`text` as a literal in a regular expression, readable: only what is special escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def _masks_no_content(pattern: str, lines: set[str]) -> bool:
    """Whether the rule leaves words alone: it matches no empty string, no more than three
    words at once ("Tue, 04 Mar 2025 10:00:00 GMT" has three), and no line of words whole."""
    rule = compile_rule(pattern)
    if rule.search(""):
        return False
    for line in lines:
        first = rule.search(line)
        if first is None:
            continue
        for match in rule.finditer(line, first.start()):
            if sum(1 for piece in match.group().split() if _NAME.search(piece)) > 3:
                return False
        if not _WORD.search(rule.sub(MASK, line)) and len(_WORD.findall(line)) >= 4:
            return False
    return True


_SELECTION_SHAPES = re.compile(
    r"(?P<hex>\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}\b)"
    r"|(?P<number>\d+(?:[.,]\d+)*)"
)


def rule_for_text(selected: str) -> str:
    """A mask rule for a piece of text the user picked ("ignore this"): the text itself,
    with its numbers and hex runs made to match any of their shape ("Updated 10:42" gives
    "Updated \\d+:\\d+", "1,024 views" gives "\\d+(?:[.,]\\d+)* views").

    :raises ValueError: for a selection of only whitespace.
    """
    text = selected.strip()
    if not text:
        raise ValueError("nothing selected: pick the text to ignore")
    pieces: list[str] = []
    position = 0
    for match in _SELECTION_SHAPES.finditer(text):
        pieces.append(_escape(text[position : match.start()]))
        if match.lastgroup == "hex":
            pieces.append(r"[0-9a-fA-F]+")
        else:
            pieces.append(_NUMBER_RULE if match.group().strip("0123456789") else r"\d+")
        position = match.end()
    pieces.append(_escape(text[position:]))
    return "".join(pieces)
