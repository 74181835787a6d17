"""Bad input at scale: good sample-crawl pages mixed with every broken and hostile input we know.

`write_bad_crawl(folder, pages, seed)` writes

    crawl/sample.warc.gz   good pages (mdfs.sample.crawl), split so no file passes the
                           decompression limit on its own
    bad/                   the broken-file corpus of tests/io/badcorpus.py (reused, not copied),
                           written for this folder's limits
    hostile/               decompression bombs (gzip WARC per record and as one stream, an HTTP
                           Content-Encoding bomb, .jsonl.gz and .jsonl.zst), HTML nested 20,000
                           levels deep, regex-hostile text (one character for megabytes, no
                           newline; long lines without whitespace or punctuation; runs of
                           brackets, pinyin-like annotations, entities) and mixed-charset junk

and returns {"sets": [--set overrides the run needs], "overrides": {[collect] limits},
"bad_files": badcorpus expectations, "hostile": {name: {"file", "expect"}}}. `expect` of a
hostile item is the reason it must end with ("collect.decompression_limit"), a reason prefix
("coarse." = rejected by some coarse rule), "rejected" (by any rule of any stage) or "any" (kept
or rejected: it only has to pass through without crashing or hanging the job).

Limits: the bad corpus's bombs are 4 MiB of zeros, so max_decompressed_bytes stays at its
1 MiB; max_record_bytes is raised to 3 MiB (the bad corpus scales its oversized inputs with it)
so the multi-megabyte hostile pages reach the text stages. Hostile pages sit in plain (not
compressed) files, which the decompression limit does not cover.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import shutil
import uuid
import zlib
from pathlib import Path
from unittest import mock

import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mdfs.sample.crawl import generate
from tests.io import badcorpus
from tests.io.badcorpus import PARAS, Page, chinese_html, write_warc

MAX_RECORD = 3 << 20
MAX_DECOMPRESSED = 1 << 20
BOMB_BYTES = 64 << 20  # what each bomb expands to: 64x the limit, from ~64 KB on disk
MB = 1 << 20

# Settings that keep tokenize and shard fast on a few hundred documents.
FAST_SETS = [
    "tokenize.vocab_size=2000",
    "tokenize.sample_max_chars=2000000",
    "shard.shard_tokens=200000",
    "spark.shuffle_partitions=4",
]

HAN = "".join(sorted(set("".join(PARAS)) - set("，。、；：？！")))


def _warc_record_head(url: str, http_head: bytes, body_len: int) -> bytes:
    block_len = len(http_head) + body_len
    return (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
            f"WARC-Target-URI: {url}\r\nWARC-Date: 2024-03-01T08:30:00Z\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {block_len}\r\n\r\n").encode()


def _gzip_zeros_member(prefix: bytes, n_zero: int, suffix: bytes) -> bytes:
    """One gzip member of prefix + n_zero NUL bytes + suffix, compressed in chunks (never held whole)."""
    c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    out = [c.compress(prefix)]
    chunk = b"\0" * MB
    left = n_zero
    while left:
        k = min(left, MB)
        out.append(c.compress(chunk[:k]))
        left -= k
    out.append(c.compress(suffix))
    out.append(c.flush())
    return b"".join(out)


def _bomb_response(url: str, n_zero: int) -> tuple[bytes, bytes]:
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {n_zero}\r\n\r\n").encode()
    return _warc_record_head(url, http, n_zero) + http, b"\r\n\r\n"


def _good_member(i: int, host: str) -> bytes:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    body = chinese_html(i).encode()
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                       ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    w.write_record(w.create_warc_record(f"https://{host}/a/{i}.html", "response",
                                        payload=io.BytesIO(body), http_headers=http))
    return buf.getvalue()


def _write_bombs(d: Path, hostile: dict) -> None:
    # (a) WARC, one gzip member per record: a good page, then a 64 MiB response of zeros.
    head, tail = _bomb_response("https://bomb1.example.cn/zero.html", BOMB_BYTES)
    (d / "bomb_members.warc.gz").write_bytes(_good_member(1, "bomb1.example.cn")
                                             + _gzip_zeros_member(head, BOMB_BYTES, tail))
    hostile["bomb_members"] = {"file": "bomb_members.warc.gz", "expect": "collect.decompression_limit", "good": 1}
    # (b) WARC as one gzip stream: the good page's record and the bomb in the same member.
    good = gzip.decompress(_good_member(2, "bomb2.example.cn"))
    head, tail = _bomb_response("https://bomb2.example.cn/zero.html", BOMB_BYTES)
    (d / "bomb_stream.warc.gz").write_bytes(_gzip_zeros_member(good + head, BOMB_BYTES, tail))
    hostile["bomb_stream"] = {"file": "bomb_stream.warc.gz", "expect": "collect.decompression_limit", "good": 1}
    # (c) An HTTP Content-Encoding: gzip body (plain WARC) that inflates to 64 MiB: bounded by
    # max_record_bytes while inflating.
    body = _gzip_zeros_member(b"<html><body>", BOMB_BYTES, b"</body></html>")
    write_warc(d / "bomb_content_encoding.warc",
               [Page("https://bomb3.example.cn/ce.html", body, headers=[("Content-Encoding", "gzip")])])
    hostile["bomb_content_encoding"] = {"file": "bomb_content_encoding.warc", "expect": "collect.too_large"}
    # (d) JSONL: a good line, then one line that never ends (64 MiB of 'a' inside a string).
    first = json.dumps({"id": "g1", "text": PARAS[0] * 3}, ensure_ascii=False).encode() + b"\n"
    c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    parts = [c.compress(first + b'{"id": "bomb", "text": "')]
    chunk = b"a" * MB
    parts += [c.compress(chunk) for _ in range(BOMB_BYTES // MB)]
    parts += [c.compress(b'"}\n'), c.flush()]
    (d / "bomb.jsonl.gz").write_bytes(b"".join(parts))
    hostile["bomb_jsonl_gz"] = {"file": "bomb.jsonl.gz", "expect": "collect.decompression_limit", "good": 1}
    # (e) The same as one zstd frame.
    zc = zstandard.ZstdCompressor(level=19).compressobj()
    parts = [zc.compress(first + b'{"id": "bomb", "text": "')]
    parts += [zc.compress(chunk) for _ in range(BOMB_BYTES // MB)]
    parts += [zc.compress(b'"}\n'), zc.flush()]
    (d / "bomb.jsonl.zst").write_bytes(b"".join(parts))
    hostile["bomb_jsonl_zst"] = {"file": "bomb.jsonl.zst", "expect": "collect.decompression_limit", "good": 1}


def _article(i: int) -> str:
    return "".join(f"<p>{PARAS[(i + k) % len(PARAS)]}</p>" for k in range(4))


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>")


def _hostile_html() -> list[tuple[str, str, str]]:
    """(slug, html, expect) for the plain hostile WARC."""
    rng = random.Random(8)
    deep = 20_000
    out = [
        # Deep nesting: closed divs, unclosed inline tags, nested tables, an article at the bottom.
        ("deep_div", _page("深", "<div>" * deep + _article(1) + "</div>" * deep), "any"),
        ("deep_unclosed", _page("深", "<b><i><span>" * deep + _article(2)), "any"),
        ("deep_table", _page("深", "<table><tr><td>" * 5000 + _article(3) + "</td></tr></table>" * 5000), "any"),
        ("deep_mixed_text", _page("深", "".join(f"<div>{PARAS[k % 6]}" for k in range(deep)) + "</div>" * deep), "any"),
        ("open_brackets", _page("尖", "<" * (2 * MB)), "any"),
        # One character for megabytes, no newline, in the HTML body.
        ("han_run_html", _page("啊", "<p>" + "啊" * 900_000 + "</p>"), "rejected"),
        ("han_run_after_article", _page("啊", f"<p>{_long_article()}</p><p>" + "啊" * 900_000 + "</p>"), "coarse."),
        ("ascii_run_html", _page("a", "<p>" + "a" * (2 * MB) + "</p>"), "any"),
        # Long line of varied Han characters with no whitespace or punctuation, under coarse.max_chars.
        ("han_noise_line", _page("长", "<p>" + "".join(rng.choice(HAN) for _ in range(90_000)) + "</p>"), "any"),
        # Entities for a megabyte.
        ("entities", _page("实体", "<p>" + "&#21834;&amp;&nbsp;" * 60_000 + "</p>"), "any"),
        ("entities_after_article", _page("实体", f"<p>{_long_article()}</p><p>" + "&#21834;&amp;&nbsp;" * 30_000 + "</p>"), "any"),
        ("ascii_run_after_article", _page("a", f"<p>{_long_article()}</p><p>" + "a" * MB + "</p>"), "any"),
    ]
    return out


def _long_article() -> str:
    """A real article of 1,200+ characters: language id (1,000 characters) sees only Chinese prose."""
    from mdfs.sample.corpus import load_articles

    return next(a.text for a in load_articles() if len(a.text) >= 1200)


def _hostile_texts() -> list[tuple[str, str, str]]:
    """(id, text, expect) for the plain hostile JSONL (text records skip HTML extraction).

    Each hostile text comes twice: alone (language id, which reads the first 1,000 characters,
    may stop it at collect) and after a Chinese article ("<id>+art"), so it reaches coarse and,
    when no rule stops it, quality, dedup, fine, tokenize and shard.
    """
    rng = random.Random(9)
    noise = "".join(rng.choice(HAN) for _ in range(95_000))
    art = _long_article()
    base = [
        ("han_run_1m", "哈" * 1_000_000, "coarse.too_long"),
        ("han_run_90k", "哈" * 90_000, "coarse."),
        ("han_pair_90k", "哈呵" * 45_000, "coarse."),
        ("han_noise_95k", noise, "any"),
        ("spaces_90k", "中 " * 45_000, "rejected"),
        ("brackets_90k", "（" * 30_000 + "中" * 30_000 + "）" * 30_000, "rejected"),
        ("pinyin_90k", "电子(diàn)技术(shù)" * 7_000, "any"),
        ("pinyin_unclosed", "技(" + "shù" * 30_000, "rejected"),
        ("punct_run", "。" * 50_000 + "！" * 40_000, "rejected"),
        ("dots_run", "……" * 45_000, "rejected"),
        ("digits_run", "1" * 90_000, "rejected"),
        ("url_run", "http://" + "a." * 40_000 + "cn", "rejected"),
        ("email_like", "a@" * 40_000 + "b.cn", "rejected"),
        ("phone_like", "1" + "3" * 10 + "-" * 10 + "8" * 60_000, "rejected"),
        ("nav_like", " | ".join(["首页"] * 20_000), "rejected"),
        ("lines_1char", "\n".join(["中"] * 60_000), "rejected"),
        ("blank_lines", "\n" * 200_000, "any"),
        ("zero_width", "中\u200b" * 40_000, "rejected"),
        ("combining", "a" + "\u0301" * 80_000, "rejected"),
        ("surrogate_escape", "\\ud800" * 10_000, "rejected"),
        ("repeat_line", "\n".join([PARAS[0]] * 2000), "coarse."),
    ]
    out = []
    for tid, text, expect in base:
        out.append((tid, text, expect))
        after = "any" if expect == "rejected" else expect  # after an article, some are cleaned and kept
        out.append((tid + "+art", art + "\n" + text, after))
    return out


def _charset_junk() -> list[tuple[str, bytes, str]]:
    """(slug, body bytes, declared content type) for mixed-charset pages."""
    rng = random.Random(10)
    art = "".join(PARAS)
    mixed = b"".join([art.encode("gbk"), art.encode("big5", "replace"), art.encode("utf-8"),
                      "これは日本語の文章です。".encode("shift_jis"), art.encode("gb18030")]) * 20
    page = lambda body, cs: b'<html><head><meta charset="' + cs + b'"></head><body><p>' + body + b"</p></body></html>"
    return [
        ("mixed_meta_utf8", page(mixed, b"utf-8"), "text/html"),
        ("mixed_meta_gbk", page(mixed, b"gbk"), "text/html; charset=big5"),
        ("random_bytes", page(bytes(rng.getrandbits(8) for _ in range(200_000)), b"gb2312"), "text/html"),
        ("gbk_as_utf8_header", page(art.encode("gbk") * 50, b"utf-8"), "text/html; charset=utf-8"),
        ("utf8_as_big5", page(art.encode("utf-8") * 50, b"big5"), "text/html; charset=big5"),
        ("bad_charset_name", page(art.encode("utf-8") * 5, b"x-no-such-charset"), "text/html; charset=\"utf-\x01\""),
        ("half_gbk", page(art.encode("gbk")[:-1] * 30, b"gbk"), "text/html; charset=gbk"),
        ("utf16_inside", page(mixed + art.encode("utf-16-le") * 5, b"utf-8"), "text/html"),
        ("nul_sprinkled", page(art.encode("utf-8").replace("。".encode(), b"\0") * 20, b"utf-8"), "text/html"),
    ]


def write_bad_crawl(folder: Path | str, pages: int = 150, seed: int = 8) -> dict:
    """Write the mixed corpus into `folder` (see the module docstring); return what it must give."""
    root = Path(folder)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)

    # Good pages: sample crawls of at most 50 pages a file, each well under 1 MiB decompressed.
    crawl = root / "crawl"
    good_files = []
    for k, start in enumerate(range(0, pages, 50)):
        p = crawl / f"sample_{k}.warc.gz"
        generate(str(p), min(50, pages - start), seed + k)
        size = len(gzip.decompress(p.read_bytes()))
        assert size < MAX_DECOMPRESSED, (p, size)
        good_files.append(p.name)
        truth = root / "_truth"  # "_" names are skipped by input discovery: not read as JSONL
        truth.mkdir(exist_ok=True)
        (crawl / f"sample_{k}.truth.jsonl").rename(truth / f"sample_{k}.truth.jsonl")

    with mock.patch.dict(badcorpus.OVERRIDES, {"max_record_bytes": MAX_RECORD,
                                               "max_decompressed_bytes": MAX_DECOMPRESSED}):
        bad = badcorpus.write_bad_corpus(root / "bad")

    hd = root / "hostile"
    hd.mkdir()
    hostile: dict[str, dict] = {}
    _write_bombs(hd, hostile)

    items = _hostile_html()
    write_warc(hd / "hostile_html.warc",
               [Page(f"https://hostile.example.cn/{slug}.html", html.encode("utf-8")) for slug, html, _ in items],
               extras=False)
    for slug, _, expect in items:
        hostile[slug] = {"file": "hostile_html.warc", "url": f"https://hostile.example.cn/{slug}.html", "expect": expect}

    texts = _hostile_texts()
    with open(hd / "hostile_text.jsonl", "w", encoding="utf-8") as f:
        for tid, text, expect in texts:
            f.write(json.dumps({"id": tid, "text": text, "url": f"https://text.example.cn/{tid}"},
                               ensure_ascii=False) + "\n")
            hostile[tid] = {"file": "hostile_text.jsonl", "url": f"https://text.example.cn/{tid}", "expect": expect}

    junk = _charset_junk()
    write_warc(hd / "charset_junk.warc",
               [Page(f"https://junk.example.cn/{slug}.html", body, ctype) for slug, body, ctype in junk], extras=False)
    for slug, _, _ in junk:
        hostile[slug] = {"file": "charset_junk.warc", "url": f"https://junk.example.cn/{slug}.html", "expect": "any"}

    overrides = {"max_record_bytes": MAX_RECORD, "max_decompressed_bytes": MAX_DECOMPRESSED}
    sets = [f"collect.{k}={v}" for k, v in overrides.items()] + FAST_SETS
    return {"sets": sets, "overrides": overrides, "good_files": good_files, "bad_files": bad["files"],
            "hostile": hostile}


if __name__ == "__main__":  # python -m tests.io.badcrawl DIR: write it and print the --set options
    import sys

    info = write_bad_crawl(sys.argv[1] if len(sys.argv) > 1 else "build/badcrawl")
    print(" ".join(f"--set {s}" for s in info["sets"]))
