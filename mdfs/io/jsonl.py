"""JSON Lines reader (.jsonl, .ndjson, .json.gz-style line files; plain, gzip or zstd).

One line, one record: a line with the configured html field becomes an "html" record (its
string, UTF-8 encoded, as payload), else the text field gives a "text" record. Lines are read
with a length bound, so one giant line (or a gzip bomb without newlines) never sits in memory
whole, and the decompressed size of the file is counted against `max_decompressed_bytes`.
Ids in user files are not trusted to be globally unique, so `record_id` stays None and the
document id comes from `path#line`.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

import zstandard

from mdfs.io.records import RawRecord

INVALID_JSON = "collect.invalid_json"
NO_TEXT_FIELD = "collect.no_text_field"
TOO_LARGE = "collect.too_large"
DECOMPRESSION_LIMIT = "collect.decompression_limit"
CORRUPT = "collect.corrupt_archive"
UNREADABLE = "collect.unreadable"

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ZSTD_FEED = 1024  # a 4-byte zstd RLE block can expand to 128 KiB: 1 KiB in -> at most 32 MiB out


class _LimitReached(Exception):
    """The decompressed size of the file passed max_decompressed_bytes."""


class TruncatedStream(EOFError):
    """A compressed stream that ends inside a frame."""


def read_jsonl(path: str, cfg: Mapping[str, Any]) -> Iterator[RawRecord]:
    """Yield one RawRecord per non-blank line of `path`, and error records; never raises."""
    max_record = int(cfg["max_record_bytes"])
    try:
        f = open(path, "rb")
    except OSError as e:
        yield RawRecord(source=f"{path}@0", kind="error", error=UNREADABLE, detail=_short(e))
        return
    with f:
        line_no = 0
        try:
            stream = _open_decompressed(f, int(cfg["max_decompressed_bytes"]))
            while True:
                line_no += 1  # the line being read: where a failure is reported
                line = stream.readline(max_record + 1)
                if not line:
                    break
                if len(line) > max_record and not line.endswith(b"\n"):
                    while line and not line.endswith(b"\n"):  # skip the rest without holding it
                        line = stream.readline(1 << 20)
                    yield RawRecord(
                        source=f"{path}#{line_no}", kind="error", error=TOO_LARGE,
                        detail=f"line longer than max_record_bytes={max_record}",
                    )
                    continue
                if line.strip():
                    yield line_record(line, f"{path}#{line_no}", cfg, first=line_no == 1)
        except _LimitReached:
            yield RawRecord(
                source=f"{path}#{line_no}", kind="error", error=DECOMPRESSION_LIMIT,
                detail=f"over max_decompressed_bytes={cfg['max_decompressed_bytes']}; rest of file skipped",
            )
        except (EOFError, zlib.error, gzip.BadGzipFile, zstandard.ZstdError) as e:
            yield RawRecord(source=f"{path}#{line_no}", kind="error", error=CORRUPT, detail=_short(e))
        except OSError as e:
            yield RawRecord(source=f"{path}#{line_no}", kind="error", error=UNREADABLE, detail=_short(e))


def _open_decompressed(f: BinaryIO, limit: int) -> io.BufferedReader:
    """A line-readable stream of `f`, gunzipped or unzstd'ed by its magic bytes.

    Compressed input counts its output against `limit` (raising _LimitReached); plain input is
    bounded by its own size, so it is not limited.
    """
    head = f.read(4)
    f.seek(0)
    if head[:2] == GZIP_MAGIC:
        return io.BufferedReader(_Counted(gzip.GzipFile(fileobj=f, mode="rb"), limit), 1 << 20)
    if head == ZSTD_MAGIC:
        return io.BufferedReader(_Counted(_ZstdStream(f), limit), 1 << 20)
    return f if isinstance(f, io.BufferedReader) else io.BufferedReader(f)  # type: ignore[arg-type]


def line_record(line: bytes, source: str, cfg: Mapping[str, Any], first: bool = False) -> RawRecord:
    """Map one JSON line to a RawRecord by the configured field names."""
    s = line.decode("utf-8", errors="replace")  # invalid UTF-8 becomes U+FFFD: collect judges it
    if first:
        s = s.lstrip("\ufeff")
    try:
        obj = json.loads(s)
    except ValueError as e:
        return RawRecord(source=source, kind="error", error=INVALID_JSON, detail=_short(e, 120))
    if not isinstance(obj, dict):
        return RawRecord(source=source, kind="error", error=INVALID_JSON,
                         detail=f"a JSON {type(obj).__name__}, not an object")
    rec = fields_record(source, obj.get(cfg["html_field"]), obj.get(cfg["text_field"]),
                        obj.get(cfg["url_field"]), cfg)
    if "\\ud" in s or "\\uD" in s:  # only escapes can put lone surrogates into the strings
        rec.text = _no_surrogates(rec.text)
        rec.url = _no_surrogates(rec.url)
    return rec


def fields_record(source: str, html: Any, text: Any, url: Any, cfg: Mapping[str, Any]) -> RawRecord:
    """The JSONL/Parquet field mapping: html wins over text; neither is collect.no_text_field."""
    url = url if isinstance(url, str) and url else None
    if isinstance(html, (str, bytes)):
        if isinstance(html, str):
            payload, ctype = html.encode("utf-8", errors="surrogatepass"), "text/html; charset=utf-8"
        else:
            payload, ctype = html, "text/html"
        return RawRecord(source=source, kind="html", url=url, content_type=ctype, payload=payload)
    if isinstance(text, str):
        return RawRecord(source=source, kind="text", url=url, text=text)
    return RawRecord(source=source, kind="error", url=url, error=NO_TEXT_FIELD,
                     detail=f"no string field {cfg['html_field']!r} or {cfg['text_field']!r}")


def _no_surrogates(s: str | None) -> str | None:
    if s is None:
        return None
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:  # lone surrogates from \ud800-style escapes: they break Arrow
        return s.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")


class _Counted(io.RawIOBase):
    """Counts decompressed bytes and stops the file at the limit: the gzip-bomb guard."""

    def __init__(self, inner: Any, limit: int):
        self.inner, self.limit, self.count = inner, limit, 0
        # readinto1: one decompressed chunk per call, so a later failure loses no complete line
        self._read = getattr(inner, "readinto1", None) or inner.readinto

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self._read(b)
        self.count += n
        if self.count > self.limit:
            raise _LimitReached
        return n


class _ZstdStream(io.RawIOBase):
    """zstd frames to bytes, with a bounded output per step, raising on a truncated frame.

    zstandard's stream_reader ends silently on a truncated frame; its decompressobj tells (`eof`)
    but has no output bound, so it is fed small pieces.
    """

    def __init__(self, f: BinaryIO):
        self.f = f
        self.dctx = zstandard.ZstdDecompressor()
        self.obj = self.dctx.decompressobj()
        self.pending = b""
        self.out = memoryview(b"")
        self.in_frame = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self.out:
            data = self.pending or self.f.read(_ZSTD_FEED)
            if not data:
                if self.in_frame:
                    raise TruncatedStream("zstd stream ends inside a frame (truncated)")
                return 0
            chunk, self.pending = data[:_ZSTD_FEED], data[_ZSTD_FEED:]
            self.in_frame = True
            self.out = memoryview(self.obj.decompress(chunk))
            if self.obj.eof:  # next frame, if any, starts in the unused input
                self.pending = self.obj.unused_data + self.pending
                self.obj = self.dctx.decompressobj()
                self.in_frame = False
        n = min(len(b), len(self.out))
        b[:n] = self.out[:n]
        self.out = self.out[n:]
        return n


def _short(e: BaseException, n: int = 300) -> str:
    return " ".join(f"{type(e).__name__}: {e}".split())[:n]
