"""Extraction quality metrics.

Chinese has no word boundaries and hand-made gold text has arbitrary line breaks, so the fair
unit is the character with all whitespace removed (as in the cwced dataset's own README advice).
"""

from __future__ import annotations

from collections import Counter


def _chars(text: str) -> Counter[str]:
    return Counter("".join(text.split()))


def char_f1(pred: str, gold: str) -> tuple[float, float, float]:
    """Bag-of-characters (precision, recall, F1), whitespace-insensitive.

    precision = |pred ∩ gold| / |pred|, recall = |pred ∩ gold| / |gold| over character multisets.
    Both empty counts as a perfect match; exactly one empty scores 0.
    """
    p, g = _chars(pred), _chars(gold)
    n_p, n_g = p.total(), g.total()
    if n_p == 0 and n_g == 0:
        return 1.0, 1.0, 1.0
    if n_p == 0 or n_g == 0:
        return 0.0, 0.0, 0.0
    common = (p & g).total()
    if common == 0:
        return 0.0, 0.0, 0.0
    prec, rec = common / n_p, common / n_g
    return prec, rec, 2 * prec * rec / (prec + rec)
