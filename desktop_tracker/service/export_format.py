"""Export files (README, "The export format"): read strictly, all or nothing, and written
readable by the user alone, since they hold request headers (cookies, tokens) as they are."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop_tracker.core.quoting import quote
from desktop_tracker.data_dir import take_away_group_and_other
from desktop_tracker.domain.trackers import (
    WHOLE_TRACKER,
    InvalidTracker,
    Tracker,
    describe_json,
    unknown_field,
)

EXPORT_FORMAT = "desktop-tracker/trackers"
EXPORT_VERSION = 1
_TOP_FIELDS = ("format", "version", "trackers")
# The file is read whole. An export of 10,000 trackers is a few megabytes: anything this large
# is some other file, and is refused before it fills the memory.
MAX_EXPORT_BYTES = 50_000_000
_REFUSED = "nothing was imported"


class ImportRefused(ValueError):
    """The import file cannot be imported; nothing was imported."""


class ExportFailed(Exception):
    """The export file cannot be written; the message says why and what to do."""


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def read_export_file(path: Path) -> Any:
    """The JSON of an export file. :raises ImportRefused: saying in words what is wrong."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_EXPORT_BYTES + 1)
    except FileNotFoundError:
        raise ImportRefused(f"there is no file {path}: check its name; {_REFUSED}") from None
    except IsADirectoryError:
        raise ImportRefused(f"{path} is a folder: name an export file; {_REFUSED}") from None
    except PermissionError:
        raise ImportRefused(
            f"cannot read {path}: permission denied; fix its permissions; {_REFUSED}"
        ) from None
    except OSError as error:
        raise ImportRefused(f"cannot read {path}: {error.strerror or error}; {_REFUSED}") from None
    return decode_export(raw, str(path))


def decode_export(raw: bytes, source: str) -> Any:
    """The JSON in `raw` (at most MAX_EXPORT_BYTES + 1 bytes read from `source`).

    :raises ImportRefused: for a file too large, not UTF-8, not JSON, nested too deeply, or
        with a key twice in one object (which of the two was meant cannot be known).
    """
    if len(raw) > MAX_EXPORT_BYTES:
        raise ImportRefused(
            f"{source} is larger than {MAX_EXPORT_BYTES // 1_000_000} MB: it is not an export "
            f"(exports are far smaller); {_REFUSED}"
        )
    try:
        text = raw.decode("utf-8-sig")  # the byte order mark some Windows editors write is fine
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"{source} is not UTF-8 text: the byte at offset {error.start} cannot be read; "
            f"export files are UTF-8 JSON; {_REFUSED}"
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_object_without_duplicates)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"{source} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}; "
            f"{_REFUSED}"
        ) from None
    except RecursionError:  # the parser recurses once per level of lists and objects
        raise ImportRefused(
            f"{source} is not an export: its lists or objects are nested too deeply to read; "
            f"{_REFUSED}"
        ) from None
    except _DuplicateKey as error:
        raise ImportRefused(
            f"{source} has the key {quote(error.key)} twice in one object: keep one; {_REFUSED}"
        ) from None
    except ValueError:  # Python's limit on the digits of an integer (4,300)
        raise ImportRefused(
            f"{source} is not an export: it holds a number too long to read; {_REFUSED}"
        ) from None


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def parse_export(data: Any) -> list[Tracker]:
    """Every tracker of an export, each field of its JSON type and valid.

    :raises ImportRefused: naming the tracker (number and name) and the field that is wrong.
    """
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ImportRefused(
            "this is not a desktop_tracker export: expected an object with "
            f'"format": "{EXPORT_FORMAT}"; {_REFUSED}'
        )
    for key in data:
        if key not in _TOP_FIELDS:
            raise ImportRefused(f"{unknown_field(key, _TOP_FIELDS)}; {_REFUSED}")
    for key, expected in (("version", "a whole number"), ("trackers", "a list")):
        if key not in data:
            raise ImportRefused(f'the field "{key}" is missing: expected {expected}; {_REFUSED}')
    version, items = data["version"], data["trackers"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportRefused(
            f'"version": expected a whole number, found {describe_json(version)}; {_REFUSED}'
        )
    if version != EXPORT_VERSION:
        newer = (
            " (a newer desktop_tracker wrote it: update this one to import it)"
            if version > EXPORT_VERSION
            else ""
        )
        raise ImportRefused(
            f'"version": expected {EXPORT_VERSION}, found {describe_json(version)}{newer}; '
            f"{_REFUSED}"
        )
    if not isinstance(items, list):
        raise ImportRefused(
            f'"trackers": expected a list, found {describe_json(items)}; {_REFUSED}'
        )
    trackers: list[Tracker] = []
    seen: dict[tuple[str, str], int] = {}
    for number, item in enumerate(items, start=1):
        try:
            tracker = Tracker.from_json(item)
        except InvalidTracker as error:
            name = item.get("name") if isinstance(item, dict) else None
            which = f"tracker {number}"
            if isinstance(name, str) and name.strip():
                which += f" ({quote(name.strip())})"
            where = "" if error.field == WHOLE_TRACKER else f"{error.field}: "
            raise ImportRefused(
                f"{which}: {where}{error}; {_REFUSED}: correct the file and import it again"
            ) from None
        first = seen.setdefault((tracker.kind, tracker.name), number)
        if first != number:
            raise ImportRefused(
                f"trackers {first} and {number} are both named {quote(tracker.name)}: "
                f"rename one; {_REFUSED}"
            )
        trackers.append(tracker)
    return trackers


def export_document(trackers: Sequence[Tracker]) -> dict[str, Any]:
    """The export file's content, for these trackers."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "trackers": [t.to_json() for t in trackers],
    }


def export_text(data: dict[str, Any]) -> str:
    """The export file's text: the only place it is written out."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_export(path: Path, text: str) -> None:
    """Write an export to `path`, readable by the user alone.

    A new file is created 0600; a file that exists loses its group and other permissions
    before it is emptied, so the headers are never in a file others can read, and what the
    user can read or write stays so. Pipes and devices (`/dev/stdout`) are written as they are.

    :raises ExportFailed: saying in words what is wrong.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    except IsADirectoryError:
        raise ExportFailed(f"{path} is a folder: name a file to export to") from None
    except OSError as error:
        raise ExportFailed(_cannot_write(path, error)) from None
    with open(descriptor, "w", encoding="utf-8") as file:
        try:
            if stat.S_ISREG(os.fstat(descriptor).st_mode):
                take_away_group_and_other(descriptor)
                os.ftruncate(descriptor, 0)
            file.write(text)
            file.flush()
        except PermissionError:
            raise ExportFailed(
                f"cannot make {path} readable by you alone (it belongs to another user), and "
                "exports hold request headers: export to a file of your own"
            ) from None
        except OSError as error:
            raise ExportFailed(_cannot_write(path, error)) from None


def _cannot_write(path: Path, error: OSError) -> str:
    if isinstance(error, PermissionError):
        return f"cannot write {path}: permission denied; choose another file"
    if isinstance(error, FileNotFoundError):
        return f"cannot write {path}: its folder does not exist"
    return f"cannot write {path}: {error.strerror or error}"
