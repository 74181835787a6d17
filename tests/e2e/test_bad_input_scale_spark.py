"""Bad input at scale: good pages mixed with every broken and hostile input, through every stage.

`mdfs pipeline` runs in a subprocess (this process already holds the local[2] session) over the
folder of tests/io/badcrawl.py: sample-crawl pages, the broken-file corpus, decompression bombs,
HTML nested 20,000 levels deep, regex-hostile and mixed-charset text. It must finish within
PIPELINE_BOUND_S, `mdfs audit` must pass, and every input must be accounted for: each broken
file gives the reasons the bad corpus promises, each bomb collect.decompression_limit (or
collect.too_large for an HTTP Content-Encoding bomb, which is bounded by max_record_bytes), each
regex-hostile page ends kept or rejected by a rule (never collect.error, the crash catch-all).

Bound: the run takes ~2.5 minutes on a loaded 2-core box (JVM start, seven stages, the report);
PIPELINE_BOUND_S is 3x that for slower CI machines. A catastrophic regex backtrack or a
quadratic pass over a megabyte line costs hours, so the bound still tells a hang from slowness.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mdfs.io.records import stable_id
from mdfs.io.sources import ERROR_REASONS
from mdfs.schema import STAGES, stage_dir_name
from mdfs.spark.audit import audit_run
from tests.io.badcrawl import write_bad_crawl

REPO = Path(__file__).resolve().parents[2]
PIPELINE_BOUND_S = 480
GOOD_PAGES = 100


def final_outcomes(out: Path) -> tuple[dict[str, dict], dict[str, str]]:
    """(collect rows by id, id -> final outcome): "kept" (in the shards) or "<stage reason>"."""
    collect = {}
    for side in ("kept", "rejected"):
        for r in pq.read_table(str(out / "01_collect" / side)).to_pylist():
            collect[r["id"]] = r
    outcome: dict[str, str] = {}
    for stage in STAGES:
        d = out / stage_dir_name(stage) / "rejected"
        if stage == "tokenize" or not d.is_dir():
            continue
        for r in pq.read_table(str(d), columns=["id", "reason"]).to_pylist():
            assert r["id"] not in outcome, (r, outcome[r["id"]])
            outcome[r["id"]] = r["reason"]
    for r in pq.read_table(str(out / "07_shard" / "documents"), columns=["id"]).to_pylist():
        assert r["id"] not in outcome, r
        outcome[r["id"]] = "kept"
    return collect, outcome


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad_scale")
    info = write_bad_crawl(d / "in", pages=GOOD_PAGES)
    out = d / "out"
    cmd = [sys.executable, "-m", "mdfs.cli", "pipeline", "--input", str(d / "in"), "--output", str(out),
           "--master", "local[2]"]
    for s in info["sets"] + ['spark.driver_memory="2g"']:
        cmd += ["--set", s]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=PIPELINE_BOUND_S)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"mdfs pipeline did not finish within {PIPELINE_BOUND_S}s; last output:\n"
                    f"{(e.stdout or b'')[-3000:]!r}\n{(e.stderr or b'')[-3000:]!r}")
    seconds = time.monotonic() - t0
    assert p.returncode == 0, p.stdout[-5000:] + p.stderr[-5000:]
    print(p.stdout)
    print(f"pipeline: {seconds:.0f}s")
    return info, out, seconds


def test_pipeline_finishes_in_bounded_time_and_audit_passes(bad_run, spark):
    _, out, seconds = bad_run
    assert seconds < PIPELINE_BOUND_S
    assert (out / "07_shard" / "_SUCCESS").is_file()
    results = audit_run(spark, out)
    assert [a.stage for a in results] == [s for s in STAGES if s != "tokenize"]
    assert {a.stage: a.problems for a in results if a.problems} == {}


def test_every_input_is_accounted_for(bad_run):
    info, out, _ = bad_run
    collect, outcome = final_outcomes(out)
    assert set(outcome) == set(collect)  # every collected row ends kept or rejected exactly once
    crashes = {i: (collect[i]["source"], collect[i].get("detail")) for i, o in outcome.items()
               if o == "collect.error"}
    assert crashes == {}  # the catch-all for an exception while processing a record

    def file_of(r: dict) -> str:
        return r["source"].split("/")[-1].split("@")[0].split("#")[0]

    # The broken-file corpus: per file, as many rows as it holds and exactly the promised errors.
    rows: Counter = Counter()
    errors: dict[str, Counter] = {}
    for r in collect.values():
        if "/bad/" not in r["source"]:
            continue
        rows[file_of(r)] += 1
        if r.get("reason") in ERROR_REASONS:
            errors.setdefault(file_of(r), Counter())[r["reason"]] += 1
    for name, exp in info["bad_files"].items():
        assert rows[name] == exp["good"] + sum(exp["errors"].values()), (name, rows[name], exp)
        assert dict(errors.get(name, {})) == exp["errors"], (name, exp)

    # Hostile inputs: bombs cut off, pages ending where they must.
    by_url = {r["url"]: r for r in collect.values() if r.get("url")}
    ended: dict[str, str] = {}
    for name, h in info["hostile"].items():
        if "url" not in h:  # a bomb file: its good records, then one limit error
            recs = [r for r in collect.values() if "/hostile/" in r["source"] and file_of(r) == h["file"]]
            reasons = Counter(r.get("reason") for r in recs if r.get("reason") in ERROR_REASONS)
            assert dict(reasons) == {h["expect"]: 1}, (name, recs)
            assert len(recs) == h.get("good", 0) + 1, (name, recs)
            ended[name] = h["expect"]
            continue
        r = by_url.get(h["url"])
        assert r is not None, name
        ended[name] = outcome[r["id"]]
        if h["expect"] == "rejected":
            assert ended[name] != "kept", name
        elif h["expect"] != "any":
            assert ended[name].startswith(h["expect"]), (name, ended[name], h["expect"])
    print(json.dumps(ended, indent=1, ensure_ascii=False))

    # The good pages come through collect as the sample crawl's truth says (its truth is checked at
    # generation on the default 300 pages; at other sizes and seeds a borderline language score can
    # differ, e.g. one Traditional page at lid 0.49, so a 3 % margin).
    truth = [json.loads(line) for f in sorted((out.parent / "in" / "_truth").glob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines()]
    assert len(truth) == GOOD_PAGES
    differ = []
    for t in truth:
        r = collect[stable_id("rid", t["record_id"])]
        got = "keep" if r.get("reason") is None else "reject:" + r["reason"].removeprefix("collect.")
        if got != t["expected"]:
            differ.append((t["url"], got, r.get("detail"), t["expected"]))
    print("differ from truth:", differ)
    assert len(differ) <= 0.03 * GOOD_PAGES, differ
    n_kept = sum(o == "kept" for o in outcome.values())
    assert n_kept >= 30, Counter(outcome.values())
