"""The tokenize stage: train the tokenizer on a sample of the final corpus (or adopt a given one)
and measure its characters per token on held-out documents.

Writes `OUT/06_tokenize/tokenizer.json` (+ the files transformers reads beside it), `stats.json`
and `_SUCCESS`. It filters nothing, so it has no kept/ or rejected/: the shard stage reads the
last filtering stage's kept output and this folder's tokenizer.

Which documents are held out, and which are sampled, is decided by a hash of the document id and
`tokenize.seed`, never by partitioning: the same corpus and seed give the same tokenizer on one
core or a thousand. Training runs on the driver (tokenizers trains on one machine); only the
bounded sample (`sample_max_chars`) travels there, streamed partition by partition.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from mdfs.config import Config, ConfigError
from mdfs.spark.docstage import default_input, read_docs
from mdfs.spark.runner import (
    StageResult, finish_stage, finished_result, new_tmp_dir, now_iso, stage_path, stats_footer, stats_header,
)

STAGE = "tokenize"
TOKENIZER_FILE = "tokenizer.json"
# Files transformers reads beside tokenizer.json, copied along with it when present.
SIDE_FILES = ("tokenizer_config.json", "special_tokens_map.json")
_UNIT = 1 << 40


def unit_hash(seed: int, salt: str, col: str = "id") -> Column:
    """A number in [0, 1) fixed by (seed, salt, value): a sampling decision that no partitioning changes."""
    return F.pmod(F.xxhash64(F.lit(seed), F.lit(salt), F.col(col)), F.lit(_UNIT)) / float(_UNIT)


def tokenizer_file(out_root: str | Path, cfg: Config) -> Path:
    """The tokenizer the shard stage uses: this run's tokenize output, else `tokenize.tokenizer`."""
    from mdfs.spark.runner import is_done

    if is_done(out_root, STAGE):
        return stage_path(out_root, STAGE) / TOKENIZER_FILE
    given = cfg["tokenize"]["tokenizer"]
    if given:
        p = Path(given)
        if not p.is_file():
            raise ConfigError(f"tokenize.tokenizer: {p} is not a file")
        return p
    raise ConfigError(f"no tokenizer: run the tokenize stage on {out_root} first, or set tokenize.tokenizer")


def _count_tokens(tokenizer_json: str):
    """mapInArrow function: (text) batches -> one (n_chars, n_tokens) row per batch."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from mdfs.shard.encode import cached_tokenizer
        import pyarrow.compute as pc

        from mdfs.tokenize import encode_arrow

        tok = cached_tokenizer(tokenizer_json)
        for b in batches:
            text = b.column("text")
            _, lengths = encode_arrow(tok, text, None)
            chars = pc.sum(pc.utf8_length(text)).as_py() or 0
            yield pa.RecordBatch.from_pydict(
                {"n_chars": [chars], "n_tokens": [int(lengths.sum())]},
                schema=pa.schema([("n_chars", pa.int64()), ("n_tokens", pa.int64())]),
            )

    return run


def heldout_chars_per_token(spark: SparkSession, heldout: DataFrame, tokenizer_json: str) -> dict[str, Any]:
    """Characters and tokens of the held-out documents, encoded on the executors."""
    bc = spark.sparkContext.broadcast(tokenizer_json)
    counted = heldout.select("text").mapInArrow(
        lambda it: _count_tokens(bc.value)(it), "n_chars long, n_tokens long"
    )
    row = counted.agg(F.sum("n_chars").alias("c"), F.sum("n_tokens").alias("t")).first()
    chars, tokens = int(row["c"] or 0), int(row["t"] or 0)
    return {
        "heldout_chars": chars,
        "heldout_tokens": tokens,
        "chars_per_token": round(chars / tokens, 4) if tokens else None,
    }


def _sample_texts(sample: DataFrame, max_chars: int, seen: dict[str, int]) -> Iterator[str]:
    """The sample's texts in a fixed order, stopping at max_chars; counts what it gave in `seen`."""
    for row in sample.toLocalIterator():
        text = row["text"]
        if seen["chars"] + len(text) > max_chars and seen["docs"]:
            break
        seen["docs"] += 1
        seen["chars"] += len(text)
        yield text


def train_on(pool: DataFrame, pool_chars: int, tcfg: dict[str, Any], dest: Path) -> dict[str, Any]:
    """Train on a hash-sampled part of `pool` of about sample_max_chars characters; save to dest."""
    from mdfs.tokenize import save_tokenizer, train_tokenizer

    frac = min(1.0, tcfg["sample_max_chars"] / pool_chars) if pool_chars else 1.0
    # A little over the share needed, so the cap, not the hash, decides the sample's size.
    take = min(1.0, frac * 1.05)
    sample = (
        pool.withColumn("_u", unit_hash(tcfg["seed"], "sample"))
        .where(F.col("_u") < take)
        .orderBy("_u", "id")
        .select("text")
    )
    seen = {"docs": 0, "chars": 0}
    t0 = time.time()
    tok = train_tokenizer(
        _sample_texts(sample, tcfg["sample_max_chars"], seen),
        tcfg["vocab_size"],
        min_frequency=tcfg["min_frequency"],
        special_tokens=tcfg["special_tokens"],
        design=tcfg["design"],
    )
    save_tokenizer(tok, dest)
    return {
        "sample_docs": seen["docs"],
        "sample_chars": seen["chars"],
        "train_seconds": round(time.time() - t0, 3),
    }


def run_tokenize(
    spark: SparkSession, out_root: str | Path, cfg: Config, inputs: list[str] | None = None, overwrite: bool = False
) -> StageResult:
    from mdfs.tokenize import file_sha256, load_tokenizer, token_id

    final = stage_path(out_root, STAGE)
    done = finished_result(out_root, STAGE, overwrite)
    if done is not None:
        return done
    tcfg = cfg["tokenize"]
    if tcfg["vocab_size"] < len(tcfg["special_tokens"]) + 256:
        raise ConfigError(f"tokenize.vocab_size {tcfg['vocab_size']}: too small for 256 bytes and the special tokens")
    paths = inputs or [default_input(out_root, STAGE)]
    started, started_at = time.time(), now_iso()
    tmp = new_tmp_dir(final)
    try:
        docs = read_docs(spark, paths).select("id", "text").where(F.col("text").isNotNull())
        held = unit_hash(tcfg["seed"], "heldout") < tcfg["heldout_fraction"]
        ln = F.length("text")
        tot = docs.agg(
            F.count(F.lit(1)).alias("n"), F.coalesce(F.sum(ln), F.lit(0)).alias("chars"),
            F.sum(F.when(held, 1).otherwise(0)).alias("held"), F.coalesce(F.sum(F.when(~held, ln)), F.lit(0)).alias("pool"),
        ).first()
        dest = tmp / TOKENIZER_FILE
        if tcfg["tokenizer"]:
            src = Path(tcfg["tokenizer"])
            if not src.is_file():
                raise ConfigError(f"tokenize.tokenizer: {src} is not a file")
            shutil.copyfile(src, dest)
            for side in SIDE_FILES:
                if (src.parent / side).is_file():
                    shutil.copyfile(src.parent / side, tmp / side)
            training: dict[str, Any] = {"trained": False, "source": str(src.resolve())}
        else:
            training = {"trained": True, **train_on(docs.where(~held), int(tot["pool"]), tcfg, dest)}
        tok = load_tokenizer(dest)
        eos = cfg["shard"]["eos_token"]
        if eos:
            token_id(tok, eos)  # a tokenizer without the EOS the shards need fails here, not in shard
        measured = heldout_chars_per_token(spark, docs.where(held), dest.read_text(encoding="utf-8"))
        n_docs = int(tot["n"])
        stats: dict[str, Any] = {
            **stats_header(spark, STAGE, cfg, started_at, {"inputs": paths}),
            "docs_in": n_docs,
            "docs_kept": n_docs,
            "docs_rejected": 0,
            "conservation_ok": True,
            "chars_kept": int(tot["chars"]),
            "chars_rejected": 0,
            "reasons": {},
            "edits": {},
            "extra": {
                **training,
                "vocab_size": tok.get_vocab_size(),
                "tokenizer_sha256": file_sha256(dest),
                "heldout_docs": int(tot["held"] or 0),
                **measured,
            },
            **stats_footer(spark, cfg),
        }
        finish_stage(tmp, final, stats, started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return StageResult(STAGE, final, stats, skipped=False)


__all__ = ["run_tokenize", "tokenizer_file", "unit_hash", "heldout_chars_per_token"]
