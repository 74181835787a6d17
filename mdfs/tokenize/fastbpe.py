"""A compiled (numba) encoder for our character-level byte-fallback BPE: the same ids as
`tokenizers`, several times faster per core.

Why our own: HF `tokenizers` spends its time per pre-token and per symbol in generic machinery
(normalized strings with alignments, a `HashMap` per merge lookup); on unsegmented Chinese even the
best design encodes only ~2.5-5 MB/s per core (bench/RESULTS.md "Tokenizer"), below the 10 MB/s the
shard stage needs. This is the same algorithm on flat arrays: code points -> symbols (a code point
in the vocabulary, else its UTF-8 bytes as <0xXX> tokens), then `Word::merge_all` from
tokenizers/src/models/bpe/word.rs: a min-heap of (rank, position) over adjacent pairs, stale
entries skipped by the same check (the pair now at that position must merge to the entry's new
id), merged symbols marked removed. `FastBPE.from_tokenizer` accepts only what it reproduces
exactly -- BPE with byte fallback and all 256 byte tokens, no normalizer, no unk, no dropout, no
subword prefix/suffix, no `ignore_merges`, and no pre-tokenizer or a split after each newline --
and returns None otherwise, so callers fall back to `tokenizers`. Ids are checked equal to
`tokenizers` on real and random text in tests/tokenize/test_fastbpe.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

import numba
import numpy as np

_CACHE = os.path.isfile(__file__)
_EMPTY = np.int64(-1)
_NL = 10


@numba.njit(cache=_CACHE, inline="always")
def _slot(key, mask):  # pragma: no cover - compiled
    h = np.uint64(key)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return np.int64(h & np.uint64(mask))


@numba.njit(cache=_CACHE)
def _build_table(a, b, rank, new, cap):  # pragma: no cover - compiled
    """Open-addressing map (a, b) -> (rank, new id); a later duplicate pair overwrites, like HashMap."""
    keys = np.full(cap, -1, np.int64)
    ranks = np.zeros(cap, np.int32)
    news = np.zeros(cap, np.int32)
    mask = cap - 1
    for i in range(a.size):
        k = (np.int64(a[i]) << 32) | np.int64(b[i])
        s = _slot(k, mask)
        while keys[s] != -1 and keys[s] != k:
            s = (s + 1) & mask
        keys[s] = k
        ranks[s] = rank[i]
        news[s] = new[i]
    return keys, ranks, news


@numba.njit(cache=_CACHE, inline="always")
def _lookup(keys, ranks, mask, a, b):  # pragma: no cover - compiled
    """Slot of pair (a, b), or -1."""
    k = (np.int64(a) << 32) | np.int64(b)
    s = _slot(k, mask)
    while True:
        kk = keys[s]
        if kk == k:
            return s
        if kk == -1:
            return -1
        s = (s + 1) & mask


@numba.njit(cache=_CACHE, inline="always")
def _push(hk, hv, n, key, val):  # pragma: no cover - compiled
    i = n
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= hk[i]:
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return n + 1


@numba.njit(cache=_CACHE, inline="always")
def _pop(hk, hv, n):  # pragma: no cover - compiled; returns the new size, the minimum is left at hk[n-1]
    n -= 1
    hk[0], hk[n] = hk[n], hk[0]
    hv[0], hv[n] = hv[n], hv[0]
    i = 0
    while True:
        l = 2 * i + 1
        if l >= n:
            break
        m = l
        r = l + 1
        if r < n and hk[r] < hk[l]:
            m = r
        if hk[i] <= hk[m]:
            break
        hk[i], hk[m] = hk[m], hk[i]
        hv[i], hv[m] = hv[m], hv[i]
        i = m
    return n


@numba.njit(cache=_CACHE)
def _merge_word(c, nxt, prv, alive, n, keys, ranks, news, mask, hk, hv):  # pragma: no cover - compiled
    """tokenizers' Word::merge_all over symbols c[0:n]; removed symbols get alive = 0."""
    h = 0
    for i in range(n - 1):
        s = _lookup(keys, ranks, mask, c[i], c[i + 1])
        if s >= 0:
            h = _push(hk, hv, h, (np.int64(ranks[s]) << 32) | i, news[s])
    while h > 0:
        h = _pop(hk, hv, h)
        key = hk[h]
        new_id = hv[h]
        pos = np.int64(key & 0xFFFFFFFF)
        if alive[pos] == 0 or nxt[pos] == -1:
            continue
        right = nxt[pos]
        s = _lookup(keys, ranks, mask, c[pos], c[right])
        if s < 0 or news[s] != new_id:
            continue
        c[pos] = new_id
        alive[right] = 0
        rn = nxt[right]
        nxt[pos] = rn
        if rn > -1 and rn < n:
            prv[rn] = pos
        p = prv[pos]
        if p >= 0:
            s = _lookup(keys, ranks, mask, c[p], c[pos])
            if s >= 0:
                h = _push(hk, hv, h, (np.int64(ranks[s]) << 32) | p, news[s])
        if rn > -1 and rn < n:
            s = _lookup(keys, ranks, mask, c[pos], c[rn])
            if s >= 0:
                h = _push(hk, hv, h, (np.int64(ranks[s]) << 32) | pos, news[s])


@numba.njit(cache=_CACHE)
def _encode(cps, offsets, char_id, byte_id, keys, ranks, news, split_nl, eos, out, lengths):  # pragma: no cover
    """Every document cps[offsets[d]:offsets[d+1]] -> ids appended to out; returns the ids written."""
    mask = keys.size - 1
    n_docs = offsets.size - 1
    longest = 0
    for d in range(n_docs):
        longest = max(longest, offsets[d + 1] - offsets[d])
    cap = 4 * longest + 1
    c = np.empty(cap, np.int32)
    nxt = np.empty(cap, np.int64)
    prv = np.empty(cap, np.int64)
    alive = np.empty(cap, np.uint8)
    hk = np.empty(3 * cap + 8, np.int64)
    hv = np.empty(3 * cap + 8, np.int32)
    w = 0
    n_table = char_id.size
    for d in range(n_docs):
        start_w = w
        i = offsets[d]
        end = offsets[d + 1]
        while i < end:
            # one word: up to and including the next newline (split_nl), else the whole document
            j = i
            if split_nl:
                while j < end and cps[j] != _NL:
                    j += 1
                if j < end:
                    j += 1
            else:
                j = end
            n = 0
            for k in range(i, j):
                cp = cps[k]
                tid = char_id[cp] if cp < n_table else -1
                if tid >= 0:
                    c[n] = tid
                    n += 1
                elif cp < 0x80:
                    c[n] = byte_id[cp]
                    n += 1
                elif cp < 0x800:
                    c[n] = byte_id[0xC0 | (cp >> 6)]
                    c[n + 1] = byte_id[0x80 | (cp & 0x3F)]
                    n += 2
                elif cp < 0x10000:
                    c[n] = byte_id[0xE0 | (cp >> 12)]
                    c[n + 1] = byte_id[0x80 | ((cp >> 6) & 0x3F)]
                    c[n + 2] = byte_id[0x80 | (cp & 0x3F)]
                    n += 3
                else:
                    c[n] = byte_id[0xF0 | (cp >> 18)]
                    c[n + 1] = byte_id[0x80 | ((cp >> 12) & 0x3F)]
                    c[n + 2] = byte_id[0x80 | ((cp >> 6) & 0x3F)]
                    c[n + 3] = byte_id[0x80 | (cp & 0x3F)]
                    n += 4
            for k in range(n):
                nxt[k] = k + 1
                prv[k] = k - 1
                alive[k] = 1
            if n > 0:
                nxt[n - 1] = -1
            _merge_word(c, nxt, prv, alive, n, keys, ranks, news, mask, hk, hv)
            for k in range(n):
                if alive[k]:
                    out[w] = c[k]
                    w += 1
            i = j
        if eos >= 0:
            out[w] = eos
            w += 1
        lengths[d] = w - start_w
    return w


@numba.njit(cache=_CACHE)
def _utf8_to_cps(data, boffs, out, coffs):  # pragma: no cover - compiled; data is valid UTF-8 (Arrow checks)
    w = 0
    for d in range(boffs.size - 1):
        coffs[d] = w
        i = boffs[d]
        e = boffs[d + 1]
        while i < e:
            b0 = np.uint32(data[i])
            if b0 < 0x80:
                cp = b0
                i += 1
            elif b0 < 0xE0:
                cp = ((b0 & 0x1F) << 6) | (data[i + 1] & 0x3F)
                i += 2
            elif b0 < 0xF0:
                cp = ((b0 & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F)
                i += 3
            else:
                cp = ((b0 & 0x07) << 18) | ((data[i + 1] & 0x3F) << 12) | ((data[i + 2] & 0x3F) << 6) | (data[i + 3] & 0x3F)
                i += 4
            out[w] = cp
            w += 1
    coffs[boffs.size - 1] = w


class FastBPE:
    """Encode like a `tokenizers` byte-fallback BPE, compiled. Build with `from_tokenizer`."""

    def __init__(self, char_id: np.ndarray, byte_id: np.ndarray, table: tuple[np.ndarray, np.ndarray, np.ndarray], split_nl: bool) -> None:
        self.char_id = char_id
        self.byte_id = byte_id
        self.keys, self.ranks, self.news = table
        self.split_nl = split_nl

    @classmethod
    def from_tokenizer(cls, tok: Any) -> FastBPE | None:
        """The compiled encoder for `tok`, or None when `tok` is not a design it reproduces exactly."""
        spec = json.loads(tok.to_str())
        m = spec.get("model") or {}
        if m.get("type") != "BPE" or not m.get("byte_fallback") or spec.get("normalizer") is not None:
            return None
        if m.get("dropout") or m.get("unk_token") or m.get("continuing_subword_prefix") or m.get("end_of_word_suffix"):
            return None
        if m.get("ignore_merges"):
            return None
        pre = spec.get("pre_tokenizer")
        if pre is None:
            split_nl = False
        elif pre == {"type": "Split", "pattern": {"String": "\n"}, "behavior": "MergedWithPrevious", "invert": False}:
            split_nl = True
        else:
            return None
        # Added tokens other than specials, or specials matched in text, change the split: not ours.
        if any(not a.get("special") for a in spec.get("added_tokens", [])) or not getattr(tok, "encode_special_tokens", False):
            return None
        vocab: dict[str, int] = m["vocab"]
        byte_id = np.array([vocab.get(f"<0x{b:02X}>", -1) for b in range(256)], dtype=np.int32)
        if (byte_id < 0).any():
            return None
        singles = [(ord(t), i) for t, i in vocab.items() if len(t) == 1]
        size = max((cp for cp, _ in singles), default=0) + 1
        char_id = np.full(size, -1, dtype=np.int32)
        for cp, i in singles:
            char_id[cp] = i
        merges = m.get("merges") or []
        pairs = [tuple(x) if isinstance(x, list) else tuple(x.split(" ", 1)) for x in merges]
        n = len(pairs)
        a = np.empty(n, np.int32)
        b = np.empty(n, np.int32)
        new = np.empty(n, np.int32)
        for r, (x, y) in enumerate(pairs):
            if x not in vocab or y not in vocab or x + y not in vocab:
                return None  # tokenizers refuses such a file too
            a[r], b[r], new[r] = vocab[x], vocab[y], vocab[x + y]
        cap = 1 << max(4, int(2 * max(n, 1) - 1).bit_length())
        table = _build_table(a, b, np.arange(n, dtype=np.int32), new, cap)
        return cls(char_id, byte_id, table, split_nl)

    def encode_codepoints(self, cps: np.ndarray, offsets: np.ndarray, eos_id: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Documents as UTF-32 code points with offsets -> (flat uint32 ids, int64 lengths)."""
        n_docs = offsets.size - 1
        out = np.empty(4 * int(cps.size) + n_docs, dtype=np.int32)
        lengths = np.empty(n_docs, dtype=np.int64)
        w = _encode(cps, offsets, self.char_id, self.byte_id, self.keys, self.ranks, self.news,
                    self.split_nl, -1 if eos_id is None else int(eos_id), out, lengths)
        return out[:w].view(np.uint32), lengths

    def encode_arrow(self, arr: Any, eos_id: int | None) -> tuple[np.ndarray, np.ndarray]:
        """An Arrow string array (nulls = empty documents), read from its UTF-8 buffer: no Python strings."""
        import pyarrow as pa

        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if pa.types.is_string(arr.type):
            off_t = np.int32
        elif pa.types.is_large_string(arr.type):
            off_t = np.int64
        else:
            raise TypeError(f"expected a string array, got {arr.type}")
        n = len(arr)
        if arr.null_count:
            arr = arr.fill_null("")
        bufs = arr.buffers()
        boffs = np.frombuffer(bufs[1], dtype=off_t, count=arr.offset + n + 1)[arr.offset :].astype(np.int64)
        data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.empty(0, np.uint8)
        cps = np.empty(int(boffs[-1] - boffs[0]) if n else 0, dtype=np.uint32)
        coffs = np.empty(n + 1, dtype=np.int64)
        _utf8_to_cps(data, boffs, cps, coffs)
        return self.encode_codepoints(cps[: coffs[-1]], coffs, eos_id)

    def encode(self, texts: Sequence[str], eos_id: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Each text independently (EOS appended when given) -> (flat uint32 ids, int64 lengths)."""
        texts = list(texts)
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        return self.encode_codepoints(cps, offsets, eos_id)


__all__ = ["FastBPE"]
