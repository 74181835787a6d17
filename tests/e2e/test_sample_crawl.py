"""The embedded sample crawl through collect in Spark: every page ends as its truth file says."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from mdfs.io.records import stable_id
from mdfs.sample.crawl import generate
from mdfs.spark.collect import run_collect
from mdfs.text.charset import normalise_charset


def test_sample_crawl_collect_matches_truth(spark, cfg, tmp_path):
    warc = tmp_path / "sample.warc.gz"
    generate(str(warc), 120, 5)
    truth = [json.loads(x) for x in (tmp_path / "sample.truth.jsonl").read_text().splitlines()]
    res = run_collect(spark, [str(warc)], tmp_path / "out", cfg)
    rows = pq.read_table(str(res.path / "kept")).to_pylist() + pq.read_table(str(res.path / "rejected")).to_pylist()
    by_id = {r["id"]: r for r in rows}
    assert len(by_id) == len(rows) == len(truth) == res.stats["docs_in"]
    wrong = []
    for t in truth:
        r = by_id[stable_id("rid", t["record_id"])]
        got = "keep" if r.get("reason") is None else "reject:" + r["reason"].removeprefix("collect.")
        if got != t["expected"]:
            wrong.append((t["category"], t["url"], t["expected"], got, r.get("detail")))
        if got == "keep" and t["category"].startswith(("article", "charset_lie")):
            # the codec that decoded it is the page's real encoding (GBK read as GB18030, Big5 as HKSCS)
            assert r["charset"] == normalise_charset(t["charset"]), (t["url"], t["charset"], r["charset"])
    assert not wrong, wrong
    cats = {t["category"] for t in truth}
    assert {"article_gbk", "article_big5", "charset_lie", "pinyin", "japanese", "english", "dup_near"} <= cats
