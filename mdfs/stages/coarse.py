"""Coarse: normalise each document, then cheap document-level rules.

Order: text repairs first (NFKC, Traditional -> Simplified, pinyin annotations, entities), so
that every rule measures the text we would keep (a pinyin-injected page fails duplicate n-gram
rules before repair and passes after, see shared/ANCHORS.md); then the URL/domain blocklist,
the statistical rules (cheapest first), and blocklist density.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from mdfs.filters.blocklist import get_domain_blocklist, get_matcher
from mdfs.filters.coarse import check
from mdfs.stages.common import add_edits, batch_rows, reject, split_rows
from mdfs.text.cjk import cjk_ratio
from mdfs.text.normalize import normalize

STAGE = "coarse"


def process_row(row: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    text, edits = normalize(row.get("text") or "", cfg["normalize"])
    row["text"] = text
    row["n_chars"] = len(text)
    row["cjk_ratio"] = cjk_ratio(text)
    add_edits(row, STAGE, edits)
    hit = get_domain_blocklist(cfg["blocklist"]).match(row.get("domain"))
    if hit:
        return reject(row, STAGE, "coarse.url_blocklist", hit)
    failed = check(text, cfg["coarse"])
    if failed:
        return reject(row, STAGE, failed[0], failed[1])
    verdict = get_matcher(cfg["blocklist"]).doc_verdict(text, len(text))
    if verdict:
        return reject(row, STAGE, "coarse.blocklist", verdict[1])
    return row


def coarse_batch(batch: pa.RecordBatch, cfg: dict[str, Any]) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """The stage contract: one Arrow batch -> (kept, rejected). `cfg` is the whole config."""
    return split_rows([process_row(r, cfg) for r in batch_rows(batch)])
