"""Spark side of collect: list input files on the driver, spread them over tasks by size, read
and process them inside the tasks. Only paths travel to executors, never page bytes.

Inputs must be on a filesystem every executor sees (local disk for local[*], a shared mount
for a cluster).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession

from mdfs.config import Config
from mdfs.io.sources import expand_inputs
from mdfs.spark.apply import apply_partition_fn
from mdfs.spark.runner import StageResult, run_stage


def plan_tasks(files: list[tuple[str, int]], n_tasks: int) -> list[list[str]]:
    """Greedy longest-first packing of files into at most `n_tasks` groups of similar byte size."""
    n = max(1, min(n_tasks, len(files)))
    groups: list[list[str]] = [[] for _ in range(n)]
    load = [0] * n
    for path, size in sorted(files, key=lambda f: (-f[1], f[0])):
        i = min(range(n), key=lambda j: (load[j], j))
        groups[i].append(path)
        load[i] += max(size, 1)
    return [sorted(g) for g in groups if g]


def _collect_fn(ccfg: dict[str, Any], batch_rows: int):
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # Imported here so the executor imports them once per worker process.
        from mdfs.io.sources import iter_records
        from mdfs.stages.collect import collect_records

        for batch in batches:
            for path in batch.column("path").to_pylist():
                yield from collect_records(iter_records(path, ccfg), ccfg, batch_rows)

    return run


def collect_dataframe(spark: SparkSession, inputs: list[str], cfg: Config) -> tuple[DataFrame, dict[str, Any]]:
    files = expand_inputs(inputs)
    n_tasks = max(1, spark.sparkContext.defaultParallelism * 4)
    groups = plan_tasks(files, n_tasks)
    rdd = spark.sparkContext.parallelize(groups, len(groups)).flatMap(lambda g: [(p,) for p in g])
    paths = spark.createDataFrame(rdd, "path string")
    df = apply_partition_fn(paths, _collect_fn(cfg["collect"], cfg["run"]["batch_rows"]))
    desc = {
        "inputs": inputs,
        "files": len(files),
        "bytes": sum(s for _, s in files),
        "tasks": len(groups),
    }
    return df, desc


GROUP_COLS = ["charset", "charset_declared", "lang"]


def charset_stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Charsets seen and repaired (declared one thing, decoded as another), and languages seen."""
    seen: dict[str, int] = {}
    repaired: dict[str, int] = {}
    langs: dict[str, int] = {}
    for r in rows:
        n = int(r["docs"])
        cs = r["charset"] or "none"
        seen[cs] = seen.get(cs, 0) + n
        lang = r["lang"] or "none"
        langs[lang] = langs.get(lang, 0) + n
        if r["charset"] and r["charset_declared"] and r["charset"] != r["charset_declared"]:
            key = f"{r['charset_declared']}->{r['charset']}"
            repaired[key] = repaired.get(key, 0) + n
    return {"charsets": seen, "charset_repairs": repaired, "langs": langs}


def run_collect(
    spark: SparkSession, inputs: list[str], out_root: str | Path, cfg: Config, overwrite: bool = False
) -> StageResult:
    holder: dict[str, Any] = {}

    def build() -> DataFrame:
        df, desc = collect_dataframe(spark, inputs, cfg)
        holder.update(desc)
        return df

    return run_stage(
        spark, "collect", build, out_root, cfg, overwrite=overwrite, inputs=holder,
        group_cols=GROUP_COLS, extra_stats=charset_stats,
    )


__all__ = ["run_collect", "collect_dataframe", "plan_tasks"]
