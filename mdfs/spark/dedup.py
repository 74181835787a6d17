"""Dedup in Spark: exact (sha256 of the text), then MinHash-LSH near-duplicates with connected
components. Nothing is gathered on the driver: buckets become star edges (each member to the
bucket's smallest id) with a group-by `min`, and components come from large-star/small-star.

Each cluster keeps one document: highest quality_score, then smallest id. Removed documents are
rejected with `dedup.exact` or `dedup.near_duplicate` and the kept id as detail; kept documents
carry `dup_cluster` (the kept id) and `dup_cluster_size` (documents in the cluster, exact copies included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from mdfs.config import Config
from mdfs.schema import STAGE_OUTPUT_SCHEMA
from mdfs.spark.apply import spark_schema_of
from mdfs.spark.components import connected_components
from mdfs.spark.docstage import default_input, read_docs
from mdfs.spark.runner import StageResult, run_stage

STAGE = "dedup"


def _batch_fn(name: str, dcfg: dict[str, Any]):
    """A mapInArrow function applying mdfs.dedup.bands.<name> to every batch."""

    def run(batches):
        from mdfs.dedup import bands

        fn = getattr(bands, name)
        for b in batches:
            yield fn(b, dcfg)

    return run


def _keep_order() -> list:
    return [F.desc_nulls_last("quality_score"), F.asc("id")]


def dedup_dataframe(docs: DataFrame, cfg: Config) -> DataFrame:
    """Kept and rejected rows of the dedup stage, in the stage output schema."""
    from mdfs.dedup.bands import BAND_SCHEMA, PAIR_SCHEMA, SIG_SCHEMA

    dcfg = cfg["dedup"]

    docs = docs.withColumn("_h", F.sha2(F.coalesce(F.col("text"), F.lit("")), 256))
    w_exact = Window.partitionBy("_h").orderBy(*_keep_order())
    docs = (
        docs.withColumn("_rank", F.row_number().over(w_exact))
        .withColumn("_exact_keep", F.first("id").over(w_exact))
        .withColumn("_exact_n", F.count(F.lit(1)).over(Window.partitionBy("_h")))
    )
    exact_rej = docs.where(F.col("_rank") > 1).select(
        "*", F.lit(STAGE).alias("stage"), F.lit("dedup.exact").alias("reason"), F.col("_exact_keep").alias("detail")
    )
    uniq = docs.where(F.col("_rank") == 1)

    sigs = uniq.select("id", "text").mapInArrow(_batch_fn("signature_rows", dcfg), spark_schema_of(SIG_SCHEMA))
    sigs = sigs.persist(StorageLevel.MEMORY_AND_DISK)  # read twice (bands, pair check); freed with the session
    bands = sigs.mapInArrow(_batch_fn("bands_from_signatures", dcfg), spark_schema_of(BAND_SCHEMA))
    bucket_min = bands.groupBy("band", "h").agg(F.min("id").alias("a"))
    edges = (
        bands.join(bucket_min, ["band", "h"]).where(F.col("id") != F.col("a"))
        .select("a", F.col("id").alias("b")).distinct()
    )
    if dcfg["verify_threshold"] > 0:
        # Band collisions below the threshold are dropped by the signatures' own Jaccard estimate.
        pairs = (
            edges.join(sigs.select(F.col("id").alias("a"), F.col("sig").alias("sig_a")), "a")
            .join(sigs.select(F.col("id").alias("b"), F.col("sig").alias("sig_b")), "b")
            .select("a", "b", "sig_a", "sig_b")
            .mapInArrow(_batch_fn("pair_jaccard", dcfg), spark_schema_of(PAIR_SCHEMA))
        )
        edges = pairs.where(F.col("j") >= dcfg["verify_threshold"]).select("a", "b")
    comp = connected_components(edges)

    u = uniq.join(comp, "id", "left").withColumn("component", F.coalesce("component", "id"))
    w_c = Window.partitionBy("component").orderBy(*_keep_order())
    u = (
        u.withColumn("_keep", F.first("id").over(w_c))
        .withColumn("_size", F.sum("_exact_n").over(Window.partitionBy("component")))
    )
    near_rej = u.where(F.col("id") != F.col("_keep")).select(
        "*", F.lit(STAGE).alias("stage"), F.lit("dedup.near_duplicate").alias("reason"), F.col("_keep").alias("detail")
    )
    kept = (
        u.where(F.col("id") == F.col("_keep"))
        .withColumn("dup_cluster", F.col("_keep"))
        .withColumn("dup_cluster_size", F.col("_size").cast("long"))
        .select("*", F.lit(None).cast("string").alias("stage"), F.lit(None).cast("string").alias("reason"),
                F.lit(None).cast("string").alias("detail"))
    )
    cols = [f.name for f in STAGE_OUTPUT_SCHEMA]
    out_schema = spark_schema_of(STAGE_OUTPUT_SCHEMA)
    parts = [df.select(*[F.col(c).cast(out_schema[c].dataType) for c in cols]) for df in (kept, near_rej, exact_rej)]
    return parts[0].unionByName(parts[1]).unionByName(parts[2])


def run_dedup(
    spark: SparkSession, out_root: str | Path, cfg: Config, inputs: list[str] | None = None, overwrite: bool = False
) -> StageResult:
    paths = inputs or [default_input(out_root, STAGE)]
    return run_stage(
        spark, STAGE, lambda: dedup_dataframe(read_docs(spark, paths), cfg), out_root, cfg, overwrite=overwrite,
        inputs={"inputs": paths}, rows_in=lambda: read_docs(spark, paths).count(),
    )


__all__ = ["run_dedup", "dedup_dataframe"]
