"""Character-class statistics for CJK text, counted with compiled regexes (C speed, no Python loop)."""

from __future__ import annotations

import re

# CJK Unified Ideographs, Extension A, Compatibility Ideographs, Extensions B-F (planes 2-3).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d"
HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"

_HAN_RE = re.compile(f"[{HAN}]")
_KANA_RE = re.compile(f"[{KANA}]")
_HANGUL_RE = re.compile(f"[{HANGUL}]")
_SPACE_RE = re.compile(r"\s")


def count_han(text: str) -> int:
    return _HAN_RE.subn("", text)[1]


def count_kana(text: str) -> int:
    return _KANA_RE.subn("", text)[1]


def count_hangul(text: str) -> int:
    return _HANGUL_RE.subn("", text)[1]


def count_nonspace(text: str) -> int:
    return len(text) - _SPACE_RE.subn("", text)[1]


def cjk_ratio(text: str) -> float:
    """Share of Han characters among non-whitespace characters (ChineseWebText's 'Chinese share')."""
    n = count_nonspace(text)
    return count_han(text) / n if n else 0.0


def kana_ratio(text: str) -> float:
    """Kana share among Han + kana: any real Japanese prose has well over 5 % kana."""
    k = count_kana(text)
    h = count_han(text)
    return k / (k + h) if (k + h) else 0.0
