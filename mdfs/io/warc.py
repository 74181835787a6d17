"""WARC / WARC.gz / WET reader on FastWARC that survives damaged archives.

Only `response` records (HTTP pages) and `conversion` records (WET text) are documents; every
other record type is skipped silently. FastWARC is fast but on damage it either raises OSError
("Invalid WARC header", "Gzip decompression error") or, worse, stops or yields a half-parsed
record without any signal (a truncated file or gzip member). So every record is checked
(declared Content-Length present and the block fully read), the end of the last record is
compared with the file size, and after damage the reader resynchronises on the next gzip member
or `WARC/1.` line and restarts FastWARC there, so the good records after a broken one survive.

A WARC compressed as a whole (one gzip stream for many records) is inflated here, not by FastWARC:
FastWARC's gzip reader ends quietly where the file is cut (no trailer, no CRC check), so a cut
that fell between records, in a header or in a block nobody read went unnoticed. zlib says
whether the stream really ended; FastWARC's zstd reader already raises on a cut frame.
"""

from __future__ import annotations

import io
import os
import re
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import Any, BinaryIO

from fastwarc.stream_io import ChunkedReader
from fastwarc.warc import ArchiveIterator, HeaderMap, WarcRecord, WarcRecordType

from mdfs.io.records import RawRecord

try:  # an optional codec: without it `br` bodies pass on still encoded (collect rejects them)
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

CORRUPT = "collect.corrupt_archive"
TOO_LARGE = "collect.too_large"
DECOMPRESSION_LIMIT = "collect.decompression_limit"
UNREADABLE = "collect.unreadable"

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
LZ4_MAGIC = b"\x04\x22\x4d\x18"
_WARC_LINE = b"\nWARC/1."
_SCAN_CHUNK = 1 << 20
_MAX_HEADER = 64 << 10  # FastWARC refuses WARC headers over 32 KiB; a bound for our own look-ups
_GZ_FEED = 64 << 10  # compressed bytes read at a time for a whole-file gzip stream
_GZ_STEP = 256 << 10  # most plain bytes one inflate step may produce (a gzip bomb stays bounded)
_PADDING = b"\x00\r\n \t"  # what may follow the last gzip member or WARC record


class _Damage(Exception):
    """A record FastWARC returned but that is incomplete: treated like a parse error."""

    def __init__(self, msg: str, start: int, rec: RawRecord | None = None, source: str | None = None):
        super().__init__(msg)
        self.start, self.rec, self.source = start, rec, source


def read_warc(path: str, cfg: Mapping[str, Any]) -> Iterator[RawRecord]:
    """Yield one RawRecord per response/conversion record of `path`, and error records; never raises."""
    try:
        f = open(path, "rb")
        size = os.fstat(f.fileno()).st_size
    except OSError as e:
        yield RawRecord(source=f"{path}@0", kind="error", error=UNREADABLE, detail=_short(e))
        return
    with f:
        try:
            yield from _WarcScan(path, f, size, cfg).run()
        except OSError as e:  # the file itself failed under us (I/O error, vanished mount)
            yield RawRecord(source=f"{path}@0", kind="error", error=UNREADABLE, detail=_short(e))


class _WarcScan:
    """One pass or more over one file: FastWARC between damaged spots, our own resync across them.

    Sources are byte offsets (`path@offset`) for plain WARCs and gzip WARCs with one member per
    record (the WARC convention, CommonCrawl's layout), where FastWARC's `stream_pos` is the
    record's own offset. For whole-file gzip, zstd and lz4 it is not, so there a record is
    named by its number (`path#n`, 1-based, counting every record) and damage ends the file.
    There every record's block is read to its end (a block cut short is damage even where the
    record is no document), and whole-file gzip goes through `_GzipStream`, which tells whether
    the compressed stream ended properly.
    """

    def __init__(self, path: str, f: BinaryIO, size: int, cfg: Mapping[str, Any]):
        self.path, self.f, self.size = path, f, size
        self.max_record = int(cfg["max_record_bytes"])
        self.max_decompressed = int(cfg["max_decompressed_bytes"])
        head = f.read(4)
        f.seek(0)
        self.gzip = head[:2] == GZIP_MAGIC
        self.compressed = self.gzip or head in (ZSTD_MAGIC, LZ4_MAGIC)  # FastWARC detects all three
        self.offsets = not self.compressed or (self.gzip and self._one_record_per_member())
        self.decompressed = 0  # WARC bytes FastWARC was let to expand, counted before it does
        self.n = 0  # records seen

    def run(self) -> Iterator[RawRecord]:
        pos = 0
        pending: RawRecord | None = None  # the damage report, sent once we know where it ends
        while True:
            last: tuple[int, int] | None = None  # (start, content length) of the last intact record
            damage: _Damage | None = None
            self.f.seek(pos)
            stream = _GzipStream(self.f) if self.gzip and not self.offsets else None
            try:
                records = (ArchiveIterator(stream, parse_http=False, stream_detect=False) if stream
                           else ArchiveIterator(self.f, parse_http=False))
                for rec in records:
                    start = rec.stream_pos
                    self.n += 1
                    source = f"{self.path}@{start}" if self.offsets else f"{self.path}#{self.n}"
                    cl_header = (rec.headers.get("Content-Length") or "").strip()
                    if not cl_header.isdigit() or int(cl_header) != rec.content_length:
                        raise _Damage("WARC header incomplete (no valid Content-Length)", start, source=source)
                    if pending is not None:  # first intact record after damage: close the report
                        pending.detail = f"{pending.detail}; resumed at byte {start}"
                        yield pending
                        pending = None
                    if self.compressed:
                        self.decompressed += rec.content_length + _header_size(rec)
                    if self.decompressed > self.max_decompressed:
                        yield RawRecord(
                            source=source, kind="error", error=DECOMPRESSION_LIMIT,
                            detail=f"over max_decompressed_bytes={self.max_decompressed}; rest of file skipped",
                        )
                        return
                    out = None
                    if rec.record_type in (WarcRecordType.response, WarcRecordType.conversion):
                        out = self._document(rec, start, source)
                    if not self.offsets:  # no end check to come: every block is read to its end here
                        rec.consume()
                        if rec.reader.tell() < rec.content_length:
                            raise _Damage(f"record block truncated ({rec.reader.tell()} of "
                                          f"{rec.content_length} bytes)", start, out, source)
                    if out is not None:
                        yield out
                    last = (start, rec.content_length)
                if self.offsets:
                    damage = self._check_end(last, pos)
                elif stream is not None and stream.damage:
                    damage = _Damage(stream.damage, 0, source=f"{self.path}#{self.n + 1}")
                if damage is None:
                    break
            except _Damage as d:
                damage = d
            except OSError as e:  # FastWARC: "Invalid WARC header", "Gzip decompression error", ...
                at = self._damage_after(last, pos) if self.offsets else 0
                why = stream.damage if stream is not None and stream.damage else _short(e)
                damage = _Damage(why, at, source=None if self.offsets else f"{self.path}#{self.n + 1}")
            if pending is None:
                pending = damage.rec or RawRecord(source=damage.source or f"{self.path}@{damage.start}",
                                                  kind="error")
                pending.kind, pending.error = "error", CORRUPT
                pending.detail = str(damage)
            nxt = self._resync(max(damage.start, pos) + 1) if self.offsets else None
            if nxt is None:
                pending.detail = f"{pending.detail}; no record after it"
                yield pending
                return
            pos = nxt

    def _one_record_per_member(self) -> bool:
        """Does the first gzip member hold exactly one record? (Read with a second handle.)"""
        try:
            with open(self.path, "rb") as g:
                d = zlib.decompressobj(zlib.MAX_WBITS | 16)
                data = g.read(1 << 20)
                out = d.decompress(data, 4 << 20)
        except (OSError, zlib.error):
            return True  # damaged at the start: offsets, so that resync can find what follows
        i = out.find(b"\r\n\r\n")
        m = re.search(rb"(?im)^content-length:[ \t]*(\d+)", out[:i]) if i > 0 else None
        if m and len(out) > i + 4 + int(m.group(1)) + 4:
            return False  # the member goes on past its first record: a whole-file stream
        # One record so far: the whole member, or a member cut short (read so far: the whole file).
        return d.eof or (len(data) < (1 << 20) and not d.unconsumed_tail)

    def _document(self, rec: WarcRecord, start: int, source: str) -> RawRecord | None:
        """The RawRecord of a response/conversion record; None for non-HTTP responses (dns:, ...)."""
        url = rec.headers.get("WARC-Target-URI")
        date = rec.record_date
        base = RawRecord(
            source=source, kind="html", record_id=rec.record_id, url=url,
            fetch_time=date.astimezone(UTC) if date else None,
        )
        cl = rec.content_length
        if cl > self.max_record:
            base.kind, base.error = "error", TOO_LARGE
            base.detail = f"{cl} bytes > max_record_bytes={self.max_record}"
            return base  # FastWARC skips the block without us holding it
        block = _read_exact(rec.reader, cl)
        if len(block) < cl:
            raise _Damage(f"record block truncated ({len(block)} of {cl} bytes)", start, base)
        if rec.record_type == WarcRecordType.conversion:
            base.kind, base.content_type = "text", rec.headers.get("Content-Type")
            base.text = block.decode("utf-8", errors="replace")
            return base
        if not block.startswith(b"HTTP/"):
            warc_type = (rec.headers.get("Content-Type") or "").lower()
            if warc_type and "application/http" not in warc_type:
                return None  # e.g. Heritrix `dns:` responses: not a web page
            base.kind, base.error, base.detail = "error", CORRUPT, "response block has no HTTP status line"
            return base
        http = HeaderMap()
        try:
            n = http.parse(io.BytesIO(block))
        except (OSError, ValueError) as e:
            base.kind, base.error, base.detail = "error", CORRUPT, f"bad HTTP header: {_short(e)}"
            return base
        base.content_type = http.get("Content-Type")
        body, note = _decode_body(block[n:], http, self.max_record)
        if body is None:
            base.kind, base.error, base.detail = "error", TOO_LARGE, note
            return base
        base.payload = body
        status = http.status_code
        base.http_status = status or None
        base.detail = "; ".join(x for x in (f"http {status}" if status else None, note) if x) or None
        return base

    def _record_end(self, last: tuple[int, int] | None) -> int | None:
        """Byte offset just past the record starting at last[0]; None when it cannot be told cheaply."""
        if last is None:
            return None
        start, cl = last
        self.f.seek(start)
        if not self.compressed:
            head = self.f.read(_MAX_HEADER)
            i = head.find(b"\r\n\r\n")
            if i < 0:  # header never ended: cut short by the end of the file, or garbled
                return self.size + 1 if len(head) < _MAX_HEADER else None
            end = start + i + 4 + cl
            return end + 4 if end + 4 <= self.size else (end if end <= self.size else self.size + 1)
        if not self.gzip:
            return None
        # One gzip member per record (the WARC convention): decompress that member to find its end.
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        budget, fed = cl + 2 * _MAX_HEADER, 0
        try:
            while not d.eof:
                chunk = self.f.read(1 << 16)
                if not chunk:
                    return self.size + 1  # member truncated
                fed += len(chunk)
                out = d.decompress(chunk, budget)
                budget -= len(out)
                if budget <= 0:
                    return None  # several records in one member: the end is not ours to check
        except zlib.error:
            return None
        return start + fed - len(d.unused_data)

    def _check_end(self, last: tuple[int, int] | None, pos: int) -> _Damage | None:
        """After FastWARC stopped quietly: did it really reach the end of the file?"""
        end = self._record_end(last) if last else pos
        if end is None:
            return None  # cannot be told (zstd, one gzip stream for many records): trust FastWARC
        if end > self.size and last:
            return _Damage(f"file ends inside the record at byte {last[0]}", self.size)
        self.f.seek(end)
        if not self.f.read(64).strip(b"\r\n \t\x00"):
            return None
        return _Damage("data after the last complete record (truncated or garbled record)", end)

    def _damage_after(self, last: tuple[int, int] | None, pos: int) -> int:
        """Where damage found after the record `last` begins: its end, else just past its start."""
        if last is None:
            return pos
        end = self._record_end(last)
        if end is None:
            return last[0] + 1
        return min(end, self.size)

    def _resync(self, start: int) -> int | None:
        """Offset of the next plausible record start at or after `start`: a gzip member or `WARC/1.`."""
        if self.compressed and not self.gzip:
            return None  # zstd/lz4 frames cannot be found back reliably
        needle = b"\x1f\x8b\x08" if self.gzip else _WARC_LINE
        pos = start if self.gzip else start - 1
        while pos < self.size:
            self.f.seek(pos)
            buf = self.f.read(_SCAN_CHUNK + len(needle))
            i = buf.find(needle)
            while i >= 0:
                cand = pos + i + (0 if self.gzip else 1)
                if not self.gzip or self._gzip_warc_at(cand):
                    return cand
                i = buf.find(needle, i + 1)
            pos += _SCAN_CHUNK
        return None

    def _gzip_warc_at(self, off: int) -> bool:
        self.f.seek(off)
        try:
            return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(self.f.read(4096), 8).startswith(b"WARC/")
        except zlib.error:
            return False


class _GzipStream:
    """The plain WARC inside a whole-file gzip stream, for FastWARC to parse (read/tell).

    It ends (returns b"") where the WARC ends or where the gzip data goes wrong, and `damage` then
    says why: the file ends inside a member (no trailer: cut short), zlib refuses the data (or the
    CRC/length trailer), or something that is no gzip member follows the last one. Concatenated
    members are one stream, as for gzip(1); NUL or whitespace padding after the last is allowed.
    """

    def __init__(self, f: BinaryIO):
        self.f = f
        self.pos = 0  # plain bytes handed out: FastWARC's stream_pos counts these
        self.damage: str | None = None
        self.buf = bytearray()  # inflated, not yet handed out
        self.d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self.pending = b""  # compressed bytes read but not yet given to self.d
        self.done = False

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def read(self, n: int | None = -1) -> bytes:
        while (n is None or n < 0 or len(self.buf) < n) and not self.done:
            self._step()
        k = len(self.buf) if n is None or n < 0 else min(n, len(self.buf))
        out = bytes(self.buf[:k])
        del self.buf[:k]
        self.pos += k
        return out

    def _end(self, damage: str | None) -> None:
        self.done, self.damage = True, damage

    def _step(self) -> None:
        data = self.d.unconsumed_tail  # input zlib held back to bound its output
        if not data:
            data, self.pending = self.pending or self.f.read(_GZ_FEED), b""
        try:
            if data:
                self.buf += self.d.decompress(data, _GZ_STEP)
            else:  # the file ended: what zlib still holds, then the member must be complete
                self.buf += self.d.flush()
                if not self.d.eof:
                    plain = self.pos + len(self.buf)
                    return self._end(f"gzip stream truncated: the file ends inside a member ({plain} WARC bytes)")
        except zlib.error as e:
            return self._end(f"gzip stream damaged after {self.pos + len(self.buf)} WARC bytes: {_short(e)}")
        if self.d.eof:
            self._next_member(self.d.unused_data)

    def _next_member(self, rest: bytes) -> None:
        while len(rest) < len(GZIP_MAGIC) and rest.strip(_PADDING) == rest:  # may be a cut member header
            more = self.f.read(_GZ_FEED)
            if not more:
                break
            rest += more
        if rest.startswith(GZIP_MAGIC):
            self.d, self.pending = zlib.decompressobj(zlib.MAX_WBITS | 16), rest
            return
        while not rest.strip(_PADDING):  # padding to the end of the file is fine
            rest = self.f.read(_GZ_FEED)
            if not rest:
                return self._end(None)
        self._end("data after the end of the gzip stream (garbled or truncated member)")


def _header_size(rec: WarcRecord) -> int:
    return 16 + sum(len(k) + len(v) + 4 for k, v in rec.headers.items())


def _read_exact(reader: Any, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        chunk = reader.read(n - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _decode_body(body: bytes, http: HeaderMap, limit: int) -> tuple[bytes | None, str | None]:
    """Undo Transfer-Encoding: chunked and Content-Encoding; (None, why) if the result passes `limit`.

    A body that does not decode is passed on as stored, with a note: bad bytes are the collect
    stage's business, not a reader failure.
    """
    note = None
    if "chunked" in (http.get("Transfer-Encoding") or "").lower():
        try:
            body = ChunkedReader(io.BytesIO(body)).read()
        except OSError:
            note = "transfer-encoding chunked not decodable"
    enc = (http.get("Content-Encoding") or "").strip().lower()
    if enc in ("", "identity"):
        return body, note
    try:
        if enc in ("gzip", "x-gzip", "deflate"):
            out = _inflate(body, limit, enc == "deflate")
        elif enc == "br" and brotli is not None:
            out = brotli.Decompressor().process(body, output_buffer_limit=limit + 1)
        else:
            return body, f"content-encoding {enc} not decoded"
    except (zlib.error, brotli.error if brotli else zlib.error) as e:
        return body, f"content-encoding {enc} not decodable: {_short(e)}"
    if len(out) > limit:
        return None, f"decoded body > max_record_bytes={limit} (content-encoding {enc})"
    return out, note


def _inflate(body: bytes, limit: int, deflate: bool) -> bytes:
    try:  # 32+: zlib or gzip header, detected
        return zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(body, limit + 1)
    except zlib.error:
        if not deflate:
            raise
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, limit + 1)  # raw deflate


def _short(e: BaseException) -> str:
    return " ".join(f"{type(e).__name__}: {e}".split())[:300]
