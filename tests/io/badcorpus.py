"""Test inputs for the readers: WARC/WET builders (warcio) and a folder of broken files.

`write_bad_corpus(folder)` is shared with the end-to-end Spark tests: it writes every kind of
damaged input a reader must survive, next to the good records they hold, and returns how many
good records and which error reasons each file must give under `OVERRIDES`.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# [collect] settings the bad corpus is written for: small limits so a bomb stays small.
OVERRIDES = {"max_record_bytes": 64 << 10, "max_decompressed_bytes": 1 << 20}

PARAS = [
    "国家统计局今天发布数据显示，今年前三季度国内生产总值同比增长百分之五点二，经济运行总体平稳。",
    "北京市教育委员会表示，将继续推进义务教育优质均衡发展，扩大优质学位供给，减轻学生课业负担。",
    "据新华社报道，长江流域今年夏季降水偏多，有关部门已提前部署防汛抗旱工作，确保人民群众安全。",
    "研究人员在实验室中发现了一种新型催化剂，可以显著提高氢气的生产效率，并降低能源消耗和成本。",
    "这座古城始建于明代，城墙保存完好，每年吸引大量游客前来参观，带动了当地旅游业和餐饮业发展。",
    "专家提醒，秋冬季节是呼吸道疾病的高发期，市民应注意保暖，勤洗手，室内经常开窗通风换气。",
]


def chinese_html(i: int, title: str = "新闻") -> str:
    """A small but real-looking Chinese article page."""
    body = "".join(f"<p>{PARAS[(i + k) % len(PARAS)]}</p>" for k in range(3))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}{i}</title></head>'
            f"<body><h1>{title}第{i}篇</h1>{body}</body></html>")


@dataclass
class Page:
    """One HTTP response to put into a WARC."""

    url: str
    body: bytes
    content_type: str | None = "text/html; charset=utf-8"
    status: str = "200 OK"
    headers: list[tuple[str, str]] = field(default_factory=list)
    date: str = "2024-03-01T08:30:00Z"


@dataclass
class Written:
    """What the builder wrote for one response/conversion record: what the reader must give back."""

    url: str
    record_id: str
    offset: int
    fetch_time: datetime
    content_type: str | None
    payload: bytes


def write_warc(path: Path, pages: list[Page], gz: bool = False, extras: bool = True) -> list[Written]:
    """A WARC (one gzip member per record if `gz`): warcinfo, and per page a request, the
    response and a metadata record. Returns the responses with the offsets they start at."""
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    if extras:
        w.write_record(w.create_warcinfo_record(path.name, {"software": "mdfs-tests", "format": "WARC 1.1"}))
    out = []
    for p in pages:
        if extras:
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.cn"), ("User-Agent", "t")],
                                   is_http_request=True)
            w.write_record(w.create_warc_record(p.url, "request", payload=io.BytesIO(b""), http_headers=req,
                                                warc_headers_dict={"WARC-Date": p.date}))
        hdrs = ([("Content-Type", p.content_type)] if p.content_type else []) + p.headers
        hdrs.append(("Content-Length", str(len(p.body))))
        http = StatusAndHeaders(p.status, hdrs, protocol="HTTP/1.1")
        rec = w.create_warc_record(p.url, "response", payload=io.BytesIO(p.body), http_headers=http,
                                   warc_headers_dict={"WARC-Date": p.date})
        offset = buf.tell()
        w.write_record(rec)
        out.append(Written(p.url, rec.rec_headers.get_header("WARC-Record-ID"), offset,
                           datetime.fromisoformat(p.date.replace("Z", "+00:00")), p.content_type, p.body))
        if extras:
            meta = w.create_warc_record(p.url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
                                        warc_content_type="application/warc-fields")
            w.write_record(meta)
    path.write_bytes(buf.getvalue())
    return out


def write_wet(path: Path, texts: list[tuple[str, str]], gz: bool = False) -> list[Written]:
    """A WET file: warcinfo, then one `conversion` record of plain text per (url, text)."""
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    w.write_record(w.create_warcinfo_record(path.name, {"software": "mdfs-tests"}))
    out = []
    for url, text in texts:
        data = text.encode("utf-8")
        rec = w.create_warc_record(url, "conversion", payload=io.BytesIO(data), length=len(data),
                                   warc_content_type="text/plain",
                                   warc_headers_dict={"WARC-Date": "2024-03-02T00:00:00Z"})
        offset = buf.tell()
        w.write_record(rec)
        out.append(Written(url, rec.rec_headers.get_header("WARC-Record-ID"), offset,
                           datetime(2024, 3, 2, tzinfo=UTC), "text/plain", data))
    path.write_bytes(buf.getvalue())
    return out


def pages(n: int, host: str = "news.example.cn") -> list[Page]:
    return [Page(f"https://{host}/a/{i}.html", chinese_html(i).encode("utf-8")) for i in range(n)]


def write_bad_corpus(folder: Path | str) -> dict:
    """Write the broken-input corpus into `folder`; return what reading it must give.

    Returns {"overrides": {[collect] key: value}, "files": {name: {"good": n, "errors": {reason: n}}}}:
    `good` counts records of kind html/text, `errors` the error records by reason, when the
    files are read with the [collect] config plus `overrides`.
    """
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}

    def expect(name: str, good: int, **errors: int) -> None:
        files[name] = {"good": good, "errors": {f"collect.{k}": v for k, v in errors.items() if v}}

    # 1. gzipped WARC cut in the middle of the third response's gzip member.
    w = write_warc(d / "truncated.warc.gz", pages(3, "trunc.example.cn"), gz=True)
    data = (d / "truncated.warc.gz").read_bytes()
    (d / "truncated.warc.gz").write_bytes(data[: w[2].offset + 150])
    expect("truncated.warc.gz", 2, corrupt_archive=1)

    # 2. Plain WARC whose second response has a garbled header; the records after it are fine.
    w = write_warc(d / "garbled.warc", pages(4, "garbled.example.cn"))
    data = bytearray((d / "garbled.warc").read_bytes())
    data[w[1].offset: w[1].offset + 40] = b"\x00\xffGARBAGE not a warc header \xfe\x00!!!!!!!"
    (d / "garbled.warc").write_bytes(bytes(data))
    expect("garbled.warc", 3, corrupt_archive=1)

    # 3. Gzip bombs: zero bytes far past max_decompressed_bytes, as JSONL and as a WARC record.
    (d / "bomb.jsonl.gz").write_bytes(gzip.compress(b"\0" * (4 << 20), compresslevel=9))
    expect("bomb.jsonl.gz", 0, decompression_limit=1)
    bomb = pages(1, "bomb.example.cn") + [Page("https://bomb.example.cn/zero", b"\0" * (4 << 20),
                                                "application/octet-stream")]
    write_warc(d / "bomb.warc.gz", bomb, gz=True)
    expect("bomb.warc.gz", 1, decompression_limit=1)

    # 4. JSONL with broken lines between good ones (and blank lines, which are not records).
    lines = [
        json.dumps({"id": 1, "text": PARAS[0], "url": "https://j.example.cn/1"}, ensure_ascii=False),
        "{not json at all",
        json.dumps({"id": 2, "html": chinese_html(2)}, ensure_ascii=False),
        "",
        json.dumps(["an", "array"]),
        json.dumps({"id": 3, "title": "没有正文字段"}, ensure_ascii=False),
        json.dumps({"id": 4, "text": "x" * (OVERRIDES["max_record_bytes"] + 10)}),
        json.dumps({"id": 5, "text": PARAS[1]}, ensure_ascii=False),
        '{"id": 6, "text": "截断的行',
        json.dumps({"id": 7, "text": PARAS[2]}, ensure_ascii=False),
    ]
    (d / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expect("mixed.jsonl", 4, invalid_json=3, no_text_field=1, too_large=1)

    # 5. .jsonl.zst cut inside its second frame: the first frame's lines survive.
    first = "".join(json.dumps({"text": PARAS[i % 6], "n": i}, ensure_ascii=False) + "\n" for i in range(20))
    second = "".join(json.dumps({"text": PARAS[i % 6], "n": i}, ensure_ascii=False) + "\n" for i in range(20, 40))
    zc = zstandard.ZstdCompressor(level=3)
    f2 = zc.compress(second.encode())
    (d / "truncated.jsonl.zst").write_bytes(zc.compress(first.encode()) + f2[: len(f2) // 2])
    expect("truncated.jsonl.zst", 20, corrupt_archive=1)

    # 6. A file nobody may read (root still can: then its records are good).
    p = d / "unreadable.jsonl"
    p.write_text(json.dumps({"text": PARAS[3]}, ensure_ascii=False) + "\n", encoding="utf-8")
    os.chmod(p, 0)
    if os.access(p, os.R_OK):
        expect("unreadable.jsonl", 1)
    else:
        expect("unreadable.jsonl", 0, unreadable=1)

    # 7. Binary junk with a name that says nothing.
    (d / "unknown.bin").write_bytes(bytes(range(256)) * 8)
    expect("unknown.bin", 0, unknown_format=1)

    # 8. A WARC with one response over max_record_bytes between two good ones.
    big = chinese_html(9).encode() * (OVERRIDES["max_record_bytes"] // 400 + 5)
    write_warc(d / "oversized.warc",
               [pages(1, "big.example.cn")[0], Page("https://big.example.cn/huge.html", big),
                pages(2, "big2.example.cn")[1]])
    expect("oversized.warc", 2, too_large=1)

    # 9. A Parquet file cut short (no footer).
    buf = io.BytesIO()
    pq.write_table(pa.table({"text": [PARAS[0], PARAS[1]]}), buf)
    (d / "truncated.parquet").write_bytes(buf.getvalue()[:-30])
    expect("truncated.parquet", 0, corrupt_archive=1)

    return {"overrides": dict(OVERRIDES), "files": files}
