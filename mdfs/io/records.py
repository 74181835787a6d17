"""RawRecord: what a reader hands the collect stage, one per page, text or failure.

Readers never raise on bad input: a failure becomes a RawRecord with `error` set (a stable
`collect.*` reason) and the location in `source`, so every byte of input is accounted for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class RawRecord:
    source: str  # "<path>@<byte offset>" or "<path>#<line>": where to find it again
    kind: str  # "html" (payload bytes), "text" (already-extracted text) or "error"
    record_id: str | None = None  # WARC-Record-ID, JSONL id, ...: makes the document id stable
    url: str | None = None
    fetch_time: datetime | None = None
    content_type: str | None = None  # HTTP Content-Type, with its charset parameter if any
    http_status: int | None = None  # HTTP status of a WARC response; None for other sources
    payload: bytes | None = None  # raw HTTP body for kind == "html"
    text: str | None = None  # for kind == "text"
    error: str | None = None  # collect.* reason for kind == "error" (or a reader-side reject)
    detail: str | None = None


def stable_id(*parts: str | None) -> str:
    """16 hex chars of blake2b over the parts: the same record always gets the same id."""
    h = hashlib.blake2b(digest_size=8)
    for p in parts:
        h.update((p or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


def record_doc_id(rec: RawRecord) -> str:
    """Document id: the WARC/JSONL record id when there is one, else the source location."""
    if rec.record_id:
        return stable_id("rid", rec.record_id)
    return stable_id("src", rec.source)
