"""Run a per-document batch stage (coarse, fine, ...) on an earlier stage's kept Parquet."""

from __future__ import annotations

from pathlib import Path
from pyspark.sql import DataFrame, SparkSession

from mdfs.config import Config
from mdfs.schema import DOC_SCHEMA, STAGES, stage_dir_name
from mdfs.spark.apply import BatchStage, apply_batch_stage, spark_schema_of
from mdfs.spark.runner import StageResult, is_done, run_stage


def default_input(out_root: str | Path, stage: str) -> str:
    """The kept output of the latest finished stage before `stage` in pipeline order.

    Stages that filter nothing (tokenize trains a tokenizer) have no kept/ and are passed over.
    """
    for prev in reversed(STAGES[: STAGES.index(stage)]):
        kept = Path(out_root) / stage_dir_name(prev) / "kept"
        if is_done(out_root, prev) and kept.is_dir():
            return str(kept)
    raise FileNotFoundError(f"{stage}: no finished earlier stage under {out_root}; give --input")


def read_docs(spark: SparkSession, inputs: list[str]) -> DataFrame:
    """Read document Parquet with the full document schema (columns a file lacks come back null)."""
    return spark.read.schema(spark_schema_of(DOC_SCHEMA)).parquet(*inputs)


def run_doc_stage(
    spark: SparkSession,
    stage: str,
    fn: BatchStage,
    out_root: str | Path,
    cfg: Config,
    inputs: list[str] | None = None,
    overwrite: bool = False,
) -> StageResult:
    paths = inputs or [default_input(out_root, stage)]

    def build() -> DataFrame:
        return apply_batch_stage(read_docs(spark, paths), fn, cfg)

    return run_stage(
        spark, stage, build, out_root, cfg, overwrite=overwrite,
        inputs={"inputs": paths}, rows_in=lambda: read_docs(spark, paths).count(),
    )


__all__ = ["run_doc_stage", "default_input", "read_docs"]
