"""Coarse document-level quality rules for Chinese web text.

Every statistic a rule needs is computed once per document by `features` / `features_batch`
(a `DocFeatures`); each rule is a small function of those features and the `[coarse]` config
section that returns `(reason, detail)` or None. `check` runs `RULES` in order (cheapest first, so
the reported reason is the plainest failure) and returns the first failure.

Why characters and not words: Chinese has no spaces, and jieba runs at ~0.5 MB/s, far too slow for
every byte of a crawl. Character classes come from one code-point lookup table and one
`np.bincount` (as in `mdfs.text.cjk`); Gopher's n-gram statistics are taken over character
n-grams with 64-bit polynomial hashes sorted in numpy, never a Python dict over every n-gram.

Why batches: on 1-2 KB documents numpy's per-call overhead, not the work, dominates (~100 calls a
document). `features_batch` makes the same calls once for a whole Arrow batch, with the document
index in the high bits of every sort key; `features(text)` is a batch of one.

The text is expected to be normalised already (NFKC, Traditional -> Simplified, pinyin
annotations removed): injected pinyin doubles the duplicate 5-gram fraction of a good page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from mdfs.text.cjk import HAN_RANGES, HANGUL_RANGES, KANA_RANGES

# Character classes of the coarse lookup table (finer than mdfs.text.cjk's).
OTHER, HAN, KANA, HANGUL, SPACE, LATIN, DIGIT, PUNCT, SYMBOL, REPL = range(10)
N_CLASSES = 10

TOP_NGRAM_NS = (2, 3, 4)
DUP_NGRAM_NS = (5, 6, 7, 8, 9, 10)

# Single code points that only appear in Chinese text through mis-decoding: U+FFFD, control
# characters (binary garbage; C1 ones are UTF-8 read as Latin-1), and the Han characters that UTF-8
# punctuation and the commonest characters turn into when read as GBK (，-> 锛, 。、-> 銆, “” -> 鈥,
# 的 -> 鐨, 是 -> 鏄, 在 -> 鍦).
# They are real characters but almost never used, so a density of them is a reliable signal.
_MOJIBAKE_CHARS = "\ufffd锛銆鈥鐨鏄鍦"
# Multi-character mojibake the pair rule below cannot see, counted with str.count and weighted by
# length: UTF-8 of U+FFFD read as GBK, "ï¼" (UTF-8 full-width punctuation read as Latin-1) after
# NFKC, MSVC's fill bytes.
_MOJIBAKE_SEQS = ("锟斤拷", "ï1⁄4", "烫烫烫烫", "屯屯屯屯")
# Latin-1 / cp1252 characters that occur in Chinese text on their own (· × ÷ ° § ± µ ¥ £) are
# left out; any two adjacent of the rest ("Ã©", "ÖÐ") are UTF-8 or GBK bytes read as Latin-1.
_LATIN1_OK = "·×÷°§±µ¥£\u00a0\u00ad"
_CP1252_EXTRA = "€‚ƒ„†‡ˆ‰Š‹ŒŽ•˜™š›œžŸ"


def _build_tables() -> tuple[np.ndarray, np.ndarray]:
    """(class table, mojibake flag table) over all code points; built once per process, ~0.4 s."""
    cls = np.full(0x110000, OTHER, dtype=np.uint8)
    for cp in range(0x30000):
        cat = unicodedata.category(chr(cp))
        c0 = cat[0]
        if c0 == "L":
            if cp < 0x80 or unicodedata.name(chr(cp), "").startswith("LATIN"):
                cls[cp] = LATIN
        elif cat == "Nd":
            cls[cp] = DIGIT
        elif c0 == "P":
            cls[cp] = PUNCT
        elif c0 == "S" or cat in ("Cc", "Cf", "Co", "Cs"):
            cls[cp] = SYMBOL
    cls[0xE0000:0xE0080] = SYMBOL  # tag characters (Cf)
    cls[0xF0000:0x110000] = SYMBOL  # supplementary private use planes
    for c, ranges in ((HAN, HAN_RANGES), (KANA, KANA_RANGES), (HANGUL, HANGUL_RANGES)):
        for lo, hi in ranges:
            cls[lo : hi + 1] = c
    cls[0x3007] = HAN  # 〇, the ideographic zero of dates such as 二〇〇八年
    for cp in range(0x3001):
        if chr(cp).isspace():
            cls[cp] = SPACE
    cls[0xFEFF] = SPACE  # BOM / zero-width no-break space: invisible, not content
    cls[0xFFFD] = REPL

    flags = np.zeros(0x110000, dtype=np.uint8)
    for ch in _MOJIBAKE_CHARS:
        flags[ord(ch)] |= 1
    for cp in (*range(0x20), 0x7F, *range(0x80, 0xA0)):  # C0/C1 controls: binary garbage in text
        if cls[cp] != SPACE:
            flags[cp] |= 1
    flags[0x80:0x100] |= 2
    for ch in _LATIN1_OK:
        flags[ord(ch)] &= ~np.uint8(2)
    for ch in _CP1252_EXTRA:
        flags[ord(ch)] |= 2
    return cls, flags


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    return _build_tables()


# A navigation line: a whole line that is a menu entry, a breadcrumb, a pager, a "more" link, a
# site-furniture label, or list metadata (a post title ending in a timestamp, "主题: 144, 帖数: 1136").
# Chinese list, forum and portal pages are mostly such lines; articles have a few.
_NAV_WORDS = (
    "首页|网站首页|返回首页|返回顶部|返回列表|返回|上一篇|下一篇|上一页|下一页|上一条|下一条|尾页|末页|"
    "登录|登陆|注册|免费注册|退出|帮助|搜索|联系我们|关于我们|网站地图|站点地图|设为首页|加入收藏|收藏本站|"
    "收藏|分享|分享到|打印|关闭|关闭窗口|扫一扫|更多|查看更多|点击查看|展开|展开全文|收起|全文|阅读全文|"
    "相关阅读|相关文章|相关新闻|热门推荐|推荐阅读|猜你喜欢|热门文章|最新文章|点击排行|排行榜|热门标签|标签|"
    "友情链接|版权所有|版权声明|免责声明|隐私政策|意见反馈|投诉建议|广告服务|网站导航|导航|频道|栏目|"
    "责任编辑|编辑|来源|评论|发表评论|我要评论|回复|举报|点赞|顶|踩|赞|订阅|关注我们|微信|微博|客户端|APP下载"
)
# Inside a line only: "\s" would let a pattern run across line breaks.
_SEP = r"(?:[ \t]*[|｜>»›/•][ \t]*|[ \t]+)"  # not "·": People's Daily writes it as a decimal point
_TIME = r"(?:\d{1,2}:\d{2}(?::\d{2})?|\d+[ \t]*(?:秒|分钟|小时|天|周|个月)前|刚刚|昨天|前天)"
_NAV_LINE = re.compile(
    r"^(?:"
    # a bare furniture label, optionally with a colon and a short value: "上一篇：某某", "来源：新华社"
    rf"(?:[\[【(<]?(?:{_NAV_WORDS})[\]】)>]?)(?:[:：].{{0,40}}|[ \t]*[>»]+)?"
    # a short line ending in a "more" link: "国内新闻 更多>>", "[详细]", "。。。" (a bare word needs a
    # separator before it: headlines end in "全面展开" too)
    r"|.{0,30}?(?:(?:^|[ \t\[【(])(?:更多|展开|全文|详情|详细|查看全部)[\]】)]?|>>|»|。。。)[ \t]*[>»]*"
    # a menu or breadcrumb: three or more short words separated by spaces or | > / •
    rf"|\w{{1,8}}(?:{_SEP}\w{{1,8}}){{2,}}"
    # a list entry or post header ending in a time, with no sentence end: "某帖标题 作者 3 小时前"
    rf"|[^。！？!?\n]{{0,80}}?[ \t]{_TIME}"
    # counters: "主题: 144, 帖数: 1136", "关注: 117,453 贴子: 1,448,648"
    r"|(?:[^ \t\n:：,，\d]{1,6}[ \t]*[:：][ \t]*[\d,.]+[万亿]?[ \t]*[,，]?[ \t]*){1,4}"
    r")$",
    re.M,
)
_NAV_MAX_LEN = 120  # longer lines are never navigation (and skipping them halves the regex time)
_PARA_SPLIT = re.compile(r"\n[ \t\r\f\v\u3000]*\n")
_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio): polynomial hash
# Sort keys: document index in bits 42-62, n-gram tag in bits 40-41, 40 bits of the mixed hash below.
# 40 bits make a false repeat inside one 10,000-character document about a 1-in-20,000 event.
_DOC_SHIFT, _HASH_DROP, _MIX_SHIFT = np.uint64(42), np.uint64(24), np.uint64(32)
_MIX_MULT = np.uint64(0xD6E8FEB86659FD93)
_PY_CANDIDATES = 64  # at most this many positions left after n=5: finish in Python (measured)
_MAX_DOCS = 1 << 20  # documents per numpy pass (the key has 21 bits for them)
_MAX_CHARS = 1 << 17  # code points per numpy pass: fastest measured (2^16..2^22 within 15 %)


@dataclass(slots=True)
class DocFeatures:
    """Every statistic the coarse rules look at, computed once per document.

    Shares of character classes are over non-whitespace characters. Line statistics are over
    non-blank lines with surrounding whitespace stripped; paragraphs are blocks separated by blank
    lines. N-gram statistics are over the characters that remain after whitespace and punctuation
    are dropped (Gopher normalises words the same way).
    """

    n_chars: int  # non-whitespace characters
    n_lines: int  # non-blank lines
    line_lengths: list[int]  # characters of each non-blank line, stripped
    mean_line_length: float  # n_chars / n_lines
    han_ratio: float
    latin_ratio: float
    digit_ratio: float
    punct_ratio: float
    symbol_ratio: float  # symbols, emoji, private use, controls (not punctuation)
    space_ratio: float  # whitespace among all characters
    replacement_ratio: float  # U+FFFD
    mojibake_ratio: float  # U+FFFD, mis-decoding markers and Latin-1 byte pairs
    dup_line_frac: float  # Gopher: repeated lines (after the first copy) / lines
    dup_line_char_frac: float  # their characters / characters of all lines
    dup_para_frac: float
    dup_para_char_frac: float
    top_ngram_frac: dict[int, float]  # n -> characters in all copies of the commonest n-gram (2..4)
    dup_ngram_frac: dict[int, float]  # n -> characters covered by repeated n-grams (5..10)
    nav_line_frac: float  # navigation-like lines / lines
    nav_char_frac: float  # their characters / characters of all lines


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _duplicates(items: list[str]) -> tuple[int, int]:
    """Gopher's find_duplicates: (repeated items, their characters), first copies not counted."""
    if len(set(items)) == len(items):
        return 0, 0
    seen: set[str] = set()
    n = c = 0
    for x in items:
        if x in seen:
            n += 1
            c += len(x)
        else:
            seen.add(x)
    return n, c


def _key40(h: np.ndarray) -> np.ndarray:
    """40 well-mixed bits of a polynomial hash. Its top bits alone would ignore the last character
    (a code point only perturbs the low ~21 bits), so mix first: xor-shift, then multiply."""
    return ((h ^ (h >> _MIX_SHIFT)) * _MIX_MULT) >> _HASH_DROP


def _top_ngrams(seq: np.ndarray, cdoc: np.ndarray, room: np.ndarray, clen: np.ndarray) -> np.ndarray:
    """(docs, 3) top n-gram fractions for n = 2, 3, 4.

    Gopher/datatrove semantics: characters in all occurrences of the commonest n-gram (overlapping
    occurrences counted, as datatrove does) over all characters. Unlike datatrove, an n-gram that
    occurs once is not a "top" n-gram: datatrove gives any 20-character text 4/20 = 0.2 for 4-grams.
    """
    nd = clen.size
    top = np.zeros((nd, len(TOP_NGRAM_NS)))
    dockey = cdoc.astype(np.uint64) << _DOC_SHIFT
    parts, h = [], seq
    for tag, n in enumerate(TOP_NGRAM_NS):  # h[i] = hash of the n-gram starting at content index i
        if seq.size < n:
            break
        h = h[:-1] * _HASH_MULT + seq[n - 1 :]
        ok = room[: h.size] >= n  # the n-gram stays inside its document
        parts.append(dockey[: h.size][ok] | np.uint64(tag << 40) | _key40(h[ok]))
    if not parts:
        return top
    keys = np.sort(np.concatenate(parts).view(np.int64))  # int64 sorts 2x faster than uint64
    if keys.size == 0:
        return top
    ends = np.flatnonzero(np.append(keys[1:] != keys[:-1], True))
    runs = ends.copy()
    runs[1:] -= ends[:-1]
    runs[0] += 1
    grp = keys[ends] >> 40  # document * 4 + tag
    first = np.flatnonzero(np.append(True, grp[1:] != grp[:-1]))
    best = np.maximum.reduceat(runs, first)
    grp = grp[first]
    doc, tag = grp >> 2, grp & 3
    frac = best * np.asarray(TOP_NGRAM_NS)[tag] / clen[doc]
    frac[best < 2] = 0.0
    top[doc, tag] = np.minimum(frac, 1.0)
    return top


def _dup_ngrams(seq: np.ndarray, cdoc: np.ndarray, room: np.ndarray, clen: np.ndarray) -> np.ndarray:
    """(docs, 6) duplicate n-gram character fractions for n = 5..10.

    Characters covered by an n-gram occurrence that is not the first in its document, over all
    characters. It equals datatrove's greedy count when repeats do not overlap ("ABCDEABCDE" ->
    0.5 for n=5) and is higher on runs, where datatrove's skip undercounts ("A" * 10 -> 0.9 for
    n=5, datatrove 0.5).

    A repeated (n+1)-gram starts with a repeated n-gram, so after n=5 only positions whose n-gram
    occurs more than once are hashed and sorted again (a median of 16 per People's Daily article).
    """
    nd = clen.size
    dup = np.zeros((nd, len(DUP_NGRAM_NS)))
    n0 = DUP_NGRAM_NS[0]
    if seq.size < n0:
        return dup
    h = seq
    for n in range(2, n0 + 1):
        h = h[:-1] * _HASH_MULT + seq[n - 1 :]
    pos = np.flatnonzero(room[: h.size] >= n0)
    h = h[pos]
    dockey = cdoc.astype(np.uint64) << _DOC_SHIFT
    denom = np.maximum(clen, 1)
    for j, n in enumerate(DUP_NGRAM_NS):
        if n > n0 and pos.size <= _PY_CANDIDATES:
            _dup_tail(seq, cdoc, room, pos.tolist(), dup, denom, j)
            break
        if n > n0:
            ok = room[pos] >= n
            pos = pos[ok]
            h = h[ok] * _HASH_MULT + seq[pos + n - 1]
        if pos.size < 2:
            break
        key = dockey[pos] | _key40(h)
        order = np.argsort(key.view(np.int64), kind="stable")  # stable: first occurrence first
        ks = key[order]
        eq = ks[1:] == ks[:-1]
        if not eq.any():
            break
        # Union of [start, start + n) over non-first occurrences: each start covers up to the next
        # start. A next start in a later document is >= this document's end >= start + n.
        starts = np.sort(pos[order[1:][eq]])
        cover = np.full(starts.size, n, dtype=np.int64)
        np.minimum(starts[1:] - starts[:-1], n, out=cover[:-1])
        dup[:, j] = np.bincount(cdoc[starts], weights=cover, minlength=nd) / denom
        member = np.zeros(ks.size, dtype=bool)
        member[1:] = eq
        member[:-1] |= eq
        keep = np.zeros(ks.size, dtype=bool)
        keep[order[member]] = True
        pos, h = pos[keep], h[keep]
    return dup


def _dup_tail(
    seq: np.ndarray,
    cdoc: np.ndarray,
    room: np.ndarray,
    pos: list[int],
    dup: np.ndarray,
    denom: np.ndarray,
    j0: int,
) -> None:
    """`_dup_ngrams` for the remaining n once few candidates are left: Python sets of byte slices.

    A single 1-2 KB document has a median of 16 candidates after n=5; another round of ~15 numpy
    calls per n costs more than this loop (the batch path rarely gets here).
    """
    raw = seq.astype(np.uint32).tobytes()
    docs, left = cdoc.tolist(), room.tolist()
    for j in range(j0, len(DUP_NGRAM_NS)):
        n = DUP_NGRAM_NS[j]
        pos = [i for i in pos if left[i] >= n]
        first: dict[tuple[int, bytes], int] = {}
        keep: set[int] = set()
        starts: list[int] = []
        for i in pos:
            k = (docs[i], raw[4 * i : 4 * (i + n)])
            f = first.setdefault(k, i)
            if f != i:
                starts.append(i)
                keep.add(i)
                keep.add(f)
        if not starts:
            return
        cover: dict[int, int] = {}
        for a, b in zip(starts, starts[1:] + [None]):
            d = docs[a]
            cover[d] = cover.get(d, 0) + (n if b is None else min(b - a, n))
        for d, c in cover.items():
            dup[d, j] = c / denom[d]
        pos = sorted(keep)


def _doc_features(
    text: str, counts: np.ndarray, moji: int, top: np.ndarray, dup: np.ndarray
) -> DocFeatures:
    """The per-document (Python) part: lines, paragraphs, navigation lines, mojibake sequences."""
    n_total = len(text)
    n_chars = n_total - int(counts[SPACE])
    denom = n_chars or 1
    for seq in _MOJIBAKE_SEQS:
        if seq[0] in text:
            moji += text.count(seq) * len(seq)

    lines = [ln for ln in (x.strip() for x in text.split("\n")) if ln]
    line_lengths = [len(ln) for ln in lines]
    n_lines = len(lines)
    line_chars = sum(line_lengths) or 1
    dl, dlc = _duplicates(lines)
    paras = [p for p in (x.strip() for x in _PARA_SPLIT.split(text)) if p] if "\n" in text else []
    dp, dpc = _duplicates(paras) if len(paras) > 1 else (0, 0)
    para_chars = sum(map(len, paras)) or 1
    short = [ln for ln in lines if len(ln) <= _NAV_MAX_LEN]
    nav = _NAV_LINE.findall("\n".join(short)) if short else []

    return DocFeatures(
        n_chars=n_chars,
        n_lines=n_lines,
        line_lengths=line_lengths,
        mean_line_length=n_chars / n_lines if n_lines else 0.0,
        han_ratio=int(counts[HAN]) / denom,
        latin_ratio=int(counts[LATIN]) / denom,
        digit_ratio=int(counts[DIGIT]) / denom,
        punct_ratio=int(counts[PUNCT]) / denom,
        symbol_ratio=int(counts[SYMBOL]) / denom,
        space_ratio=int(counts[SPACE]) / n_total if n_total else 0.0,
        replacement_ratio=int(counts[REPL]) / denom,
        mojibake_ratio=min(1.0, moji / denom),
        dup_line_frac=dl / n_lines if n_lines else 0.0,
        dup_line_char_frac=dlc / line_chars,
        dup_para_frac=dp / len(paras) if paras else 0.0,
        dup_para_char_frac=dpc / para_chars,
        top_ngram_frac=dict(zip(TOP_NGRAM_NS, top.tolist())),
        dup_ngram_frac=dict(zip(DUP_NGRAM_NS, dup.tolist())),
        nav_line_frac=len(nav) / n_lines if n_lines else 0.0,
        nav_char_frac=sum(map(len, nav)) / line_chars,
    )


def _features_pass(texts: Sequence[str]) -> list[DocFeatures]:
    nd = len(texts)
    cls_table, flag_table = _tables()
    # One "\n" after every document: a separator that is whitespace, so it is neither content nor
    # half of a Latin-1 byte pair, and no statistic spans two documents.
    cps = _codepoints("\n".join(texts) + "\n")
    seg_len = np.ones(2 * nd, dtype=np.int64)
    seg_len[0::2] = [len(t) for t in texts]
    seg_doc = np.full(2 * nd, nd, dtype=np.int64)
    seg_doc[0::2] = np.arange(nd)
    doc_of = np.repeat(seg_doc, seg_len)  # separators belong to a dummy document `nd`

    classes = cls_table[cps]
    counts = np.bincount(doc_of * N_CLASSES + classes, minlength=(nd + 1) * N_CLASSES)
    counts = counts.reshape(nd + 1, N_CLASSES)[:nd]

    flags = flag_table[cps]
    moji = np.bincount(doc_of, weights=flags & 1, minlength=nd + 1)[:nd]
    hi = (flags & 2) != 0
    pair = hi[1:] & hi[:-1]
    if pair.any():
        inpair = np.zeros(hi.size, dtype=bool)
        inpair[1:] = pair
        inpair[:-1] |= pair
        moji = moji + np.bincount(doc_of, weights=inpair, minlength=nd + 1)[:nd]

    content = (classes != SPACE) & (classes != PUNCT)
    seq = cps[content].astype(np.uint64)
    cdoc = doc_of[content]
    clen = np.bincount(cdoc, minlength=nd)
    room = np.cumsum(clen)[cdoc] - np.arange(seq.size)  # content characters left in the document
    top = _top_ngrams(seq, cdoc, room, clen)
    dup = _dup_ngrams(seq, cdoc, room, clen)
    return [_doc_features(t, counts[i], int(moji[i]), top[i], dup[i]) for i, t in enumerate(texts)]


def features_batch(texts: Sequence[str]) -> list[DocFeatures]:
    """Features of many documents with one set of numpy calls (the fast path). Never raises."""
    out: list[DocFeatures] = []
    i = 0
    while i < len(texts):
        j, size = i, 0
        while j < len(texts) and j - i < _MAX_DOCS and (j == i or size + len(texts[j]) <= _MAX_CHARS):
            size += len(texts[j]) + 1
            j += 1
        out.extend(_features_pass(texts[i:j]))
        i = j
    return out


def features(text: str) -> DocFeatures:
    """All coarse statistics of one (normalised) document. Never raises on any str."""
    return _features_pass([text])[0]


# ----------------------------------------------------------------------------------------------
# Rules: each takes the features and the [coarse] config section, returns (reason, detail) or None.

Cfg = Mapping[str, Any]
Failure = tuple[str, str]


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def rule_too_short(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Too little text to be a document worth training on (and too little for the other rules)."""
    return ("coarse.too_short", str(f.n_chars)) if f.n_chars < cfg["min_chars"] else None


def rule_too_long(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Giant pages are dumps, logs or concatenated lists, and they stall later stages."""
    return ("coarse.too_long", str(f.n_chars)) if f.n_chars > cfg["max_chars"] else None


def rule_mojibake(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Mis-decoded text: before cjk_ratio so that a broken page is reported as broken."""
    if f.mojibake_ratio > cfg["max_mojibake_ratio"]:
        return "coarse.mojibake", _fmt(f.mojibake_ratio)
    return None


def rule_cjk_ratio(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Too few Han characters: foreign-language, code or markup pages that passed language id."""
    if f.han_ratio < cfg["min_cjk_ratio"]:
        return "coarse.cjk_ratio", _fmt(f.han_ratio)
    return None


def rule_latin_ratio(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Latin letters dominate the Han text: code, product codes, English boilerplate."""
    if f.latin_ratio > cfg["max_latin_ratio"]:
        return "coarse.latin_ratio", _fmt(f.latin_ratio)
    return None


def rule_digit_ratio(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Mostly numbers: price lists, scores, timetables, lottery pages."""
    if f.digit_ratio > cfg["max_digit_ratio"]:
        return "coarse.digit_ratio", _fmt(f.digit_ratio)
    return None


def rule_symbol_ratio(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Symbols (not punctuation) or punctuation beyond what prose needs: tables, ASCII art, emoji spam."""
    if f.symbol_ratio > cfg["max_symbol_ratio"]:
        return "coarse.symbol_ratio", _fmt(f.symbol_ratio)
    if f.punct_ratio > cfg["max_punct_ratio"]:
        return "coarse.symbol_ratio", f"punct {_fmt(f.punct_ratio)}"
    return None


def rule_mean_line_length(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Short lines on average: menus, tag clouds, lists of links."""
    if f.mean_line_length < cfg["min_mean_line_length"]:
        return "coarse.mean_line_length", f"{f.mean_line_length:.1f}"
    return None


def rule_dup_line_frac(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Repeated lines: templated pages, repeated captions, spam."""
    if f.dup_line_frac > cfg["max_dup_line_frac"]:
        return "coarse.dup_line_frac", _fmt(f.dup_line_frac)
    if f.dup_line_char_frac > cfg["max_dup_line_char_frac"]:
        return "coarse.dup_line_frac", f"chars {_fmt(f.dup_line_char_frac)}"
    return None


def rule_dup_para_frac(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Repeated paragraphs (blank-line separated blocks)."""
    if f.dup_para_frac > cfg["max_dup_para_frac"]:
        return "coarse.dup_para_frac", _fmt(f.dup_para_frac)
    if f.dup_para_char_frac > cfg["max_dup_para_char_frac"]:
        return "coarse.dup_para_frac", f"chars {_fmt(f.dup_para_char_frac)}"
    return None


def rule_nav_lines(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Mostly navigation: list pages, portals, menus that extraction did not strip."""
    if f.nav_line_frac > cfg["max_nav_line_frac"]:
        return "coarse.nav_lines", _fmt(f.nav_line_frac)
    return None


def _per_n(cfg: Cfg, key: str, ns: tuple[int, ...]) -> dict[int, float]:
    vals = cfg[key]
    if len(vals) != len(ns):
        raise ValueError(f"coarse.{key}: expected {len(ns)} values (n = {ns}), got {len(vals)}")
    return dict(zip(ns, vals))


def rule_top_ngram_frac(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """One n-gram dominates: keyword-stuffed SEO pages."""
    for n, limit in _per_n(cfg, "max_top_ngram_frac", TOP_NGRAM_NS).items():
        if f.top_ngram_frac[n] > limit:
            return "coarse.top_ngram_frac", f"{n}:{_fmt(f.top_ngram_frac[n])}"
    return None


def rule_dup_ngram_frac(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """Much of the text repeats itself: spun or templated content."""
    for n, limit in _per_n(cfg, "max_dup_ngram_frac", DUP_NGRAM_NS).items():
        if f.dup_ngram_frac[n] > limit:
            return "coarse.dup_ngram_frac", f"{n}:{_fmt(f.dup_ngram_frac[n])}"
    return None


Rule = Callable[[DocFeatures, Cfg], "Failure | None"]

# Evaluation order: cheapest and most basic first, so the reason names the plainest failure.
RULES: list[Rule] = [
    rule_too_short,
    rule_too_long,
    rule_mojibake,
    rule_cjk_ratio,
    rule_latin_ratio,
    rule_digit_ratio,
    rule_symbol_ratio,
    rule_mean_line_length,
    rule_dup_line_frac,
    rule_dup_para_frac,
    rule_nav_lines,
    rule_top_ngram_frac,
    rule_dup_ngram_frac,
]


def check_features(f: DocFeatures, cfg: Cfg) -> Failure | None:
    """First failing rule for precomputed features."""
    for rule in RULES:
        failed = rule(f, cfg)
        if failed:
            return failed
    return None


def _too_long(text: str, cfg: Cfg) -> Failure | None:
    """coarse.too_long without the other features: a multi-megabyte page would otherwise spend
    seconds and hundreds of MB on n-gram statistics that cannot change its verdict (too_short and
    too_long are the first rules, and a text cannot fail both)."""
    if len(text) <= cfg["max_chars"]:
        return None
    cls_table, _ = _tables()
    n_chars = len(text) - int(np.count_nonzero(cls_table[_codepoints(text)] == SPACE))
    return ("coarse.too_long", str(n_chars)) if n_chars > cfg["max_chars"] else None


def check(text: str, cfg: Cfg) -> Failure | None:
    """(reason, detail) of the first rule `text` fails, or None if it passes every rule."""
    return _too_long(text, cfg) or check_features(features(text), cfg)


def check_batch(texts: Sequence[str], cfg: Cfg) -> list[Failure | None]:
    """`check` for many documents, with the features from `features_batch` (~3x faster)."""
    out: list[Failure | None] = [_too_long(t, cfg) for t in texts]
    todo = [i for i, r in enumerate(out) if r is None]
    for i, f in zip(todo, features_batch([texts[i] for i in todo])):
        out[i] = check_features(f, cfg)
    return out
