"""HTML files: one page per file, bytes untouched, URL from the page itself when it states one."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from mdfs.config import load_config
from mdfs.io.htmldir import page_url, read_html_file
from tests.io.badcorpus import chinese_html


@pytest.fixture
def cfg():
    return dict(load_config()["collect"])


def test_one_file_one_record(tmp_path, cfg):
    path = tmp_path / "a.html"
    data = chinese_html(1).replace("utf-8", "gb2312").encode("gb2312")
    path.write_bytes(data)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    (rec,) = read_html_file(str(path), cfg)
    assert (rec.kind, rec.payload, rec.source, rec.url) == ("html", data, f"{path}@0", None)
    assert rec.fetch_time == datetime.fromtimestamp(1_700_000_000, UTC)
    assert rec.content_type == "text/html" and rec.record_id is None


@pytest.mark.parametrize("head,url", [
    ('<link rel="canonical" href="https://www.example.cn/news/1.html">', "https://www.example.cn/news/1.html"),
    ("<LINK href='http://a.cn/x?a=1&amp;b=2' REL=Canonical />", "http://a.cn/x?a=1&b=2"),
    ('<meta property="og:url" content="https://m.example.cn/p/9">', "https://m.example.cn/p/9"),
    ('<link rel="canonical" href="/relative/only.html">', None),
    ('<link rel="stylesheet" href="https://cdn.cn/a.css">', None),
    ("", None),
])
def test_page_url(head, url):
    assert page_url(f"<html><head>{head}<title>标题</title></head><body>正文</body></html>".encode()) == url


def test_too_large_and_unreadable(tmp_path, cfg):
    cfg["max_record_bytes"] = 100
    (tmp_path / "big.htm").write_bytes(b"<html>" + "很长".encode() * 100 + b"</html>")
    (rec,) = read_html_file(str(tmp_path / "big.htm"), cfg)
    assert rec.error == "collect.too_large" and rec.payload is None and rec.source.endswith("big.htm@0")
    (rec,) = read_html_file(str(tmp_path / "gone.html"), cfg)
    assert rec.error == "collect.unreadable"


def test_empty_page_is_not_an_error(tmp_path, cfg):
    (tmp_path / "e.html").write_bytes(b"")
    (rec,) = read_html_file(str(tmp_path / "e.html"), cfg)
    assert rec.kind == "html" and rec.payload == b""
