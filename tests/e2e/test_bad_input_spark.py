"""The broken-input corpus through collect in Spark: the job finishes and every item is accounted for."""

from __future__ import annotations

from collections import Counter

import pyarrow.parquet as pq

from mdfs.config import load_config
from mdfs.io.sources import ERROR_REASONS
from mdfs.spark.collect import run_collect
from tests.io.badcorpus import write_bad_corpus


def test_bad_corpus_is_fully_accounted_for(spark, tmp_path):
    expected = write_bad_corpus(tmp_path / "bad")
    cfg = load_config(sets=[f"collect.{k}={v!r}" if isinstance(v, str) else f"collect.{k}={v}"
                            for k, v in expected["overrides"].items()])
    res = run_collect(spark, [str(tmp_path / "bad")], tmp_path / "out", cfg)
    kept = pq.read_table(str(res.path / "kept")).to_pylist()
    rej = pq.read_table(str(res.path / "rejected")).to_pylist()
    assert res.stats["conservation_ok"]
    assert len({r["id"] for r in kept + rej}) == len(kept) + len(rej)
    assert all(r["reason"] and r["stage"] == "collect" and r["source"] for r in rej)

    per_file_rows: Counter = Counter()
    per_file_errors: dict[str, Counter] = {}
    for r in kept + rej:
        name = r["source"].split("/")[-1].split("@")[0].split("#")[0]
        per_file_rows[name] += 1
        if r.get("reason") in ERROR_REASONS:
            per_file_errors.setdefault(name, Counter())[r["reason"]] += 1
    for name, exp in expected["files"].items():
        n = exp["good"] + sum(exp["errors"].values())
        assert per_file_rows[name] == n, (name, per_file_rows[name], exp)
        assert dict(per_file_errors.get(name, {})) == exp["errors"], (name, exp)
    # the good Chinese records in the broken files still come through
    assert len(kept) >= 5
