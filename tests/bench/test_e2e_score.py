"""The end-to-end benchmark's quality scorer counts exactly what it reports, on a real generated truth."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.e2e.bench_e2e import datatrove_kept, score
from mdfs.sample.crawl import generate


@pytest.fixture(scope="module")
def truth(tmp_path_factory) -> list[dict]:
    s = generate(tmp_path_factory.mktemp("e2e") / "c.warc.gz", 120, 11)
    return [json.loads(x) for x in Path(s["truth"]).read_text(encoding="utf-8").splitlines()]


def test_perfect_output_scores_perfectly(truth):
    kept = {r["url"]: r["main_text"] for r in truth if r["final"] == "keep"}
    q = score(truth, kept)
    assert q["good_pages_lost"] == 0 and q["bad_pages_kept"] == 0 and q["duplicates_left"] == 0
    assert q["spam_lines_left"] == 0 and q["spam_lines_on_kept_good_pages"] > 0
    assert q["main_text_line_recall"] == 1.0 and q["kept_text_line_precision"] == 1.0


def test_each_mistake_is_counted_once(truth):
    good = [r for r in truth if r["final"] == "keep"]
    kept = {r["url"]: r["main_text"] for r in good}
    lost = good[0]
    del kept[lost["url"]]
    junk = next(r for r in truth if r["final"] == "drop:junk")
    kept[junk["url"]] = "广告"
    copy = next(r for r in truth if r["final"] == "drop:dup" and r["dup_of"] in kept)
    kept[copy["url"]] = kept[copy["dup_of"]]
    # a copy kept instead of its original: the content is not lost, and no duplicate is left
    swap = next(r for r in truth if r["final"] == "drop:dup" and r["dup_of"] in kept and r["dup_of"] != copy["dup_of"]
                and r["dup_of"] not in (lost["url"], copy["url"]))
    del kept[swap["dup_of"]]
    kept[swap["url"]] = swap["main_text"]  # the survivor is scored against its own truth
    spam = next(r for r in good if r["spam_lines"] and r["url"] in kept and r["url"] != swap["dup_of"])
    kept[spam["url"]] = spam["main_text"] + "\n" + spam["spam_lines"][0]
    # Traditional script and full-width forms are folded before lines are compared
    trad = next(r for r in good if r["url"] in kept and "国" in r["main_text"] and r["url"] != spam["url"])
    kept[trad["url"]] = trad["main_text"].replace("国", "國")
    q = score(truth, kept)
    assert (q["good_pages_lost"], q["good_lost_by_category"]) == (1, {lost["category"]: 1})
    assert (q["bad_pages_kept"], q["bad_kept_by_category"]) == (1, {junk["category"]: 1})
    assert q["duplicates_left"] == 1
    assert q["spam_lines_left"] == 1
    # every group that survives is scored, the swapped one through its copy (not only kept originals)
    assert q["line_scored_groups"] == len(good) - 1
    assert q["main_text_line_recall"] == 1.0 and q["kept_text_line_precision"] < 1.0


def test_datatrove_output_is_read_by_url(tmp_path):
    out = tmp_path / "dedup" / "output"
    out.mkdir(parents=True)
    with gzip.open(out / "00000.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "a", "text": "正文", "metadata": {"url": "http://x.cn/1"}}) + "\n")
    assert datatrove_kept(tmp_path) == {"http://x.cn/1": "正文"}
