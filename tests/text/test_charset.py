"""Charset cases Chinese crawls really contain: GBK, Big5, BOMs, and declarations that lie."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdfs.text.charset import decode_html, normalise_charset

ARTICLE = "新华社北京一月一日电：国家主席发表新年贺词，祝愿全国各族人民新年快乐，万事如意。" * 3
TRAD = "中華民國的繁體中文網頁，使用大五碼編碼，這是一段測試文字。" * 3


def page(body: str, meta: str | None) -> str:
    m = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">' if meta else ""
    return f"<html><head>{m}<title>中文</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    "label, codec", [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"), ("Big5", "big5hkscs"),
                     ("UTF8", "utf-8"), ("utf-8", "utf-8"), ("nonsense-cs", None), (None, None)]
)
def test_normalise_charset(label, codec):
    assert normalise_charset(label) == codec


def test_gbk_declared_in_meta():
    d = decode_html(page(ARTICLE, "gb2312").encode("gbk"))
    assert ARTICLE in d.text and d.charset == "gb18030" and d.source == "meta"


def test_gb18030_extension_characters_decode():
    rare = "㐀䶵𠀀"  # Extension A and B: outside GBK, in GB18030
    d = decode_html(page(ARTICLE + rare, "gbk").encode("gb18030"))
    assert rare in d.text and d.replacement_ratio == 0


def test_header_charset_wins_over_meta_when_both_decode():
    raw = page(TRAD, "gb2312").encode("big5")
    d = decode_html(raw, "text/html; charset=big5")
    assert TRAD in d.text and d.charset == "big5hkscs" and d.source == "header"


def test_big5_without_declaration_is_detected():
    d = decode_html(page(TRAD, None).encode("big5"))
    assert TRAD in d.text and d.source == "detected"


def test_gbk_bytes_declared_utf8_lie():
    raw = page(ARTICLE, "utf-8").encode("gbk")
    d = decode_html(raw, "text/html; charset=UTF-8")
    assert ARTICLE in d.text and d.charset == "gb18030" and d.declared == "utf-8"


def test_utf8_bytes_declared_gb2312_lie():
    raw = page(ARTICLE, "gb2312").encode("utf-8")
    d = decode_html(raw, "text/html; charset=gb2312")
    assert ARTICLE in d.text and d.charset == "utf-8" and d.declared == "gb18030"


@pytest.mark.parametrize("codec, bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE)])
def test_bom(codec, bom):
    d = decode_html(bom + page(ARTICLE, "gbk").encode(codec))
    assert ARTICLE in d.text and d.source == "bom" and not d.text.startswith("\ufeff")


def test_a_few_corrupt_bytes_still_decode_with_few_replacements():
    raw = bytearray(page(ARTICLE * 5, "gbk").encode("gbk"))
    raw[200] = 0xFF  # an invalid lead byte in the middle of a GBK page
    d = decode_html(bytes(raw))
    assert d.charset == "gb18030" and 0 < d.replacement_ratio < 0.01
    assert "国家主席发表新年贺词" in d.text


def test_real_pages_decode_cleanly(shared_data):
    """The shared HTML set holds GBK pages, UTF-8 pages declaring gb2312 and GBK declaring utf-8."""
    import json

    bad = []
    for line in (shared_data / "html" / "MANIFEST.jsonl").read_text().splitlines():
        r = json.loads(line)
        d = decode_html((shared_data / "html" / r["html"]).read_bytes())
        if d.replacement_ratio > 0.001 or (r.get("raw_encoding") and r["raw_encoding"] != d.charset):
            bad.append((r["html"], r.get("raw_encoding"), d.charset, d.replacement_ratio))
    assert not bad, bad


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.one_of(st.none(), st.text(max_size=40)))
def test_never_raises(data, content_type):
    d = decode_html(data, content_type)
    assert isinstance(d.text, str) and 0.0 <= d.replacement_ratio <= 1.0
