"""Collect: raw records (WARC, WET, HTML, JSONL, Parquet) -> Chinese documents with metadata.

Per record: guard sizes and payload types, decode the charset (see mdfs.text.charset), extract
the main text, identify the language, and fill the document schema. Every record becomes exactly
one row, kept or rejected with a `collect.*` reason, so input = kept + rejected by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa

from mdfs.io.records import RawRecord, record_doc_id
from mdfs.schema import DOC_COLUMNS, rows_to_batch
from mdfs.stages.common import reject
from mdfs.text.charset import decode_html
from mdfs.text.cjk import cjk_ratio
from mdfs.text.extract import extract_main_text
from mdfs.text.langid import detect_many
from mdfs.text.normalize import repair_pinyin

STAGE = "collect"

# Magic numbers of payloads that are certainly not text (images, archives, PDF, office, media).
_BINARY_MAGIC = (
    b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"(\xb5/\xfd",
    b"BZh", b"7z\xbc\xaf", b"Rar!", b"\x00\x00\x01\x00", b"RIFF", b"OggS", b"ID3", b"\x00asm",
    b"\x7fELF", b"MZ", b"\xd0\xcf\x11\xe0",
)


def domain_of(url: str | None) -> str | None:
    """Lower-case host name without a leading `www.`; None for missing or unparsable URLs."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def _mime(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _looks_binary(payload: bytes) -> bool:
    head = payload[:4096]
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head


def _reject(row: dict[str, Any], reason: str, detail: Any = None) -> dict[str, Any]:
    return reject(row, STAGE, reason, detail)


def process_record(rec: RawRecord, cfg: dict[str, Any]) -> dict[str, Any]:
    """One raw record -> one output row (kept when `reason` is None). Never raises."""
    rows = _Rows(cfg)
    rows.add(rec)
    return rows.finish()[0]


class _Rows:
    """Output rows of a run of records. Each record is decoded and extracted as it is added (so its
    payload can go at once); language id runs once for all of them in `finish`
    (mdfs.text.langid.detect_many: the same results as one call per page, in one model call)."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.rows: list[dict[str, Any]] = []
        self.waiting: list[tuple[dict[str, Any], str]] = []  # rows that still need language id

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, rec: RawRecord) -> None:
        row = _new_row(rec)
        try:
            text = _text_of(rec, row, self.cfg)
        except Exception as e:  # a bug or an input nobody foresaw must not kill the task
            _reject(row, "collect.error", f"{type(e).__name__}: {e}")
            text = None
        if text is not None:
            self.waiting.append((row, text))
        self.rows.append(row)

    def finish(self) -> list[dict[str, Any]]:
        try:
            _identify_languages(self.waiting, self.cfg)
        except Exception:  # find the text that broke the batch call; every other row is still judged
            for pair in self.waiting:
                try:
                    _identify_languages([pair], self.cfg)
                except Exception as e:
                    _reject(pair[0], "collect.error", f"{type(e).__name__}: {e}")
        return self.rows


def _new_row(rec: RawRecord) -> dict[str, Any]:
    return {
        "id": record_doc_id(rec),
        "url": rec.url,
        "domain": domain_of(rec.url),
        "source": rec.source,
        "fetch_time": rec.fetch_time,
    }


def _text_of(rec: RawRecord, row: dict[str, Any], cfg: dict[str, Any]) -> str | None:
    """Guard, decode and extract one record into `row`: its text, or None once `row` is rejected."""
    if rec.kind == "error" or rec.error:
        _reject(row, rec.error or "collect.error", rec.detail)
        return None

    if rec.http_status is not None and not 200 <= rec.http_status < 300:
        # Error pages, redirects and "not modified" bodies are the server's text, not the page's.
        _reject(row, "collect.http_status", rec.http_status)
        return None

    if rec.kind == "html":
        payload = rec.payload or b""
        if not payload.strip():
            _reject(row, "collect.empty")
            return None
        if len(payload) > cfg["max_record_bytes"]:
            _reject(row, "collect.too_large", len(payload))
            return None
        mime = _mime(rec.content_type)
        if mime and mime != "text/plain" and mime not in cfg["html_content_types"]:
            _reject(row, "collect.non_html", mime)
            return None
        if _looks_binary(payload):
            _reject(row, "collect.binary", payload[:8].hex())
            return None
        dec = decode_html(payload, rec.content_type)
        row["charset"] = dec.charset
        row["charset_declared"] = dec.declared
        if dec.replacement_ratio > cfg["max_replacement_ratio"]:
            _reject(row, "collect.undecodable", f"{dec.charset}:{dec.replacement_ratio:.3f}")
            return None
        if mime == "text/plain":
            text = dec.text
        else:
            text = extract_main_text(dec.text, cfg["extractor"])
    else:
        text = rec.text or ""
        row["charset"] = "utf-8"

    text = text.strip()
    row["text"] = text
    row["n_chars"] = len(text)
    if len(text) < cfg["min_chars"]:
        _reject(row, "collect.no_text", len(text))
        return None
    row["cjk_ratio"] = cjk_ratio(text)
    return text


def _identify_languages(waiting: list[tuple[dict[str, Any], str]], cfg: dict[str, Any]) -> None:
    """Language id of every waiting row, in one model call; rows outside keep_langs are rejected."""
    # Content-farm pinyin (`技術(shù)`) is Latin that lid.176 reads as not Chinese (zh 0.37-0.47 on such
    # pages): identify the language without it. The text itself is repaired later, in coarse.
    heads = [repair_pinyin(text[: 4 * cfg["langid_chars"]])[0] for _, text in waiting]
    for (row, _), lid in zip(waiting, detect_many(heads, cfg["langid_chars"], cfg["max_kana_ratio"])):
        row["lang"] = lid.lang
        row["lang_score"] = lid.score
        if lid.lang not in cfg["keep_langs"]:
            _reject(row, "collect.lang", f"{lid.lang}:{lid.score:.3f}")
        elif lid.score < cfg["min_lang_score"]:
            _reject(row, "collect.lang_score", f"{lid.lang}:{lid.score:.3f}")


def collect_records(records: Iterable[RawRecord], cfg: dict[str, Any], batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Stream records into stage-output batches of at most `batch_rows` rows (one language-id call each)."""
    rows = _Rows(cfg)
    for rec in records:
        rows.add(rec)
        if len(rows) >= batch_rows:
            yield rows_to_batch(rows.finish())
            rows = _Rows(cfg)
    if len(rows):
        yield rows_to_batch(rows.finish())


def split_kept_rejected(batch: pa.RecordBatch) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """The stage contract's (kept, rejected) view of a stage-output batch."""
    import pyarrow.compute as pc

    is_rej = pc.is_valid(batch.column("reason"))
    kept = batch.filter(pc.invert(is_rej)).select(DOC_COLUMNS)
    return kept, batch.filter(is_rej)
