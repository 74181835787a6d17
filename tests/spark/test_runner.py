"""The runner's promises: atomic output, skip/overwrite, stats, conservation, mapInArrow stages."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from mdfs.config import config_hash
from mdfs.schema import DOC_COLUMNS, DOC_SCHEMA
from mdfs.spark.apply import apply_batch_stage
from mdfs.spark.runner import is_done, read_stats, run_stage

TEXTS = ["短", "这是一个足够长的中文句子，用来测试。", "又一个", "人民日报社论：新年献词，祝愿祖国繁荣昌盛。", "好"]


def _docs_df(spark, n_copies: int = 20):
    rows = []
    for c in range(n_copies):
        for i, t in enumerate(TEXTS):
            rows.append({"id": f"d{c:03d}{i}", "text": t, "n_chars": len(t), "source": f"test#{c}.{i}"})
    table = pa.Table.from_pylist(rows, schema=DOC_SCHEMA)
    return spark.createDataFrame(table).repartition(3), len(rows)


def min_chars_stage(batch: pa.RecordBatch, cfg: dict) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """A real (tiny) batch stage: reject texts shorter than cfg['min']."""
    short = pc.less(pc.utf8_length(batch.column("text")), cfg["min"])
    kept = batch.filter(pc.invert(short))
    rej = batch.filter(short)
    n = rej.num_rows
    rej = rej.append_column("stage", pa.array(["test"] * n, pa.string()))
    rej = rej.append_column("reason", pa.array(["test.too_short"] * n, pa.string()))
    rej = rej.append_column("detail", pc.cast(pc.utf8_length(rej.column("text")), pa.string()))
    return kept, rej


def _read(path):
    return pq.read_table(str(path)).to_pylist()


def test_stage_writes_kept_rejected_stats_success(spark, cfg, tmp_path):
    df, n = _docs_df(spark)
    res = run_stage(spark, "coarse", lambda: apply_batch_stage(df, min_chars_stage, {"min": 4}), tmp_path, cfg)
    d = tmp_path / "02_coarse"
    assert res.path == d and not res.skipped
    assert (d / "_SUCCESS").is_file() and is_done(tmp_path, "coarse")
    kept, rej = _read(d / "kept"), _read(d / "rejected")
    assert len(kept) == 40 and len(rej) == 60 and len(kept) + len(rej) == n
    ids = [r["id"] for r in kept + rej]
    assert len(ids) == len(set(ids))
    assert all(len(r["text"]) >= 4 for r in kept)
    assert {r["reason"] for r in rej} == {"test.too_short"}
    assert all(r["stage"] == "test" and r["detail"] in {"1", "3"} for r in rej)
    assert list(pq.read_schema(next((d / "kept").glob("*.parquet"))).names) == DOC_COLUMNS
    stats = json.loads((d / "stats.json").read_text())
    assert stats["docs_in"] == n and stats["docs_kept"] == 40 and stats["docs_rejected"] == 60
    assert stats["conservation_ok"] is True
    assert stats["reasons"] == {"test.too_short": {"docs": 60, "chars": 20 * (1 + 3 + 1)}}
    assert stats["chars_kept"] == sum(len(r["text"]) for r in kept)
    assert stats["config_hash"] == config_hash(cfg) and stats["config"] == cfg
    assert stats["versions"]["pyspark"].startswith("4.") and stats["seconds"] > 0
    # zstd parquet
    meta = pq.ParquetFile(next((d / "kept").glob("*.parquet"))).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp leftovers


def test_finished_stage_is_skipped_unless_overwrite(spark, cfg, tmp_path):
    df, _ = _docs_df(spark, 2)
    run_stage(spark, "coarse", lambda: apply_batch_stage(df, min_chars_stage, {"min": 4}), tmp_path, cfg)
    first = read_stats(tmp_path, "coarse")
    calls = []

    def build():
        calls.append(1)
        return apply_batch_stage(df, min_chars_stage, {"min": 2})

    res = run_stage(spark, "coarse", build, tmp_path, cfg)
    assert res.skipped and not calls and res.stats == first
    res = run_stage(spark, "coarse", build, tmp_path, cfg, overwrite=True)
    assert not res.skipped and calls == [1]
    assert read_stats(tmp_path, "coarse")["docs_kept"] == 6  # min 2 keeps 3 of 5 texts, x2
    assert len(_read(tmp_path / "02_coarse" / "kept")) == 6


def test_crash_mid_stage_leaves_nothing_that_looks_complete(spark, cfg, tmp_path):
    df, _ = _docs_df(spark, 4)

    def exploding(batch, c):
        if "人民日报" in "".join(batch.column("text").to_pylist()):
            raise RuntimeError("boom")
        return min_chars_stage(batch, c)

    with pytest.raises(Exception):
        run_stage(spark, "coarse", lambda: apply_batch_stage(df, exploding, {"min": 4}), tmp_path, cfg)
    assert not (tmp_path / "02_coarse").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_crash_during_overwrite_keeps_previous_complete_output(spark, cfg, tmp_path):
    df, _ = _docs_df(spark, 2)
    run_stage(spark, "coarse", lambda: apply_batch_stage(df, min_chars_stage, {"min": 4}), tmp_path, cfg)

    def exploding(batch, c):
        raise RuntimeError("boom")

    with pytest.raises(Exception):
        run_stage(spark, "coarse", lambda: apply_batch_stage(df, exploding, {}), tmp_path, cfg, overwrite=True)
    assert is_done(tmp_path, "coarse") and read_stats(tmp_path, "coarse")["docs_kept"] == 4


def test_conservation_failure_is_detected(spark, cfg, tmp_path):
    df, n = _docs_df(spark, 1)
    with pytest.raises(RuntimeError, match="rows in"):
        run_stage(
            spark, "coarse", lambda: apply_batch_stage(df, min_chars_stage, {"min": 4}), tmp_path, cfg,
            rows_in=lambda: n + 1,
        )
    assert not is_done(tmp_path, "coarse")
