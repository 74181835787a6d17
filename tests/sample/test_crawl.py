"""The sample crawl: deterministic bytes, a WARC warcio reads back, and a truth file that is true."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from mdfs.sample.crawl import QUOTAS, generate, main, truth_path_for

TONE_SYLLABLE = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The default 300-page crawl, read back once: records in order, truth rows, payloads."""
    out = tmp_path_factory.mktemp("sample") / "sample_crawl.warc.gz"
    summary = generate(out, seed=1998)
    records = []
    with open(out, "rb") as f:
        for rec in ArchiveIterator(f):
            records.append(
                {
                    "type": rec.rec_type,
                    "id": rec.rec_headers.get_header("WARC-Record-ID"),
                    "date": rec.rec_headers.get_header("WARC-Date"),
                    "uri": rec.rec_headers.get_header("WARC-Target-URI"),
                    "concurrent": rec.rec_headers.get_header("WARC-Concurrent-To"),
                    "ctype": rec.http_headers.get_header("Content-Type") if rec.http_headers else None,
                    "payload": rec.content_stream().read(),
                }
            )
    rows = [json.loads(line) for line in truth_path_for(out).read_text(encoding="utf-8").splitlines()]
    by_id = {r["id"]: r for r in records}
    pages = [(row, by_id[row["record_id"]]) for row in rows]
    return {"summary": summary, "records": records, "rows": rows, "pages": pages, "out": out}


def _of(crawl: dict, category: str) -> list[tuple[dict, dict]]:
    found = [(row, rec) for row, rec in crawl["pages"] if row["category"] == category]
    assert found, category
    return found


def test_deterministic_and_seed_sensitive(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a" / "s.warc.gz", tmp_path / "b" / "s.warc.gz", tmp_path / "c" / "s.warc.gz"
    assert main(["--out", str(a), "--pages", "60", "--seed", "7"]) == 0
    generate(b, pages=60, seed=7)
    generate(c, pages=60, seed=8)
    assert _sha(a) == _sha(b)
    assert _sha(truth_path_for(a)) == _sha(truth_path_for(b))
    assert _sha(a) != _sha(c)


def test_too_few_pages_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too small"):
        generate(tmp_path / "s.warc.gz", pages=10)


def test_record_structure(crawl: dict) -> None:
    recs = crawl["records"]
    assert recs[0]["type"] == "warcinfo"
    types = Counter(r["type"] for r in recs)
    assert types["response"] == types["request"] == 300
    assert 1 <= types["metadata"] <= 10
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids))
    responses = {r["id"] for r in recs if r["type"] == "response"}
    for r in recs:
        if r["type"] in ("request", "metadata"):
            assert r["concurrent"] in responses
    # Fixed dates from the seed, never the wall clock.
    assert all(r["date"].startswith("2015-06-01T") for r in recs[:5])
    assert crawl["summary"]["bytes"] < 3 * 1024 * 1024


def test_truth_matches_records_and_categories(crawl: dict) -> None:
    rows = crawl["rows"]
    responses = [r for r in crawl["records"] if r["type"] == "response"]
    assert [r["record_id"] for r in rows] == [r["id"] for r in responses]
    assert [r["url"] for r in rows] == [r["uri"] for r in responses]
    assert len({r["url"] for r in rows}) == len(rows)
    counts = Counter(r["category"] for r in rows)
    assert counts == Counter(crawl["summary"]["categories"])
    for cat, (quota, _) in QUOTAS.items():
        assert counts[cat] == quota, cat
    assert counts["article"] == 300 - sum(q for q, _ in QUOTAS.values())
    keys = {"url", "record_id", "category", "expected", "charset", "declared_charset", "main_text", "dup_of"}
    assert all(keys <= r.keys() for r in rows)
    assert {r["expected"] for r in rows} == {
        "keep", "reject:lang", "reject:empty", "reject:non_html", "reject:binary", "reject:no_text"
    }


def test_article_text_is_on_the_page(crawl: dict) -> None:
    """Every ground-truth paragraph appears verbatim in the decoded, unescaped HTML."""
    for row, rec in crawl["pages"]:
        if row["main_text"] is None or row["category"] == "pinyin":
            continue
        page = html.unescape(rec["payload"].decode(row["charset"]))
        for line in row["main_text"].split("\n"):
            assert line in page, (row["url"], line[:40])


def test_gbk_pages(crawl: dict) -> None:
    for row, rec in _of(crawl, "article_gbk"):
        assert row["charset"] == "gbk"
        assert row["declared_charset"].lower() in ("gbk", "gb2312")
        with pytest.raises(UnicodeDecodeError):
            rec["payload"].decode("utf-8")
        assert row["title"] in rec["payload"].decode("gbk")


def test_big5_pages(crawl: dict) -> None:
    for row, rec in _of(crawl, "article_big5"):
        assert row["charset"] == row["declared_charset"] == "big5"
        with pytest.raises(UnicodeDecodeError):
            rec["payload"].decode("utf-8")
        text = rec["payload"].decode("big5")
        assert row["title"] in text
        assert row["lang"] == "zh-Hant"


def test_lying_charsets_really_lie(crawl: dict) -> None:
    variants = Counter()
    for row, rec in _of(crawl, "charset_lie"):
        variants[row["variant"]] += 1
        body = rec["payload"]
        declared = row["declared_charset"]
        assert declared in rec["ctype"]  # the HTTP header lies too
        assert f"charset={declared}".encode() in body or f'charset="{declared}"'.encode() in body
        if row["variant"] == "gbk_as_utf8":
            assert declared == "utf-8" and row["charset"] == "gbk"
            with pytest.raises(UnicodeDecodeError):
                body.decode("utf-8")
            assert row["title"] in body.decode("gbk")
        else:
            assert declared == "gb2312" and row["charset"] == "utf-8"
            assert row["title"] in body.decode("utf-8")
            assert row["title"] not in body.decode("gb18030", errors="replace")
    assert set(variants) == {"gbk_as_utf8", "utf8_as_gb2312"}


def test_pinyin_pages(crawl: dict) -> None:
    for row, rec in _of(crawl, "pinyin"):
        page = rec["payload"].decode("utf-8")
        assert len(TONE_SYLLABLE.findall(page)) >= 10
        assert not TONE_SYLLABLE.search(row["main_text"])  # truth is the clean text
        stripped = TONE_SYLLABLE.sub("", re.sub(r"\([a-zü]+\)", "", page))
        assert row["main_text"].split("\n")[-1] in html.unescape(stripped)


def test_seo_spam_pages(crawl: dict) -> None:
    for row, rec in _of(crawl, "seo_spam"):
        page = rec["payload"].decode("utf-8")
        assert len(row["spam_lines"]) >= 3
        for line in row["spam_lines"]:
            assert line in page and line not in row["main_text"]
        assert page.index(row["spam_lines"][0]) < page.index("<h1>")


def test_duplicates_point_at_kept_originals(crawl: dict) -> None:
    by_url = {r["url"]: r for r in crawl["rows"]}
    payload = {row["url"]: rec["payload"] for row, rec in crawl["pages"]}
    variants = Counter()
    for row in crawl["rows"]:
        if row["category"] not in ("dup_exact", "dup_near"):
            assert row["dup_of"] is None
            continue
        orig = by_url[row["dup_of"]]
        assert orig["category"] in ("article", "article_gbk") and orig["final"] == "keep"
        assert row["final"] == "drop:dup"
        variants[row["variant"]] += 1
        if row["category"] == "dup_exact":
            assert row["main_text"] == orig["main_text"]
            if row["variant"] == "mirror":
                assert payload[row["url"]] == payload[orig["url"]]
        else:
            assert row["main_text"] != orig["main_text"]
    assert {"mirror", "resite", "edit", "drop_sentence", "add_sentence", "retemplate", "traditional"} <= set(variants)


def test_foreign_and_mixed(crawl: dict) -> None:
    ja = _of(crawl, "japanese")
    assert {r["charset"] for r, _ in ja} >= {"utf-8", "shift_jis"}
    for row, rec in ja:
        text = rec["payload"].decode(row["charset"])
        assert re.search(r"[\u3040-\u309f]", text)  # hiragana, even on the headline digest
        assert row["expected"] == "reject:lang"
    for row, _ in _of(crawl, "english"):
        assert row["expected"] == "reject:lang" and row["lang"] == "en"
    for row, rec in _of(crawl, "mixed"):
        text = rec["payload"].decode("utf-8")
        assert len(re.findall(r"[A-Za-z]{2,}", row["main_text"])) >= 3 and row["expected"] == "keep"
        assert row["title"] in text


def test_junk_and_non_html(crawl: dict) -> None:
    (empty,) = _of(crawl, "empty")
    assert empty[1]["payload"] == b"" and empty[0]["expected"] == "reject:empty"
    kinds = {}
    for row, rec in _of(crawl, "non_html"):
        kinds[rec["ctype"]] = rec["payload"]
    assert kinds["image/png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert kinds["application/pdf"].startswith(b"%PDF-") and kinds["application/pdf"].rstrip().endswith(b"%%EOF")
    for row, rec in _of(crawl, "binary"):
        assert rec["ctype"].startswith("text/html") and b"\x00" in rec["payload"][:4096]
    (rep,) = _of(crawl, "junk_repeat")
    lines = [ln for ln in rep[1]["payload"].decode().splitlines() if ln.startswith("<p>")]
    assert len(lines) >= 100 and len(set(lines)) == 1
    # navigation and form labels, a 404 notice, one photo caption: no main text
    for cat in ("junk_links", "junk_redirect", "junk_login", "junk_404", "junk_thin"):
        for row, _ in _of(crawl, cat):
            assert row["expected"] == row["final"] == "reject:no_text" and row["main_text"] is None


def test_parts_and_page_weight_keep_pages_and_truth(tmp_path):
    """--parts cuts the same records into consecutive files; --pad-kb adds ~N KB of scripts, styles and
    navigation markup to every HTML page without changing the truth, collect's verdict on any page (junk
    pages may lose their few words with the navigation), or
    losing any line collect extracts without it (navigation lines that leak in are the extractor's
    precision, which the e2e benchmark measures)."""
    from mdfs.config import load_config
    from mdfs.io.warc import read_warc
    from mdfs.sample.crawl import part_paths
    from mdfs.stages.collect import process_record

    cfg = load_config()["collect"]
    plain = generate(tmp_path / "a" / "c.warc.gz", 120, 5)
    heavy = generate(tmp_path / "b" / "c.warc.gz", 120, 5, pad_kb=40, parts=3)
    assert heavy["files"] == [str(p) for p in part_paths(tmp_path / "b" / "c.warc.gz", 3)]
    assert all(Path(f).stat().st_size > 0 for f in heavy["files"])
    ta, tb = (Path(s["truth"]).read_text(encoding="utf-8").splitlines() for s in (plain, heavy))
    strip = lambda rows: [{k: v for k, v in json.loads(r).items() if k != "payload_bytes"} for r in rows]  # noqa: E731
    assert strip(ta) == strip(tb)

    def collected(files: list[str]) -> dict[str, dict]:
        out = {}
        for f in files:
            for rec in read_warc(f, cfg):
                row = process_record(rec, cfg)
                out[row["url"]] = row
        return out

    a, b = collected([plain["out"]]), collected(heavy["files"])
    assert list(a) == list(b)  # same pages, same order across the parts
    html_sizes = []
    final = {json.loads(r)["url"]: json.loads(r)["final"] for r in ta}
    for url, row in a.items():
        if final[url] in ("drop:junk", "reject:no_text") and b[url].get("reason") == "collect.no_text":
            continue  # a junk page in portal markup may lose its few words with the navigation
        assert row.get("reason") == b[url].get("reason"), url
        lost = set((row.get("text") or "").split("\n")) - set((b[url].get("text") or "").split("\n"))
        assert not lost, (url, lost)
    rows = {json.loads(r)["url"]: json.loads(r) for r in tb}
    for r in (json.loads(x) for x in ta):
        if r["content_type"] and "html" in r["content_type"]:
            html_sizes.append(rows[r["url"]]["payload_bytes"] - r["payload_bytes"])
    mean_pad = sum(html_sizes) / len(html_sizes)
    assert 30 * 1024 < mean_pad < 50 * 1024, mean_pad


def test_a_crawl_beyond_the_article_pool_marks_reused_texts_as_duplicates(tmp_path):
    """Past ~1,200 article pages the pool is reused: each later page with a text already kept on an
    earlier page is `drop:dup` of that page, so the truth stays right at any size."""
    s = generate(tmp_path / "big.warc.gz", 2000, 9)
    rows = [json.loads(x) for x in Path(s["truth"]).read_text(encoding="utf-8").splitlines()]
    by_url = {r["url"]: r for r in rows}
    reused = [r for r in rows if r["variant"] == "article_reused"]
    assert len(reused) > 100
    for r in reused:
        first = by_url[r["dup_of"]]
        assert r["final"] == "drop:dup" and first["final"] == "keep"
        assert (first["article_id"] or first["main_text"]) == (r["article_id"] or r["main_text"])
        assert rows.index(first) < rows.index(r)
    keys = [r["article_id"] or r["main_text"] for r in rows if r["final"] == "keep" and r["category"] != "english"]
    assert len(keys) == len(set(keys)), "two pages kept by the truth share one text"
