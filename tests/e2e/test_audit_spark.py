"""`mdfs audit`: passes on a real run, and names what is wrong when a document is lost or repeated."""

from __future__ import annotations

import shutil

from mdfs.spark.audit import audit_main, audit_run


def _copy(sample_run, tmp_path):
    """The shared run's collect and coarse stages (other tests add later stages to it)."""
    dst = tmp_path / "run"
    for stage in ("01_collect", "02_coarse"):
        shutil.copytree(sample_run.out / stage, dst / stage)
    return dst


def _by_stage(results):
    return {a.stage: a for a in results}


def test_audit_passes_on_a_real_run(spark, sample_run, tmp_path):
    run = _copy(sample_run, tmp_path)
    res = _by_stage(audit_run(spark, run))
    assert {"collect", "coarse"} <= set(res)
    assert all(not a.problems for a in res.values()), {k: a.problems for k, a in res.items()}
    c = res["coarse"]
    assert c.rows_in == sample_run.collect.stats["docs_kept"] == c.kept + c.rejected
    assert audit_main(spark, str(run)) == 0


def test_audit_finds_lost_repeated_and_unfinished(spark, sample_run, tmp_path):
    run = _copy(sample_run, tmp_path)
    coarse = run / "02_coarse"
    # a lost file of rejected rows: input != kept + rejected, ids missing, stats disagree
    rej = sorted(p for p in (coarse / "rejected").glob("*.parquet") if p.stat().st_size > 1000)
    assert rej, "the sample crawl's coarse stage rejects documents"
    rej[0].unlink()
    # a kept file written twice: the same ids twice
    kept = sorted((coarse / "kept").glob("*.parquet"))
    shutil.copy(kept[0], kept[0].with_name("part-copy.parquet"))
    probs = " | ".join(_by_stage(audit_run(spark, run))["coarse"].problems)
    assert "neither kept nor rejected" in probs and "more than once" in probs and "stats.json says" in probs, probs
    assert "rows in" in probs
    assert audit_main(spark, str(run)) == 1

    run2 = _copy(sample_run, tmp_path / "b")
    (run2 / "02_coarse" / "_SUCCESS").unlink()
    res = _by_stage(audit_run(spark, run2))
    assert "without _SUCCESS" in res["coarse"].problems[0]
