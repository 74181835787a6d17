"""Batch -> LSH band rows: the per-batch, pure part of near-dedup that Spark runs with mapInArrow."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from mdfs.dedup.minhash import MinHasher, band_hashes
from mdfs.dedup.shingles import shingle_hashes_batch

BAND_SCHEMA = pa.schema([pa.field("id", pa.string()), pa.field("band", pa.int32()), pa.field("h", pa.int64())])


@lru_cache(maxsize=4)
def _hasher(num_perm: int, seed: int, scheme: str) -> MinHasher:
    return MinHasher(num_perm=num_perm, seed=seed, scheme=scheme)


def band_rows(batch: pa.RecordBatch, cfg: dict[str, Any]) -> pa.RecordBatch:
    """(id, band, band hash) for every document of the batch and every band."""
    bands, rows = cfg["bands"], cfg["rows"]
    if bands * rows > cfg["num_perm"]:
        raise ValueError(f"dedup: bands x rows = {bands * rows} > num_perm = {cfg['num_perm']}")
    ids = batch.column("id").to_pylist()
    texts = [t or "" for t in batch.column("text").to_pylist()]
    hashes, offsets = shingle_hashes_batch(texts, cfg["ngram"])
    sigs = _hasher(cfg["num_perm"], cfg["seed"], cfg["scheme"]).signatures_flat(hashes, offsets)
    bh = band_hashes(sigs, bands, rows)  # (n_docs, bands) uint64
    n = len(ids)
    return pa.RecordBatch.from_arrays(
        [
            pa.array(np.repeat(np.array(ids, dtype=object), bands), pa.string()),
            pa.array(np.tile(np.arange(bands, dtype=np.int32), n)),
            pa.array(bh.reshape(-1).view(np.int64)),
        ],
        schema=BAND_SCHEMA,
    )
