"""Input discovery and reader dispatch."""

from __future__ import annotations

import gzip
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from mdfs.config import load_config
from mdfs.io.sources import ERROR_REASONS, detect_format, expand_inputs, iter_records
from tests.io.badcorpus import PARAS, chinese_html, pages, write_warc, write_wet


@pytest.fixture
def cfg():
    return dict(load_config()["collect"])


def _tree(root):
    """site/ with nested pages, markers and hidden files Spark and editors leave around."""
    files = {
        "site/index.html": chinese_html(0),
        "site/news/2024/a.html": chinese_html(1),
        "site/news/2024/b.htm": chinese_html(2),
        "site/news/c.html": chinese_html(3),
        "site/_SUCCESS": "",
        "site/news/.a.html.swp": "x",
        "site/news/part-0.parquet.crc": "x",
        "site/.git/config": "x",
        "site/_temporary/0/x.html": "x",
    }
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root / "site"


def test_folder_walked_recursively(tmp_path):
    site = _tree(tmp_path)
    got = expand_inputs([str(site)])
    assert [p for p, _ in got] == sorted(str(site / r) for r in
                                         ("index.html", "news/2024/a.html", "news/2024/b.htm", "news/c.html"))
    assert all(size == os.path.getsize(p) and os.path.isabs(p) for p, size in got)


def test_globs_dedup_and_relative_paths(tmp_path, monkeypatch):
    site = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    got = [p for p, _ in expand_inputs(["site/**/*.html", "site/news/2024/*", str(site / "index.html"), "site/news"])]
    assert got == sorted(set(got)) and len(got) == 4  # overlaps counted once, sorted, absolute
    assert str(site / "news/2024/b.htm") in got
    assert [p for p, _ in expand_inputs(["site/*.html"])] == [str(site / "index.html")]
    assert expand_inputs(["site/_SUCCESS"]) == [(str(site / "_SUCCESS"), 0)]  # named explicitly: kept


def test_inputs_that_match_nothing_raise(tmp_path):
    site = _tree(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no such file"):
        expand_inputs([str(site), str(tmp_path / "typo")])
    with pytest.raises(FileNotFoundError, match="matches nothing"):
        expand_inputs([str(tmp_path / "*.warc.gz")])
    with pytest.raises(FileNotFoundError, match="no input files"):
        expand_inputs([str(tmp_path / "empty")])
    (tmp_path / "done").mkdir()
    for name in ("_SUCCESS", ".part-0.crc", "._meta"):
        (tmp_path / "done" / name).write_text("")
    with pytest.raises(FileNotFoundError, match="no input files"):
        expand_inputs([str(tmp_path / "done")])  # holds only hidden things


def test_detect_format_by_name_and_magic(tmp_path):
    names = {"a.warc": "warc", "a.WARC.GZ": "warc", "CC-MAIN-1.warc.wet.gz": "warc", "b.wet": "warc",
             "c.jsonl.zst": "jsonl", "c.ndjson": "jsonl", "d.json.gz": "jsonl", "e.parquet": "parquet",
             "f.HTM": "html", "g.arc.gz": "arc"}
    for name, fmt in names.items():
        assert detect_format(str(tmp_path / name)) == fmt  # by name: the file need not exist
    write_warc(tmp_path / "w", pages(1), gz=True)
    line = json.dumps({"text": PARAS[0]}, ensure_ascii=False).encode() + b"\n"
    (tmp_path / "j").write_bytes(zstandard.ZstdCompressor().compress(line))
    (tmp_path / "k").write_bytes(gzip.compress(line))
    (tmp_path / "h").write_bytes(b"\xef\xbb\xbf\n  <!DOCTYPE html><html></html>")
    pq.write_table(pa.table({"text": ["x"]}), tmp_path / "p")
    (tmp_path / "z").write_bytes(gzip.compress(b"\x00\x01binary"))
    (tmp_path / "u").write_bytes(b"\x00\x01\x02")
    assert {n: detect_format(str(tmp_path / n)) for n in "wjkhpzu"} == {
        "w": "warc", "j": "jsonl", "k": "jsonl", "h": "html", "p": "parquet", "z": "unknown", "u": "unknown"}


def test_iter_records_dispatches(tmp_path, cfg):
    write_warc(tmp_path / "c.warc.gz", pages(2), gz=True)
    write_wet(tmp_path / "c.warc.wet.gz", [("https://x.cn/", PARAS[1])], gz=True)
    (tmp_path / "p.html").write_text(chinese_html(5), encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": PARAS[2]}, ensure_ascii=False), encoding="utf-8")
    pq.write_table(pa.table({"html": [chinese_html(6)]}), tmp_path / "t.parquet")
    (tmp_path / "noext").write_text(json.dumps({"text": PARAS[3]}, ensure_ascii=False), encoding="utf-8")
    kinds = {name: [r.kind for r in iter_records(str(tmp_path / name), cfg)]
             for name in ("c.warc.gz", "c.warc.wet.gz", "p.html", "d.jsonl", "t.parquet", "noext")}
    assert kinds == {"c.warc.gz": ["html", "html"], "c.warc.wet.gz": ["text"], "p.html": ["html"],
                     "d.jsonl": ["text"], "t.parquet": ["html"], "noext": ["text"]}


def test_iter_records_unknown_and_unreadable(tmp_path, cfg):
    (tmp_path / "x.bin").write_bytes(b"\x00\x01\x02\x03" * 10)
    (tmp_path / "old.arc.gz").write_bytes(gzip.compress(b"filedesc://x.arc 0.0.0.0 20240101000000 text/plain 10\n"))
    for name in ("x.bin", "old.arc.gz"):
        (rec,) = iter_records(str(tmp_path / name), cfg)
        assert (rec.kind, rec.error, rec.source) == ("error", "collect.unknown_format", f"{tmp_path / name}@0")
    (rec,) = iter_records(str(tmp_path / "vanished"), cfg)
    assert rec.error == "collect.unreadable"


def test_a_reader_bug_does_not_escape(tmp_path, cfg, monkeypatch):
    import mdfs.io.sources as sources

    def broken(path, cfg):
        yield from iter([])
        raise RuntimeError("bug")

    monkeypatch.setitem(sources.READERS, "jsonl", broken)
    (tmp_path / "a.jsonl").write_text("{}")
    (rec,) = iter_records(str(tmp_path / "a.jsonl"), cfg)
    assert rec.kind == "error" and rec.error in ERROR_REASONS and "RuntimeError" in rec.detail
