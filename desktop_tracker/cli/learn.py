"""`desktop-tracker learn NAME`: fetch a tracker's page a few times and propose mask rules for
what changes by itself between fetches (nonces, tokens, timestamps, cache-busting queries)."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import replace

from desktop_tracker.cli.common import (
    EXIT_OK,
    WHICH_KIND_HELP,
    Parsers,
    UsageError,
    data_dir_option,
    kind_option,
    whole_number,
)
from desktop_tracker.cli.services import guarded, tracker_named, with_trackers
from desktop_tracker.core.quoting import quote
from desktop_tracker.domain.trackers import Tracker
from desktop_tracker.kinds.noise import ProposedRule
from desktop_tracker.service.trackers import TrackerService

FETCHES_MIN, FETCHES_MAX, FETCHES_DEFAULT = 2, 10, 3


def add_parsers(commands: Parsers) -> None:
    learn = commands.add_parser(
        "learn",
        description="Fetch the tracker's page a few times in a row (nothing is stored) and "
        "propose a mask rule for each part that changed between fetches and looks like noise: "
        "a nonce, a token, a timestamp, a counter, a cache-busting query string. With "
        "--accept they are added to the tracker's mask rules, so those parts read as … and no "
        "longer count as a change.",
    )
    learn.add_argument("name", metavar="NAME")
    kind_option(learn, WHICH_KIND_HELP)
    learn.add_argument("--accept", action="store_true", help="add the rules to the tracker")
    learn.add_argument(
        "--fetches",
        type=whole_number,
        default=FETCHES_DEFAULT,
        metavar="N",
        help=f"fetches to compare ({FETCHES_MIN}-{FETCHES_MAX}, default {FETCHES_DEFAULT})",
    )
    data_dir_option(learn)
    learn.set_defaults(handler=learn_command)


@guarded
def learn_command(args: argparse.Namespace) -> int:
    if not FETCHES_MIN <= args.fetches <= FETCHES_MAX:
        raise UsageError(f"--fetches must be between {FETCHES_MIN} and {FETCHES_MAX}")

    async def work(service: TrackerService) -> tuple[Tracker, list[ProposedRule]]:
        tracker = await tracker_named(service, args.name, args.kind)
        proposed = await service.learn_noise(tracker, args.fetches)
        proposed = [rule for rule in proposed if rule.pattern not in tracker.mask]
        if args.accept and proposed:
            masks = (*tracker.mask, *(rule.pattern for rule in proposed))
            tracker = await service.update(replace(tracker, mask=masks))
        return tracker, proposed

    tracker, proposed = with_trackers(args, work)
    if not proposed:
        print(
            f"no noise found in {args.fetches} fetches of {tracker.name!r}: nothing that "
            "changed between them looks like a nonce, token, timestamp or counter"
        )
        return EXIT_OK
    rules = "1 mask rule" if len(proposed) == 1 else f"{len(proposed)} mask rules"
    print(f"{rules} proposed for {tracker.name!r}, from {args.fetches} fetches:")
    for number, rule in enumerate(proposed, start=1):
        print(f"  {number}. {rule.pattern}")
        seen = ", ".join(quote(example, 40) for example in rule.examples[:2])
        print(f"     {rule.reason}" + (f"; seen: {seen}" if seen else ""))
    name = shlex.quote(tracker.name)
    if args.accept:
        print(
            f"added {'it' if len(proposed) == 1 else 'them'} to the mask rules of "
            f"{tracker.name!r}: what {'it matches' if len(proposed) == 1 else 'they match'} "
            "reads as … from its next check on"
        )
    else:
        print(f"to add them all: desktop-tracker learn {name} --accept")
        print(
            f"or one at a time: desktop-tracker edit {name} --mask "
            f"{shlex.quote(proposed[0].pattern)}"
        )
    return EXIT_OK
