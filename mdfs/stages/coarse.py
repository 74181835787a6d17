"""Coarse: normalise each document, then cheap document-level rules.

Order: text repairs first (NFKC, Traditional -> Simplified, pinyin annotations, entities, SEO
spam lines at the top and bottom edges), so that every rule measures the text we would keep (a pinyin-injected page fails duplicate n-gram
rules before repair and passes after, see shared/ANCHORS.md); then the URL/domain blocklist,
the statistical rules (cheapest first), and blocklist density.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from mdfs.filters.blocklist import get_domain_blocklist, get_matcher
from mdfs.filters.coarse import check_batch
from mdfs.filters.fine import trim_spam_edges
from mdfs.stages.common import add_edits, batch_rows, reject, split_rows
from mdfs.text.cjk import cjk_ratio
from mdfs.text.normalize import normalize

STAGE = "coarse"


def process_rows(rows: list[dict[str, Any]], cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """Normalise and judge a batch of document rows in place; rejected rows get stage/reason/detail."""
    domains = get_domain_blocklist(cfg["blocklist"])
    matcher = get_matcher(cfg["blocklist"])
    trim = cfg["coarse"]["trim_spam_edges"]
    for row in rows:
        text, edits = normalize(row.get("text") or "", cfg["normalize"])
        if trim:
            # An SEO keyword header planted above a good article is cut here, so the article is
            # judged (and scored by the quality model) on its own: a document-level cut would lose it.
            trimmed, n = trim_spam_edges(text, cfg["fine"], matcher.is_spam_line)
            # A page that is nothing but spam keeps its text, so it is rejected for what it is
            # (coarse.blocklist) rather than for being short after the cut.
            if n and len(trimmed) >= cfg["coarse"]["min_chars"]:
                text = trimmed
                edits["lines_spam_edge"] = n
        row["text"] = text
        row["n_chars"] = len(text)
        row["cjk_ratio"] = cjk_ratio(text)
        add_edits(row, STAGE, edits)
        hit = domains.match(row.get("domain"))
        if hit:
            reject(row, STAGE, "coarse.url_blocklist", hit)
    todo = [r for r in rows if r.get("reason") is None]
    # The statistical rules run on the whole batch at once (numpy over all texts: ~3x one by one).
    for row, failed in zip(todo, check_batch([r["text"] for r in todo], cfg["coarse"])):
        if failed:
            reject(row, STAGE, failed[0], failed[1])
    for row in rows:
        if row.get("reason") is None:
            verdict = matcher.doc_verdict(row["text"], row["n_chars"])
            if verdict:
                reject(row, STAGE, "coarse.blocklist", verdict[1])
    return rows


def process_row(row: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """One document (for evaluation scripts); the stage itself goes through `process_rows`."""
    return process_rows([row], cfg)[0]


def coarse_batch(batch: pa.RecordBatch, cfg: dict[str, Any]) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """The stage contract: one Arrow batch -> (kept, rejected). `cfg` is the whole config."""
    return split_rows(process_rows(batch_rows(batch), cfg))
