"""Fine: line-level cleaning of each document, PII masking, and a final length check.

Runs after dedup in the full pipeline but works on any stage's output: it re-applies the
(idempotent) normalisation first, so it is safe on text that never went through coarse.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from mdfs.filters.blocklist import get_matcher
from mdfs.filters.fine import clean_lines, mask_pii
from mdfs.stages.common import add_edits, batch_rows, reject, split_rows
from mdfs.text.cjk import cjk_ratio
from mdfs.text.normalize import normalize

STAGE = "fine"


def process_row(row: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    fcfg = cfg["fine"]
    text, edits = normalize(row.get("text") or "", cfg["normalize"])
    matcher = get_matcher(cfg["blocklist"])
    text, removed = clean_lines(text, fcfg, is_spam_line=matcher.is_spam_line)
    edits.update(removed)
    if fcfg["mask_pii"]:
        text, masked = mask_pii(text, fcfg)
        edits.update(masked)
    row["text"] = text
    row["n_chars"] = len(text)
    row["cjk_ratio"] = cjk_ratio(text)
    add_edits(row, STAGE, edits)
    if len(text) < fcfg["min_chars_after_clean"]:
        return reject(row, STAGE, "fine.too_short_after_clean", len(text))
    return row


def fine_batch(batch: pa.RecordBatch, cfg: dict[str, Any]) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """The stage contract: one Arrow batch -> (kept, rejected). `cfg` is the whole config."""
    return split_rows([process_row(r, cfg) for r in batch_rows(batch)])
