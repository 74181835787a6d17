"""Text normalisation for Chinese web text: entities and invisible characters, NFKC that keeps
Chinese punctuation, pinyin-annotation repair, Traditional -> Simplified, punctuation runs,
whitespace.

Every function is idempotent (f(f(x)) == f(x)) and never raises on any `str`, lone surrogates
included: coarse normalises, fine normalises again, and a Spark task must not die on one page.

Why NFKC is not applied as is (measured on People's Daily 1998, zhwiki, SogouCS, ChineseWebText
and the cwced gold texts, 3.0 M characters; see `nfkc_zh`): plain NFKC rewrites 4-11 % of all
characters of Chinese text, and most of them are the full-width clause punctuation `，！？：；（）`
(People's Daily: 75 k of 151 k changed characters are `，`). It turns those into ASCII but leaves
`。、“”《》` alone, so every sentence ends up with mixed widths, and it turns the ellipsis `……`
into `......`. Restoring the widths afterwards by "next to a Han character" is lossy: it misses
2.9-6.6 % of the original full-width marks (after digits, Latin words and closing quotes:
`1998年，` works, `”，` and `GDP）` do not). Protecting them from NFKC loses none, so we protect.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np

from mdfs.text.cjk import HAN_RANGES, count_han

# --------------------------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------------------------

HAN_CLASS = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in HAN_RANGES)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SURROGATE_RUNS_RE = re.compile("([\ud800-\udfff]+)")

# Full-width punctuation that Chinese typesetting uses and NFKC would turn into ASCII, the
# ellipsis (NFKC: "..."), circled numbers (NFKC: "1", which loses list structure: "①经济②政治"
# -> "1经济2政治") and the area/volume marks of real-estate and product pages (NFKC: "m2").
PROTECTED = "，！？：；（）…" + "".join(map(chr, range(0x2460, 0x2474))) + "²³㎡㎥"

# ASCII clause punctuation written directly after a Han character is the author's half-width
# slip inside Chinese (zhwiki: 114 of 1,478 ASCII commas; ChineseWebText: 107 of 149): made
# full-width so a document ends up with one width. Only after Han, so `10:30`, `f(x)` and
# English text keep ASCII.
_HALF_TO_FULL = {",": "，", "!": "！", "?": "？", ":": "：", ";": "；"}
# (Patterns start with a literal or a small class and look behind afterwards: sre then scans for
# the first character in C, 4-6x faster than a leading lookbehind tried at every position.)
_HALF_AFTER_HAN_RE = re.compile(f"[,!?:;](?<=[{HAN_CLASS}].)")
# A half-width parenthesis pair after a Han character or around Han text: `值(GDP)` -> `值（GDP）`.
# The content may not hold any parenthesis, so an outer pair never changes on a second pass.
_PAREN_RE = re.compile(r"\(([^()（）\n]{0,200})\)")
_HAN_RE = re.compile(f"[{HAN_CLASS}]")


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@lru_cache(maxsize=1)
def _nfkc_table() -> np.ndarray:
    """Per code point: 1 if NFKC rewrites it, 2 if it can compose or reorder with its
    neighbours (combining marks, Hangul medial/final jamo), else 0. PROTECTED are 0.

    Built once per process (~0.7 s). It lets NFKC run only where the text needs it: most code
    points of Chinese text are NFKC-stable Han, and one numpy lookup finds the rest, 5-10x
    faster than normalising whole documents.
    """
    t = np.zeros(0x110000, dtype=np.uint8)
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if unicodedata.normalize("NFKC", ch) != ch:
            t[cp] = 1
        elif unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Mc", "Me") or 0x1160 <= cp <= 0x11FF:
            t[cp] = 2
    for ch in PROTECTED:
        t[ord(ch)] = 0
    return t


_NO_STARTER = frozenset(PROTECTED + "\n")


@lru_cache(maxsize=65536)
def _nfkc_run(run: str) -> str:
    return unicodedata.normalize("NFKC", run)


def _width_fix(text: str) -> tuple[str, int]:
    """Half-width clause punctuation and parentheses in Chinese context -> full-width."""
    n = 0

    def punct(m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return _HALF_TO_FULL[m.group()]

    def paren(m: re.Match[str]) -> str:
        nonlocal n
        s = m.start()
        if (s and _HAN_RE.match(text, s - 1)) or _HAN_RE.search(m.group(1)):
            n += 2
            return "（" + m.group(1) + "）"
        return m.group()

    if "(" in text:
        text = _PAREN_RE.sub(paren, text)
    text = _HALF_AFTER_HAN_RE.sub(punct, text)
    return text, n


def nfkc_zh(text: str) -> str:
    """NFKC except for Chinese full-width punctuation, then half-width punctuation in Chinese
    context made full-width. See the module docstring for the measurement behind the choice."""
    text, _ = _nfkc_core(text)
    return _width_fix(text)[0]


def _nfkc_core(text: str) -> tuple[str, int]:
    """NFKC with PROTECTED characters kept; returns (text, characters NFKC rewrote).

    Normalises each run of flagged characters together with the character before it (a
    starter that a mark may compose with), unless that one is protected or a newline.
    """
    if not text or text.isascii():
        return text, 0
    flags = _nfkc_table()[_codepoints(text)]
    idx = np.flatnonzero(flags)
    if not len(idx):
        return text, 0
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = [int(idx[0])] + idx[breaks + 1].tolist()
    ends = (idx[breaks] + 1).tolist() + [int(idx[-1]) + 1]
    out: list[str] = []
    pos = 0
    for s, e in zip(starts, ends):
        if s > pos and text[s - 1] not in _NO_STARTER:
            s -= 1
        run = text[s:e]
        norm = _nfkc_run(run)
        if norm != run:
            out.append(text[pos:s])
            out.append(norm)
            pos = e
    if not out:
        return text, 0
    out.append(text[pos:])
    # Characters flagged 1 change in any context; marks alone (flag 2) are not counted.
    return "".join(out), int(np.count_nonzero(flags == 1))


# --------------------------------------------------------------------------------------------
# HTML entities and invisible characters
# --------------------------------------------------------------------------------------------

# Named (HTML5 list, with `;`), decimal and hex entities, and the common `&nbsp` without `;`.
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,8};|#[xX][0-9a-fA-F]{1,7};|[A-Za-z][A-Za-z0-9]{1,31};|nbsp(?![A-Za-z0-9;]))")
# Zero-width and format characters (ZWSP/ZWNJ/ZWJ, word joiner, BOM, soft hyphen, bidi marks),
# C0/C1 controls other than the whitespace ones (whitespace normalisation maps those), lone
# surrogates (they cannot be written as UTF-8, so Arrow and Parquet would reject the row).
_INVISIBLE_RE = re.compile(
    "[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u202a-\u202e\u2066-\u2069\u180e"
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]+"
)


def _decode_entity(s: str) -> str:
    if s == "&nbsp":
        return "\xa0"
    out = html.unescape(s)
    if out == s:  # unknown name (`&foo;`): not an entity, leave the text alone
        return s
    if out == "\ufffd" or _INVISIBLE_RE.fullmatch(out):  # &#0; &#xD800; &#1; &#8203;: drop
        return ""
    return out


def strip_entities_zw(text: str) -> tuple[str, int]:
    """Decode leftover HTML entities and drop zero-width/invisible characters.

    Returns (text, entities decoded + invisible characters removed). Repeats until nothing is
    left, so double-escaped `&amp;nbsp;` and entities split by a ZWSP end up decoded and the
    function stays idempotent; each round shrinks the text, so it terminates.
    """
    total = 0
    while True:
        n = 0

        def decode(m: re.Match[str]) -> str:
            nonlocal n
            out = _decode_entity(m.group())
            n += out != m.group()
            return out

        if "&" in text:
            text = _ENTITY_RE.sub(decode, text)
        if _INVISIBLE_RE.search(text):
            size = len(text)
            text = _INVISIBLE_RE.sub("", text)
            n += size - len(text)
        if not n:
            return text, total
        total += n


# --------------------------------------------------------------------------------------------
# Pinyin annotations
# --------------------------------------------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PY_LETTERS = f"a-zü{_TONED}"
# One or more parenthesised syllables (half- or full-width parentheses) right after a Han
# character: `術(shù)`, `應（yīng）`.
_PINYIN_RE = re.compile(
    f"[(（](?<=[{HAN_CLASS}][(（])[{_PY_LETTERS}]{{1,6}}[)）](?:[(（][{_PY_LETTERS}]{{1,6}}[)）])*"
)
_PY_GROUP_RE = re.compile(f"[(（]([{_PY_LETTERS}]{{1,6}})[)）]")
_TONED_RE = re.compile(f"[{_TONED}]")
# Untoned syllables (neutral tone: `的(de)`) are structurally checked; they are removed only in a
# document that shows injection (see repair_pinyin), since `方案(a)` or `(ok)` can be genuine.
_PLAIN_SYLLABLE_RE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iong|iang|uang|ang|eng|ing|ong|ian|iao|uai|uan|üan|van|ai|ei|ao|ou|an|en|in|un|ün|vn|er"
    r"|ia|ie|iu|ua|uo|ui|üe|ve|ue|a|o|e|i|u|ü|v)"
)


def _toned_syllable(s: str) -> bool:
    return len(_TONED_RE.findall(s)) == 1


def repair_pinyin(text: str, plain_min_toned: int = 2) -> tuple[str, int]:
    """Remove pinyin injected after characters: `電子技術(shù)應(yīng)用` -> `電子技術應用`.

    Anti-scraping sites put a syllable with a tone mark in parentheses after some characters;
    left in, it breaks word statistics and fails duplicate n-gram rules (see shared/ANCHORS.md).
    A group is removed when it follows a Han character and holds one toned syllable; untoned
    syllables (neutral tone) go too when the text has at least `plain_min_toned` toned ones.
    `（2019年）`, `(GDP)` and `x(ā)` after a non-Han character are never touched. Returns
    (text, annotations removed).
    """
    if "(" not in text and "（" not in text:
        return text, 0
    chains = _PINYIN_RE.findall(text)
    if not chains:
        return text, 0
    toned = sum(_toned_syllable(g) for c in chains for g in _PY_GROUP_RE.findall(c))
    allow_plain = toned >= plain_min_toned
    n = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal n
        groups = list(_PY_GROUP_RE.finditer(m.group()))
        k = 0  # remove the longest qualifying prefix of the chain
        for g in groups:
            s = g.group(1)
            if _toned_syllable(s) or (allow_plain and not _TONED_RE.search(s) and _PLAIN_SYLLABLE_RE.fullmatch(s)):
                k += 1
            else:
                break
        if not k:
            return m.group()
        n += k
        return m.group()[groups[k - 1].end():]

    text = _PINYIN_RE.sub(fix, text)
    return text, n


# --------------------------------------------------------------------------------------------
# Traditional -> Simplified
# --------------------------------------------------------------------------------------------

# Characters that are correct Simplified Chinese although OpenCC t2s changes them. Measured: t2s
# on 2,819 People's Daily 1998 documents (all Simplified) changed 20 characters, all wrong: 乾
# (萧乾, 王丙乾, 乾坤), 塚 (三塚博), 藉 (藉以), 榘 (朱文榘); zhwiki/SogouCS add 噁 (二噁英). The rest are
# the characters OpenCC's own phrase table keeps (毕昇, 萧乾, 杨联陞…) and its character table then
# converts on a second pass, the reason t2s alone is not idempotent (t2s(t2s(x)) != t2s(x)).
# 於 and 計 are in that chain too but are left out: in Simplified text they are almost always
# half-converted leftovers (cwced: 135 x 於), and converting them is right.
KEEP_IN_SIMPLIFIED = frozenset("乾塚藉榘噁剋劄吒徵扞昇氾濛祕脩苧蒐薹袷谿釐陞麽")


@lru_cache(maxsize=4)
def _opencc(config: str) -> Any:
    """One OpenCC converter per process and config (the C++ binding: ~100 MB/s; the pure-Python
    reimplementation is ~1 MB/s, and both install a module called `opencc`)."""
    import opencc

    return opencc.OpenCC(config)


_KEEP_CPS = np.array(sorted(map(ord, KEEP_IN_SIMPLIFIED)), dtype=np.uint32)


def _convert(conv: Any, text: str) -> str:
    """OpenCC cannot encode lone surrogates: then convert the pieces between them."""
    try:
        return conv.convert(text)
    except UnicodeEncodeError:
        return "".join(p if _SURROGATE_RE.match(p) else conv.convert(p) for p in _SURROGATE_RUNS_RE.split(text))


def to_simplified(text: str, config: str = "t2s", traditional_ratio: float = 0.05) -> tuple[str, int]:
    """Traditional -> Simplified with OpenCC; returns (text, characters changed).

    A document where t2s would change at least `traditional_ratio` of the Han characters
    (characters of KEEP_IN_SIMPLIFIED aside) is Traditional and converted in full: real
    Traditional text scores 0.20-0.34 (People's Daily through s2t: min 0.195, median 0.344).
    Below that it is Simplified text with leftovers (於, 後, a quoted title): those are converted,
    but KEEP_IN_SIMPLIFIED characters are kept, so names like 萧乾 survive. The result is run
    through t2s again until only kept characters would change, which makes this idempotent.
    """
    if not text or text.isascii():
        return text, 0
    conv = _opencc(config)
    out = _convert(conv, text)
    if out == text:
        return text, 0
    if len(out) != len(text):  # t2s maps one character to one; never seen, but be safe
        return out, sum(a != b for a, b in zip(text, out)) + abs(len(out) - len(text))
    orig = _codepoints(text)
    cur = _codepoints(out)
    diff = orig != cur
    keep = diff & np.isin(orig, _KEEP_CPS)
    n_han = count_han(text)
    if n_han and (int(diff.sum()) - int(keep.sum())) / n_han < traditional_ratio:
        cur = np.where(keep, orig, cur)
    for _ in range(3):  # converge: chains like 畢昇 -> 毕昇 -> 毕升 stop at kept characters
        s = cur.tobytes().decode("utf-32-le", "surrogatepass")
        nxt = _codepoints(_convert(conv, s))
        if len(nxt) != len(cur):
            break
        step = (nxt != cur) & ~np.isin(cur, _KEEP_CPS)
        if not step.any():
            break
        cur = np.where(step, nxt, cur)
    result = cur.tobytes().decode("utf-32-le", "surrogatepass")
    return result, int((cur != orig).sum())


# --------------------------------------------------------------------------------------------
# Punctuation runs
# --------------------------------------------------------------------------------------------

# A run of one full-width clause mark (possibly mixed with its ASCII twin) is a typo or an
# emphasis: `，，` -> `，`, `！！！` -> `！`. Pure-ASCII runs are left alone (`std::map`, `for(;;)`,
# English `!!`). `？！` and `！？` are genuine and kept. `……` is the Chinese ellipsis; `。。。`,
# `…` x3+ and `…。` are web spellings of it; `。。` is a typo. One pass: the pattern opens with
# a class of the marks and checks which one behind, so sre scans in C (160 MB/s vs 75 for two).
_PUNCT_RUN_RE = re.compile(
    r"[，、；：！？。…](?:(?<=，)[，,]+|(?<=、)、+|(?<=；)[；;]+|(?<=：)[：:]+|(?<=！)[！!]+|(?<=？)[？?]+|(?<=[。…])[。…]+)"
)


def collapse_punct(text: str) -> tuple[str, int]:
    """Collapse repeated punctuation; returns (text, runs collapsed)."""
    n = 0

    def collapse(m: re.Match[str]) -> str:
        nonlocal n
        s = m.group()
        if s == "……":
            return s
        n += 1
        if s[0] not in "。…":
            return s[0]
        return "。" if s == "。。" else "……"

    return _PUNCT_RUN_RE.sub(collapse, text), n


# --------------------------------------------------------------------------------------------
# Whitespace
# --------------------------------------------------------------------------------------------

_BLANKS_RE = re.compile(r"\n{3,}")


def normalize_whitespace(text: str) -> str:
    """One newline convention, single spaces, stripped lines, at most one blank line.

    Single spaces are kept everywhere, between Han characters too: they separate Latin words,
    and in Chinese pages they separate menu items and list entries, which fine's navigation
    rule needs to see. U+3000 paragraph indents disappear with the line stripping.
    `str.splitlines` and `str.split` do the work in C (\r\n, \r, \v, \f, \x1c-\x1e, \x85, U+2028/9
    are line breaks; every Unicode space separates): ~10x faster than regex passes.
    """
    if not text:
        return text
    text = "\n".join([" ".join(line.split()) for line in text.splitlines()])
    if "\n\n\n" in text:
        text = _BLANKS_RE.sub("\n\n", text)
    return text.strip("\n")


# --------------------------------------------------------------------------------------------
# Everything, in order
# --------------------------------------------------------------------------------------------


def normalize(text: str, cfg: dict[str, Any]) -> tuple[str, dict[str, int]]:
    """Apply the enabled normalisers; returns (text, nonzero edit counts).

    Order, and why: NFKC first and entities/invisibles right after, repeated until neither
    changes anything (an entity can decode to a compatibility character, a removed ZWSP can
    join a combining sequence or split entity); pinyin repair after NFKC (tone marks are
    composed by then, full-width letters are ASCII) and before t2s (OpenCC converts by phrases,
    which only match once `技術(shù)應(yīng)用` is contiguous again); punctuation after t2s; whitespace
    last, since nothing after it can add whitespace.
    """
    edits: dict[str, int] = {}

    def add(key: str, n: int) -> None:
        if n:
            edits[key] = edits.get(key, 0) + n

    if not isinstance(text, str) or not text:
        return "" if not isinstance(text, str) else text, edits
    do_nfkc = cfg.get("nfkc", True)
    for _ in range(10):
        if do_nfkc:
            text, n = _nfkc_core(text)
            add("nfkc_changed_chars", n)
        if not cfg.get("strip_entities", True):
            break
        text, n = strip_entities_zw(text)
        add("entities_removed", n)
        if not n or not do_nfkc:
            break
    if cfg.get("repair_pinyin", True):
        text, n = repair_pinyin(text, cfg.get("pinyin_plain_min_toned", 2))
        add("pinyin_repairs", n)
    if do_nfkc:  # after pinyin repair: in `術(shù),` the comma only follows Han once repaired
        text, n = _width_fix(text)
        add("nfkc_changed_chars", n)
    if cfg.get("t2s", True):
        text, n = to_simplified(text, cfg.get("opencc_config", "t2s"), cfg.get("t2s_traditional_ratio", 0.05))
        add("t2s_chars", n)
    if cfg.get("collapse_punct", True):
        text, n = collapse_punct(text)
        add("punct_collapsed", n)
    if cfg.get("whitespace", True):
        text = normalize_whitespace(text)
    return text, edits
