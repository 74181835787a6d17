"""Arrow-batch functions the shard stage runs on executors: encode documents, write shards.

Both are pure (pyarrow, numpy, tokenizers; no pyspark) so they can be tested without Spark.
Token ids travel between them as one binary value per document holding the ids in the shard's
dtype, little-endian: a batch's ids stay one contiguous buffer from the encoder to the `.bin`,
and the writer does no Python work per document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from mdfs.shard.indexed import IndexedWriter
from mdfs.tokenize.train import file_sha256

ENCODED_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("split", pa.string()),
        pa.field("key", pa.int64()),
        pa.field("n_chars", pa.int64()),
        pa.field("n_tokens", pa.int64()),
        pa.field("tokens", pa.binary()),
    ]
)

# One row per document written: where it is (split, shard, index in the shard) and its size.
PLACED_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("split", pa.string()),
        pa.field("shard", pa.int32()),
        pa.field("index", pa.int64()),
        pa.field("n_tokens", pa.int64()),
        pa.field("n_chars", pa.int64()),
    ]
)

_TOKENIZERS: dict[str, Any] = {}


def cached_tokenizer(tokenizer_json: str) -> Any:
    """The tokenizer built from its JSON once per Python worker (workers are reused across tasks)."""
    key = hashlib.sha256(tokenizer_json.encode("utf-8")).hexdigest()
    tok = _TOKENIZERS.get(key)
    if tok is None:
        from mdfs.tokenize import tokenizer_from_str

        tok = _TOKENIZERS[key] = tokenizer_from_str(tokenizer_json)
    return tok


def shard_prefix(split: str, shard: int) -> str:
    """`train/shard_00003`: the path of a shard, without .bin/.idx, relative to the stage folder."""
    return f"{split}/shard_{shard:05d}"


def encode_batch(batch: pa.RecordBatch, tok: Any, eos_id: int | None, dtype: np.dtype) -> pa.RecordBatch:
    """(id, split, key, n_chars, text) -> ENCODED_SCHEMA: every document's ids (+ EOS) in `dtype`."""
    from mdfs.tokenize import encode_arrow

    n_docs = batch.num_rows
    flat, lengths = encode_arrow(tok, batch.column("text"), eos_id)
    flat = np.asarray(flat)
    if flat.size:
        lo, hi = int(flat.min()), int(flat.max())
        info = np.iinfo(dtype)
        if lo < info.min or hi > info.max:
            raise ValueError(f"token id {hi if hi > info.max else lo} does not fit the shard dtype {dtype}")
    data = flat.astype(np.dtype(dtype).newbyteorder("<"), copy=False)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64) * data.itemsize, out=offsets[1:])
    if offsets[-1] > np.iinfo(np.int32).max:
        raise ValueError("an Arrow batch holds more than 2 GiB of token ids: lower run.batch_rows")
    tokens = pa.Array.from_buffers(
        pa.binary(), n_docs, [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data.tobytes())]
    )
    return pa.RecordBatch.from_arrays(
        [
            batch.column("id"),
            batch.column("split"),
            batch.column("key"),
            batch.column("n_chars"),
            pa.array(np.asarray(lengths, dtype=np.int64)),
            tokens,
        ],
        schema=ENCODED_SCHEMA,
    )


def _close(writer: IndexedWriter, root: Path, split: str, shard: int) -> None:
    """Finish a shard and leave a sidecar `<prefix>.json` the driver turns into manifest entries."""
    writer.close()
    prefix = root / shard_prefix(split, shard)
    meta = {
        "split": split,
        "shard": shard,
        "documents": writer.document_count,
        "tokens": writer.token_count,
        "bin": {"bytes": writer.bin_path.stat().st_size, "sha256": file_sha256(writer.bin_path)},
        "idx": {"bytes": writer.idx_path.stat().st_size, "sha256": file_sha256(writer.idx_path)},
    }
    tmp = prefix.with_name(prefix.name + ".json.tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    tmp.replace(prefix.with_name(prefix.name + ".json"))


def write_shards(
    batches: Iterator[pa.RecordBatch], root: str, dtype: np.dtype, fsync: bool = True
) -> Iterator[pa.RecordBatch]:
    """Write one partition's documents, sorted by (split, shard, order), into their shards.

    A shard is one contiguous run of rows (the partitioning puts all of a shard in one task and
    the sort makes it contiguous), so each shard has exactly one writer. Yields PLACED_SCHEMA rows.
    A retried task rewrites the same files, atomically, with the same content.
    """
    out = Path(root)
    dt = np.dtype(dtype).newbyteorder("<")
    current: tuple[str, int] | None = None
    writer: IndexedWriter | None = None
    try:
        for b in batches:
            n = b.num_rows
            if not n:
                continue
            split = b.column("split").to_numpy(zero_copy_only=False)
            shard = b.column("shard").to_numpy(zero_copy_only=False)
            lengths = b.column("n_tokens").to_numpy()
            arr = b.column("tokens")
            offs = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=arr.offset + n + 1)[arr.offset:]
            data = arr.buffers()[2]
            change = np.flatnonzero((split[1:] != split[:-1]) | (shard[1:] != shard[:-1])) + 1
            starts = np.concatenate(([0], change))
            ends = np.concatenate((change, [n]))
            index = np.empty(n, dtype=np.int64)
            for s, e in zip(starts.tolist(), ends.tolist()):
                key = (str(split[s]), int(shard[s]))
                if key != current:
                    if writer is not None and current is not None:
                        _close(writer, out, *current)
                    (out / key[0]).mkdir(parents=True, exist_ok=True)
                    writer = IndexedWriter(out / shard_prefix(*key), dt, fsync=fsync)
                    current = key
                assert writer is not None
                lo, hi = int(offs[s]), int(offs[e])
                block = np.frombuffer(data, dtype=dt, count=(hi - lo) // dt.itemsize, offset=lo) if hi > lo else np.empty(0, dt)
                first = writer.document_count
                writer.add_documents(block, lengths[s:e])
                index[s:e] = np.arange(first, first + (e - s))
            yield pa.RecordBatch.from_arrays(
                [
                    b.column("id"),
                    b.column("split"),
                    b.column("shard").cast(pa.int32()),
                    pa.array(index),
                    b.column("n_tokens"),
                    b.column("n_chars"),
                ],
                schema=PLACED_SCHEMA,
            )
        if writer is not None and current is not None:
            _close(writer, out, *current)
            writer = None
    finally:
        if writer is not None:
            writer.abort()


__all__ = [
    "ENCODED_SCHEMA", "PLACED_SCHEMA", "cached_tokenizer", "encode_batch", "file_sha256", "shard_prefix", "write_shards",
]
