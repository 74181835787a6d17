"""WARC / WET reader: real archives written with warcio, read back with the FastWARC reader."""

from __future__ import annotations

import gzip
import io
import zlib

import brotli
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdfs.config import load_config
from mdfs.io.warc import read_warc
from tests.io.badcorpus import PARAS, Page, chinese_html, pages, write_warc, write_wet

GBK_HTML = ('<html><head><meta charset="gbk"><title>测试</title></head><body><p>'
            + PARAS[4] + "</p></body></html>").encode("gbk")


@pytest.fixture
def cfg():
    return dict(load_config()["collect"])


def crawl() -> list[Page]:
    return [
        Page("https://news.example.cn/utf8.html", chinese_html(1).encode("utf-8")),
        Page("http://old.example.cn/gbk.htm", GBK_HTML, "text/html; charset=GBK", date="2023-12-31T23:59:59Z"),
        Page("https://news.example.cn/gz.html", gzip.compress(chinese_html(2).encode()),
             headers=[("Content-Encoding", "gzip")]),
        Page("https://news.example.cn/br.html", brotli.compress(chinese_html(3).encode()),
             headers=[("Content-Encoding", "br")]),
        Page("https://news.example.cn/deflate.html", zlib.compress(chinese_html(4).encode()),
             headers=[("Content-Encoding", "deflate")]),
        Page("https://news.example.cn/liar.html", chinese_html(5).encode(), headers=[("Content-Encoding", "gzip")]),
        Page("https://news.example.cn/missing", b"<html><body>404</body></html>", status="404 Not Found"),
        Page("https://img.example.cn/a.png", b"\x89PNG\r\n\x1a\n\x00\x00binary", "image/png"),
        Page("https://news.example.cn/empty.html", b""),
    ]


def _decoded(p: Page) -> bytes:
    enc = dict(p.headers).get("Content-Encoding")
    if enc == "gzip" and p.body[:2] == b"\x1f\x8b":
        return gzip.decompress(p.body)
    return {"br": brotli.decompress, "deflate": zlib.decompress}.get(enc, lambda b: b)(p.body)


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_every_response_becomes_one_record(tmp_path, cfg, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    written = write_warc(path, crawl(), gz=gz)
    recs = list(read_warc(str(path), cfg))
    assert [r.kind for r in recs] == ["html"] * len(written)  # request/metadata/warcinfo skipped
    for rec, w, page in zip(recs, written, crawl()):
        assert rec.url == w.url
        assert rec.record_id == w.record_id and rec.record_id.startswith("<urn:uuid:")
        assert rec.fetch_time == w.fetch_time and rec.fetch_time.utcoffset().total_seconds() == 0
        assert rec.content_type == w.content_type
        assert rec.payload == _decoded(page)  # Content-Encoding undone
        assert rec.source == f"{path}@{w.offset}"
        assert rec.error is None
    assert recs[1].payload.decode("gbk").count("古城") == 1
    assert "not decodable" in recs[5].detail  # a body that lies about its encoding passes on as stored
    assert "404" in recs[6].detail and recs[6].http_status == 404  # passed on; collect decides


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_offsets_point_back_at_the_record(tmp_path, cfg, gz):
    path = tmp_path / ("c.warc.gz" if gz else "c.warc")
    write_warc(path, pages(4), gz=gz)
    with open(path, "rb") as f:
        for rec in read_warc(str(path), cfg):
            f.seek(int(rec.source.rsplit("@", 1)[1]))
            head = f.read(4096)
            if gz:
                head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head)
            assert head.startswith(b"WARC/1.")
            assert rec.record_id.encode() in head[:1000]


def test_wet_conversion_records_are_text(tmp_path, cfg):
    texts = [("https://a.example.cn/1", PARAS[0] + "\n" + PARAS[1]), ("https://a.example.cn/2", PARAS[2])]
    for gz in (False, True):
        path = tmp_path / ("x.warc.wet.gz" if gz else "x.wet")
        written = write_wet(path, texts, gz=gz)
        recs = list(read_warc(str(path), cfg))
        assert [(r.kind, r.url, r.text) for r in recs] == [("text", u, t) for u, t in texts]
        assert [r.record_id for r in recs] == [w.record_id for w in written]
        assert all(r.payload is None and r.source == f"{path}@{w.offset}" for r, w in zip(recs, written))


def test_too_large_record_keeps_its_identity(tmp_path, cfg):
    cfg["max_record_bytes"] = 10_000
    big = Page("https://big.example.cn/x.html", chinese_html(0).encode() * 40)
    written = write_warc(tmp_path / "b.warc.gz", [pages(1)[0], big, pages(2)[1]], gz=True)
    recs = list(read_warc(str(tmp_path / "b.warc.gz"), cfg))
    assert [r.kind for r in recs] == ["html", "error", "html"]
    err = recs[1]
    assert err.error == "collect.too_large" and err.payload is None
    assert (err.url, err.record_id, err.source) == (big.url, written[1].record_id,
                                                    f"{tmp_path / 'b.warc.gz'}@{written[1].offset}")


def test_gzip_encoded_body_over_limit_is_too_large(tmp_path, cfg):
    cfg["max_record_bytes"] = 50_000
    bomb = Page("https://x.example.cn/", gzip.compress(b"<p>" + b"a" * 200_000), headers=[("Content-Encoding", "gzip")])
    write_warc(tmp_path / "e.warc", [bomb])
    (rec,) = read_warc(str(tmp_path / "e.warc"), cfg)
    assert rec.error == "collect.too_large" and rec.url == bomb.url


def test_decompression_limit_stops_the_file(tmp_path, cfg):
    cfg["max_decompressed_bytes"] = 20_000
    write_warc(tmp_path / "many.warc.gz", pages(40), gz=True)
    recs = list(read_warc(str(tmp_path / "many.warc.gz"), cfg))
    assert recs[-1].error == "collect.decompression_limit"
    assert 0 < len(recs) - 1 < 40 and all(r.kind == "html" for r in recs[:-1])
    # A plain file is not "decompressed": the limit does not apply.
    write_warc(tmp_path / "many.warc", pages(40))
    assert len([r for r in read_warc(str(tmp_path / "many.warc"), cfg) if r.kind == "html"]) == 40


def test_body_truncated_at_end_of_file(tmp_path, cfg):
    path = tmp_path / "t.warc"
    written = write_warc(path, pages(3), extras=False)
    data = path.read_bytes()
    path.write_bytes(data[: written[2].offset + 600])  # inside the last response's body
    recs = list(read_warc(str(path), cfg))
    assert [r.kind for r in recs] == ["html", "html", "error"]
    assert recs[2].error == "collect.corrupt_archive"
    assert (recs[2].url, recs[2].source) == (written[2].url, f"{path}@{written[2].offset}")


def test_resync_after_bad_gzip_member(tmp_path, cfg):
    path = tmp_path / "r.warc.gz"
    written = write_warc(path, pages(5), gz=True, extras=False)
    data = bytearray(path.read_bytes())
    for i in range(written[1].offset + 30, written[1].offset + 60):
        data[i] ^= 0x5A  # deflate data of the second member garbled
    path.write_bytes(bytes(data))
    recs = list(read_warc(str(path), cfg))
    assert [r.url for r in recs if r.kind == "html"] == [w.url for i, w in enumerate(written) if i != 1]
    (err,) = [r for r in recs if r.kind == "error"]
    assert err.error == "collect.corrupt_archive" and err.source == f"{path}@{written[1].offset}"


def test_garbage_between_records_and_after_the_last(tmp_path, cfg):
    path = tmp_path / "g.warc"
    written = write_warc(path, pages(3), extras=False)
    data = path.read_bytes()
    cut = written[1].offset
    path.write_bytes(data[:cut] + b"junk junk junk\r\n" + data[cut:] + b"trailing garbage")
    recs = list(read_warc(str(path), cfg))
    assert [r.url for r in recs if r.kind == "html"] == [w.url for w in written]
    errs = [r for r in recs if r.kind == "error"]
    assert [e.error for e in errs] == ["collect.corrupt_archive"] * 2
    assert errs[0].source == f"{path}@{cut}"


def test_not_a_warc_and_empty(tmp_path, cfg):
    (tmp_path / "n.warc").write_bytes(b"hello, this is not a WARC file at all\n" * 10)
    (rec,) = read_warc(str(tmp_path / "n.warc"), cfg)
    assert rec.error == "collect.corrupt_archive" and rec.source.endswith("@0")
    (tmp_path / "e.warc").write_bytes(b"")
    assert list(read_warc(str(tmp_path / "e.warc"), cfg)) == []
    (rec,) = read_warc(str(tmp_path / "missing.warc"), cfg)
    assert rec.error == "collect.unreadable"


def test_non_http_response_is_skipped(tmp_path, cfg):
    """Heritrix writes `dns:` lookups as response records: not pages, not errors."""
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    w.write_record(w.create_warc_record("dns:example.cn", "response", payload=io.BytesIO(b"20240301 example.cn 1.2.3.4"),
                                        warc_content_type="text/dns"))
    (tmp_path / "d.warc").write_bytes(buf.getvalue())
    assert list(read_warc(str(tmp_path / "d.warc"), cfg)) == []


_ORIG = {}


def _originals(cfg) -> tuple[bytes, bytes, set[bytes]]:
    if not _ORIG:
        import tempfile
        from pathlib import Path

        d = Path(tempfile.mkdtemp())
        for gz in (False, True):
            write_warc(d / f"o{gz}", pages(3), gz=gz)
            _ORIG[gz] = (d / f"o{gz}").read_bytes()
        _ORIG["payloads"] = {r.payload for r in read_warc(str(d / "oFalse"), cfg)}
    return _ORIG[False], _ORIG[True], _ORIG["payloads"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gz=st.booleans(), cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)),
                                                              max_size=3))
def test_damaged_archives_never_raise(tmp_path, cfg, gz, cut, flips):
    plain, zipped, payloads = _originals(cfg)
    data = bytearray(zipped if gz else plain)
    for where, byte in flips:
        data[int(where * (len(data) - 1))] = byte
    data = bytes(data[: max(1, int(cut * len(data)))])
    path = tmp_path / ("f.warc.gz" if gz else "f.warc")
    path.write_bytes(data)
    recs = list(read_warc(str(path), cfg))
    for r in recs:
        assert r.kind in ("html", "error")
        assert r.kind == "error" or gz is False or r.payload in payloads  # gzip CRCs catch flipped bytes
        assert r.source.startswith(f"{path}@")
    assert len({r.source for r in recs}) == len(recs)  # no location reported twice


def test_whole_file_compression_names_records_by_number(tmp_path, cfg):
    """Whole-file gzip or zstd: FastWARC's stream_pos is no record offset, so records are numbered."""
    import zstandard

    written = write_warc(tmp_path / "p.warc", pages(3))  # warcinfo, then request, response, metadata per page
    raw = (tmp_path / "p.warc").read_bytes()
    for name, data in (("w.warc.gz", gzip.compress(raw, mtime=0)),
                       ("w.warc.zst", zstandard.ZstdCompressor().compress(raw))):
        path = tmp_path / name
        path.write_bytes(data)
        recs = list(read_warc(str(path), cfg))
        assert [r.record_id for r in recs] == [w.record_id for w in written]
        assert [r.source for r in recs] == [f"{path}#{n}" for n in (3, 6, 9)]
        path.write_bytes(data[: len(data) * 2 // 3])
        recs = list(read_warc(str(path), cfg))
        assert recs[-1].error == "collect.corrupt_archive" and recs[-1].source.startswith(f"{path}#")
        assert all(r.payload == w.payload for r, w in zip(recs[:-1], written))


@pytest.mark.parametrize("fmt", ["gzip", "zstd"])
def test_whole_file_compression_cut_anywhere(tmp_path, cfg, fmt):
    """A whole-file gzip/zstd WARC cut at any byte: the records read as good are exactly those written
    (in order, same payload), and the cut gives exactly one corrupt_archive record, the last one.

    FastWARC's own gzip reader ends quietly at a cut (no trailer check), so a cut between records or
    in a block nobody reads (request, metadata) used to end the file without any error.
    """
    import zstandard

    written = write_warc(tmp_path / "p.warc", pages(3))
    raw = (tmp_path / "p.warc").read_bytes()
    data = gzip.compress(raw, mtime=0) if fmt == "gzip" else zstandard.ZstdCompressor().compress(raw)
    want = [(w.record_id, w.url, w.payload) for w in written]
    path = tmp_path / "w.warc.gz"
    # Every 7th byte, plus the (gzip/zstd) header and trailer byte by byte, plus the whole file.
    cuts = sorted(set(range(1, len(data), 7)) | set(range(1, 24)) | set(range(len(data) - 24, len(data) + 1)))
    for cut in cuts:
        path.write_bytes(data[:cut])
        recs = list(read_warc(str(path), cfg))
        good = [(r.record_id, r.url, r.payload) for r in recs if r.kind != "error"]
        assert good == want[: len(good)], cut  # byte-exact, and no record invented or skipped
        errors = [r for r in recs if r.kind == "error"]
        if cut == len(data):
            assert good == want and not errors
        else:
            assert [r.error for r in errors] == ["collect.corrupt_archive"], (cut, [r.detail for r in errors])
            assert recs[-1] is errors[0], cut


def test_whole_file_gzip_members_and_what_follows(tmp_path, cfg):
    """Whole-file gzip: concatenated streams read as one, padding after the end is fine, junk is not."""
    written = write_warc(tmp_path / "p.warc", pages(3))
    raw = (tmp_path / "p.warc").read_bytes()
    data = gzip.compress(raw, mtime=0)
    path = tmp_path / "w.warc.gz"
    for tail, good, errors in ((data, 6, 0), (b"\0" * 100 + b"\r\n", 3, 0), (b"junk", 3, 1), (data[:3], 3, 1)):
        path.write_bytes(data + tail)
        recs = list(read_warc(str(path), cfg))
        assert [r.payload for r in recs if r.kind == "html"] == [w.payload for w in written] * (good // 3)
        assert [r.error for r in recs if r.kind == "error"] == ["collect.corrupt_archive"] * errors
