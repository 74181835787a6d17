"""Quality: score every document with the shipped fastText classifier, reject below the threshold.

The model is loaded once per Python worker process (`mdfs.quality.score.load_model` caches it;
Spark reuses workers), each Arrow batch is scored with one `predict` call, and the batch is split
with Arrow compute: only the text column ever becomes Python objects.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from mdfs.quality.score import load_model, score_texts

STAGE = "quality"


def quality_batch(batch: pa.RecordBatch, cfg: dict[str, Any]) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """The stage contract: one Arrow batch -> (kept, rejected). `cfg` is the whole config."""
    model = load_model(cfg["quality"]["model"])
    texts = [t or "" for t in batch.column("text").to_pylist()]
    scores = pa.array(score_texts(model, texts, cfg), pa.float64())
    i = batch.schema.get_field_index("quality_score")
    batch = batch.set_column(i, "quality_score", scores) if i >= 0 else batch.append_column("quality_score", scores)
    low = pc.less(scores, cfg["quality"]["threshold"])
    kept = batch.filter(pc.invert(low))
    rej = batch.filter(low)
    n = rej.num_rows
    rej = rej.append_column("stage", pa.array([STAGE] * n, pa.string()))
    rej = rej.append_column("reason", pa.array(["quality.low_score"] * n, pa.string()))
    detail = [f"{s:.4f}" for s in rej.column("quality_score").to_pylist()]
    rej = rej.append_column("detail", pa.array(detail, pa.string()))
    return kept, rej
