"""collect end to end in a local Spark session, on a WARC written by warcio plus other formats."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mdfs.spark.collect import plan_tasks, run_collect

REPO = Path(__file__).resolve().parents[2]

ZH = [
    "新华社北京1月1日电 国家统计局今天发布数据，去年全国粮食总产量再创历史新高，达到六亿八千万吨。",
    "统计局有关负责人介绍，粮食播种面积稳中有增，单产水平明显提高，主要农产品供给充足。",
    "专家指出，这为稳定物价、保障民生和应对各种风险挑战提供了坚实基础。",
]
ZH_TRAD = ["行政院今日召開記者會，說明今年前三季經濟成長情形，主計總處表示整體表現穩健。", "出口持續成長，民間投資亦明顯回溫，預估全年經濟成長率可望達到百分之三。"]
JA = ["内閣府は本日、国内総生産の速報値を発表しました。個人消費と設備投資が堅調に推移しています。"]


def page(paras: list[str], charset: str = "utf-8", trad: bool = False) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    news, home = ("新聞", "首頁") if trad else ("新闻", "首页")
    return (f'<html><head><meta charset="{charset}"><title>{news}</title></head><body>'
            f'<div class="nav"><a href="/">{home}</a> | <a href="/n">{news}</a></div><div class="article">{body}</div>'
            "<div>京ICP備12345678號</div></body></html>")


def write_warc(path: Path, pages: list[tuple[str, bytes, str]]) -> None:
    """pages: (url, body bytes, content type). Adds a request and a metadata record per page."""
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        w.write_record(w.create_warcinfo_record("test.warc.gz", {"software": "mdfs-tests"}))
        for i, (url, body, ct) in enumerate(pages):
            req = w.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            w.write_record(req)
            headers = StatusAndHeaders("200 OK", [("Content-Type", ct)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
            w.write_record(w.create_warc_record(url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 12"),
                                                warc_content_type="application/warc-fields"))


PAGES = [
    ("http://news.example-a.cn/1.html", page(ZH).encode("utf-8"), "text/html; charset=utf-8", "keep"),
    ("http://news.example-b.cn/2.html", page(ZH, "gb2312").encode("gb18030"), "text/html", "keep"),
    ("http://news.example-c.cn/3.html", page(ZH, "utf-8").encode("gb18030"), "text/html; charset=utf-8", "keep"),
    ("http://tw.example-d.com/4.html", page(ZH_TRAD, "big5", trad=True).encode("big5"), "text/html; charset=big5", "keep"),
    ("http://jp.example-e.jp/5.html", page(JA).encode("utf-8"), "text/html", "collect.lang"),
    ("http://img.example-f.cn/6.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png", "collect.non_html"),
    ("http://news.example-g.cn/7.html", b"", "text/html", "collect.empty"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    d = tmp_path_factory.mktemp("crawl")
    write_warc(d / "a.warc.gz", [(u, b, c) for u, b, c, _ in PAGES])
    (d / "html").mkdir()
    (d / "html" / "x.html").write_bytes(page(ZH, "gbk").encode("gb18030"))
    with gzip.open(d / "docs.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"text": "\n".join(ZH), "url": "http://example-j.cn/1"}, ensure_ascii=False) + "\n")
        f.write("{not json\n")
        f.write(json.dumps({"text": "\n".join(ZH_TRAD)}, ensure_ascii=False) + "\n")
    expected = {"keep": 4 + 1 + 2, "collect.lang": 1, "collect.non_html": 1, "collect.empty": 1, "collect.invalid_json": 1}
    return d, expected


def _read(p: Path) -> list[dict]:
    return pq.read_table(str(p)).to_pylist() if p.exists() else []


def test_collect_end_to_end(spark, cfg, corpus, tmp_path):
    d, expected = corpus
    res = run_collect(spark, [str(d)], tmp_path / "out", cfg)
    kept = _read(res.path / "kept")
    rej = _read(res.path / "rejected")
    st = res.stats
    assert st["docs_in"] == sum(expected.values()) == len(kept) + len(rej)
    assert st["conservation_ok"] and st["inputs"]["files"] == 3
    assert len({r["id"] for r in kept + rej}) == len(kept) + len(rej)
    got = {"keep": len(kept)} | {k: v["docs"] for k, v in st["reasons"].items()}
    assert got == expected
    by_url = {r["url"]: r for r in kept}
    assert by_url["http://news.example-b.cn/2.html"]["charset"] == "gb18030"
    lying = by_url["http://news.example-c.cn/3.html"]
    assert lying["charset"] == "gb18030" and lying["charset_declared"] == "utf-8" and "粮食总产量" in lying["text"]
    assert "行政院" in by_url["http://tw.example-d.com/4.html"]["text"]
    assert st["extra"]["charset_repairs"].get("utf-8->gb18030") == 1
    for r in kept:
        assert r["lang"] == "zh" and r["n_chars"] == len(r["text"]) and r["source"]
    warc_rows = [r for r in kept + rej if r["source"].startswith(str(d / "a.warc.gz"))]
    assert len(warc_rows) == len(PAGES) and all(r["fetch_time"] is not None for r in warc_rows)
    # a second run with the same inputs gives the same ids (stable ids)
    res2 = run_collect(spark, [str(d)], tmp_path / "out2", cfg)
    assert sorted(r["id"] for r in _read(res2.path / "kept")) == sorted(r["id"] for r in kept)


def test_plan_tasks_balances_sizes():
    files = [(f"f{i}", s) for i, s in enumerate([100, 90, 50, 40, 30, 10, 5])]
    groups = plan_tasks(files, 3)
    sizes = dict(files)
    loads = sorted(sum(sizes[p] for p in g) for g in groups)
    assert len(groups) == 3 and sorted(p for g in groups for p in g) == sorted(sizes)
    assert loads[-1] - loads[0] <= 40
    assert plan_tasks(files[:2], 8) == [["f0"], ["f1"]]


def test_spark_submit_runs_the_job(corpus, tmp_path):
    """`spark-submit jobs/collect.py` with the installed pyspark, as a user would run it."""
    d, expected = corpus
    bindir = Path(sys.executable).parent
    submit = bindir / "spark-submit"
    if not submit.exists():
        pytest.skip("spark-submit not installed next to this interpreter")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable,
               SPARK_LOCAL_IP="127.0.0.1", PATH=f"{bindir}:{os.environ['PATH']}")
    out = tmp_path / "out"
    p = subprocess.run(
        [str(submit), "--master", "local[1]", "--conf", "spark.ui.enabled=false", str(REPO / "jobs" / "collect.py"),
         "--input", str(d / "a.warc.gz"), "--output", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    stats = json.loads((out / "01_collect" / "stats.json").read_text())
    assert stats["spark"]["master"] == "local[1]"  # the master spark-submit was given, not the config's
    assert stats["docs_in"] == len(PAGES) and stats["docs_kept"] == 4
    assert "[collect]" in p.stdout and "collect.lang" in p.stdout
