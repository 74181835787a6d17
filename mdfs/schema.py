"""The one document schema every stage reads and writes, the reject columns, and stage names.

Keeping it in one place is what lets any stage run on any earlier stage's output and lets the
audit compare stages column by column.
"""

from __future__ import annotations

import pyarrow as pa

# Columns added by a later stage are null before it.
DOC_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("domain", pa.string()),
        pa.field("source", pa.string()),
        pa.field("fetch_time", pa.timestamp("us", tz="UTC")),
        pa.field("text", pa.string()),
        pa.field("charset", pa.string()),  # the codec that decoded the page
        pa.field("charset_declared", pa.string()),  # what the page claimed; differs => repaired
        pa.field("lang", pa.string()),
        pa.field("lang_score", pa.float64()),
        pa.field("n_chars", pa.int64()),
        pa.field("cjk_ratio", pa.float64()),
        pa.field("quality_score", pa.float64()),
        pa.field("dup_cluster", pa.string()),
        pa.field("dup_cluster_size", pa.int64()),
        # What stages changed in the text, summed over stages: t2s_chars, pinyin_repairs, pii_phone,
        # lines_removed, ... Aggregated into stats.json and the report.
        pa.field("edits", pa.map_(pa.string(), pa.int64())),
    ]
)

REJECT_FIELDS = [
    pa.field("stage", pa.string()),
    pa.field("reason", pa.string()),
    pa.field("detail", pa.string()),
]

# What a stage function emits to Spark: documents plus the reject columns, null on kept rows.
STAGE_OUTPUT_SCHEMA = pa.schema(list(DOC_SCHEMA) + REJECT_FIELDS)

DOC_COLUMNS = [f.name for f in DOC_SCHEMA]

# Stage order fixes the <nn>_ prefix of every output folder.
STAGES = ["collect", "coarse", "quality", "dedup", "fine", "tokenize", "shard"]


def stage_dir_name(stage: str) -> str:
    """`collect` -> `01_collect`; the number keeps folders in pipeline order."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")
    return f"{STAGES.index(stage) + 1:02d}_{stage}"


def rows_to_batch(rows: list[dict]) -> pa.RecordBatch:
    """Build a stage-output batch from row dicts; missing columns become null."""
    return pa.RecordBatch.from_pylist(rows, schema=STAGE_OUTPUT_SCHEMA)
