"""Ground truth of the near-duplicate benchmark corpus (`generate.py`) and scoring of ANY deduper.

A deduper is scored only by the set of ids it *removed* (it should keep one document per
cluster), so ours, datatrove and datasketch LSH are judged the same way.

True Jaccard
    Exact Jaccard of the SETS of character 5-gram shingles after the project's shingle
    normalisation (`mdfs.dedup.shingles.normalized_codepoints`: whitespace and punctuation
    dropped, full-width ASCII folded, lower case). `jaccard_t2s` is the same after OpenCC "t2s"
    on both texts: the pipeline's coarse stage converts Traditional to Simplified before dedup,
    so that is what our deduper sees; score with `jaccard_key="jaccard_t2s"` for a deduper that
    runs after coarse, with "jaccard" for one that sees the raw corpus.

    Shingles are compared as 64-bit hashes (`shingle_set`), not the pipeline's 32-bit ones:
    by the birthday bound a pair with U distinct shingles collides with probability about
    U^2 / 2^33 in 32 bits, ~5e-4 for a 1,200-character pair and ~3e-3 for the longest, so a few
    truth values in a thousand would be off by ~1/U; in 64 bits it is ~U^2 / 2^65 < 1e-12 per
    pair, i.e. the values equal the Python-set reference `mdfs.dedup.shingles.shingles`.

Definitions used by `score` (J = the chosen Jaccard key):
- recall at J >= t (t = 0.8 by default): over truth pairs with J >= t, the share "caught", a
  pair being caught if at least one of its two documents was removed. The same per bucket
  [0.3,0.5) [0.5,0.7) [0.7,0.8) [0.8,0.9) [0.9,1.0) and [1.0] (J exactly 1), plus [0,0.3)
  for information (copy-copy pairs often land there).
- precision: of the removed ids, the share that have a *genuine partner*: another document of
  the same planted cluster with J >= 0.5 to it. Removed documents without one (outside every
  cluster, or in a cluster but with only distant relatives) are false positives.
- over-removal: planted clusters that lost ALL their documents (a deduper must keep one).
- per kind: recall at J >= t per full kind label ("char_edits+boilerplate"; source-copy pairs;
  copy-copy pairs are labelled "copy_copy"), and per single transform (every label containing it).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mdfs.dedup.shingles import fmix64, normalized_codepoints

SHINGLE_N = 5
GENUINE_J = 0.5  # a removed document needs a partner at least this close to count as a true positive
BUCKETS: list[tuple[str, float, float]] = [  # label, lower (inclusive), upper (exclusive)
    ("[0.0,0.3)", 0.0, 0.3),
    ("[0.3,0.5)", 0.3, 0.5),
    ("[0.5,0.7)", 0.5, 0.7),
    ("[0.7,0.8)", 0.7, 0.8),
    ("[0.8,0.9)", 0.8, 0.9),
    ("[0.9,1.0)", 0.9, 1.0),
    ("[1.0]", 1.0, float("inf")),
]

_U64 = np.uint64
_SEED64 = _U64(0x243F6A8885A308D3)  # pi digits; nonzero so a shingle's length enters the hash
_MUL64 = _U64(0x100000001B3)  # FNV-1a 64-bit prime, odd


def shingle_set(text: str, n: int = SHINGLE_N) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the char n-gram shingles of `text` (project normalisation).

    Same rule as `mdfs.dedup.shingles`: a normalised text shorter than n (not empty) is ONE
    shingle, an empty one has none.
    """
    cps = normalized_codepoints(text).astype(np.uint64)
    size = cps.size
    if size == 0:
        return np.zeros(0, dtype=np.uint64)
    m = size - n + 1 if size >= n else 1
    k = min(n, size)
    h = np.full(m, _SEED64, dtype=np.uint64)
    for j in range(k):
        h *= _MUL64
        h += cps[j : j + m]
    h = fmix64(h)  # a bijection: adds no collisions
    h.sort()
    return h[np.concatenate(([True], h[1:] != h[:-1]))] if h.size > 1 else h


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Set Jaccard of two sorted distinct hash arrays; 1.0 for two empty sets."""
    if a is b or (a.size == 0 and b.size == 0):
        return 1.0
    if a.size == 0 or b.size == 0:
        return 0.0
    if a.size > b.size:
        a, b = b, a
    at = np.searchsorted(b, a)  # ~2x faster than np.intersect1d for ~1,000-element sets
    np.minimum(at, b.size - 1, out=at)
    inter = int(np.count_nonzero(b[at] == a))
    return inter / (a.size + b.size - inter)


def text_jaccard(x: str, y: str, n: int = SHINGLE_N) -> float:
    """True Jaccard of two texts (convenience for checks and tests)."""
    return jaccard(shingle_set(x, n), shingle_set(y, n))


@dataclass(frozen=True)
class Pair:
    """One planted pair: `a` is the source for source-copy pairs, kind "copy_copy" otherwise."""

    a: str
    b: str
    kind: str
    cluster: str
    jaccard: float
    jaccard_t2s: float

    def j(self, key: str) -> float:
        return float(getattr(self, key))


@dataclass
class Truth:
    """Planted pairs, their clusters (cluster id -> member ids) and the generator's meta.json."""

    pairs: list[Pair]
    clusters: dict[str, list[str]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def cluster_of(self) -> dict[str, str]:
        return {d: c for c, members in self.clusters.items() for d in members}


def truth_from_rows(rows: Iterable[dict[str, Any]], meta: dict[str, Any] | None = None) -> Truth:
    """Build a Truth from truth.jsonl rows (clusters from the rows' "cluster" field)."""
    pairs: list[Pair] = []
    members: dict[str, dict[str, None]] = defaultdict(dict)  # ordered set
    for r in rows:
        p = Pair(r["a"], r["b"], r["kind"], r["cluster"], float(r["jaccard"]), float(r["jaccard_t2s"]))
        pairs.append(p)
        members[p.cluster][p.a] = None
        members[p.cluster][p.b] = None
    return Truth(pairs, {c: list(m) for c, m in members.items()}, dict(meta or {}))


def load_truth(out_dir: Path | str) -> Truth:
    """Read truth.jsonl (and meta.json when present) from a generated corpus folder."""
    out = Path(out_dir)
    with open(out / "truth.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    return truth_from_rows(rows, meta)


def _bucket(j: float) -> str:
    for label, lo, hi in BUCKETS:
        if lo <= j < hi:
            return label
    return BUCKETS[0][0]  # unreachable for J in [0, 1]


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def score(
    truth: Truth,
    removed: set[str] | Iterable[str],
    all_ids: set[str] | None = None,
    jaccard_key: str = "jaccard",
    threshold: float = 0.8,
) -> dict[str, Any]:
    """Recall, precision and over-removal of a deduper that dropped `removed` (see module docs).

    `all_ids` (every id of the corpus) is optional: with it the result also gives the removal
    share and how many removed ids are not in the corpus at all (a harness bug, not a deduper's).
    """
    if jaccard_key not in ("jaccard", "jaccard_t2s"):
        raise ValueError(f"jaccard_key must be 'jaccard' or 'jaccard_t2s', not {jaccard_key!r}")
    gone = set(removed)
    cluster_of = truth.cluster_of

    genuine: set[str] = set()
    for p in truth.pairs:
        if p.j(jaccard_key) >= GENUINE_J:
            genuine.add(p.a)
            genuine.add(p.b)

    tp = len(gone & genuine)
    fp = len(gone) - tp
    fp_in_clusters = sum(1 for d in gone - genuine if d in cluster_of)

    def tally() -> dict[str, int]:
        return {"pairs": 0, "caught": 0}

    at_t = tally()
    buckets = {label: tally() for label, _, _ in BUCKETS}
    by_kind: dict[str, dict[str, int]] = defaultdict(tally)
    by_transform: dict[str, dict[str, int]] = defaultdict(tally)
    for p in truth.pairs:
        j = p.j(jaccard_key)
        caught = int(p.a in gone or p.b in gone)
        b = buckets[_bucket(j)]
        b["pairs"] += 1
        b["caught"] += caught
        if j >= threshold:
            at_t["pairs"] += 1
            at_t["caught"] += caught
            by_kind[p.kind]["pairs"] += 1
            by_kind[p.kind]["caught"] += caught
            for t in p.kind.split("+"):
                by_transform[t]["pairs"] += 1
                by_transform[t]["caught"] += caught

    def with_recall(d: dict[str, int]) -> dict[str, Any]:
        return {**d, "recall": _ratio(d["caught"], d["pairs"])}

    over = sorted(c for c, members in truth.clusters.items() if all(m in gone for m in members))
    out: dict[str, Any] = {
        "jaccard_key": jaccard_key,
        "threshold": threshold,
        "recall": _ratio(at_t["caught"], at_t["pairs"]),
        "pairs_at_threshold": at_t["pairs"],
        "caught_at_threshold": at_t["caught"],
        "recall_by_bucket": {k: with_recall(v) for k, v in buckets.items()},
        "recall_by_kind": {k: with_recall(v) for k, v in sorted(by_kind.items())},
        "recall_by_transform": {k: with_recall(v) for k, v in sorted(by_transform.items())},
        "removed": len(gone),
        "true_positives": tp,
        "false_positives": fp,
        "false_positives_in_clusters": fp_in_clusters,
        "false_positives_outside_clusters": fp - fp_in_clusters,
        "precision": _ratio(tp, len(gone)),
        "clusters": len(truth.clusters),
        "over_removed_clusters": len(over),
        "over_removed_examples": over[:10],
    }
    if all_ids is not None:
        out["docs"] = len(all_ids)
        out["removed_share"] = _ratio(len(gone & all_ids), len(all_ids))
        out["removed_unknown_ids"] = len(gone - all_ids)
    return out
