"""Which character encoding a page is written in, and its text.

The order is the HTML standard's: a byte order mark wins, then the charset of the Content-Type
header, then a `<meta>` declaration found by the standard's prescan of the first 1024 bytes. Pages
that declare nothing are read as UTF-8 when they are valid UTF-8, else charset-normalizer guesses,
else UTF-8. Decoding never raises: bytes that do not fit the encoding become U+FFFD.

Encoding names returned are Python codec names (`"utf-8"`, `"cp1252"`, `"cp932"`), so the text can
always be decoded again with them.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

__all__ = ["decode_html", "encoding_for_label"]

# The prescan looks at no more than this many bytes, as the HTML standard says.
PRESCAN_BYTES = 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)

# The encodings a browser knows (the WHATWG Encoding standard), as Python codecs. A label naming
# anything else is ignored: Python also has codecs such as utf-7, rot13 or unicode_escape that no
# web page may use, and some of them are not even text encodings.
_WEB_ENCODINGS = frozenset(
    {
        "utf-8", "utf-16-be", "utf-16-le", "cp866", "koi8-r", "koi8-u", "mac-roman",
        "mac-cyrillic", "cp874", "gbk", "gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "cp932",
        "cp949",
        "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
        "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
        "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    }
)  # fmt: skip

# What every encoding label looks like; the longest has 24 characters.
_LABEL = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,39}")

# Where a browser reads a label as a wider encoding than Python's codec of the same name: pages
# labelled latin-1 or ascii are really windows-1252, Shift_JIS is Microsoft's cp932, and so on.
# The JIS X 0213 variants are what charset-normalizer calls the Japanese encodings it detects.
_BROWSER_READS_AS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift_jis_2004": "cp932",
    "shift_jisx0213": "cp932",
    "euc_jis_2004": "euc_jp",
    "euc_jisx0213": "euc_jp",
    "euc_kr": "cp949",
    "utf-16": "utf-16-le",
}

# Labels the Encoding standard knows and Python's codec registry does not.
_BROWSER_ONLY_LABELS = {
    **{f"x-cp125{digit}": f"cp125{digit}" for digit in range(9)},
    "windows-874": "cp874",
    "dos-874": "cp874",
    "iso-8859-8-i": "iso8859-8",
    "iso88591": "cp1252",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-gbk": "gbk",
    "x-euc-jp": "euc_jp",
    "cn-big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "mac": "mac-roman",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "ucs-2": "utf-16-le",
    "unicode": "utf-16-le",
    "csunicode": "utf-16-le",
    "iso-10646-ucs-2": "utf-16-le",
    "unicodefeff": "utf-16-le",
    "unicodefffe": "utf-16-be",
    # Its own single-byte encoding in the standard; the meta prescan reads it as windows-1252.
    "x-user-defined": "cp1252",
}


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Return the page's text and the Python codec it was decoded with; never raises.

    Guessing an undeclared encoding can take a while on a large page: call it off the event loop.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), encoding
    encoding = (
        _charset_of(content_type) or prescan_meta(body[:PRESCAN_BYTES]) or _guess_encoding(body)
    )
    return body.decode(encoding, errors="replace"), encoding


def encoding_for_label(label: str) -> str | None:
    """The Python codec a browser would use for an encoding label, or None if it knows none."""
    label = label.strip("\t\n\f\r ").lower()
    if not _LABEL.fullmatch(label):
        return None  # no encoding is called that, and Python's lookup need not see it
    name = _BROWSER_ONLY_LABELS.get(label)
    if name is None:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            return None
        name = _BROWSER_READS_AS.get(name, name)
    return name if name in _WEB_ENCODINGS else None


def _charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return encoding_for_label(value.strip().strip("\"'"))
    return None


def _guess_encoding(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"  # pure ASCII too: the most likely encoding of whatever comes later
    # The whole body: a sample could end in the middle of a multibyte character, and then the
    # right encoding is the one that fails to decode it. Up to half a second for 10 MB, and only
    # for pages that neither declare an encoding nor are UTF-8.
    best = charset_normalizer.from_bytes(body).best()
    guessed = encoding_for_label(best.encoding) if best is not None else None
    return guessed or "utf-8"


# -- The HTML standard's prescan for a <meta> declaration ---------------------------------------
# https://html.spec.whatwg.org/multipage/parsing.html#prescan-a-byte-stream-to-determine-its-encoding
# Followed step by step so that what we find is what a browser finds, comments and all.

_SPACE = b"\t\n\f\r "
_AFTER_META = (b"\t", b"\n", b"\f", b"\r", b" ", b"/")


class _EndOfInput(Exception):
    """The bytes ran out before the prescan found an answer."""


def prescan_meta(head: bytes) -> str | None:
    """The encoding a `<meta>` in these first bytes declares, as a Python codec name."""
    try:
        return _Prescan(head).run()
    except _EndOfInput:
        return None


class _Prescan:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise _EndOfInput
        return self.data[self.pos]

    def at(self, prefix: bytes) -> bool:
        return self.data[self.pos : self.pos + len(prefix)].lower() == prefix

    def skip_to(self, marker: bytes, start: int) -> None:
        """Put the position on the last byte of the next `marker` found from `start`."""
        found = self.data.find(marker, start)
        if found < 0:
            raise _EndOfInput
        self.pos = found + len(marker) - 1

    def run(self) -> str | None:
        while self.pos < len(self.data):
            if self.at(b"<!--"):
                self.skip_to(b"-->", self.pos + 2)  # "<!-->" is a whole comment
            elif self.at(b"<meta") and self.data[self.pos + 5 : self.pos + 6] in _AFTER_META:
                self.pos += 6
                encoding = self.meta()
                if encoding is not None:
                    return encoding
            elif self.at(b"<") and self.tag_start():
                self.pos += 2 if self.at(b"</") else 1
                while self.byte() not in _SPACE and self.byte() != ord(">"):
                    self.pos += 1
                while self.attribute() is not None:
                    pass
            elif self.at(b"<!") or self.at(b"</") or self.at(b"<?"):
                self.skip_to(b">", self.pos)
            self.pos += 1
        return None

    def tag_start(self) -> bool:
        """A start tag `<x` or an end tag `</x`, x an ASCII letter."""
        name = self.data[self.pos + 1 : self.pos + 3]
        if name.startswith(b"/"):
            name = name[1:]
        return name[:1].isalpha()

    def meta(self) -> str | None:
        seen: set[bytes] = set()
        got_pragma = False
        need_pragma: bool | None = None
        charset: str | None = None
        while (attribute := self.attribute()) is not None:
            name, value = attribute
            if name in seen:
                continue
            seen.add(name)
            if name == b"http-equiv":
                got_pragma = got_pragma or value == b"content-type"
            elif name == b"content" and charset is None:
                declared = _charset_in_content(value)
                if declared is not None and encoding_for_label(declared) is not None:
                    charset, need_pragma = declared, True
            elif name == b"charset":
                charset, need_pragma = value.decode("latin-1"), False
        if need_pragma is None or (need_pragma and not got_pragma) or charset is None:
            return None
        encoding = encoding_for_label(charset)
        if encoding in ("utf-16-be", "utf-16-le"):
            return "utf-8"  # bytes we can read as ASCII are not UTF-16, whatever they say
        return encoding

    def attribute(self) -> tuple[bytes, bytes] | None:
        """The standard's "get an attribute": (name, value) lower-cased, or None at `>`."""
        while self.byte() in _SPACE or self.byte() == ord("/"):
            self.pos += 1
        if self.byte() == ord(">"):
            return None
        name = bytearray()
        while True:
            byte = self.byte()
            if byte == ord("=") and name:
                self.pos += 1
                break
            if byte in _SPACE:
                while self.byte() in _SPACE:
                    self.pos += 1
                if self.byte() != ord("="):
                    return bytes(name).lower(), b""
                self.pos += 1
                break
            if byte in b"/>":
                return bytes(name).lower(), b""
            name.append(byte)
            self.pos += 1
        while self.byte() in _SPACE:
            self.pos += 1
        value = bytearray()
        quote = self.byte()
        if quote in b"\"'":
            self.pos += 1
            while (byte := self.byte()) != quote:
                value.append(byte)
                self.pos += 1
            self.pos += 1
            return bytes(name).lower(), bytes(value).lower()
        if quote == ord(">"):
            return bytes(name).lower(), b""
        while (byte := self.byte()) not in _SPACE and byte != ord(">"):
            value.append(byte)
            self.pos += 1
        return bytes(name).lower(), bytes(value).lower()


def _charset_in_content(content: bytes) -> str | None:
    """The standard's "extracting a character encoding from a meta element" (`content=`)."""
    pos = 0
    while (found := content.find(b"charset", pos)) >= 0:
        pos = _skip_space(content, found + len(b"charset"))
        if content[pos : pos + 1] != b"=":
            continue
        rest = content[_skip_space(content, pos + 1) :]
        if rest[:1] in (b'"', b"'"):
            end = rest.find(rest[:1], 1)
            return rest[1:end].decode("latin-1") if end > 0 else None
        label = re.split(rb"[\t\n\f\r ;]", rest, maxsplit=1)[0]
        return label.decode("latin-1") or None
    return None


def _skip_space(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] in _SPACE:
        pos += 1
    return pos
