"""The quality stage in Spark on the sample crawl, and its fail-fast model check in the CLI."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from mdfs.cli import main
from mdfs.spark.docstage import run_doc_stage
from mdfs.stages.quality import quality_batch


def _rows(path):
    return pq.read_table(str(path)).to_pylist() if path.exists() else []


def test_quality_scores_every_document_and_conserves(spark, cfg, sample_run, tmp_path):
    truth, coarse = sample_run.truth, sample_run.coarse
    res = run_doc_stage(spark, "quality", quality_batch, tmp_path / "out", cfg, [sample_run.coarse_kept])
    kept, rej = _rows(res.path / "kept"), _rows(res.path / "rejected")
    assert res.stats["conservation_ok"] and res.stats["docs_in"] == coarse.stats["docs_kept"] == len(kept) + len(rej)
    assert len({r["id"] for r in kept + rej}) == len(kept) + len(rej)
    thr = cfg["quality"]["threshold"]
    assert all(r["quality_score"] is not None and 0.0 <= r["quality_score"] <= 1.0 for r in kept + rej)
    assert all(r["quality_score"] >= thr for r in kept)
    assert all(r["reason"] == "quality.low_score" and float(r["detail"]) < thr for r in rej)
    # articles score above the junk pages that survived coarse
    art = [r["quality_score"] for r in kept + rej if truth[r["id"]]["category"].startswith("article")]
    junk = [r["quality_score"] for r in kept + rej if truth[r["id"]]["category"].startswith("junk")]
    assert art and sum(art) / len(art) > 0.5
    if junk:
        assert sum(art) / len(art) > sum(junk) / len(junk)


@pytest.mark.parametrize("content", [None, b"not a fasttext model at all"])
def test_missing_or_corrupt_model_is_one_clear_error_before_spark(tmp_path, capsys, content):
    model = tmp_path / "m.ftz"
    if content is not None:
        model.write_bytes(content)
    rc = main(["run", "quality", "--output", str(tmp_path / "out"), "--input", str(tmp_path / "nothing"),
               "--set", f"quality.model={json.dumps(str(model))}"])
    err = capsys.readouterr().err
    assert rc == 2 and str(model) in err
    assert not (tmp_path / "out").exists()
