"""Character n-gram shingles of Chinese text, hashed to 32 bits with numpy.

Why characters and not words: Chinese has no spaces, and segmenting (jieba) runs at ~0.5 MB/s,
far too slow for every byte of a crawl; character 5-grams are what data-juicer uses on Chinese.

Normalisation before shingling (one table lookup per code point, see `_fold_table`):
- whitespace, separators, control and format characters are dropped, so re-wrapped or
  re-indented copies of a page shingle identically;
- punctuation (Unicode category P*) is dropped too: reposts of one article routinely differ only
  in punctuation (full- vs half-width commas, `“”` vs `「」`, `……` vs `...`, separators added or
  removed), and punctuation is ~10-15 % of the characters of Chinese prose, so keeping it would
  put a "difference" in many 5-grams for an edit that changes no content. Symbols (S*: `¥`,
  `℃`, emoji) are content and stay;
- full-width ASCII folds to ASCII (`１９９８` -> `1998`) and letters fold to lower case, both
  1:1 per code point, so the code point array never changes length except by deletions.

The hash of a shingle c_0..c_{k-1} is a polynomial over its code points in uint64 (seeded with
a constant, so shingles of different lengths differ), avalanched with the 64-bit MurmurHash3
finalizer, top 32 bits kept. Over a code point array that is n vector passes, never a Python
loop per shingle. `shingle_hashfunc` computes the same value for one shingle string, so
`datasketch.MinHash(hashfunc=shingle_hashfunc)` reproduces our signatures.

A document whose normalised text is shorter than n (but not empty) gives ONE shingle: its whole
normalised text, so short lines still dedupe exactly. An empty normalised text gives no shingle.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

DEFAULT_N = 5

_MASK64 = (1 << 64) - 1
_SEED = 0x9E3779B97F4A7C15  # polynomial start value (golden ratio); nonzero, so length counts
_MULT = 0x100000001B3  # FNV-1a 64-bit prime as the polynomial base: odd, spreads 21-bit inputs
_U_SEED = np.uint64(_SEED)
_U_MULT = np.uint64(_MULT)
_M1, _M2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53  # MurmurHash3 fmix64
_U_M1, _U_M2, _U_33, _U_32 = np.uint64(_M1), np.uint64(_M2), np.uint64(33), np.uint64(32)

_DROP_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs"})


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """Code point -> normalised code point, 0 meaning "drop". Built once per process (~0.3 s).

    Planes 4-13 hold no assigned characters and keep the identity mapping without a lookup.
    """
    t = np.arange(0x110000, dtype=np.uint32)
    for cp in (*range(0x40000), *range(0xE0000, 0x110000)):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat[0] == "P" or cat in _DROP_CATEGORIES:
            t[cp] = 0
            continue
        if 0xFF01 <= cp <= 0xFF5E:  # full-width ASCII
            ch = chr(cp - 0xFEE0)
        low = ch.lower()
        t[cp] = ord(low) if len(low) == 1 else ord(ch)
    return t


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer on a uint64 array (wraps, as intended)."""
    h = h ^ (h >> _U_33)
    h = h * _U_M1
    h = h ^ (h >> _U_33)
    h = h * _U_M2
    return h ^ (h >> _U_33)


def _fmix64_int(h: int) -> int:
    h ^= h >> 33
    h = (h * _M1) & _MASK64
    h ^= h >> 33
    h = (h * _M2) & _MASK64
    return h ^ (h >> 33)


def shingle_hashfunc(shingle: str) -> int:
    """The 32-bit hash of one (already normalised) shingle; equals what `shingle_hashes` gives it.

    Hand this to `datasketch.MinHash(hashfunc=...)` to reproduce our signatures there.
    """
    h = _SEED
    for c in map(ord, shingle):
        h = (h * _MULT + c) & _MASK64
    return _fmix64_int(h) >> 32


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def normalized_codepoints(text: str) -> np.ndarray:
    """The normalised code points (uint32) that shingles are cut from."""
    m = _fold_table()[_codepoints(text)]
    return m[m != 0]


def normalize_for_shingles(text: str) -> str:
    """`normalized_codepoints` as a string (for reference implementations and debugging)."""
    return normalized_codepoints(text).tobytes().decode("utf-32-le")


def shingles(text: str, n: int = DEFAULT_N) -> list[str]:
    """The shingle strings of `text`, in order, with repeats: the slow reference (tests, datasketch)."""
    s = normalize_for_shingles(text)
    if not s:
        return []
    if len(s) < n:
        return [s]
    return [s[i : i + n] for i in range(len(s) - n + 1)]


def shingle_hashes_batch(
    texts: Sequence[str], n: int = DEFAULT_N, unique: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of many documents at once: (hashes uint32, offsets int64 of len(texts)+1).

    Document d's hashes are `hashes[offsets[d]:offsets[d+1]]`, sorted and distinct if `unique`
    (MinHash is set-based; a repeated shingle cannot change a minimum, so `unique=False` gives
    the same signatures and skips the sort). All documents are encoded, folded and hashed as one
    concatenated array: the Python cost per document is one `len`.
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    n_docs = len(texts)
    raw_len = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n_docs)
    raw_off = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(raw_len, out=raw_off[1:])
    mapped = _fold_table()[_codepoints("".join(texts))]
    keep = mapped != 0
    cps = mapped[keep].astype(np.uint64)
    kept_before = np.zeros(len(mapped) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    off = kept_before[raw_off]  # document offsets into `cps`
    lens = np.diff(off)
    total = len(cps)

    parts_h: list[np.ndarray] = []
    parts_d: list[np.ndarray] = []
    # Full n-grams: hash every start position of the concatenation, keep those inside one doc.
    if total >= n:
        m = total - n + 1
        h = np.full(m, _U_SEED, dtype=np.uint64)
        for j in range(n):
            h *= _U_MULT
            h += cps[j : j + m]
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lens)[:m]
        pos = np.arange(m, dtype=np.int64) - off[doc_of]
        ok = pos <= (lens[doc_of] - n)
        parts_h.append(h[ok])
        parts_d.append(doc_of[ok])
    # Short documents (0 < len < n): one shingle of the whole text.
    short = np.flatnonzero((lens > 0) & (lens < n))
    if short.size:
        h = np.full(short.size, _U_SEED, dtype=np.uint64)
        for j in range(n - 1):
            live = lens[short] > j
            idx = off[short[live]] + j
            h[live] = h[live] * _U_MULT + cps[idx]
        parts_h.append(h)
        parts_d.append(short)

    if not parts_h:
        return np.zeros(0, dtype=np.uint32), np.zeros(n_docs + 1, dtype=np.int64)
    h32 = fmix64(np.concatenate(parts_h)) >> _U_32
    docs = np.concatenate(parts_d).astype(np.uint64)
    key = (docs << _U_32) | h32
    key.sort()  # by document, then hash
    if unique and len(key) > 1:
        # Adjacent-duplicate mask, not np.unique: numpy 2.4's np.unique is ~15x slower here.
        key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    doc_sorted = (key >> _U_32).astype(np.int64)
    offsets = np.searchsorted(doc_sorted, np.arange(n_docs + 1), side="left").astype(np.int64)
    return (key & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets


def word_token_ids(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """jieba words of each text as 32-bit ids, for word shingles: (ids uint32, offsets int64).

    Each word is normalised like characters (folded, whitespace and punctuation removed; a word
    left empty is dropped) and its id is `shingle_hashfunc` of what remains. jieba runs ~0.5 MB/s,
    so this mode is for comparison (bench/dedup), not the default.
    """
    import jieba

    ids: list[int] = []
    offsets = [0]
    cache: dict[str, int] = {}
    for text in texts:
        for w in jieba.lcut(text):
            tid = cache.get(w)
            if tid is None:
                norm = normalize_for_shingles(w)
                tid = cache[w] = shingle_hashfunc(norm) if norm else -1
            if tid >= 0:
                ids.append(tid)
        offsets.append(len(ids))
    return np.array(ids, dtype=np.uint32), np.array(offsets, dtype=np.int64)


def shingle_hashes(text: str, n: int = DEFAULT_N) -> np.ndarray:
    """Distinct shingle hashes (uint32, sorted) of one document."""
    return shingle_hashes_batch([text], n)[0]
