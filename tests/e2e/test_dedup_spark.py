"""Exact + near dedup in Spark on the sample crawl, checked against its truth file."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

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


def _split_input(src: str, dst, keep) -> str:
    """Write the rows of the Parquet folder `src` for which keep(id) holds into `dst` (one file)."""
    import pyarrow.compute as pc

    t = pq.read_table(src)
    mask = pa.array([keep(i) for i in t.column("id").to_pylist()])
    dst.mkdir(parents=True)
    pq.write_table(pc.filter(t, mask), str(dst / "part.parquet"))
    return str(dst)


def test_incremental_keeps_nothing_already_released(spark, cfg, sample_run, tmp_path):
    """Batch B deduped against batch A's released documents: no article survives in both releases."""
    truth = sample_run.truth
    first = lambda i: int(i[:2], 16) % 2 == 0  # noqa: E731 - half the documents, by id
    a_in = _split_input(sample_run.coarse_kept, tmp_path / "a_in", first)
    b_in = _split_input(sample_run.coarse_kept, tmp_path / "b_in", lambda i: not first(i))
    run_a = run_dedup(spark, tmp_path / "a", cfg, [a_in])
    kept_a = {r["id"]: r for r in _rows(run_a.path / "kept")}
    assert run_a.stats["extra"]["signatures_saved"] == len(kept_a) > 0
    saved = pq.read_table(str(run_a.path / "signatures")).to_pylist()
    assert sorted(r["id"] for r in saved) == sorted(kept_a)

    cfg_b = {**cfg, "dedup": {**cfg["dedup"], "reference": [str(tmp_path / "a")]}}
    run_b = run_dedup(spark, tmp_path / "b", cfg_b, [b_in])
    kept_b, rej_b = _rows(run_b.path / "kept"), _rows(run_b.path / "rejected")
    assert run_b.stats["conservation_ok"] and run_b.stats["inputs"]["references"]
    released = [r for r in rej_b if (r["detail"] or "").startswith("released:")]
    assert released, "batch B shares articles with batch A: some must be rejected against the release"
    for r in released:
        assert r["detail"].removeprefix("released:") in kept_a
        assert truth[r["id"]]["article_id"] == truth[r["detail"].removeprefix("released:")]["article_id"]
    # What A released, B does not re-admit: no duplicated article kept in both.
    arts = lambda rows: {truth[r["id"]]["article_id"] for r in rows if truth[r["id"]].get("article_id")  # noqa: E731
                         and truth[r["id"]]["category"].startswith(("article", "dup_"))}
    assert not arts(kept_a.values()) & arts(kept_b)
    # B's own signatures are saved too, for the run after it.
    assert run_b.stats["extra"]["signatures_saved"] == len(kept_b)


def test_rerun_against_own_release_keeps_nothing(spark, cfg, sample_run, tmp_path):
    run_a = run_dedup(spark, tmp_path / "a", cfg, [sample_run.coarse_kept])
    cfg_b = {**cfg, "dedup": {**cfg["dedup"], "reference": [str(run_a.path)]}}
    run_b = run_dedup(spark, tmp_path / "b", cfg_b, [sample_run.coarse_kept])
    assert run_b.stats["docs_kept"] == 0 and run_b.stats["docs_rejected"] == run_b.stats["docs_in"] > 0
    assert run_b.stats["reasons"]["dedup.exact"]["docs"] >= run_a.stats["docs_kept"]


def test_reference_with_other_settings_is_refused(spark, cfg, sample_run, tmp_path):
    from mdfs.dedup.store import DedupReferenceError

    run_a = run_dedup(spark, tmp_path / "a", cfg, [sample_run.coarse_kept])
    cfg_b = {**cfg, "dedup": {**cfg["dedup"], "ngram": 4, "reference": [str(tmp_path / "a")]}}
    with pytest.raises(DedupReferenceError, match="ngram"):
        run_dedup(spark, tmp_path / "b", cfg_b, [sample_run.coarse_kept])
    with pytest.raises(DedupReferenceError, match="no _signatures.json"):
        run_dedup(spark, tmp_path / "c", {**cfg, "dedup": {**cfg["dedup"], "reference": [str(tmp_path)]}},
                  [sample_run.coarse_kept])
    assert run_a.stats["extra"]["signatures_saved"] == run_a.stats["docs_kept"]
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())
