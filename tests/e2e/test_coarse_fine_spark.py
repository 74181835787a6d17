"""collect -> coarse -> fine on the sample crawl in Spark: conservation, repairs, and the truth file."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from mdfs.spark.docstage import run_doc_stage
from mdfs.stages.fine import fine_batch


def _rows(path):
    return pq.read_table(str(path)).to_pylist() if path.exists() else []


@pytest.fixture(scope="module")
def run(spark, sample_run):
    from mdfs.config import load_config

    results = {
        "collect": sample_run.collect,
        "coarse": sample_run.coarse,
        # fine's default input: the latest finished stage before it under the same run folder (coarse)
        "fine": run_doc_stage(spark, "fine", fine_batch, sample_run.out, load_config()),
    }
    return results, sample_run.truth


@pytest.mark.parametrize("stage, prev", [("coarse", "collect"), ("fine", "coarse")])
def test_conservation_and_unique_ids(run, stage, prev):
    results, _ = run
    res, before = results[stage], results[prev]
    kept, rej = _rows(res.path / "kept"), _rows(res.path / "rejected")
    assert res.stats["docs_in"] == before.stats["docs_kept"] == len(kept) + len(rej)
    assert res.stats["conservation_ok"]
    ids_in = {r["id"] for r in _rows(before.path / "kept")}
    ids_out = [r["id"] for r in kept + rej]
    assert len(ids_out) == len(set(ids_out)) and set(ids_out) == ids_in
    assert all(r["stage"] == stage and r["reason"].startswith(f"{stage}.") for r in rej)
    assert all(r["n_chars"] == len(r["text"]) for r in kept)


def test_repairs_reach_the_output(run):
    import opencc

    results, truth = run
    fine_kept = {r["id"]: r for r in _rows(results["fine"].path / "kept")}
    t2s = opencc.OpenCC("t2s")
    cats = {}
    for doc_id, r in fine_kept.items():
        t = truth[doc_id]
        cats[t["category"]] = cats.get(t["category"], 0) + 1
        # Simplified everywhere (names such as 王丙乾 legitimately keep a character t2s would change)
        changed = sum(a != b for a, b in zip(t2s.convert(r["text"]), r["text"]))
        assert changed <= max(2, 0.005 * len(r["text"])), (t["category"], r["url"], changed)
        assert "(shù)" not in r["text"] and "(yīng)" not in r["text"]
        for spam in t.get("spam_lines") or []:
            assert spam not in r["text"], (t["url"], spam)
    assert cats.get("article", 0) > 20
    edits = results["coarse"].stats["edits"]
    assert edits.get("t2s_chars", 0) > 0 and edits.get("pinyin_repairs", 0) > 0
    assert any(k.startswith("lines_") for k in results["fine"].stats["edits"])


def test_big5_and_pinyin_pages_survive(run):
    results, truth = run
    kept_ids = {r["id"] for r in _rows(results["fine"].path / "kept")}
    for cat in ("article_big5", "pinyin", "seo_spam"):
        ids = [i for i, t in truth.items() if t["category"] == cat]
        assert ids and sum(i in kept_ids for i in ids) >= len(ids) - 1, cat
