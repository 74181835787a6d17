"""Check mdfs.shard.indexed against megatron-core: byte-identical shards, and Megatron reads ours.

Run with the megatron venv (bench/shard/setup_megatron.sh) and the repo root on PYTHONPATH:

    bash bench/shard/setup_megatron.sh
    PYTHONPATH=. bench/shard/.venv-megatron/bin/python bench/shard/check_megatron.py

For uint16 and int32 it writes the same random documents (one empty, one of dtype-max tokens)
with our IndexedWriter and with megatron-core's IndexedDatasetBuilder, asserts the .bin and .idx
are byte-identical, reads ours back with megatron-core's IndexedDataset and compares every
sequence, and reads Megatron's with our IndexedReader. Also checks dtype_for_vocab against
DType.optimal_dtype. With `--shards OUT/07_shard` it also opens every shard the pipeline wrote
(listed in its manifest.json) with IndexedDataset and compares every sequence with ours.
Prints one JSON line; exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import megatron.core
import numpy as np
import torch
from megatron.core.datasets.indexed_dataset import (
    DType,
    IndexedDataset,
    IndexedDatasetBuilder,
)

from mdfs.shard.indexed import IndexedReader, IndexedWriter, dtype_for_vocab

DTYPES = (np.uint16, np.int32)
VOCABS = (1, 50257, 65499, 65500, 65535, 65536, 128256, 151643)


def make_docs(dtype: type, n_docs: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    hi = int(np.iinfo(dtype).max)
    docs = [
        rng.integers(
            0, hi, size=int(rng.integers(1, 2000)), endpoint=True, dtype=np.int64
        )
        for _ in range(n_docs)
    ]
    docs[5] = np.array([], dtype=np.int64)  # empty document -> zero-length sequence
    docs[6] = np.full(3, hi, dtype=np.int64)  # dtype-max token ids
    return docs


def check_dtype(
    tmp: Path, dtype: type, docs: list[np.ndarray], errors: list[str]
) -> dict[str, bool]:
    name = np.dtype(dtype).name
    ours, theirs = str(tmp / f"ours_{name}"), str(tmp / f"theirs_{name}")
    with IndexedWriter(ours, dtype) as w:
        for d in docs:
            w.add_document(d)
    builder = IndexedDatasetBuilder(theirs + ".bin", dtype=dtype)
    for d in docs:
        builder.add_document(torch.from_numpy(d), [len(d)])
    builder.finalize(theirs + ".idx")

    res = {
        "bin_identical": Path(ours + ".bin").read_bytes()
        == Path(theirs + ".bin").read_bytes(),
        "idx_identical": Path(ours + ".idx").read_bytes()
        == Path(theirs + ".idx").read_bytes(),
    }

    def megatron_reads_ours() -> bool:
        ds = IndexedDataset(ours)
        return bool(
            len(ds) == len(docs)
            and ds.index.dtype == dtype
            and np.array_equal(ds.sequence_lengths, [len(d) for d in docs])
            and np.array_equal(ds.document_indices, np.arange(len(docs) + 1))
            and all(np.array_equal(ds[i], d) for i, d in enumerate(docs))
            and all(
                np.array_equal(s, d)
                for s, d in zip(ds[100:140], docs[100:140], strict=True)
            )
            and np.array_equal(ds.get(10, offset=3, length=5), docs[10][3:8])
        )

    def ours_reads_megatron() -> bool:
        with IndexedReader(theirs) as r:
            return bool(
                r.verify() == []
                and len(r) == len(docs)
                and all(np.array_equal(r[i], d) for i, d in enumerate(docs))
            )

    for name, fn in (
        ("megatron_reads_ours", megatron_reads_ours),
        ("ours_reads_megatron", ours_reads_megatron),
    ):
        try:
            res[name] = fn()
        except Exception as e:  # noqa: BLE001  (a reader rejecting our shard is a mismatch)
            res[name] = False
            errors.append(f"{np.dtype(dtype).name} {name}: {type(e).__name__}: {e}")
    return res


def check_pipeline_shards(folder: Path, errors: list[str]) -> dict[str, object]:
    """Every shard of a shard-stage folder, read by megatron-core and by us: same sequences."""
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    docs = tokens = 0
    for sh in man["shards"]:
        prefix = str(folder / sh["prefix"])
        try:
            ds = IndexedDataset(prefix)
            with IndexedReader(prefix) as r:
                same = (
                    len(ds) == len(r) == sh["documents"]
                    and np.dtype(ds.index.dtype) == np.dtype(man["dtype"])
                    and all(np.array_equal(ds[i], r[i]) for i in range(len(r)))
                )
            if not same:
                errors.append(f"{sh['prefix']}: megatron-core reads other sequences than ours")
            docs += len(ds)
            tokens += int(np.asarray(ds.sequence_lengths).sum())
        except Exception as e:  # noqa: BLE001
            errors.append(f"{sh['prefix']}: {type(e).__name__}: {e}")
    return {"folder": str(folder), "shards": len(man["shards"]), "documents": docs, "tokens": tokens,
            "manifest_tokens": sum(s["tokens"] for s in man["splits"].values())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--docs", type=int, default=3000, help="documents per dtype (default 3000)"
    )
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--shards", type=Path, help="a shard-stage folder (OUT/07_shard) to read with megatron-core")
    args = ap.parse_args(argv)
    if args.docs < 200:
        ap.error("--docs must be at least 200")

    checks: dict[str, object] = {
        "dtype_for_vocab": all(
            np.dtype(dtype_for_vocab(v)) == np.dtype(DType.optimal_dtype(v))
            for v in VOCABS
        )
    }
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mdfs-megatron-") as d:
        for i, dtype in enumerate(DTYPES):
            docs = make_docs(dtype, args.docs, args.seed + i)
            checks[np.dtype(dtype).name] = check_dtype(Path(d), dtype, docs, errors)

    ok = not errors and all(
        v if isinstance(v, bool) else all(v.values()) for v in checks.values()
    )
    pipeline = None
    if args.shards is not None:
        pipeline = check_pipeline_shards(args.shards, errors)
        ok = ok and not errors and pipeline["tokens"] == pipeline["manifest_tokens"] > 0
    summary = {
        "megatron_core": megatron.core.__version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "docs_per_dtype": args.docs,
        "checks": checks,
        "pipeline_shards": pipeline,
        "errors": errors,
        "ok": ok,
    }
    print(json.dumps(summary))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
