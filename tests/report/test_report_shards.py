"""The report on a run folder without document Parquet: the tokenizer/shard section from a small
manifest.json and stats.json, unfinished stages left out, and no Spark needed."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mdfs.report.cli import build_report
from mdfs.report.runinfo import read_run
from mdfs.schema import stage_dir_name

SHA = "ab" * 32


def _stage(root: Path, stage: str, stats: dict, done: bool = True) -> Path:
    d = root / stage_dir_name(stage)
    d.mkdir(parents=True)
    base = {"stage": stage, "started_at": "2026-01-01T00:00:00+00:00", "seconds": 1.5, "inputs": {},
            "docs_in": 10, "docs_kept": 10, "docs_rejected": 0, "conservation_ok": True, "chars_kept": 2000,
            "chars_rejected": 0, "reasons": {}, "edits": {}, "extra": {}, "config": {}, "config_hash": "h1",
            "versions": {"python": "3.11", "mdfs": "0.1.0"}}
    (d / "stats.json").write_text(json.dumps({**base, **stats}), encoding="utf-8")
    if done:
        (d / "_SUCCESS").write_text("x\n")
    return d


@pytest.fixture()
def shard_run(tmp_path):
    root = tmp_path / "out"
    _stage(root, "fine", {}, done=False)  # unfinished: no _SUCCESS
    _stage(root, "tokenize", {"extra": {"vocab_size": 500, "chars_per_token": 1.6, "tokenizer_sha256": SHA}})
    d = _stage(root, "shard", {"extra": {"tokens": 1300, "chars_per_token": 2000 / 1300, "shards": 2},
                               "edits": {"pii_phone": 2}})
    files = [
        {"path": "train/shard_00000.bin", "split": "train", "bytes": 2400, "sha256": SHA, "documents": 9, "tokens": 1200},
        {"path": "train/shard_00000.idx", "split": "train", "bytes": 150, "sha256": SHA, "documents": 9, "tokens": 1200},
        {"path": "valid/shard_00000.bin", "split": "valid", "bytes": 200, "sha256": SHA, "documents": 1, "tokens": 100},
        {"path": "valid/shard_00000.idx", "split": "valid", "bytes": 40, "sha256": SHA, "documents": 1, "tokens": 100},
    ]
    manifest = {"format": "megatron-mmap-indexed", "dtype": "uint16",
                "tokenizer": {"file": "tokenizer.json", "sha256": SHA, "vocab_size": 500}, "config_hash": "h1",
                "splits": {"train": {"documents": 9, "tokens": 1200}, "valid": {"documents": 1, "tokens": 100}},
                "files": files}
    (d / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_shard_section_from_manifest(shard_run, tmp_path):
    res = build_report(None, shard_run, None)  # no Parquet anywhere: Spark is never asked
    r = res["report"]
    assert r["stages_present"] == ["tokenize", "shard"]
    absent = {a["stage"]: a["why"] for a in r["stages_absent"]}
    assert absent["fine"] == "unfinished (no _SUCCESS)" and absent["collect"] == "not run"
    s = r["shards"]
    assert s["present"] and s["format"] == "megatron-mmap-indexed" and s["dtype"] == "uint16"
    assert (s["files"], s["shards"], s["bytes"]) == (4, 2, 2790)
    assert (s["documents"], s["tokens"]) == (10, 1300)  # .idx entries are not counted twice
    assert s["tokenizer"] == {"file": "tokenizer.json", "sha256": SHA, "vocab_size": 500}
    assert s["chars_per_token"] == pytest.approx(2000 / 1300)
    assert s["splits"]["valid"] == {"documents": 1, "tokens": 100}
    assert r["warnings"] == []
    f = {row["stage"]: row for row in r["funnel"]["stages"]}
    assert f["shard"]["tokens_kept"] == 1300 and not f["shard"]["tokens_estimated"]
    assert f["tokenize"]["tokens_estimated"] and f["tokenize"]["tokens_kept"] == 1300
    assert r["edits"]["highlights"]["pii_masks"] == {"phone": 2}
    html = Path(res["html"]).read_text(encoding="utf-8")
    HTMLParser().feed(html)
    for needle in ("megatron-mmap-indexed", "train/shard_00000.bin", SHA, "1,300", "unfinished (no _SUCCESS)"):
        assert needle in html
    assert res["html"] == shard_run / "report" / "report.html"
    assert json.loads(Path(res["json"]).read_text())["shards"]["tokens"] == 1300


def test_manifest_mismatch_and_absence_are_reported(shard_run):
    m = shard_run / stage_dir_name("shard") / "manifest.json"
    data = json.loads(m.read_text())
    data["splits"]["train"]["tokens"] = 1100
    m.write_text(json.dumps(data))
    r = build_report(None, shard_run, None)["report"]
    assert any("manifest.json counts 1,200 tokens, stats.json 1,300" in w for w in r["warnings"])
    m.unlink()
    r = build_report(None, shard_run, None)["report"]
    assert r["shards"]["manifest_error"] == "manifest.json not found" and not r["shards"]["present"]
    assert r["shards"]["tokens"] == 1300  # from stats.json


def test_empty_run_folder(tmp_path):
    info = read_run(tmp_path)
    assert info.stages == [] and len(info.absent) == 7
    r = build_report(None, tmp_path, None)["report"]
    assert r["funnel"]["stages"] == [] and r["shards"] is None
    assert (tmp_path / "report" / "report.html").is_file()
