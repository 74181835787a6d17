"""MinHash signatures, LSH banding and Jaccard estimates, vectorised over a batch of documents.

Bit-identical to `datasketch.MinHash(num_perm, seed, hashfunc=shingle_hashfunc, scheme=...)`
updated with each shingle, for all three datasketch 2.0 schemes:
- "affine32" (datasketch's default since 2.0, ours too): the 32-bit input hash is pre-mixed
  with the 32-bit MurmurHash3 finalizer, then h -> a_k * h + b_k in uint32 with wraparound
  (a_k odd: a bijection, so the permutation adds no collisions). Signatures are uint32.
- "affine64": the same in uint64 (our input hashes are 32-bit; the wider range buys nothing for
  web documents, it is here for parity only). Signatures are uint64.
- "legacy" (datasketch < 2.0): ((a_k * h + b_k) mod 2^61-1) & (2^32-1), where a_k * h + b_k
  wraps in uint64 first exactly as datasketch's numpy code does. Signatures are uint64.

Why reproduce datasketch rather than just "a MinHash": datasketch is the reference people check
against, so signatures (and LSH parameters) can be verified and mixed with its tooling.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from mdfs.dedup.shingles import fmix64

SCHEMES = ("affine32", "affine64", "legacy")
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32_U64 = np.uint64((1 << 32) - 1)
_EMPTY = {
    "affine32": np.uint32((1 << 32) - 1),
    "affine64": np.uint64((1 << 64) - 1),
    "legacy": np.uint64((1 << 32) - 1),
}
_DTYPE = {"affine32": np.uint32, "affine64": np.uint64, "legacy": np.uint64}
_F32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2 = _F32
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s1)


class MinHasher:
    """Permutations of one (num_perm, seed, scheme), applied to shingle-hash arrays in bulk.

    The parameters are drawn exactly as datasketch draws them (`np.random.RandomState(seed)`,
    same calls in the same order), so signatures match datasketch's bit for bit.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1, scheme: str = "affine32", block: int = 16384):
        if scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
        if num_perm < 1:
            raise ValueError("num_perm must be positive")
        self.num_perm, self.seed, self.scheme = num_perm, seed, scheme
        self.dtype = _DTYPE[scheme]
        self.empty_value = _EMPTY[scheme]
        # Columns of hashes per vectorised step: (num_perm, block) temporaries stay cache-sized.
        self.block = block
        gen = np.random.RandomState(seed)
        if scheme == "legacy":
            ab = np.array(
                [
                    (gen.randint(1, _MERSENNE, dtype=np.uint64), gen.randint(0, _MERSENNE, dtype=np.uint64))
                    for _ in range(num_perm)
                ],
                dtype=np.uint64,
            ).T
            a, b = ab[0], ab[1]
        else:
            width = 32 if scheme == "affine32" else 64
            dt = self.dtype
            a = gen.randint(0, 1 << (width - 1), num_perm, dtype=dt) * dt(2) + dt(1)
            b = gen.randint(0, 1 << width, num_perm, dtype=dt)
        self.a: np.ndarray = np.ascontiguousarray(a)
        self.b: np.ndarray = np.ascontiguousarray(b)

    @property
    def permutations(self) -> np.ndarray:
        """(2, num_perm) like `datasketch.MinHash.permutations`."""
        return np.array([self.a, self.b])

    def _premix(self, hashes: np.ndarray) -> np.ndarray:
        h = np.asarray(hashes)
        if h.size and (h.dtype.kind not in "ui" or int(h.min()) < 0 or int(h.max()) > 0xFFFFFFFF):
            raise ValueError("shingle hashes must be 32-bit unsigned integers")
        if self.scheme == "affine32":
            return _fmix32(h.astype(np.uint32, copy=False))
        if self.scheme == "affine64":
            return fmix64(h.astype(np.uint64))
        return h.astype(np.uint64)

    def _permute(self, hv: np.ndarray, out: np.ndarray) -> np.ndarray:
        """(num_perm, len(hv)) permuted values of premixed hashes, written into `out`."""
        np.multiply(self.a[:, None], hv[None, :], out=out)
        np.add(out, self.b[:, None], out=out)
        if self.scheme == "legacy":
            np.remainder(out, _MERSENNE, out=out)
            np.bitwise_and(out, _MAX32_U64, out=out)
        return out

    def signatures_flat(self, hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Signatures (n_docs, num_perm) of documents given as one hash array plus offsets.

        Document d owns `hashes[offsets[d]:offsets[d+1]]`. The hash array is cut into blocks
        of columns regardless of document boundaries; each block is permuted in one numpy op
        and min-reduced per document with `np.minimum.reduceat`, and documents that straddle
        blocks take the minimum of their parts. Empty documents keep datasketch's empty value
        (the scheme's maximum hash, all num_perm entries).
        """
        offsets = np.asarray(offsets, dtype=np.int64)
        if offsets.ndim != 1 or len(offsets) == 0 or offsets[0] != 0:
            raise ValueError("offsets must be 1-D, start at 0 and have n_docs + 1 entries")
        n_docs = len(offsets) - 1
        out = np.full((n_docs, self.num_perm), self.empty_value, dtype=self.dtype)
        total = int(offsets[-1])
        if total == 0:
            return out
        hv = self._premix(hashes[:total])
        nonempty = np.flatnonzero(np.diff(offsets) > 0)
        ne_start, ne_end = offsets[nonempty], offsets[nonempty + 1]
        buf = np.empty((self.num_perm, min(self.block, total)), dtype=self.dtype)
        for s in range(0, total, self.block):
            e = min(s + self.block, total)
            lo = np.searchsorted(ne_end, s, side="right")  # first doc ending after s
            hi = np.searchsorted(ne_start, e, side="left")  # first doc starting at/after e
            docs = nonempty[lo:hi]
            starts = np.maximum(ne_start[lo:hi], s) - s
            phv = self._permute(hv[s:e], buf[:, : e - s])
            mins = np.minimum.reduceat(phv, starts, axis=1).T
            np.minimum(out[docs], mins, out=mins)
            out[docs] = mins
        return out

    def signatures(self, hash_arrays: Sequence[np.ndarray]) -> np.ndarray:
        """Signatures (n_docs, num_perm) of a list of per-document shingle-hash arrays."""
        lens = np.fromiter((len(h) for h in hash_arrays), dtype=np.int64, count=len(hash_arrays))
        offsets = np.zeros(len(hash_arrays) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        flat = np.concatenate(hash_arrays) if len(hash_arrays) else np.zeros(0, dtype=np.uint32)
        return self.signatures_flat(flat, offsets)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """Signature (num_perm,) of one document's shingle hashes."""
        return self.signatures([np.asarray(hashes)])[0]


@lru_cache(maxsize=64)
def optimal_bands(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """(bands, rows) minimising weighted FP + FN area, exactly as `datasketch.MinHashLSH` picks.

    Delegates to datasketch's own integration (`lsh._optimal_param`) so the choice cannot drift;
    ~0.1 s per call, hence the cache.
    """
    from datasketch.lsh import _optimal_param

    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0.0, 1.0]")
    if abs(false_positive_weight + false_negative_weight - 1.0) > 1e-9:
        raise ValueError("false_positive_weight + false_negative_weight must be 1.0")
    b, r = _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight)
    return int(b), int(r)


_BAND_MULT = np.uint64(0x9E3779B97F4A7C15)


def band_hashes(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n_docs, bands) uint64: one hash per LSH band, over columns [i*rows, (i+1)*rows).

    Band i covers the same columns as datasketch's `hashranges[i]`. The band index is mixed in,
    so equal hashes in different bands do not collide either: buckets can be keyed on the hash
    alone or on (band, hash). Chained MurmurHash3 fmix64 over the rows; a 64-bit hash makes a
    false bucket match (~n^2 / 2^64) negligible next to real LSH candidates.
    """
    sigs = np.asarray(sigs)
    if sigs.ndim != 2:
        raise ValueError("sigs must be (n_docs, num_perm)")
    if bands * rows > sigs.shape[1] or bands < 1 or rows < 1:
        raise ValueError(f"{bands} bands x {rows} rows does not fit {sigs.shape[1]} permutations")
    v = sigs[:, : bands * rows].astype(np.uint64).reshape(len(sigs), bands, rows)
    h = np.broadcast_to(fmix64(np.arange(1, bands + 1, dtype=np.uint64)), (len(sigs), bands)).copy()
    for j in range(rows):
        h = fmix64((h ^ v[:, :, j]) * _BAND_MULT)
    return h


def jaccard_estimate(sig_a: np.ndarray, sig_b: np.ndarray) -> float | np.ndarray:
    """Fraction of equal signature entries (datasketch's `MinHash.jaccard`), row-wise for 2-D."""
    a, b = np.asarray(sig_a), np.asarray(sig_b)
    if a.shape[-1] != b.shape[-1]:
        raise ValueError("signatures have different num_perm")
    est = np.count_nonzero(a == b, axis=-1) / a.shape[-1]
    return float(est) if np.ndim(est) == 0 else est
