"""Exact + near dedup in Spark on the sample crawl, checked against its truth file."""

from __future__ import annotations

import pyarrow.parquet as pq

from mdfs.spark.dedup import run_dedup


def _rows(path):
    return pq.read_table(str(path)).to_pylist() if path.exists() else []


def test_dedup_on_sample_crawl(spark, cfg, sample_run, tmp_path):
    truth, coarse = sample_run.truth, sample_run.coarse
    res = run_dedup(spark, tmp_path / "out", cfg, [sample_run.coarse_kept])
    kept, rej = _rows(res.path / "kept"), _rows(res.path / "rejected")
    ids = [r["id"] for r in kept + rej]
    assert res.stats["conservation_ok"] and len(ids) == len(set(ids)) == coarse.stats["docs_kept"]
    assert sum(r["dup_cluster_size"] for r in kept) == len(ids)
    kept_by_id = {r["id"]: r for r in kept}
    # precision: every removed document names a kept document of the same source article
    for r in rej:
        assert r["reason"] in ("dedup.exact", "dedup.near_duplicate") and r["detail"] in kept_by_id
        assert truth[r["id"]]["article_id"] == truth[r["detail"]]["article_id"], (truth[r["id"]]["url"], r["reason"])
    # recall: among documents sharing a source article, only one survives
    by_article: dict[str, int] = {}
    for r in kept:
        a = truth[r["id"]].get("article_id")
        if a and truth[r["id"]]["category"].startswith(("article", "dup_", "charset_lie")):
            by_article[a] = by_article.get(a, 0) + 1
    dups_left = sum(n - 1 for n in by_article.values())
    n_dup_pages = sum(1 for i in ids if truth[i]["category"] in ("dup_exact", "dup_near"))
    assert n_dup_pages >= 10 and dups_left <= 0.1 * n_dup_pages, (dups_left, n_dup_pages)
    assert res.stats["reasons"]["dedup.exact"]["docs"] > 0 and res.stats["reasons"]["dedup.near_duplicate"]["docs"] > 0
    for r in kept:
        assert r["dup_cluster"] == r["id"] and r["dup_cluster_size"] >= 1
