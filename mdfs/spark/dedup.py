"""Dedup in Spark: exact (sha256 of the text), then MinHash-LSH near-duplicates with connected
components. Nothing is gathered on the driver: buckets become star edges (each member to the
bucket's smallest id) with a group-by `min`, and components come from large-star/small-star.

Each cluster keeps one document: highest quality_score, then smallest id. Removed documents are
rejected with `dedup.exact` or `dedup.near_duplicate` and the kept id as detail; kept documents
carry `dup_cluster` (the kept id) and `dup_cluster_size` (documents in the cluster, exact copies included).

Incremental mode (`dedup.reference`): the signatures earlier runs saved for what they kept join
the graph as nodes `released:<id>`. They are never output, and they always win: a new document
equal to, or in one component with, a released one is rejected with detail `released:<id>`, so a
new crawl cannot re-admit what was already released. Every run saves its kept documents'
signatures in `OUT/04_dedup/signatures/` for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from mdfs.config import Config, ConfigError
from mdfs.dedup.store import REF_PREFIX, SIGNATURES_DIR, check_references, write_meta
from mdfs.schema import STAGE_OUTPUT_SCHEMA
from mdfs.spark.apply import spark_schema_of
from mdfs.spark.checkpoints import Checkpoint, stage_checkpoints
from mdfs.spark.components import connected_components
from mdfs.spark.docstage import default_input, read_docs
from mdfs.spark.runner import StageResult, run_stage

STAGE = "dedup"
# Up to this many documents the verdicts (~100 bytes a row) are broadcast to the final join, so the
# documents' text is not shuffled at all; above it a sort-merge join shuffles it once.
BROADCAST_VERDICT_MAX_DOCS = 1_000_000


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


@dataclass
class DedupPlan:
    """The stage output (kept + rejected rows) and the signatures (id, h, sig) of every new document."""

    output: DataFrame
    signatures: DataFrame


def read_reference(spark: SparkSession, folders: list[Path]) -> DataFrame | None:
    """Reference signatures as graph nodes: (id = released:<id>, h, sig)."""
    if not folders:
        return None
    ref = spark.read.parquet(*[str(f) for f in folders])
    return ref.select(F.concat(F.lit(REF_PREFIX), "id").alias("id"), "h", "sig").dropDuplicates(["id"])


def _near_edges(sigs: DataFrame, dcfg: dict[str, Any]) -> DataFrame:
    """Verified candidate edges (a, b) from LSH buckets over `sigs` (id, sig)."""
    from mdfs.dedup.bands import BAND_SCHEMA, PAIR_SCHEMA

    bands = sigs.mapInArrow(_batch_fn("bands_from_signatures", dcfg), spark_schema_of(BAND_SCHEMA))
    # Star edges: every member of a bucket to the bucket's smallest id (one exchange; a bucket's
    # members are never gathered into one row, so a hub of a million copies costs nothing special).
    edges = (
        bands.withColumn("a", F.min("id").over(Window.partitionBy("band", "h")))
        .where(F.col("id") != F.col("a"))
        .select("a", F.col("id").alias("b"))
        # Released-released edges change no verdict: a new document reaching any released one is
        # rejected, and its path to the first released node on the way needs no such edge.
        .where(~(F.col("a").startswith(REF_PREFIX) & F.col("b").startswith(REF_PREFIX)))
        .distinct()
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
    return edges


def _decisions(
    sigs: DataFrame, dcfg: dict[str, Any], reference: DataFrame | None, checkpoint: Checkpoint | None = None
) -> DataFrame:
    """(id, reason, detail, dup_cluster, dup_cluster_size) for every document, from narrow rows only."""
    # Exact copies of released documents go first; then exact copies among the new ones.
    d = sigs.select("id", "quality_score", "h")
    if reference is not None:
        ref_h = reference.groupBy("h").agg(F.min("id").alias("_released"))
        d = d.join(ref_h, "h", "left")
    else:
        d = d.withColumn("_released", F.lit(None).cast("string"))
    w_exact = Window.partitionBy("h").orderBy(*_keep_order())
    d = (
        d.withColumn("_rank", F.row_number().over(w_exact))
        .withColumn("_exact_keep", F.coalesce("_released", F.first("id").over(w_exact)))
        .withColumn("_exact_n", F.count(F.lit(1)).over(Window.partitionBy("h")))
    )
    exact = d.where((F.col("_rank") > 1) | F.col("_released").isNotNull()).select(
        "id", F.lit("dedup.exact").alias("reason"), F.col("_exact_keep").alias("detail"),
        F.lit(None).cast("string").alias("dup_cluster"), F.lit(None).cast("long").alias("dup_cluster_size"),
    )
    uniq = d.where((F.col("_rank") == 1) & F.col("_released").isNull()).select("id", "quality_score", "_exact_n")

    nodes = sigs.join(uniq.select("id"), "id").select("id", "sig")
    if reference is not None:
        nodes = nodes.unionByName(reference.select("id", "sig"))
    # distinct, no self-loops
    comp = connected_components(_near_edges(nodes, dcfg), clean=True, checkpoint=checkpoint)

    u = uniq.join(comp, "id", "left").withColumn("component", F.coalesce("component", "id"))
    if reference is not None:
        released_of = (
            comp.where(F.col("id").startswith(REF_PREFIX)).groupBy("component").agg(F.min("id").alias("_released"))
        )
        u = u.join(released_of, "component", "left")
    else:
        u = u.withColumn("_released", F.lit(None).cast("string"))
    w_c = Window.partitionBy("component").orderBy(*_keep_order())
    u = (
        u.withColumn("_keep", F.coalesce("_released", F.first("id").over(w_c)))
        .withColumn("_size", F.sum("_exact_n").over(Window.partitionBy("component")))
    )
    is_kept = F.col("id") == F.col("_keep")
    near = u.select(
        "id",
        F.when(is_kept, F.lit(None)).otherwise(F.lit("dedup.near_duplicate")).alias("reason"),
        F.when(is_kept, F.lit(None)).otherwise(F.col("_keep")).alias("detail"),
        F.when(is_kept, F.col("_keep")).alias("dup_cluster"),
        F.when(is_kept, F.col("_size").cast("long")).alias("dup_cluster_size"),
    )
    return near.unionByName(exact)


def dedup_dataframe(
    docs: DataFrame, cfg: Config, reference: DataFrame | None = None, checkpoint: Checkpoint | None = None
) -> DedupPlan:
    """Kept and rejected rows of the dedup stage (stage output schema), and the new signatures.

    The text is read once for signatures + sha256 (per batch) and once for the output; exact dedup,
    LSH and components run on narrow rows, and the text is shuffled at most once (the final join,
    only above BROADCAST_VERDICT_MAX_DOCS documents).
    """
    from mdfs.dedup.bands import SIG_SCHEMA

    dcfg = cfg["dedup"]
    sigs = docs.select("id", "quality_score", "text").mapInArrow(
        _batch_fn("signature_rows", dcfg), spark_schema_of(SIG_SCHEMA)
    )
    # Read by exact dedup, bands, the pair check and the saved store: computed once, now (a lazy
    # persist would be computed by several of the concurrent query stages that first read it).
    # Freed with the session.
    sigs = sigs.persist(StorageLevel.MEMORY_AND_DISK)
    n_docs = sigs.count()
    verdict = _decisions(sigs, dcfg, reference, checkpoint)
    if n_docs <= BROADCAST_VERDICT_MAX_DOCS:
        verdict = F.broadcast(verdict)
    out = docs.drop("dup_cluster", "dup_cluster_size").join(verdict, "id").withColumn(
        "stage", F.when(F.col("reason").isNotNull(), F.lit(STAGE))
    )
    out_schema = spark_schema_of(STAGE_OUTPUT_SCHEMA)
    out = out.select(*[F.col(f.name).cast(out_schema[f.name].dataType) for f in STAGE_OUTPUT_SCHEMA])
    return DedupPlan(out, sigs.select("id", "h", "sig"))


def _save_signatures(plan: DedupPlan, cfg: Config, references: list[str], df: DataFrame, tmp: Path) -> dict[str, Any]:
    """Write the kept documents' signatures into the stage's temporary folder (atomic with the rest)."""
    kept_ids = df.where(F.col("reason").isNull()).select("id")
    folder = tmp / SIGNATURES_DIR
    plan.signatures.join(kept_ids, "id").write.option(
        "compression", cfg["spark"]["parquet_compression"]
    ).parquet(str(folder))
    n = df.sparkSession.read.parquet(str(folder)).count()
    write_meta(folder, cfg["dedup"], n, references)
    return {"signatures_saved": n, "references": references}


def run_dedup(
    spark: SparkSession, out_root: str | Path, cfg: Config, inputs: list[str] | None = None, overwrite: bool = False
) -> StageResult:
    paths = inputs or [default_input(out_root, STAGE)]
    if cfg["dedup"]["tokens"] not in ("char", "word"):
        raise ConfigError(f"dedup.tokens: expected 'char' or 'word', got {cfg['dedup']['tokens']!r}")
    refs = [str(p) for p in check_references(list(cfg["dedup"]["reference"]), cfg["dedup"])]
    plan: dict[str, DedupPlan] = {}

    with stage_checkpoints(spark, cfg, out_root, STAGE) as ckpt:

        def build() -> DataFrame:
            ref = read_reference(spark, [Path(r) for r in refs])
            plan["p"] = dedup_dataframe(read_docs(spark, paths), cfg, ref, ckpt)
            return plan["p"].output

        return run_stage(
            spark, STAGE, build, out_root, cfg, overwrite=overwrite,
            inputs={"inputs": paths, "references": refs}, rows_in=lambda: read_docs(spark, paths).count(),
            extra_outputs=lambda df, tmp: _save_signatures(plan["p"], cfg, refs, df, tmp),
        )


__all__ = ["DedupPlan", "dedup_dataframe", "read_reference", "run_dedup"]
