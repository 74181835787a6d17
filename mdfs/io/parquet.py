"""Parquet reader: streams record batches row group by row group, same field mapping as JSONL.

Only the html/text/url columns (and a timestamp `fetch_time`, as mdfs writes it) are read.
A row group that fails to decode costs that group only (one error record), not the file; the
uncompressed sizes in the footer are checked against `max_decompressed_bytes` before a group is
read, so a Parquet "bomb" is refused without being expanded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mdfs.io.jsonl import fields_record
from mdfs.io.records import RawRecord

NO_TEXT_FIELD = "collect.no_text_field"
TOO_LARGE = "collect.too_large"
DECOMPRESSION_LIMIT = "collect.decompression_limit"
CORRUPT = "collect.corrupt_archive"
UNREADABLE = "collect.unreadable"

_BATCH_ROWS = 1024


def read_parquet(path: str, cfg: Mapping[str, Any]) -> Iterator[RawRecord]:
    """Yield one RawRecord per row of `path` (source `path#row`, 0-based), and error records; never raises."""
    try:
        with open(path, "rb"):  # tells "cannot open" (unreadable) apart from "not Parquet" (corrupt)
            pass
    except OSError as e:
        yield RawRecord(source=f"{path}@0", kind="error", error=UNREADABLE, detail=_short(e))
        return
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as e:
        yield RawRecord(source=f"{path}@0", kind="error", error=CORRUPT, detail=_short(e))
        return
    with pf:
        yield from _rows(path, pf, cfg)


def _rows(path: str, pf: pq.ParquetFile, cfg: Mapping[str, Any]) -> Iterator[RawRecord]:
    schema = pf.schema_arrow
    html_col = _column(schema, cfg["html_field"], binary_ok=True)
    text_col = _column(schema, cfg["text_field"])
    url_col = _column(schema, cfg["url_field"])
    time_col = "fetch_time" if "fetch_time" in schema.names and pa.types.is_timestamp(
        schema.field("fetch_time").type) else None
    if html_col is None and text_col is None:
        yield RawRecord(source=f"{path}@0", kind="error", error=NO_TEXT_FIELD,
                        detail=f"no string column {cfg['html_field']!r} or {cfg['text_field']!r} "
                               f"(columns: {', '.join(schema.names)[:200]})")
        return
    columns = [c for c in (html_col, text_col, url_col, time_col) if c]
    max_record = int(cfg["max_record_bytes"])
    max_decompressed = int(cfg["max_decompressed_bytes"])
    expanded, row = 0, 0
    for g in range(pf.num_row_groups):
        meta = pf.metadata.row_group(g)
        group_end = row + meta.num_rows
        expanded += meta.total_byte_size
        if expanded > max_decompressed:
            yield RawRecord(source=f"{path}#{row}", kind="error", error=DECOMPRESSION_LIMIT,
                            detail=f"over max_decompressed_bytes={max_decompressed}; rest of file skipped")
            return
        try:
            for batch in pf.iter_batches(batch_size=_BATCH_ROWS, row_groups=[g], columns=columns):
                cols = {name: batch.column(name) for name in columns}
                sizes = {c: pc.binary_length(cols[c]).to_pylist() for c in (html_col, text_col) if c}
                values = {name: arr.to_pylist() for name, arr in cols.items()}
                for i in range(batch.num_rows):
                    source = f"{path}#{row}"
                    row += 1
                    too_big = next((sizes[c][i] for c in sizes if (sizes[c][i] or 0) > max_record), None)
                    url = values[url_col][i] if url_col else None
                    if too_big is not None:
                        yield RawRecord(source=source, kind="error", url=url, error=TOO_LARGE,
                                        detail=f"{too_big} bytes > max_record_bytes={max_record}")
                        continue
                    rec = fields_record(source, values[html_col][i] if html_col else None,
                                        values[text_col][i] if text_col else None, url, cfg)
                    if time_col and values[time_col][i] is not None:
                        t = values[time_col][i]
                        rec.fetch_time = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
                    yield rec
        except (OSError, pa.ArrowException) as e:  # a damaged group: report it, go on with the next
            yield RawRecord(source=f"{path}#{row}", kind="error", error=CORRUPT,
                            detail=f"row group {g} unreadable from row {row} to {group_end - 1}: {_short(e)}")
            row = group_end


def _column(schema: pa.Schema, name: str, binary_ok: bool = False) -> str | None:
    """`name` if the file has it as a string (or, for html, binary) column."""
    if name not in schema.names:
        return None
    t = schema.field(name).type
    ok = pa.types.is_string(t) or pa.types.is_large_string(t)
    if binary_ok:
        ok = ok or pa.types.is_binary(t) or pa.types.is_large_binary(t)
    return name if ok else None


def _short(e: BaseException) -> str:
    return " ".join(f"{type(e).__name__}: {e}".split())[:300]
