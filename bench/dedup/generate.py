"""Reproducible near-duplicate benchmark corpus with exact ground truth.

Why synthetic copies of real text: a real crawl has no list of its near-duplicates, so recall
cannot be measured on it. Here every duplicate is planted, and its true Jaccard is computed
exactly (`bench/dedup/truth.py`), so recall can be reported per Jaccard bucket and per kind of
edit, and precision by who was removed without a genuine partner.

Base documents. shared/data holds ~4.5M characters of real Chinese (People's Daily 1998, Sohu
news, zhwiki, and the UGC review sets), far fewer than 100k documents need, so it is cut into a
pool of distinct sentences (split on 。！？ and newlines, 8-200 characters, exact duplicates
dropped) and each base document is composed of several segments: a run of consecutive pool
sentences from a random place (keeping the source's paragraph breaks), or a paragraph of random
sentences from anywhere. Each segment is at most a quarter of the document, so two independent
base documents can share only a small part of their shingles (the sampled max Jaccard is in
meta.json). Paragraphs are separated by "\\n".

Copies. `dup_share` of the documents are near-duplicate copies, in clusters of a source and
1-4 copies. Each copy gets one transform or a combination ("char_edits+boilerplate") and a
target Jaccard (uniform over 0.3-0.97; 0.5-0.97 for boilerplate alone, which the others make
up for below 0.5). The adjustable transforms (char_edits, sentence_edit, boilerplate) get their
strength from analytic estimates, the measured Jaccard to the source is checked, and a copy
off by more than 0.025 is redone with corrected strengths and the same random stream (at most
3 attempts, the closest kept). For Traditional copies the target is on the t2s Jaccard, which
is what the pipeline's deduper sees. exact, whitespace_punct, reorder and traditional alone
have no knob and land at 0.85-1.0. truth.jsonl lists every pair inside each cluster, copy-copy
pairs too (those are usually further apart).

Determinism: all randomness comes from `random.Random` streams seeded by strings built from
the seed (stable across processes and Python builds; no set iteration order is used) and numpy
PCG64 generators seeded from them, so the same (n_docs, seed, dup_share, data) gives
byte-identical corpus.jsonl and truth.jsonl (the parquet holds the same rows).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dedup.truth import BUCKETS, jaccard, shingle_set  # noqa: E402

# Application order (and label order). traditional goes first: s2t of a source is computed once
# and shared by its copies and their calibration attempts (s2t costs ~10x t2s), and the text a
# Traditional site reposts is edited in Traditional; the material other transforms add to such
# a copy (boilerplate, inserted sentences) is converted too.
TRANSFORMS = ["traditional", "sentence_edit", "reorder", "char_edits", "boilerplate", "whitespace_punct"]
ADJUSTABLE = {"sentence_edit", "char_edits", "boilerplate"}
# Copy kinds and their shares; the rest are combinations of 2-3 transforms.
SINGLE_KINDS: list[tuple[str, float]] = [
    ("exact", 0.03),
    ("whitespace_punct", 0.04),
    ("reorder", 0.05),
    ("traditional", 0.05),
    ("char_edits", 0.18),
    ("sentence_edit", 0.16),
    ("boilerplate", 0.12),
]
FIXED_EFFECT = {"reorder": 0.93, "traditional": 1.0, "whitespace_punct": 1.0}  # rough J, for budgeting
TARGET_LO, TARGET_HI = 0.3, 0.97  # target Jaccard range of adjustable copies
BOILER_LO = 0.5
LOW_EXTRA = 0.12  # share of the other adjustable copies drawn in [TARGET_LO, BOILER_LO) on top
JOIN_COST = 4  # shingles broken where a sentence is cut out or put in
LINE_COST = 1.5  # new shingles per boilerplate line beyond its characters (measured, not derived)
TOLERANCE = 0.025
ATTEMPTS = 3  # sentence_edit moves J in steps of a sentence (~0.03): more attempts rarely help
BASE_PAIRS = 2000
SENT_MIN, SENT_MAX = 8, 200
DOC_MIN, DOC_MAX = 600, 3000
ROW_GROUP = 20000  # parquet row group (~75 MB of text) and Arrow chunk size

_SPLIT = re.compile(r"[^。！？]*[。！？]+[”’」』）)]*|[^。！？]+")

# ---------------------------------------------------------------------------------------------
# Site boilerplate (our own short lists; numbers and names are filled in at random).
SITES = ["新华网", "人民网", "中国新闻网", "央视网", "光明网", "环球网", "澎湃新闻", "新浪新闻", "搜狐", "网易新闻",
         "腾讯网", "凤凰网", "东方网", "南方网", "大众网", "红网", "华龙网", "北青网", "中华网", "千龙网"]
CHANNELS = ["首页", "新闻", "国内", "国际", "财经", "科技", "体育", "娱乐", "汽车", "房产", "教育", "健康",
            "文化", "旅游", "军事", "社会", "评论", "图片", "视频", "专题", "时尚", "游戏", "读书", "公益"]
PROVINCES = "京沪粤浙苏鲁川鄂湘闽豫冀皖赣辽吉黑陕晋桂琼渝滇黔"
EDITORS = ["王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄婷", "周杰", "吴昊", "徐丽", "孙强", "马超", "朱琳"]
HEADER_LINES: list[Callable[[random.Random], str]] = [
    lambda r: " | ".join(r.sample(CHANNELS, r.randint(6, 12))),
    lambda r: "您当前的位置：" + " > ".join(["首页"] + r.sample(CHANNELS[1:], 2)) + " > 正文",
    lambda r: f"来源：{r.choice(SITES)}　{r.randint(2008, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} "
    f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}　作者：{r.choice(EDITORS)}",
    lambda r: f"{r.choice(SITES)} > {r.choice(CHANNELS)}频道 > 正文",
    lambda r: "字号：大 中 小　　打印本页　　关闭窗口",
    lambda r: f"登录 | 注册 | 手机版 | 设为首页 | 加入收藏 | {r.choice(SITES)}客户端",
    lambda r: f"{r.randint(2008, 2024)}年{r.randint(1, 12)}月{r.randint(1, 28)}日 星期{r.choice('一二三四五六日')}　欢迎访问{r.choice(SITES)}",
    lambda r: "分享到：微信 微博 QQ空间 QQ好友",
]
FOOTER_LINES: list[Callable[[random.Random], str]] = [
    lambda r: f"（责任编辑：{r.choice(EDITORS)}）",
    lambda r: f"Copyright © {r.randint(1997, 2010)}-{r.randint(2018, 2024)} {r.choice(SITES)} 版权所有",
    lambda r: f"{r.choice(PROVINCES)}ICP备{r.randint(10000000, 99999999)}号-{r.randint(1, 9)}",
    lambda r: f"{r.choice(PROVINCES)}公网安备 {r.randint(11000000000000, 65999999999999)}号",
    lambda r: f"违法和不良信息举报电话：{r.choice(['010', '021', '020', '0571', '027'])}-{r.randint(10000000, 99999999)}",
    lambda r: " | ".join(r.sample(["关于我们", "联系我们", "广告服务", "网站地图", "法律声明", "招聘信息",
                                   "意见反馈", "隐私政策", "用户协议", "投稿须知"], r.randint(4, 8))),
    lambda r: "未经授权禁止转载、摘编、复制或建立镜像，违者将依法追究法律责任。",
    lambda r: "扫一扫，关注微信公众号　　下载客户端，随时随地看新闻",
    lambda r: "本文仅代表作者观点，不代表本站立场。如有侵权请联系删除。",
    lambda r: "上一篇：" + r.choice(["暂无", "返回列表"]) + "　　下一篇：返回列表",
]
LIST_HEADS = ["相关阅读：", "相关新闻：", "热门推荐：", "延伸阅读：", "猜你喜欢：", "24小时热点："]

# Punctuation swaps for whitespace_punct: all of these are dropped by shingle normalisation.
_FULL = "，。：；！？（）“”‘’"
_HALF = ",.:;!?()\"\"''"
TO_HALF = str.maketrans({f: h for f, h in zip(_FULL, _HALF)})
TO_FULL = str.maketrans({",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"})


@lru_cache(maxsize=1)
def _keep_mask() -> np.ndarray:
    """Code point -> survives shingle normalisation (same rule as mdfs.dedup.shingles, for the
    BMP; above it everything counts as kept). Only used to place edits and size boilerplate;
    the truth itself is computed by truth.py.
    """
    m = np.ones(0x110000, dtype=bool)
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] == "P" or cat in ("Zs", "Zl", "Zp", "Cc", "Cf", "Cs"):
            m[cp] = False
    return m


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _eligible(text: str) -> np.ndarray:
    """Positions of characters that survive normalisation (where an edit changes shingles)."""
    return np.flatnonzero(_keep_mask()[_codepoints(text)])


@lru_cache(maxsize=1)
def _drop_re() -> re.Pattern[str]:
    """A character class of every BMP code point that normalisation drops, as ranges."""
    mask = _keep_mask()[:0x10000]
    edges = np.flatnonzero(np.diff(np.concatenate(([1], mask.view(np.int8), [1]))))
    ranges = [(int(lo), int(hi) - 1) for lo, hi in zip(edges[::2], edges[1::2])]
    return re.compile("[" + "".join(re.escape(chr(lo)) + "-" + re.escape(chr(hi)) for lo, hi in ranges) + "]")


def _norm_len(text: str) -> int:
    """Characters left after shingle normalisation (sizes boilerplate to a Jaccard target)."""
    return len(text) - len(_drop_re().findall(text))


def _sentences(paragraph: str) -> list[str]:
    """Split a paragraph after 。！？ (closing quotes stay with their sentence); lossless."""
    return _SPLIT.findall(paragraph)


# ---------------------------------------------------------------------------------------------
@dataclass
class Pool:
    """Distinct sentences in source order; runs of consecutive ones make base documents."""

    sents: list[str]
    lens: list[int]  # chars per sentence (lists, not arrays: read one element at a time)
    para_start: list[bool]  # sentence opens a paragraph in its source
    doc_end: list[int]  # index one past the last sentence of its source document
    groups: list[tuple[int, int]]  # [lo, hi) sentence index range: high quality, UGC
    char_cps: np.ndarray  # every CJK character of the pool (uint32), with repeats: frequency-weighted substitutes
    sources: dict[str, int]  # source file -> sentences taken


SourceDoc = tuple[str, list[str]]  # (file name, paragraphs)


def _source_docs(data_dir: Path) -> tuple[list[SourceDoc], list[SourceDoc]]:
    """(high-quality docs, UGC docs); a UGC file is one document, one review per paragraph."""
    hq: list[SourceDoc] = []
    for path in sorted((data_dir / "text" / "high_quality").glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                row = json.loads(line)
                text = row.get("text") or ""
                if row.get("title"):
                    text = row["title"] + "\n" + text
                hq.append((path.name, [p for p in text.split("\n") if p.strip()]))
    ugc: list[SourceDoc] = []
    ugc_dir = data_dir / "text" / "ugc_reviews"
    for path in sorted(ugc_dir.glob("*.txt")) if ugc_dir.is_dir() else []:
        ugc.append((path.name, [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]))
    for path in sorted(ugc_dir.glob("*.csv")) if ugc_dir.is_dir() else []:
        with open(path, encoding="utf-8", newline="") as f:
            rows = csv.DictReader(f)
            paras = [p for r in rows for p in (r.get("review") or "").split("\n") if p.strip()]
        ugc.append((path.name, paras))
    return hq, ugc


@lru_cache(maxsize=4)
def load_pool(data_dir: Path) -> Pool:
    """Cut shared/data text into the sentence pool (cached per process: tests generate often)."""
    hq, ugc = _source_docs(data_dir)
    if not hq:
        raise FileNotFoundError(f"no {data_dir}/text/high_quality/*.jsonl")
    seen: set[str] = set()
    sents: list[str] = []
    para_start: list[bool] = []
    doc_end: list[int] = []
    groups: list[tuple[int, int]] = []
    sources: Counter[str] = Counter()
    for docs in (hq, ugc):
        lo = len(sents)
        for name, paras in docs:
            first = len(sents)
            for para in paras:
                opened = False
                for s in _sentences(para.strip()):
                    s = s.strip()
                    if not (SENT_MIN <= len(s) <= SENT_MAX) or s in seen:
                        continue
                    seen.add(s)
                    sents.append(s)
                    para_start.append(not opened)
                    opened = True
                    sources[name] += 1
            doc_end.extend([len(sents)] * (len(sents) - first))
        if len(sents) > lo:
            groups.append((lo, len(sents)))
    cps = _codepoints("".join(sents))
    char_cps = cps[(cps >= 0x4E00) & (cps <= 0x9FFF)].copy()
    return Pool(sents, [len(s) for s in sents], para_start, doc_end, groups, char_cps, dict(sources))


def _compose(pool: Pool, r: random.Random) -> str:
    """One base document: 600-3,000 characters (mean ~1,200) of segments from random places."""
    target = min(DOC_MAX - SENT_MAX, DOC_MIN + int(r.gammavariate(2.0, 270.0)))
    paras: list[str] = []
    total = 0
    n = len(pool.sents)
    while total < target:
        if r.random() < 0.8:  # a run of consecutive sentences, with its source's paragraph breaks
            lo, hi = pool.groups[0] if (len(pool.groups) == 1 or r.random() < 0.75) else pool.groups[1]
            i = lo + int(r.random() * (hi - lo))  # not randrange: ~10x cheaper, called ~10 times a document
            end = pool.doc_end[i]
            want = min(max(60, int(target * r.uniform(0.08, 0.25))), target - total)
            cur: list[str] = []
            got = 0
            while i < end and got < want:
                if cur and pool.para_start[i]:
                    paras.append("".join(cur))
                    cur = []
                cur.append(pool.sents[i])
                got += pool.lens[i]
                i += 1
            paras.append("".join(cur))
            total += got
        else:  # a paragraph of unrelated sentences
            p = "".join([pool.sents[int(r.random() * n)] for _ in range(2 + int(r.random() * 4))])
            paras.append(p)
            total += len(p)
    return "\n".join(paras)


# ---------------------------------------------------------------------------------------------
# Transforms: (text, rng, ctx, component target J or None) -> text.
@dataclass
class Ctx:
    """What transforms share: the pool, the converters, and whether this copy is Traditional."""

    pool: Pool
    s2t: Any
    t2s: Any
    trad: bool = False
    _s2t_memo: tuple[str, str] = ("", "")

    def to_trad(self, text: str) -> str:
        """s2t, remembering the last input (the source of the cluster being copied)."""
        if self._s2t_memo[0] is not text:
            self._s2t_memo = (text, self.s2t.convert(text))
        return self._s2t_memo[1]

    def local(self, text: str) -> str:
        """New material in the copy's script: Traditional when the copy is."""
        return self.s2t.convert(text) if self.trad else text


def _random_sentence(ctx: Ctx, r: random.Random) -> str:
    return ctx.pool.sents[int(r.random() * len(ctx.pool.sents))]


def t_sentence_edit(text: str, r: random.Random, ctx: Ctx, jc: float | None) -> str:
    """Delete and/or insert whole sentences: J ~ (1 - deleted share) / (1 + inserted share)."""
    jc = 1.0 if jc is None else jc
    paras = [_sentences(p) for p in text.split("\n")]
    total = sum(len(s) for p in paras for s in p)
    mode = r.random()
    if mode < 0.3 and jc >= 0.5:
        keep, grow = jc, 1.0
    elif mode < 0.6 and jc >= 0.6:
        keep, grow = 1.0, 1.0 / jc
    else:
        w = r.uniform(0.3, 0.7)
        keep, grow = jc**w, jc ** -(1.0 - w)
    slots = [(pi, si) for pi, p in enumerate(paras) for si in range(len(p))]
    r.shuffle(slots)
    dropped: set[tuple[int, int]] = set()
    budget = (1.0 - keep) * total
    for pi, si in slots:  # a cut also breaks the ~4 shingles across the join: count them
        cost = len(paras[pi][si]) + JOIN_COST
        if budget < cost / 2 or len(dropped) >= len(slots) - 1:
            break
        dropped.add((pi, si))
        budget -= cost
    paras = [[s for si, s in enumerate(p) if (pi, si) not in dropped] for pi, p in enumerate(paras)]
    paras = [p for p in paras if p]
    budget = (grow - 1.0) * total
    while True:
        s = _random_sentence(ctx, r)
        if budget < (len(s) + JOIN_COST) / 2:
            break
        s = ctx.local(s)
        if r.random() < 0.2:
            paras.insert(r.randint(0, len(paras)), [s])
        else:
            p = paras[r.randrange(len(paras))]
            p.insert(r.randint(0, len(p)), s)
        budget -= len(s) + JOIN_COST
    return "\n".join("".join(p) for p in paras)


def t_reorder(text: str, r: random.Random, ctx: Ctx, jc: float | None) -> str:
    """Shuffle paragraph order (only the shingles across paragraph joins change)."""
    paras = text.split("\n")
    if len(paras) < 2:
        return text
    order = list(range(len(paras)))
    for _ in range(5):
        r.shuffle(order)
        if order != sorted(order):
            break
    return "\n".join(paras[i] for i in order)


def t_char_edits(text: str, r: random.Random, ctx: Ctx, jc: float | None) -> str:
    """Substitute/insert/delete characters at rate p: a 5-gram survives with ~(1-p)^5 = 2J/(1+J)."""
    if jc is None or jc >= 1.0:
        return text
    p = 1.0 - (2.0 * jc / (1.0 + jc)) ** (1.0 / 5.0)
    elig = _eligible(text)
    k = min(elig.size, int(p * elig.size + r.random()))
    if k == 0:
        return text
    g = np.random.Generator(np.random.PCG64(r.getrandbits(64)))
    pos = np.sort(g.choice(elig, size=k, replace=False))
    u = g.random(k)
    new = ctx.pool.char_cps[g.integers(0, ctx.pool.char_cps.size, size=k)]  # frequency-weighted
    out = _codepoints(text).copy()
    sub, ins, dele = u < 0.6, (u >= 0.6) & (u < 0.8), u >= 0.8
    out[pos[sub]] = new[sub]
    # Each character is emitted 0 (deleted), 1, or 2 times (an insertion before it), then the
    # first of each doubled pair is overwritten with the inserted character: no np.insert.
    reps = np.ones(out.size, dtype=np.int64)
    reps[pos[dele]] = 0
    reps[pos[ins]] = 2
    res = np.repeat(out, reps)
    res[(np.cumsum(reps) - reps)[pos[ins]]] = new[ins]
    return res.tobytes().decode("utf-32-le")


def _boiler_block(r: random.Random, ctx: Ctx, lines: list[Callable[[random.Random], str]], budget: float) -> list[str]:
    out: list[str] = []
    used = 0.0
    for make in r.sample(lines, len(lines)):
        if used >= budget:
            return out
        out.append(make(r))
        used += _norm_len(out[-1]) + LINE_COST
    if used < budget:
        out.append(r.choice(LIST_HEADS))
    while used < budget:
        s = _random_sentence(ctx, r).rstrip("。！？”’」』")
        item = s[: r.randint(10, 26)]
        out.append(r.choice(["· ", "", "▪ ", f"{len(out)}. "]) + item)
        used += _norm_len(item) + LINE_COST
    return out


def t_boilerplate(text: str, r: random.Random, ctx: Ctx, jc: float | None) -> str:
    """Add a header and/or footer of site boilerplate: J ~ |A| / (|A| + |boilerplate|)."""
    jc = 0.9 if jc is None else max(jc, 0.05)
    budget = _eligible(text).size * (1.0 / jc - 1.0)
    where = r.random()
    head_share = 1.0 if where < 0.3 else 0.0 if where < 0.6 else r.uniform(0.2, 0.6)
    head = _boiler_block(r, ctx, HEADER_LINES, budget * head_share) if head_share > 0 else []
    foot = _boiler_block(r, ctx, FOOTER_LINES, budget * (1 - head_share)) if head_share < 1 else []
    parts = [text]
    if head:
        parts.insert(0, ctx.local("\n".join(head)))
    if foot:
        parts.append(ctx.local("\n".join(foot)))
    return "\n".join(parts)


def t_traditional(text: str, r: random.Random, ctx: Ctx, jc: float | None) -> str:
    """OpenCC s2t: the pipeline's t2s brings most of it back (see jaccard_t2s)."""
    ctx.trad = True
    return ctx.to_trad(text)


def t_whitespace_punct(text: str, r: random.Random, ctx: Ctx, jc: float | None) -> str:
    """Re-wrap lines, indent, and swap full/half-width punctuation: invisible after normalisation."""
    ops = [r.random() < 0.6 for _ in range(3)]
    if not any(ops):
        ops[r.randrange(3)] = True
    rewrap, indent, punct = ops
    paras = text.split("\n")
    if punct:
        table = TO_HALF if r.random() < 0.7 else TO_FULL
        paras = [p.translate(table) for p in paras]
    if rewrap:
        width = r.randint(20, 70)
        if r.random() < 0.5:  # one flow, hard-wrapped
            flow = "".join(paras)
            paras = [flow[i : i + width] for i in range(0, len(flow), width)]
        else:
            paras = ["\n".join(p[i : i + width] for i in range(0, len(p), width)) for p in paras]
    if indent:
        lead = r.choice(["　　", "  ", "\t"])
        paras = [lead + p + r.choice(["", " ", "  "]) for p in paras]
        return r.choice(["\n", "\n\n", "\r\n"]).join(paras)
    return "\n".join(paras)


APPLY: dict[str, Callable[[str, random.Random, Ctx, float | None], str]] = {
    "sentence_edit": t_sentence_edit,
    "reorder": t_reorder,
    "char_edits": t_char_edits,
    "boilerplate": t_boilerplate,
    "traditional": t_traditional,
    "whitespace_punct": t_whitespace_punct,
}


@dataclass
class CopyPlan:
    kinds: list[str]  # in TRANSFORMS order; [] means exact
    target: float | None  # target Jaccard (on `key`) when some transform is adjustable
    comp: dict[str, float]  # per adjustable transform: its component target J
    weights: dict[str, float]

    @property
    def label(self) -> str:
        return "+".join(self.kinds) if self.kinds else "exact"

    @property
    def key(self) -> str:
        return "jaccard_t2s" if "traditional" in self.kinds else "jaccard"


def _plan_copy(r: random.Random) -> CopyPlan:
    """Kind and target Jaccard of one copy; the target is split over the adjustable transforms."""
    u = r.random()
    acc = 0.0
    kinds: list[str] | None = None
    for name, share in SINGLE_KINDS:
        acc += share
        if u < acc:
            kinds = [] if name == "exact" else [name]
            break
    if kinds is None:
        while True:
            kinds = r.sample(TRANSFORMS, 2 if r.random() < 0.7 else 3)
            if ADJUSTABLE & set(kinds):
                break
    kinds = [t for t in TRANSFORMS if t in kinds]
    adj = [t for t in kinds if t in ADJUSTABLE]
    if not adj:
        return CopyPlan(kinds, None, {}, {})
    if adj == ["boilerplate"]:  # more boilerplate than text is implausible
        target = r.uniform(BOILER_LO, TARGET_HI)
    elif r.random() < LOW_EXTRA:  # make up for boilerplate alone never landing below BOILER_LO
        target = r.uniform(TARGET_LO, BOILER_LO)
    else:
        target = r.uniform(TARGET_LO, TARGET_HI)
    fixed = math.prod(FIXED_EFFECT.get(t, 1.0) for t in kinds if t not in ADJUSTABLE)
    raw = {t: r.expovariate(1.0) for t in adj}
    weights = {t: v / sum(raw.values()) for t, v in raw.items()}
    budget = min(1.0, target / fixed)
    comp = {t: budget ** weights[t] for t in adj}
    if "boilerplate" in comp and len(adj) > 1 and comp["boilerplate"] < 0.5:  # keep boilerplate plausible
        comp["boilerplate"] = 0.5
        rest = [t for t in adj if t != "boilerplate"]
        share = sum(weights[t] for t in rest)
        for t in rest:
            comp[t] = (budget / 0.5) ** (weights[t] / share)
    return CopyPlan(kinds, target, comp, weights)


def _apply(source: str, plan: CopyPlan, r: random.Random, ctx: Ctx) -> str:
    ctx.trad = False
    text = source
    for t in plan.kinds:
        text = APPLY[t](text, r, ctx, plan.comp.get(t))
    return text


def _t2s_set(ctx: Ctx, text: str, raw: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Shingle sets of `text` as is and after OpenCC t2s (shared when t2s changes nothing)."""
    raw = shingle_set(text) if raw is None else raw
    t2s = ctx.t2s.convert(text)
    return {"jaccard": raw, "jaccard_t2s": raw if t2s == text else shingle_set(t2s)}


@dataclass
class Doc:
    text: str
    label: str = ""  # the copy's kind; "" for base documents


def generate(n_docs: int, out_dir: Path, data_dir: Path, seed: int = 0, dup_share: float = 0.3) -> dict[str, Any]:
    """Write corpus.jsonl, corpus.parquet, truth.jsonl and meta.json to `out_dir`; return the meta."""
    import opencc

    t0, c0 = time.perf_counter(), time.process_time()
    out_dir, data_dir = Path(out_dir), Path(data_dir).resolve()
    if n_docs < 2:
        raise ValueError("n_docs must be >= 2")
    if not 0.0 <= dup_share <= 0.6:
        raise ValueError("dup_share must be in [0, 0.6] (clusters need enough base documents)")
    pool = load_pool(data_dir)
    phases: dict[str, list[float]] = {"pool": [time.perf_counter() - t0, time.process_time() - c0]}
    mark = (time.perf_counter(), time.process_time())

    def lap(name: str) -> None:  # [wall, cpu] seconds per phase: the host may be shared
        nonlocal mark
        now = (time.perf_counter(), time.process_time())
        phases[name] = [round(now[0] - mark[0], 2), round(now[1] - mark[1], 2)]
        mark = now

    ctx = Ctx(pool, opencc.OpenCC("s2t"), opencc.OpenCC("t2s"))
    master = random.Random(f"mdfs-dedup-bench:{seed}:plan")

    n_copies = round(dup_share * n_docs)
    sizes: list[int] = []  # copies per cluster
    left = n_copies
    while left > 0:
        sizes.append(min(master.randint(1, 4), left))
        left -= sizes[-1]
    n_base = n_docs - n_copies
    docs = [Doc(_compose(pool, master)) for _ in range(n_base)]
    sources = master.sample(range(n_base), len(sizes))
    lap("base_docs")

    pairs: list[dict[str, Any]] = []  # by document index; ids come after shuffling
    label_counts: Counter[str] = Counter()
    attempts_hist: Counter[int] = Counter()
    misses = 0
    copy_no = 0
    for c, (src, k) in enumerate(zip(sources, sizes)):
        src_text = docs[src].text
        src_sets = _t2s_set(ctx, src_text)
        members = [(src, src_sets)]
        known_j: list[dict[str, float]] = [{}]
        for _ in range(k):
            plan = _plan_copy(random.Random(f"mdfs-dedup-bench:{seed}:copy-plan:{copy_no}"))
            best: tuple[float, str, dict[str, np.ndarray]] | None = None
            known: dict[str, float] = {}
            for attempt in range(1, ATTEMPTS + 1):
                # Same stream every attempt: only the strengths change, so J moves (mostly) monotonically.
                text = _apply(src_text, plan, random.Random(f"mdfs-dedup-bench:{seed}:copy:{copy_no}"), ctx)
                if text == src_text:
                    sets = dict(src_sets)
                else:
                    sets = {"jaccard": shingle_set(text)} if plan.key == "jaccard" else _t2s_set(ctx, text)
                if plan.target is None:
                    best = (0.0, text, sets)
                    known = {}
                    break
                got = jaccard(src_sets[plan.key], sets[plan.key])
                if best is None or abs(got - plan.target) < best[0]:
                    best = (abs(got - plan.target), text, sets)
                    known = {plan.key: got}  # J to the source, reused for the truth pair
                f = plan.target / max(got, 0.01)
                if best[0] <= TOLERANCE or (f > 1.0 and all(v >= 1.0 for v in plan.comp.values())):
                    break  # on target, or the fixed transforms alone are already below it
                plan.comp = {t: min(1.0, max(0.02, v * f ** plan.weights[t])) for t, v in plan.comp.items()}
            assert best is not None
            err, text, sets = best
            misses += err > TOLERANCE
            attempts_hist[attempt] += 1
            if "jaccard_t2s" not in sets:
                sets.update(_t2s_set(ctx, text, sets["jaccard"]))
            docs.append(Doc(text, plan.label))
            label_counts[plan.label] += 1
            members.append((len(docs) - 1, sets))
            known_j.append(known)
            copy_no += 1
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                (da, sa), (db, sb) = members[i], members[j]
                known = known_j[j] if i == 0 else {}
                j_raw = known["jaccard"] if "jaccard" in known else jaccard(sa["jaccard"], sb["jaccard"])
                if "jaccard_t2s" in known:
                    j_t2s = known["jaccard_t2s"]
                elif sa["jaccard_t2s"] is sa["jaccard"] and sb["jaccard_t2s"] is sb["jaccard"]:
                    j_t2s = j_raw  # t2s changed neither text
                else:
                    j_t2s = jaccard(sa["jaccard_t2s"], sb["jaccard_t2s"])
                pairs.append({
                    "a": da, "b": db, "cluster": c,
                    "kind": docs[db].label if i == 0 else "copy_copy",
                    "jaccard": j_raw,
                    "jaccard_t2s": j_t2s,
                })

    lap("copies_and_truth")
    # Independent base documents must not be near-duplicates of each other: measure a sample.
    rs = random.Random(f"mdfs-dedup-bench:{seed}:base-pairs")
    base_j: list[float] = []
    set_cache: dict[int, np.ndarray] = {}
    for _ in range(BASE_PAIRS if n_base >= 2 else 0):
        a, b = rs.sample(range(n_base), 2)
        for d in (a, b):
            if d not in set_cache:
                set_cache[d] = shingle_set(docs[d].text)
        base_j.append(jaccard(set_cache[a], set_cache[b]))

    lap("base_pair_sample")
    # Shuffle so copies do not sit next to their sources; ids follow the file order.
    order = list(range(len(docs)))
    master.shuffle(order)
    width = max(7, len(str(len(docs))))
    ids = [""] * len(docs)
    for pos, d in enumerate(order):
        ids[d] = f"d{pos + 1:0{width}d}"
    quality = np.random.default_rng(np.random.SeedSequence([seed, 0xD0C5])).random(len(docs))

    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "corpus.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for d in order:
            f.write(json.dumps({"id": ids[d], "text": docs[d].text}, ensure_ascii=False) + "\n")
    _write_parquet(out_dir / "corpus.parquet", [ids[d] for d in order], [docs[d].text for d in order], quality)
    cl_width = max(6, len(str(len(sizes))))
    truth_rows = [
        {"a": ids[p["a"]], "b": ids[p["b"]], "kind": p["kind"], "cluster": f"c{p['cluster']:0{cl_width}d}",
         "jaccard": p["jaccard"], "jaccard_t2s": p["jaccard_t2s"]}
        for p in pairs
    ]
    with open(out_dir / "truth.jsonl", "w", encoding="utf-8", newline="\n") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in truth_rows)

    lap("write")
    lens = np.fromiter((len(d.text) for d in docs), dtype=np.int64, count=len(docs))
    meta = _meta(
        n_docs=len(docs), n_base=n_base, sizes=sizes, seed=seed, dup_share=dup_share, pool=pool,
        label_counts=label_counts, pairs=truth_rows, base_j=base_j, lens=lens, misses=misses,
        attempts=attempts_hist, seconds=time.perf_counter() - t0, cpu_seconds=time.process_time() - c0, phases=phases,
    )
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


def _write_parquet(path: Path, ids: list[str], texts: list[str], quality: np.ndarray) -> None:
    """The rows in the pipeline's document schema; columns a later stage fills stay null."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mdfs.schema import DOC_SCHEMA

    n = len(ids)
    given = {
        "id": pa.array(ids, pa.string()),
        "text": _string_column(texts),
        "n_chars": pa.array([len(t) for t in texts], pa.int64()),
        "source": pa.array(["bench-dedup"] * n, pa.string()),
        "quality_score": pa.array(quality, pa.float64()),
    }
    cols = [given.get(f.name, pa.nulls(n, f.type)) for f in DOC_SCHEMA]
    pq.write_table(pa.Table.from_arrays(cols, schema=DOC_SCHEMA), path, compression="zstd", row_group_size=ROW_GROUP)


def _string_column(texts: list[str]) -> Any:
    """Arrow strings from one UTF-8 buffer per chunk: ~6x faster than pa.array(list of str) on
    the first conversion (which also caches a UTF-8 copy inside every str), and chunked so the
    int32 offsets of pa.string() cannot overflow."""
    import pyarrow as pa

    chunks = []
    for lo in range(0, len(texts), ROW_GROUP):
        raw = [t.encode("utf-8") for t in texts[lo : lo + ROW_GROUP]]
        off = np.zeros(len(raw) + 1, dtype=np.int32)
        np.cumsum(np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)), out=off[1:])
        chunks.append(pa.StringArray.from_buffers(len(raw), pa.py_buffer(off), pa.py_buffer(b"".join(raw))))
    return pa.chunked_array(chunks, type=pa.string())


def _hist(values: list[float]) -> dict[str, int]:
    out = {label: 0 for label, _, _ in BUCKETS}
    for v in values:
        for label, lo, hi in BUCKETS:
            if lo <= v < hi:
                out[label] += 1
                break
    return out


def _meta(*, n_docs: int, n_base: int, sizes: list[int], seed: int, dup_share: float, pool: Pool,
          label_counts: Counter[str], pairs: list[dict[str, Any]], base_j: list[float], lens: np.ndarray,
          misses: int, attempts: Counter[int], seconds: float, cpu_seconds: float,
          phases: dict[str, list[float]]) -> dict[str, Any]:
    per_kind: dict[str, Any] = {}
    kinds = sorted({p["kind"] for p in pairs})
    for kind in kinds:
        js = [p["jaccard"] for p in pairs if p["kind"] == kind]
        jt = [p["jaccard_t2s"] for p in pairs if p["kind"] == kind]
        per_kind[kind] = {
            "pairs": len(js),
            "jaccard": {"min": round(min(js), 4), "median": round(float(np.median(js)), 4), "max": round(max(js), 4)},
            "jaccard_t2s": {"min": round(min(jt), 4), "median": round(float(np.median(jt)), 4), "max": round(max(jt), 4)},
        }
    transforms = Counter(t for label, n in label_counts.items() for t in label.split("+") for _ in range(n))
    bj = np.array(base_j) if base_j else np.zeros(1)
    return {
        "generator": "bench/dedup/generate.py",
        "seed": seed,
        "dup_share": dup_share,
        "n_docs": n_docs,
        "n_base": n_base,
        "n_clusters": len(sizes),
        "n_copies": int(sum(sizes)),
        "n_docs_in_clusters": int(sum(sizes) + len(sizes)),
        "cluster_sizes": {str(k + 1): v for k, v in sorted(Counter(sizes).items())},
        "n_pairs": len(pairs),
        "n_pairs_source_copy": sum(1 for p in pairs if p["kind"] != "copy_copy"),
        "n_pairs_copy_copy": sum(1 for p in pairs if p["kind"] == "copy_copy"),
        "copies_per_kind": dict(sorted(label_counts.items())),
        "copies_per_transform": dict(sorted(transforms.items())),
        "pairs_per_bucket_jaccard": _hist([p["jaccard"] for p in pairs]),
        "pairs_per_bucket_jaccard_t2s": _hist([p["jaccard_t2s"] for p in pairs]),
        "jaccard_per_kind": per_kind,
        "calibration": {"tolerance": TOLERANCE, "attempts": dict(sorted(attempts.items())), "missed_target": misses},
        "base_pair_sample": {
            "pairs": len(base_j),
            "max_jaccard": float(bj.max()),
            "mean_jaccard": float(bj.mean()),
            "p99_jaccard": float(np.quantile(bj, 0.99)),
        },
        "chars_total": int(lens.sum()),
        "chars_mean": float(lens.mean()),
        "chars_min": int(lens.min()),
        "chars_max": int(lens.max()),
        "pool": {"sentences": len(pool.sents), "chars": sum(pool.lens), "per_source": pool.sources},
        "shingles": "character 5-grams after mdfs.dedup.shingles normalisation; exact sets (64-bit hashes)",
        "generation_seconds": round(seconds, 2),
        "generation_cpu_seconds": round(cpu_seconds, 2),
        "phase_seconds_wall_cpu": {k: [round(x, 2) for x in v] for k, v in phases.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Near-duplicate benchmark corpus with exact ground truth.")
    ap.add_argument("--docs", type=int, default=25000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dup-share", type=float, default=0.3)
    args = ap.parse_args(argv)
    meta = generate(args.docs, Path(args.out), Path(args.data), seed=args.seed, dup_share=args.dup_share)
    print(json.dumps(meta, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
