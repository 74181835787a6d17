"""The shard stage: encode the final corpus in Spark and write Megatron `.bin/.idx` shards.

    OUT/07_shard/
      train/shard_00000.{bin,idx} …   valid/shard_00000.{bin,idx} …
      documents/*.parquet   one row per document: id, split, shard, index in the shard, tokens, chars
      rejected/*.parquet    documents that cannot be trained on (empty text), with a reason
      tokenizer.json        the tokenizer the ids come from (+ transformers' side files)
      manifest.json         every file with bytes and sha256, documents and tokens, tokenizer and config hashes
      stats.json, _SUCCESS

Encoding runs on the executors (the tokenizer is broadcast as JSON and built once per Python
worker; whole Arrow batches are encoded at a time, EOS appended to each document). The validation
split, the shard of a document and its place in the shard all come from hashes of (seed, id), so
the output does not depend on partitioning and two runs write byte-identical shards. The number
of shards per split is its token count over `shard.shard_tokens`, rounded up; documents are spread
over them by hash, so a shard holds about that many tokens. Each shard is written by exactly one
task, and `input = documents + rejected` is checked like every other stage's.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from mdfs.config import Config, ConfigError
from mdfs.schema import STAGE_OUTPUT_SCHEMA
from mdfs.spark.apply import spark_schema_of
from mdfs.spark.docstage import default_input, read_docs
from mdfs.spark.runner import (
    StageResult, finish_stage, finished_result, new_tmp_dir, now_iso, stage_path, stats_footer, stats_header,
)
from mdfs.spark.tokenize import SIDE_FILES, tokenizer_file, unit_hash

STAGE = "shard"
SPLITS = ("train", "valid")


def _encoder(tokenizer_json, eos_id: int | None, dtype: np.dtype):
    def run(batches):
        from mdfs.shard.encode import cached_tokenizer, encode_batch

        tok = cached_tokenizer(tokenizer_json.value)
        for b in batches:
            yield encode_batch(b, tok, eos_id, dtype)

    return run


def _writer(root: str, dtype: np.dtype):
    def run(batches):
        from mdfs.shard.encode import write_shards

        yield from write_shards(batches, root, dtype)

    return run


def _rejected_rows(docs: DataFrame, empty) -> DataFrame:
    out_schema = spark_schema_of(STAGE_OUTPUT_SCHEMA)
    rej = docs.where(empty).withColumns(
        {"stage": F.lit(STAGE), "reason": F.lit("shard.empty_text"), "detail": F.lit(None).cast("string")}
    )
    return rej.select(*[F.col(f.name).cast(out_schema[f.name].dataType) for f in STAGE_OUTPUT_SCHEMA])


def _collect_sidecars(root: Path) -> list[dict[str, Any]]:
    """The writers' per-shard metadata; the sidecars and any temporary file of a failed attempt go."""
    metas = []
    for split in SPLITS:
        d = root / split
        if not d.is_dir():
            continue
        for p in sorted(d.glob("*.json")):
            metas.append(json.loads(p.read_text(encoding="utf-8")))
            p.unlink()
        for p in d.glob("*.tmp"):
            p.unlink()
    return metas


def run_shard(
    spark: SparkSession, out_root: str | Path, cfg: Config, inputs: list[str] | None = None, overwrite: bool = False
) -> StageResult:
    from mdfs.config import config_hash
    from mdfs.shard.encode import ENCODED_SCHEMA, PLACED_SCHEMA, file_sha256
    from mdfs.shard.indexed import dtype_for_vocab
    from mdfs.shard.manifest import build_manifest, write_manifest
    from mdfs.tokenize import load_tokenizer, token_id

    final = stage_path(out_root, STAGE)
    done = finished_result(out_root, STAGE, overwrite)
    if done is not None:
        return done
    scfg = cfg["shard"]
    if scfg["shard_tokens"] <= 0:
        raise ConfigError("shard.shard_tokens must be positive")
    if not 0.0 <= scfg["valid_fraction"] < 1.0:
        raise ConfigError(f"shard.valid_fraction must be in [0, 1), got {scfg['valid_fraction']}")
    paths = inputs or [default_input(out_root, STAGE)]
    tok_path = tokenizer_file(out_root, cfg)
    tok = load_tokenizer(tok_path)
    vocab = tok.get_vocab_size()
    dtype = dtype_for_vocab(vocab)
    eos_id = token_id(tok, scfg["eos_token"]) if scfg["eos_token"] else None
    started, started_at = time.time(), now_iso()
    tmp = new_tmp_dir(final)
    encoded = None
    try:
        compression = cfg["spark"]["parquet_compression"]
        docs = read_docs(spark, paths)
        empty = F.col("text").isNull() | (F.length("text") == 0)
        seed = scfg["seed"]
        good = docs.where(~empty).select(
            "id",
            "text",
            F.when(unit_hash(seed, "valid") < scfg["valid_fraction"], F.lit("valid")).otherwise(F.lit("train")).alias("split"),
            F.xxhash64(F.lit(seed), F.lit("order"), F.col("id")).alias("key"),
            F.length("text").cast("long").alias("n_chars"),
        )
        tj = spark.sparkContext.broadcast(tok_path.read_text(encoding="utf-8"))
        encoded = good.mapInArrow(_encoder(tj, eos_id, dtype), spark_schema_of(ENCODED_SCHEMA)).persist(
            StorageLevel.MEMORY_AND_DISK
        )
        per_split = {r["split"]: int(r["t"]) for r in encoded.groupBy("split").agg(F.sum("n_tokens").alias("t")).collect()}
        n_shards = {s: max(1, math.ceil(t / scfg["shard_tokens"])) for s, t in per_split.items()}
        shard_of = F.pmod(
            F.xxhash64(F.lit(seed), F.lit("shard"), F.col("id")),
            F.when(F.col("split") == "valid", F.lit(n_shards.get("valid", 1))).otherwise(F.lit(n_shards.get("train", 1))),
        ).cast("int")
        placed = (
            encoded.withColumn("shard", shard_of)
            .repartition(max(1, sum(n_shards.values())), "split", "shard")
            .sortWithinPartitions("split", "shard", "key", "id")
            .mapInArrow(_writer(str(tmp), dtype), spark_schema_of(PLACED_SCHEMA))
        )
        placed.write.option("compression", compression).parquet(str(tmp / "documents"))
        _rejected_rows(docs, empty).write.option("compression", compression).parquet(str(tmp / "rejected"))
        metas = _collect_sidecars(tmp)

        # The documents table and the writers' own counts must agree shard by shard.
        placed_back = spark.read.parquet(str(tmp / "documents"))
        by_shard = {
            (r["split"], int(r["shard"])): (int(r["d"]), int(r["t"]), int(r["c"]))
            for r in placed_back.groupBy("split", "shard")
            .agg(F.count(F.lit(1)).alias("d"), F.sum("n_tokens").alias("t"), F.sum("n_chars").alias("c"))
            .collect()
        }
        for m in metas:
            d, t, _ = by_shard.get((m["split"], m["shard"]), (0, 0, 0))
            if (d, t) != (m["documents"], m["tokens"]):
                raise RuntimeError(f"shard {m['split']}/{m['shard']}: writer counted {m['documents']}/{m['tokens']}, documents table {d}/{t}")
        if len(metas) != len(by_shard):
            raise RuntimeError(f"{len(by_shard)} shards in the documents table, {len(metas)} written")

        shutil.copyfile(tok_path, tmp / "tokenizer.json")
        for side in SIDE_FILES:
            if (tok_path.parent / side).is_file():
                shutil.copyfile(tok_path.parent / side, tmp / side)
        manifest = build_manifest(
            metas,
            dtype=dtype,
            tokenizer={"file": "tokenizer.json", "sha256": file_sha256(tmp / "tokenizer.json"), "vocab_size": vocab},
            eos={"token": scfg["eos_token"], "id": eos_id} if eos_id is not None else None,
            seed=seed,
            config_hash=config_hash(cfg),
        )
        write_manifest(tmp, manifest)

        n_in = docs.count()
        kept = sum(v[0] for v in by_shard.values())
        tokens = sum(v[1] for v in by_shard.values())
        chars = sum(v[2] for v in by_shard.values())
        rej = spark.read.parquet(str(tmp / "rejected"))
        n_rej = rej.count()
        body_tokens = tokens - (kept if eos_id is not None else 0)
        stats: dict[str, Any] = {
            **stats_header(spark, STAGE, cfg, started_at, {"inputs": paths, "tokenizer": str(tok_path)}),
            "docs_in": n_in,
            "docs_kept": kept,
            "docs_rejected": n_rej,
            "conservation_ok": n_in == kept + n_rej,
            "chars_kept": chars,
            "chars_rejected": 0,
            "reasons": {"shard.empty_text": {"docs": n_rej, "chars": 0}} if n_rej else {},
            "edits": {},
            "extra": {
                "tokens": tokens,
                "shards": len(metas),
                "dtype": manifest["dtype"],
                "vocab_size": vocab,
                "tokenizer_sha256": manifest["tokenizer"]["sha256"],
                "chars_per_token": round(chars / body_tokens, 4) if body_tokens else None,
                "splits": manifest["splits"],
            },
            **stats_footer(spark, cfg),
        }
        finish_stage(tmp, final, stats, started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if encoded is not None:
            encoded.unpersist()
    return StageResult(STAGE, final, stats, skipped=False)


__all__ = ["run_shard"]
