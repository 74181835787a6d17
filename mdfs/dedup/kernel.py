"""Texts -> MinHash signatures in one compiled pass (numba): fold, shingle, hash, permute, min.

Why our own kernel and not a library: the signatures must be bit-identical to datasketch (the
reference users check against), which rules out rensa and other compiled MinHash libraries (their
hash and permutation schemes differ). The numpy path (`shingles.shingle_hashes_batch` +
`MinHasher.signatures_flat`) is exact but makes ~20 passes over 8-byte temporaries per shingle;
this kernel does the same arithmetic per shingle in registers and vectorises the num_perm loop,
~3x faster per core (`make bench-minhash` measures both against datasketch). It computes exactly
what those two functions compute (tests/dedup/test_kernel.py checks equality on random text):
- fold: `_fold_table()` per code point, 0 = dropped;
- shingle hash: polynomial over n folded code points from `_SEED` with base `_MULT` in uint64,
  MurmurHash3 fmix64, top 32 bits; a non-empty document shorter than n gives one shingle of
  all its code points; an empty one keeps the empty value;
- scheme: 0 affine32 (fmix32 premix, a*h+b in uint32), 1 affine64 (fmix64 premix, uint64),
  2 legacy ((a*h+b wrapped in uint64) mod 2^61-1, low 32 bits).
Repeated shingles are not removed: a repeat cannot change a minimum.

Compiled on first use in each process (~1 s, cached on disk by numba's `cache=True` afterwards).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numba
import numpy as np

from mdfs.dedup.minhash import MinHasher
from mdfs.dedup.shingles import _MULT, _SEED, _fold_table

# numba can only cache beside a real source file (not inside a zip shipped with --py-files).
_CACHE = os.path.isfile(__file__)
_SCHEME_CODE = {"affine32": 0, "affine64": 1, "legacy": 2}

# numba promotes mixed signed/unsigned arithmetic to float64: every constant is a typed uint64.
_U = np.uint64
_K_SEED, _K_MULT = _U(_SEED), _U(_MULT)
_K_M1, _K_M2 = _U(0xFF51AFD7ED558CCD), _U(0xC4CEB9FE1A85EC53)
_K_F1, _K_F2 = _U(0x85EBCA6B), _U(0xC2B2AE35)
_K_33, _K_32, _K_16, _K_13 = _U(33), _U(32), _U(16), _U(13)
_K_LOW32 = _U(0xFFFFFFFF)
_K_MERSENNE = _U((1 << 61) - 1)


@numba.njit(cache=_CACHE, inline="always")
def _fmix64(h):  # pragma: no cover - compiled
    h ^= h >> _K_33
    h *= _K_M1
    h ^= h >> _K_33
    h *= _K_M2
    return h ^ (h >> _K_33)


@numba.njit(cache=_CACHE, inline="always")
def _fmix32(h):  # pragma: no cover - compiled; h < 2^32 held in a uint64
    h ^= h >> _K_16
    h = (h * _K_F1) & _K_LOW32
    h ^= h >> _K_13
    h = (h * _K_F2) & _K_LOW32
    return h ^ (h >> _K_16)


_CHUNK = 256  # premixed shingle hashes buffered per document before the permutation loop


@numba.njit(cache=_CACHE)
def _update32(sig, a, b, x, cnt):  # pragma: no cover - compiled
    # Permutation outer, hashes inner: the running minimum stays in a register and the inner
    # loop vectorises over x (5x faster than updating all num_perm minima per shingle).
    for k in range(sig.shape[0]):
        ak, bk, m = a[k], b[k], sig[k]
        for j in range(cnt):
            m = min(m, np.uint32(ak * x[j] + bk))  # wraps mod 2^32 (numba widens the product)
        sig[k] = m


@numba.njit(cache=_CACHE)
def _update64(sig, a, b, x, cnt, legacy):  # pragma: no cover - compiled
    for k in range(sig.shape[0]):
        ak, bk, m = a[k], b[k], sig[k]
        if legacy:
            for j in range(cnt):
                m = min(m, ((ak * x[j] + bk) % _K_MERSENNE) & _K_LOW32)
        else:
            for j in range(cnt):
                m = min(m, ak * x[j] + bk)
        sig[k] = m


@numba.njit(cache=_CACHE)
def _signatures(cps, offsets, fold, raw, n, a32, b32, a64, b64, scheme, out32, out64):  # pragma: no cover
    buf = np.empty(0, dtype=np.uint64)
    x32 = np.empty(_CHUNK, dtype=np.uint32)
    x64 = np.empty(_CHUNK, dtype=np.uint64)
    for d in range(offsets.shape[0] - 1):
        s, e = offsets[d], offsets[d + 1]
        if buf.shape[0] < e - s:
            buf = np.empty(e - s, dtype=np.uint64)
        m = 0
        for i in range(s, e):
            c = cps[i] if raw else fold[cps[i]]
            if raw or c != 0:
                buf[m] = _U(c)
                m += 1
        if m == 0:
            continue
        count = m - n + 1 if m >= n else 1
        width = n if m >= n else m
        cnt = 0
        for p in range(count):
            h = _K_SEED
            for j in range(width):
                h = h * _K_MULT + buf[p + j]
            h = _fmix64(h) >> _K_32
            if scheme == 0:
                x32[cnt] = np.uint32(_fmix32(h))
            elif scheme == 1:
                x64[cnt] = _fmix64(h)
            else:
                x64[cnt] = h
            cnt += 1
            if cnt == _CHUNK or p == count - 1:
                if scheme == 0:
                    _update32(out32[d], a32, b32, x32, cnt)
                else:
                    _update64(out64[d], a64, b64, x64, cnt, scheme == 2)
                cnt = 0


def _run(units: np.ndarray, offsets: np.ndarray, raw: bool, n: int, hasher: MinHasher) -> np.ndarray:
    if n < 1:
        raise ValueError("n must be >= 1")
    out = np.full((len(offsets) - 1, hasher.num_perm), hasher.empty_value, dtype=hasher.dtype)
    code = _SCHEME_CODE[hasher.scheme]
    e32, e64 = np.zeros((0, 0), np.uint32), np.zeros((0, 0), np.uint64)
    a32 = hasher.a if code == 0 else np.zeros(0, np.uint32)
    b32 = hasher.b if code == 0 else np.zeros(0, np.uint32)
    a64 = hasher.a if code else np.zeros(0, np.uint64)
    b64 = hasher.b if code else np.zeros(0, np.uint64)
    _signatures(units, offsets, _fold_table(), raw, n, a32, b32, a64, b64, code,
                out if code == 0 else e32, out if code else e64)
    return out


def signatures_from_texts(texts: Sequence[str], n: int, hasher: MinHasher) -> np.ndarray:
    """(len(texts), num_perm) signatures of character n-grams, equal to
    `hasher.signatures_flat(*shingle_hashes_batch(texts, n))`."""
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    cps = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _run(cps, offsets, False, n, hasher)


def signatures_from_tokens(token_ids: np.ndarray, offsets: np.ndarray, n: int, hasher: MinHasher) -> np.ndarray:
    """Signatures of n-grams over 32-bit token ids (word shingles): the same polynomial hash as
    characters, over token ids instead of code points, nothing dropped."""
    return _run(np.ascontiguousarray(token_ids, dtype=np.uint32), np.asarray(offsets, dtype=np.int64), True, n, hasher)


__all__ = ["signatures_from_texts", "signatures_from_tokens"]
