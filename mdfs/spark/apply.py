"""Apply a pure Arrow-batch stage function to a DataFrame with mapInArrow (never row by row)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame

from mdfs.schema import STAGE_OUTPUT_SCHEMA

# A stage function: one input batch -> (kept, rejected); kept in DOC_SCHEMA (or the output schema).
BatchStage = Callable[[pa.RecordBatch, dict[str, Any]], tuple[pa.RecordBatch, pa.RecordBatch]]


def spark_schema_of(schema: pa.Schema):
    """The Spark StructType for an Arrow schema (Spark's own converter, so they always agree)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def to_output(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Conform a batch to STAGE_OUTPUT_SCHEMA: add missing columns as nulls, order, cast."""
    cols = []
    for field in STAGE_OUTPUT_SCHEMA:
        i = batch.schema.get_field_index(field.name)
        cols.append(batch.column(i).cast(field.type) if i >= 0 else pa.nulls(batch.num_rows, field.type))
    return pa.RecordBatch.from_arrays(cols, schema=STAGE_OUTPUT_SCHEMA)


def apply_batch_stage(df: DataFrame, fn: BatchStage, stage_cfg: dict[str, Any]) -> DataFrame:
    """Run `fn` over every Arrow batch of `df`; the result holds kept and rejected rows together."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            kept, rejected = fn(batch, stage_cfg)
            if kept.num_rows:
                yield to_output(kept)
            if rejected.num_rows:
                yield to_output(rejected)

    return df.mapInArrow(run, spark_schema_of(STAGE_OUTPUT_SCHEMA))


def apply_partition_fn(df: DataFrame, fn: Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]) -> DataFrame:
    """Run a generator over a partition's batches whose output is already STAGE_OUTPUT_SCHEMA."""
    return df.mapInArrow(fn, spark_schema_of(STAGE_OUTPUT_SCHEMA))
