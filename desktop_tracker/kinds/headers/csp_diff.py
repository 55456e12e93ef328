"""What changed between two fetches' Content-Security-Policy, in lines that read like a review.

Sources are compared in their canonical form (`canonical_source`), so a new nonce on every
response, a host's case or a trailing '/' is no change, and neither is the order of sources or
directives. Policies are grouped by where they came from (header, <meta> tag, report-only
header); within a group they are paired by position, as a page that sends two enforced header
policies sends them in a fixed order.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_tracker.kinds.headers.csp import CspSource, Policy, canonical_source

_SOURCES: tuple[CspSource, ...] = ("header", "meta", "report-only")
Canonical = dict[str, tuple[str, ...]]


def describe_changes(old: Sequence[Policy], new: Sequence[Policy]) -> list[str]:
    """One line per change from `old` to `new`; no lines when they are the same policies."""
    lines: list[str] = []
    for source in _SOURCES:
        before = [_canonical(p) for p in old if p.source == source]
        after = [_canonical(p) for p in new if p.source == source]
        count = max(len(before), len(after))
        for index in range(count):
            if index >= len(before):
                lines.append(f"{_policy_noun(source, index)} was added")
            elif index >= len(after):
                lines.append(f"{_policy_noun(source, index)} was removed")
            else:
                scope = _scope(source, index, count)
                lines += [scope + line for line in _directive_changes(before[index], after[index])]
    return lines


def policies_equal(old: Sequence[Policy], new: Sequence[Policy]) -> bool:
    """True when `describe_changes` would find nothing: the same policies, read canonically."""
    return all(_grouped(old, source) == _grouped(new, source) for source in _SOURCES)


def _grouped(policies: Sequence[Policy], source: CspSource) -> list[dict[str, frozenset[str]]]:
    return [
        {name: frozenset(values) for name, values in _canonical(p).items()}
        for p in policies
        if p.source == source
    ]


def _canonical(policy: Policy) -> Canonical:
    return {
        name: tuple(dict.fromkeys(canonical_source(v) for v in values))
        for name, values in policy.directives.items()
    }


def _policy_noun(source: CspSource, index: int) -> str:
    if source == "report-only":
        return "a report-only policy" if index == 0 else "another report-only policy"
    if source == "meta":
        return (
            "the policy sent in a <meta> tag"
            if index == 0
            else "another policy sent in a <meta> tag"
        )
    return "the Content-Security-Policy header" if index == 0 else "another enforced header policy"


def _scope(source: CspSource, index: int, count: int) -> str:
    number = f" {index + 1}" if count > 1 else ""
    if source == "report-only":
        return f"report-only policy{number}: "
    if source == "meta":
        return f"<meta> policy{number}: "
    return f"header policy{number}: " if number else ""


def _directive_changes(before: Canonical, after: Canonical) -> list[str]:
    lines: list[str] = []
    for name, old_values in before.items():
        if name not in after:
            lines.append(f"{name} removed")
            continue
        gained = [v for v in after[name] if v not in old_values]
        lost = [v for v in old_values if v not in after[name]]
        if gained:
            lines.append(f"{name} gained {join_words(gained)}")
        if lost:
            lines.append(f"{name} lost {join_words(lost)}")
    for name, values in after.items():
        if name not in before:
            lines.append(f"{name} added: {join_words(values)}" if values else f"{name} added")
    return lines


def join_words(items: Sequence[str]) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
