"""JSONL reader: plain, gzip and zstd line files with Chinese text and html fields."""

from __future__ import annotations

import gzip
import json

import pytest
import zstandard

from mdfs.config import load_config
from mdfs.io.jsonl import read_jsonl
from tests.io.badcorpus import PARAS, chinese_html

ROWS = [
    {"id": "a", "text": PARAS[0], "url": "https://j.example.cn/a"},
    {"id": "b", "html": chinese_html(1), "url": "https://j.example.cn/b"},
    {"id": "c", "text": PARAS[1] + "\n" + PARAS[2]},
    {"id": "d", "html": None, "text": PARAS[3]},
]


@pytest.fixture
def cfg():
    return dict(load_config()["collect"])


def _lines() -> bytes:
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS[:2]) + "\n\n   \n"
    return (body + "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS[2:]) + "\n").encode("utf-8")


def _check(recs, path):
    assert [r.kind for r in recs] == ["text", "html", "text", "text"]
    assert [r.source for r in recs] == [f"{path}#{n}" for n in (1, 2, 5, 6)]  # blank lines count, 1-based
    assert recs[0].text == PARAS[0] and recs[0].url == "https://j.example.cn/a"
    assert recs[1].payload.decode("utf-8") == chinese_html(1)
    assert recs[1].content_type == "text/html; charset=utf-8" and recs[1].text is None
    assert recs[2].text == PARAS[1] + "\n" + PARAS[2] and recs[2].url is None
    assert all(r.record_id is None for r in recs)  # ids in user files are not trusted


@pytest.mark.parametrize("name,pack", [
    ("d.jsonl", lambda b: b),
    ("d.ndjson", lambda b: b),
    ("d.jsonl.gz", gzip.compress),
    ("d.json.gz", lambda b: gzip.compress(b[:40]) + gzip.compress(b[40:])),  # multi-member gzip
    ("d.jsonl.zst", lambda b: zstandard.ZstdCompressor().compress(b)),
    ("d2.jsonl.zst", lambda b: b"".join(zstandard.ZstdCompressor().compress(b[i:i + 50])
                                        for i in range(0, len(b), 50))),  # many frames
])
def test_formats(tmp_path, cfg, name, pack):
    path = tmp_path / name
    path.write_bytes(pack(_lines()))
    _check(list(read_jsonl(str(path), cfg)), path)


def test_custom_field_names(tmp_path, cfg):
    cfg.update(text_field="content", html_field="raw_html", url_field="link")
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"content": PARAS[0], "link": "https://x.cn/"}, ensure_ascii=False) + "\n"
                    + json.dumps({"raw_html": "<p>你好</p>", "text": "ignored"}, ensure_ascii=False) + "\n"
                    + json.dumps({"text": "wrong field name"}) + "\n", encoding="utf-8")
    recs = list(read_jsonl(str(path), cfg))
    assert (recs[0].kind, recs[0].text, recs[0].url) == ("text", PARAS[0], "https://x.cn/")
    assert (recs[1].kind, recs[1].payload) == ("html", "<p>你好</p>".encode())
    assert recs[2].error == "collect.no_text_field"


def test_bad_bytes_are_not_reader_errors(tmp_path, cfg):
    """Invalid UTF-8 and lone surrogate escapes pass on as text with U+FFFD: collect judges them."""
    path = tmp_path / "b.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "\xd6\xd0\xce\xc4 gbk bytes"}\n'  # BOM, then GBK in a UTF-8 file
                     b'{"text": "lone \\ud800 surrogate", "url": "https://x.cn/\\udfff"}\n'
                     b'{"text": "pair \\ud83d\\ude00 ok"}\n')
    recs = list(read_jsonl(str(path), cfg))
    assert [r.kind for r in recs] == ["text"] * 3
    assert "\ufffd" in recs[0].text and recs[0].text.endswith("gbk bytes")
    assert "\ufffd" in recs[1].text and "\ufffd" in recs[1].url
    recs[1].text.encode("utf-8")  # no surrogate left to break Arrow
    assert recs[2].text == "pair \U0001F600 ok"


def test_invalid_lines_are_errors_in_place(tmp_path, cfg):
    path = tmp_path / "m.jsonl"
    path.write_text('{"text": "好"}\n[1, 2]\n"just a string"\n{oops\n{"title": "无"}\n{"text": 5}\n{"text": "好2"}',
                    encoding="utf-8")
    recs = list(read_jsonl(str(path), cfg))
    assert [(r.source.rsplit("#", 1)[1], r.kind, r.error) for r in recs] == [
        ("1", "text", None), ("2", "error", "collect.invalid_json"), ("3", "error", "collect.invalid_json"),
        ("4", "error", "collect.invalid_json"), ("5", "error", "collect.no_text_field"),
        ("6", "error", "collect.no_text_field"), ("7", "text", None)]  # last line without "\n" still read


def test_too_large_line_is_skipped_not_held(tmp_path, cfg):
    cfg["max_record_bytes"] = 1000
    path = tmp_path / "l.jsonl.gz"
    rows = [{"text": "短"}, {"text": "长" * 5000}, {"text": "x" * 995}, {"text": "后"}]
    path.write_bytes(gzip.compress("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()))
    recs = list(read_jsonl(str(path), cfg))
    assert [(r.kind, r.error) for r in recs] == [("text", None), ("error", "collect.too_large"),
                                                 ("error", "collect.too_large"), ("text", None)]
    assert recs[1].source.endswith("#2") and recs[3].text == "后"


def test_gzip_bomb_and_truncation(tmp_path, cfg):
    cfg["max_decompressed_bytes"] = 100_000
    good = "".join(json.dumps({"text": PARAS[i % 6]}, ensure_ascii=False) + "\n" for i in range(2000)).encode()
    (tmp_path / "big.jsonl.gz").write_bytes(gzip.compress(good))
    recs = list(read_jsonl(str(tmp_path / "big.jsonl.gz"), cfg))
    assert recs[-1].error == "collect.decompression_limit" and all(r.kind == "text" for r in recs[:-1])
    assert recs[-1].source.endswith(f"#{len(recs)}")
    (tmp_path / "big.jsonl").write_bytes(good)  # plain files are not limited
    assert sum(1 for _ in read_jsonl(str(tmp_path / "big.jsonl"), cfg)) == 2000

    cfg["max_decompressed_bytes"] = 1 << 30
    z = gzip.compress(good)
    (tmp_path / "cut.jsonl.gz").write_bytes(z[: len(z) // 2])
    recs = list(read_jsonl(str(tmp_path / "cut.jsonl.gz"), cfg))
    assert recs[-1].error == "collect.corrupt_archive" and 0 < len(recs) - 1 < 2000
    assert all(r.kind == "text" and r.text in PARAS for r in recs[:-1])  # no half line passed on
    (tmp_path / "junk.jsonl.gz").write_bytes(b"\x1f\x8bnot really gzip")
    (rec,) = read_jsonl(str(tmp_path / "junk.jsonl.gz"), cfg)
    assert rec.error == "collect.corrupt_archive"


def test_zstd_bomb_is_bounded(tmp_path, cfg):
    cfg["max_decompressed_bytes"] = 1 << 20
    (tmp_path / "z.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(b"\0" * (8 << 20)))
    (rec,) = read_jsonl(str(tmp_path / "z.jsonl.zst"), cfg)
    assert rec.error == "collect.decompression_limit"


def test_unreadable(tmp_path, cfg):
    (rec,) = read_jsonl(str(tmp_path / "nope.jsonl"), cfg)
    assert rec.kind == "error" and rec.error == "collect.unreadable"
