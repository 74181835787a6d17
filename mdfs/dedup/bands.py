"""The per-batch, pure parts of near-dedup that Spark runs with mapInArrow: signatures, LSH band
rows, and the signature Jaccard of candidate pairs."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from mdfs.dedup.minhash import MinHasher, band_hashes
from mdfs.dedup.kernel import signatures_from_texts, signatures_from_tokens
from mdfs.dedup.shingles import word_token_ids

BAND_SCHEMA = pa.schema([pa.field("id", pa.string()), pa.field("band", pa.int32()), pa.field("h", pa.int64())])


@lru_cache(maxsize=4)
def _hasher(num_perm: int, seed: int, scheme: str) -> MinHasher:
    return MinHasher(num_perm=num_perm, seed=seed, scheme=scheme)


SIG_SCHEMA = pa.schema([
    pa.field("id", pa.string()), pa.field("quality_score", pa.float64()), pa.field("h", pa.string()),
    pa.field("sig", pa.binary()),
])
PAIR_SCHEMA = pa.schema([pa.field("a", pa.string()), pa.field("b", pa.string()), pa.field("j", pa.float64())])


def signature_rows(batch: pa.RecordBatch, cfg: dict[str, Any]) -> pa.RecordBatch:
    """(id, quality_score, sha256 of the text, signature bytes) per document, from (id, quality_score, text).

    Computed once per document and the only step that reads the text: exact dedup, bands, the pair
    check and the saved store all work on these narrow rows, so no shuffle ever moves the text.
    """
    texts = [t or "" for t in batch.column("text").to_pylist()]
    digests = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
    hasher = _hasher(cfg["num_perm"], cfg["seed"], cfg["scheme"])
    if cfg["tokens"] == "char":
        sigs = signatures_from_texts(texts, cfg["ngram"], hasher)
    elif cfg["tokens"] == "word":
        sigs = signatures_from_tokens(*word_token_ids(texts), cfg["ngram"], hasher)
    else:
        raise ValueError(f"dedup.tokens must be 'char' or 'word', got {cfg['tokens']!r}")
    q = batch.column("quality_score") if "quality_score" in batch.schema.names else pa.nulls(len(texts), pa.float64())
    return pa.RecordBatch.from_arrays(
        [batch.column("id"), q.cast(pa.float64()), pa.array(digests, pa.string()),
         pa.array([row.tobytes() for row in sigs], pa.binary())],
        schema=SIG_SCHEMA,
    )


def _sig_dtype(cfg: dict[str, Any]) -> type:
    return np.uint32 if cfg["scheme"] == "affine32" else np.uint64


def bands_from_signatures(batch: pa.RecordBatch, cfg: dict[str, Any]) -> pa.RecordBatch:
    """(id, band, band hash) rows from a batch of SIG_SCHEMA rows."""
    bands, rows = cfg["bands"], cfg["rows"]
    if bands * rows > cfg["num_perm"]:
        raise ValueError(f"dedup: bands x rows = {bands * rows} > num_perm = {cfg['num_perm']}")
    ids = batch.column("id").to_pylist()
    sigs = np.frombuffer(b"".join(batch.column("sig").to_pylist()), dtype=_sig_dtype(cfg)).reshape(len(ids), -1)
    bh = band_hashes(sigs, bands, rows)
    return pa.RecordBatch.from_arrays(
        [
            pa.array(np.repeat(np.array(ids, dtype=object), bands), pa.string()),
            pa.array(np.tile(np.arange(bands, dtype=np.int32), len(ids))),
            pa.array(bh.reshape(-1).view(np.int64)),
        ],
        schema=BAND_SCHEMA,
    )


def pair_jaccard(batch: pa.RecordBatch, cfg: dict[str, Any]) -> pa.RecordBatch:
    """Signature-estimated Jaccard of candidate pairs (a, b, sig_a, sig_b) -> (a, b, j)."""
    dt = _sig_dtype(cfg)
    n = batch.num_rows
    sa = np.frombuffer(b"".join(batch.column("sig_a").to_pylist()), dtype=dt).reshape(n, -1)
    sb = np.frombuffer(b"".join(batch.column("sig_b").to_pylist()), dtype=dt).reshape(n, -1)
    j = (sa == sb).mean(axis=1) if n else np.zeros(0)
    return pa.RecordBatch.from_arrays([batch.column("a"), batch.column("b"), pa.array(j, pa.float64())], schema=PAIR_SCHEMA)
