"""Helpers shared by the per-document stages: rows in and out of Arrow, edits bookkeeping."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from mdfs.schema import DOC_COLUMNS, DOC_SCHEMA, STAGE_OUTPUT_SCHEMA


def batch_rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """Document rows of a batch; columns a stage added later than the input are null."""
    rows = batch.to_pylist()
    for r in rows:
        edits = r.get("edits")
        if isinstance(edits, list):  # pyarrow gives a map as a list of (key, value) pairs
            r["edits"] = dict(edits)
    return rows


def add_edits(row: dict[str, Any], stage: str, edits: dict[str, int]) -> None:
    """Fold this stage's edit counts into the row's cumulative `edits`, keys prefixed by stage."""
    if not edits:
        return
    cur = dict(row.get("edits") or {})
    for k, v in edits.items():
        if v:
            key = f"{stage}.{k}"
            cur[key] = cur.get(key, 0) + int(v)
    row["edits"] = cur


def reject(row: dict[str, Any], stage: str, reason: str, detail: Any = None) -> dict[str, Any]:
    row["stage"] = stage
    row["reason"] = reason
    row["detail"] = None if detail is None else str(detail)[:500]
    return row


def split_rows(rows: list[dict[str, Any]]) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """(kept in DOC_SCHEMA, rejected in STAGE_OUTPUT_SCHEMA)."""
    kept = [{k: r.get(k) for k in DOC_COLUMNS} for r in rows if r.get("reason") is None]
    rej = [r for r in rows if r.get("reason") is not None]
    return (
        pa.RecordBatch.from_pylist(kept, schema=DOC_SCHEMA),
        pa.RecordBatch.from_pylist(rej, schema=STAGE_OUTPUT_SCHEMA),
    )
