"""The quality report on the shared sample run (collect + coarse): report.json against every stage's
stats.json and Parquet, the HTML's sections, and the headless-Chromium screenshot."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mdfs.spark.report import EXCERPT_CHARS, EXCERPTS_PER_REASON
from mdfs.report.cli import main
from mdfs.report.html import SECTIONS


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, str] = {}
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._h2: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "h2":
            self._h2 = a.get("id")

    def handle_endtag(self, tag):
        if tag == "h2":
            self._h2 = None

    def handle_data(self, data):
        self.text.append(data)
        if self._h2:
            self.ids[self._h2] = self.ids.get(self._h2, "") + data


@pytest.fixture(scope="module")
def run_dir(sample_run, tmp_path_factory) -> Path:
    """The shared run's collect and coarse stages alone (other tests add later stages to it)."""
    d = tmp_path_factory.mktemp("report_run")
    for stage in ("01_collect", "02_coarse"):
        shutil.copytree(sample_run.out / stage, d / stage)
    return d


@pytest.fixture(scope="module")
def report(run_dir, spark, tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    assert main([str(run_dir), "--report-dir", str(d)]) == 0
    return d, json.loads((d / "report.json").read_text(encoding="utf-8"))


def test_numbers_equal_each_stage_stats(sample_run, report):
    _, r = report
    assert r["stages_present"] == ["collect", "coarse"]
    for res, row in zip([sample_run.collect, sample_run.coarse], r["funnel"]["stages"]):
        st = res.stats
        assert row["stage"] == st["stage"]
        for k in ("docs_in", "docs_kept", "docs_rejected", "chars_kept", "chars_rejected"):
            assert row[k] == st[k], k
        assert row["chars_in"] == st["chars_kept"] + st["chars_rejected"]
        assert row["kept_share"] == pytest.approx(st["docs_kept"] / st["docs_in"])
        rej = r["rejections"][st["stage"]]
        assert rej["docs_rejected"] == st["docs_rejected"]
        assert {k: (v["docs"], v["chars"]) for k, v in rej["reasons"].items()} == {
            k: (v["docs"], v["chars"]) for k, v in st["reasons"].items()}
        # The Parquet on disk, aggregated by Spark, says the same.
        chk = r["checks"][st["stage"]]
        assert chk["matches_stats"], chk
        assert chk["parquet_docs_kept"] == pq.read_table(res.path / "kept", columns=["id"]).num_rows
        assert chk["parquet_reasons"] == {k: v["docs"] for k, v in st["reasons"].items()}
    o = r["funnel"]["overall"]
    assert (o["docs_in"], o["docs_out"]) == (sample_run.collect.stats["docs_in"], sample_run.coarse.stats["docs_kept"])
    assert r["edits"]["per_stage"]["coarse"] == sample_run.coarse.stats["edits"]
    assert r["edits"]["highlights"]["t2s_chars"] == sample_run.coarse.stats["edits"].get("t2s_chars", 0)
    assert r["edits"]["highlights"]["pinyin_repairs"] == sample_run.coarse.stats["edits"].get("pinyin_repairs", 0)
    assert r["charsets"]["records"] == sample_run.collect.stats["extra"]["charsets"]
    assert r["languages"]["records"] == sample_run.collect.stats["extra"]["langs"]
    assert r["run_info"]["config_hash"] == sample_run.collect.stats["config_hash"]
    assert r["warnings"] == []


def test_absent_stages_listed(report):
    d, r = report
    assert [a["stage"] for a in r["stages_absent"]] == ["quality", "dedup", "fine", "tokenize", "shard"]
    assert r["shards"] is None
    html = (d / "report.html").read_text(encoding="utf-8")
    assert "Not in this report" in html and "not run" in html


def test_distributions_sum_to_documents(sample_run, report):
    _, r = report
    for res in (sample_run.collect, sample_run.coarse):
        st = res.stats
        sides = r["distributions"][st["stage"]]
        for side, n in (("kept", st["docs_kept"]), ("rejected", st["docs_rejected"])):
            for metric, h in sides[side].items():
                assert sum(h["counts"]) + h["missing"] == n, (st["stage"], side, metric)
                assert len(h["edges"]) == len(h["counts"]) + 1
    kept = r["distributions"]["coarse"]["kept"]
    assert kept["n_chars"]["missing"] == 0 and kept["quality_score"]["missing"] == sample_run.coarse.stats["docs_kept"]
    p = kept["n_chars"]["percentiles"]
    assert p["p10"] <= p["p50"] <= p["p90"]
    # Kept domains after the last stage: the top list never claims more than was kept.
    top = r["domains"]["kept"]["top"]
    assert top and sum(t["docs"] for t in top) <= sample_run.coarse.stats["docs_kept"]
    assert [t["docs"] for t in top] == sorted((t["docs"] for t in top), reverse=True)
    assert sum(t["docs"] for t in r["domains"]["rejected"]["top"]) <= (
        sample_run.collect.stats["docs_rejected"] + sample_run.coarse.stats["docs_rejected"])


def test_samples_are_few_and_short(report):
    _, r = report
    n = 0
    for rej in r["rejections"].values():
        for reason, v in rej["reasons"].items():
            assert len(v["samples"]) <= min(EXCERPTS_PER_REASON, v["docs"])
            assert v["samples"], reason
            for s in v["samples"]:
                n += 1
                assert s["excerpt"] is None or len(s["excerpt"]) <= EXCERPT_CHARS + 1
    assert n > 0


def test_html_parses_and_has_every_section(report):
    d, r = report
    html = (d / "report.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    page.close()
    assert [sid for sid, _ in SECTIONS] == [sid for sid in page.ids]
    for sid, title in SECTIONS:
        assert page.ids[sid].strip() == title
    # Self-contained: images inline, no script, no stylesheet or font from anywhere.
    imgs = [a for t, a in page.tags if t == "img"]
    assert len(imgs) >= 4 and all(a["src"].startswith("data:image/png;base64,") for a in imgs)
    assert all(a.get("alt") for a in imgs)
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe")]
    assert "http://" not in html.split("<main>")[0] and "@import" not in html and "url(" not in html
    # Every reason is named in the page, with the numbers from stats.json.
    text = "".join(page.text)
    for rej in r["rejections"].values():
        for reason in rej["reasons"]:
            assert reason in text
    assert f"{r['funnel']['stages'][0]['docs_in']:,}" in text


def test_screenshot(report, tmp_path):
    from mdfs.report.screenshot import find_chromium, screenshot

    if find_chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    d, _ = report
    png = screenshot(d / "report.html", tmp_path / "report.png")
    from PIL import Image

    with Image.open(png) as im:
        w, h = im.size
        assert w == 1280 and h > 2000  # the full page, not one window
        # Not blank: the page has text and plots, so many distinct colours.
        assert len(im.convert("RGB").resize((128, 256)).getcolors(1 << 16) or []) > 50


def test_make_report_screenshot(report, tmp_path):
    """`make report-screenshot OUT=…` on a run folder whose report is up to date: only the screenshot runs."""
    from mdfs.report.screenshot import find_chromium

    if find_chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    d, _ = report
    out = tmp_path / "run"
    (out / "report").mkdir(parents=True)
    shutil.copy(d / "report.html", out / "report" / "report.html")
    # -o: never (re)install the venv from a test; PY: this interpreter.
    res = subprocess.run(["make", "-o", ".venv/.installed", "report-screenshot", f"OUT={out}",
                          f"PY={sys.executable}"], cwd=repo, capture_output=True, text=True, timeout=300,
                         check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    png = out / "report" / "report.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
