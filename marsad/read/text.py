"""Page bytes to text: UTF-8, UTF-16, the legacy Arabic code pages; text every store holds."""

from __future__ import annotations

import re

from marsad.read.base import ReadError, plural

_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_AL = re.compile("(?:^|\\s)\u0627\u0644")  # the article "ال" at a word start
# What a news page is written in: Latin, Arabic (and its presentation forms), punctuation. A
# binary file read as UTF-16 comes out as CJK and other scripts instead.
_WORDISH = re.compile(
    "[\\s\u0021-\u024f\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff"
    "\ufe70-\ufeff\u2000-\u206f\u00a0«»]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII = bytes(range(128))
# Share of the non-ASCII bytes that must be invalid UTF-8 before the bytes are taken for a
# legacy code page: a real Windows-1256 file is nearly all invalid sequences, a UTF-8 file
# with a stray byte or a cut last character has a few.
LEGACY_SHARE = 0.5
# A file that is not Arabic in any code page is still read as UTF-8 (with replacement) when
# at most this share of its bytes is invalid; beyond it, it is not text.
REPLACE_SHARE = 0.02


def _arabic_score(text: str) -> float:
    """How much a decoding looks like Arabic prose: Arabic letters, and ال at word starts."""
    if not text:
        return 0.0
    sample = text[:20000]
    return (len(_ARABIC_LETTER.findall(sample)) + 20 * len(_AL.findall(sample))) / len(sample)


def _looks_textual(text: str) -> bool:
    sample = text[:4096]
    return not _CONTROL.search(sample) and len(_WORDISH.findall(sample)) > 0.8 * len(sample)


def _legacy(data: bytes) -> tuple[str, str] | None:
    """Legacy Arabic code pages share most byte values; the one that reads as Arabic."""
    best: tuple[float, str, str] | None = None
    for enc in ("cp1256", "iso-8859-6"):
        text = data.decode(enc, errors="replace")
        score = _arabic_score(text) - text.count("\ufffd") / max(len(text), 1) * 50
        if best is None or score > best[0]:
            best = (score, text, enc)
    assert best is not None
    score, text, enc = best
    if score <= 0.05 or len(_CONTROL.findall(text[:4096])) > 8:
        return None
    return text, enc


def utf8_or_legacy(data: bytes, offset: int = 0) -> tuple[str, str, list[str]]:
    """UTF-8; bytes that are mostly invalid UTF-8 are a legacy code page; a few invalid bytes
    in UTF-8 are replaced (U+FFFD) with a warning naming the first one's byte offset."""
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        first = exc.start
    text = data.decode("utf-8", errors="replace")
    replacements = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    replaced = len(data) - (len(text.encode("utf-8")) - 3 * replacements)
    non_ascii = len(data) - len(data.translate(None, _ASCII))
    if replaced > LEGACY_SHARE * non_ascii:
        legacy = _legacy(data)
        if legacy is not None:
            return legacy[0], legacy[1], []
        if replaced > REPLACE_SHARE * len(data):
            raise ReadError("not decodable as UTF-8, UTF-16, Windows-1256 or ISO-8859-6 text")
    warning = f"invalid UTF-8 at byte {offset + first} ({plural(replaced, 'byte')} replaced)"
    return text, "utf-8", [warning]


def decode_page(data: bytes) -> tuple[str, str, list[str]]:
    """Decode page bytes; (text, encoding name, warnings). Raises ReadError when not text."""
    if not data.strip():
        raise ReadError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        text, _, warnings = utf8_or_legacy(data[3:], 3)
        return text, "utf-8-sig", warnings
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16", []
    utf16 = utf16_without_bom(data[:4096])
    if utf16 is not None:
        return data.decode(utf16, errors="replace"), utf16, []
    return utf8_or_legacy(data)


def utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a BOM when the head holds NUL bytes and reads as text that way; None
    when it has no NUL, or a stray few in UTF-8 text (dropped as `storable` drops them);
    ReadError when it has NULs and is no text (a binary file)."""
    nuls = head.count(0)
    if not nuls:
        return None
    if nuls <= max(2, len(head) // 200) and _utf8_head(head.replace(b"\x00", b"")):
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        text = head[: len(head) // 2 * 2].decode(enc, errors="replace")
        if "\ufffd" not in text.rstrip("\ufffd") and _looks_textual(text):
            return enc
    raise ReadError("binary file (NUL bytes), not a text, HTML or JSON Lines page")


def _utf8_head(head: bytes) -> bool:
    """Whether these first bytes of a file are UTF-8 text (a character cut at the end
    allowed)."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return _looks_textual(text)


def decode(data: bytes) -> tuple[str, str]:
    """Decode page bytes; return (text, encoding name). Raises ReadError when not text."""
    text, encoding, _ = decode_page(data)
    return text, encoding


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """Text every store can hold: NUL (U+0000) dropped, each lone UTF-16 surrogate (JSON may
    escape one: "\\ud800") replaced by U+FFFD. Reading and the API both apply it."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text
