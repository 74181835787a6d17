"""One sample crawl taken through collect and coarse once per test run, shared by the later-stage tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from mdfs.io.records import stable_id
from mdfs.sample.crawl import generate
from mdfs.spark.collect import run_collect
from mdfs.spark.docstage import run_doc_stage
from mdfs.spark.runner import StageResult
from mdfs.stages.coarse import coarse_batch


@dataclass
class SampleRun:
    out: Path
    truth: dict[str, dict]  # document id -> the truth row of its page
    collect: StageResult
    coarse: StageResult

    @property
    def coarse_kept(self) -> str:
        return str(self.coarse.path / "kept")


@pytest.fixture(scope="session")
def sample_run(spark, tmp_path_factory) -> SampleRun:
    from mdfs.config import load_config

    cfg = load_config()
    d = tmp_path_factory.mktemp("sample_run")
    warc = d / "sample.warc.gz"
    generate(str(warc), 200, 21)
    truth = {stable_id("rid", t["record_id"]): t for t in map(json.loads, (d / "sample.truth.jsonl").read_text().splitlines())}
    out = d / "out"
    collect = run_collect(spark, [str(warc)], out, cfg)
    coarse = run_doc_stage(spark, "coarse", coarse_batch, out, cfg)
    return SampleRun(out, truth, collect, coarse)
