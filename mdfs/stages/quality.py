"""Quality: score every document with the shipped fastText classifier, reject below the threshold.

The model is loaded once per Python worker process (`mdfs.quality.score.load_model` caches it;
Spark reuses workers), and each Arrow batch is scored with one `predict` call.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from mdfs.quality.score import load_model, score_texts
from mdfs.stages.common import batch_rows, reject, split_rows

STAGE = "quality"


def quality_batch(batch: pa.RecordBatch, cfg: dict[str, Any]) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """The stage contract: one Arrow batch -> (kept, rejected). `cfg` is the whole config."""
    rows = batch_rows(batch)
    model = load_model(cfg["quality"]["model"])
    scores = score_texts(model, [r.get("text") or "" for r in rows], cfg)
    threshold = cfg["quality"]["threshold"]
    for row, s in zip(rows, scores):
        row["quality_score"] = s
        if s < threshold:
            reject(row, STAGE, "quality.low_score", f"{s:.4f}")
    return split_rows(rows)
