"""Decode page bytes to text when the declared charset cannot be trusted.

Order: BOM, then strict UTF-8 (valid non-ASCII UTF-8 is almost never an accident), then the
HTTP header and `<meta>` charsets decoded strictly, then detection (uchardet via resiliparse,
~180 MB/s). GBK/GB2312 are decoded as GB18030 (a strict superset) and Big5 as Big5-HKSCS, so a
page using the extensions still decodes. A declaration that fails strict decoding is a lie and is
skipped; the result records which source decided, so the report can count repaired charsets.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from resiliparse.parse.encoding import detect_encoding

_META_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE
)
_HEADER_RE = re.compile(r"charset\s*=\s*[\"']?\s*([a-zA-Z0-9_\-:.]+)", re.IGNORECASE)

# WHATWG-style aliases folded onto the widest Python codec for the family.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
}

_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


@dataclass(slots=True)
class Decoded:
    text: str
    charset: str  # the Python codec that decoded it
    source: str  # bom | utf8 | header | meta | detected | fallback
    declared: str | None  # what the page claimed (header, else meta), normalised
    replacement_ratio: float  # share of U+FFFD characters produced by decoding


def normalise_charset(name: str | None) -> str | None:
    """Map a declared charset label to a Python codec name, or None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    # codecs.lookup canonicalises e.g. "gb2312" itself; fold again after lookup.
    return _ALIASES.get(codec, codec)


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_RE.search(content_type)
    return m.group(1) if m else None


def meta_charset(data: bytes, scan: int = 4096) -> str | None:
    m = _META_RE.search(data[:scan])
    return m.group(1).decode("ascii", "replace") if m else None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _ratio(text: str) -> float:
    return text.count("\ufffd") / len(text) if text else 0.0


def decode_html(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode an HTML (or text) payload; never raises."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(codec, "replace")
            return Decoded(text, codec, "bom", None, _ratio(text))

    h = normalise_charset(header_charset(content_type))
    m = normalise_charset(meta_charset(data))
    declared = h or m

    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf8", declared, 0.0)

    for codec, source in ((h, "header"), (m, "meta")):
        if codec and codec != "utf-8":
            text = _strict(data, codec)
            if text is not None:
                return Decoded(text, codec, source, declared, 0.0)

    detected = normalise_charset(detect_encoding(data, html5_compatible=False) or "") or None
    if detected and detected != "utf-8":
        text = _strict(data, detected)
        if text is not None:
            return Decoded(text, detected, "detected", declared, 0.0)

    # Nothing decodes cleanly (a few corrupt bytes are common on real GBK pages): take the
    # candidate with the fewest replacement characters.
    best: Decoded | None = None
    for codec in dict.fromkeys(c for c in (detected, h, m, "gb18030", "utf-8", "big5hkscs") if c):
        text = data.decode(codec, "replace")
        cand = Decoded(text, codec, "fallback", declared, _ratio(text))
        if best is None or cand.replacement_ratio < best.replacement_ratio:
            best = cand
    assert best is not None
    return best
