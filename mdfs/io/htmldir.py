"""Single .html/.htm file reader: the file is one page, its bytes the payload, undecoded.

Saved pages carry no HTTP headers, so the charset is left to the collect stage's detector and
the URL is taken from `<link rel=canonical>` or `<meta property=og:url>` when the page states
one in its head; fetch time is the file's mtime, the best the file system knows.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from mdfs.io.records import RawRecord

TOO_LARGE = "collect.too_large"
UNREADABLE = "collect.unreadable"

_HEAD_BYTES = 64 << 10
_TAG = re.compile(rb"<(link|meta)\b([^>]{0,2000})>", re.IGNORECASE)
_ATTR = re.compile(rb"""([a-zA-Z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")


def read_html_file(path: str, cfg: Mapping[str, Any]) -> Iterator[RawRecord]:
    """Yield exactly one RawRecord for the file at `path` (kind "html" or "error"); never raises."""
    source = f"{path}@0"
    max_record = int(cfg["max_record_bytes"])
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            mtime = datetime.fromtimestamp(st.st_mtime, UTC)
            if st.st_size > max_record:
                yield RawRecord(source=source, kind="error", fetch_time=mtime, error=TOO_LARGE,
                                detail=f"{st.st_size} bytes > max_record_bytes={max_record}")
                return
            data = f.read(max_record + 1)
    except OSError as e:
        yield RawRecord(source=source, kind="error", error=UNREADABLE, detail=f"{type(e).__name__}: {e}"[:300])
        return
    if len(data) > max_record:  # the file grew after stat
        yield RawRecord(source=source, kind="error", fetch_time=mtime, error=TOO_LARGE,
                        detail=f"more than max_record_bytes={max_record}")
        return
    yield RawRecord(source=source, kind="html", url=page_url(data), fetch_time=mtime,
                    content_type="text/html", payload=data)


def page_url(data: bytes) -> str | None:
    """The page's own absolute http(s) URL from canonical link or og:url in its first 64 KiB."""
    for m in _TAG.finditer(data[:_HEAD_BYTES]):
        attrs = {k.lower(): v.strip(b"\"'") for k, v in _ATTR.findall(m.group(2))}
        is_link = m.group(1).lower() == b"link"
        if is_link and b"canonical" in attrs.get(b"rel", b"").lower().split():
            url = attrs.get(b"href")
        elif not is_link and attrs.get(b"property", b"").lower() == b"og:url":
            url = attrs.get(b"content")
        else:
            continue
        if url:
            s = html.unescape(url.decode("utf-8", errors="replace")).strip()
            if s.lower().startswith(("http://", "https://")):
                return s
    return None
