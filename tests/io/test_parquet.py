"""Parquet reader: row sources, field mapping, mdfs-shaped files, damage and limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mdfs.config import load_config
from mdfs.io.parquet import read_parquet
from tests.io.badcorpus import PARAS, chinese_html


@pytest.fixture
def cfg():
    return dict(load_config()["collect"])


def test_text_html_url_and_row_sources(tmp_path, cfg):
    path = tmp_path / "t.parquet"
    table = pa.table({
        "id": ["x", "y", "z", "w"],
        "text": [PARAS[0], None, PARAS[2], None],
        "html": [None, chinese_html(1), None, None],
        "url": ["https://p.example.cn/0", None, "https://p.example.cn/2", "https://p.example.cn/3"],
    })
    pq.write_table(table, path, row_group_size=3)  # two row groups: rows keep counting across them
    recs = list(read_parquet(str(path), cfg))
    assert [r.source for r in recs] == [f"{path}#{i}" for i in range(4)]
    assert [r.kind for r in recs] == ["text", "html", "text", "error"]
    assert recs[0].text == PARAS[0] and recs[0].url == "https://p.example.cn/0"
    assert recs[1].payload == chinese_html(1).encode() and recs[1].content_type == "text/html; charset=utf-8"
    assert recs[3].error == "collect.no_text_field" and recs[3].url == "https://p.example.cn/3"
    assert all(r.record_id is None for r in recs)


def test_mdfs_document_columns_are_read(tmp_path, cfg):
    t = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    table = pa.table({
        "id": ["abc"], "url": ["https://d.example.cn/"], "text": [PARAS[5]], "lang": ["zh"],
        "fetch_time": pa.array([t], pa.timestamp("us", tz="UTC")),
    })
    pq.write_table(table, tmp_path / "m.parquet")
    (rec,) = read_parquet(str(tmp_path / "m.parquet"), cfg)
    assert (rec.kind, rec.text, rec.url, rec.fetch_time) == ("text", PARAS[5], "https://d.example.cn/", t)


def test_binary_html_column_is_passed_as_bytes(tmp_path, cfg):
    gbk = chinese_html(3).replace("utf-8", "gbk").encode("gbk")
    pq.write_table(pa.table({"html": pa.array([gbk], pa.binary())}), tmp_path / "b.parquet")
    (rec,) = read_parquet(str(tmp_path / "b.parquet"), cfg)
    assert rec.kind == "html" and rec.payload == gbk and rec.content_type == "text/html"


def test_no_text_column_is_one_error(tmp_path, cfg):
    pq.write_table(pa.table({"body": ["x"] * 100, "text": list(range(100))}), tmp_path / "n.parquet")
    (rec,) = read_parquet(str(tmp_path / "n.parquet"), cfg)
    assert rec.error == "collect.no_text_field" and "body" in rec.detail


def test_too_large_and_decompression_limit(tmp_path, cfg):
    cfg["max_record_bytes"] = 1000
    pq.write_table(pa.table({"text": ["短", "长" * 1000, "后"], "url": ["u0", "u1", "u2"]}), tmp_path / "l.parquet")
    recs = list(read_parquet(str(tmp_path / "l.parquet"), cfg))
    assert [(r.kind, r.error) for r in recs] == [("text", None), ("error", "collect.too_large"), ("text", None)]
    assert recs[1].url == "u1" and recs[1].source.endswith("#1")

    cfg["max_record_bytes"] = 1 << 20
    cfg["max_decompressed_bytes"] = 5000
    pq.write_table(pa.table({"text": [PARAS[i % 6] for i in range(200)]}), tmp_path / "big.parquet",
                   row_group_size=20)
    recs = list(read_parquet(str(tmp_path / "big.parquet"), cfg))
    assert recs[-1].error == "collect.decompression_limit"
    assert all(r.kind == "text" for r in recs[:-1]) and 0 < len(recs) - 1 < 200
    assert recs[-1].source.endswith(f"#{len(recs) - 1}")


def test_corrupt_row_group_costs_that_group_only(tmp_path, cfg):
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"text": [f"{PARAS[i % 6]}{i}" for i in range(30)]}), path,
                   row_group_size=10, compression="none")
    meta = pq.ParquetFile(path).metadata
    col = meta.row_group(1).column(0)
    data = bytearray(path.read_bytes())
    start = col.dictionary_page_offset or col.data_page_offset
    data[start: start + col.total_compressed_size] = b"\xff" * col.total_compressed_size
    path.write_bytes(bytes(data))
    recs = list(read_parquet(str(path), cfg))
    assert [r.text[-1] for r in recs if r.kind == "text"] == [str(i)[-1] for i in list(range(10)) + list(range(20, 30))]
    (err,) = [r for r in recs if r.kind == "error"]
    assert err.error == "collect.corrupt_archive" and err.source.endswith("#10")


def test_not_parquet_and_missing(tmp_path, cfg):
    (tmp_path / "x.parquet").write_bytes(b"PAR1 but nothing else")
    (rec,) = read_parquet(str(tmp_path / "x.parquet"), cfg)
    assert rec.error == "collect.corrupt_archive"
    (rec,) = read_parquet(str(tmp_path / "gone.parquet"), cfg)
    assert rec.error == "collect.unreadable"
