"""Input discovery (files, folders, globs) and reader dispatch by file name, then by magic bytes.

`expand_inputs` runs once on the driver to plan the work (paths and sizes to balance tasks);
`iter_records` runs per file on an executor and keeps the readers' promise: it never raises,
whatever it is given; each failure is a RawRecord with kind "error" and a stable reason.
"""

from __future__ import annotations

import glob
import os
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import zstandard

from mdfs.io.htmldir import read_html_file
from mdfs.io.jsonl import read_jsonl
from mdfs.io.parquet import read_parquet
from mdfs.io.records import RawRecord
from mdfs.io.warc import read_warc

# Every reason a reader gives (RawRecord.error when kind == "error").
CORRUPT_ARCHIVE = "collect.corrupt_archive"
INVALID_JSON = "collect.invalid_json"
NO_TEXT_FIELD = "collect.no_text_field"
DECOMPRESSION_LIMIT = "collect.decompression_limit"
TOO_LARGE = "collect.too_large"
UNREADABLE = "collect.unreadable"
UNKNOWN_FORMAT = "collect.unknown_format"
ERROR_REASONS = (CORRUPT_ARCHIVE, INVALID_JSON, NO_TEXT_FIELD, DECOMPRESSION_LIMIT, TOO_LARGE,
                 UNREADABLE, UNKNOWN_FORMAT)

Reader = Callable[[str, Mapping[str, Any]], Iterator[RawRecord]]
READERS: dict[str, Reader] = {
    "warc": read_warc,  # WET files are WARC files of `conversion` records
    "html": read_html_file,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
}

# Longest suffix first; matched on the lower-cased file name.
_SUFFIXES: tuple[tuple[str, str], ...] = tuple(sorted((
    (".warc", "warc"), (".warc.gz", "warc"), (".warc.zst", "warc"),
    (".wet", "warc"), (".wet.gz", "warc"), (".warc.wet.gz", "warc"),
    (".arc", "arc"), (".arc.gz", "arc"),
    (".html", "html"), (".htm", "html"), (".xhtml", "html"),
    (".jsonl", "jsonl"), (".jsonl.gz", "jsonl"), (".jsonl.zst", "jsonl"), (".jsonl.zstd", "jsonl"),
    (".ndjson", "jsonl"), (".ndjson.gz", "jsonl"), (".ndjson.zst", "jsonl"),
    (".json", "jsonl"), (".json.gz", "jsonl"), (".json.zst", "jsonl"),
    (".parquet", "parquet"),
), key=lambda s: -len(s[0])))


def expand_inputs(inputs: list[str]) -> list[tuple[str, int]]:
    """Files, folders (walked recursively) and globs (`**` too) to sorted, unique (abs path, bytes).

    Hidden entries, Hadoop-style: names starting with "." or "_" (`_SUCCESS`, `_temporary`) and
    `.crc` files are skipped inside folders and glob matches; a file named explicitly is kept.
    Raises FileNotFoundError naming the input that matches nothing: a typo must not run an
    empty job.
    """
    out: dict[str, tuple[str, int]] = {}  # real path -> (absolute path, size)
    for given in inputs:
        p = os.path.expanduser(given)
        if any(c in p for c in "*?["):
            matches = [(m, False) for m in sorted(glob.glob(p, recursive=True))]
        elif os.path.exists(p):
            matches = [(p, True)]
        else:
            raise FileNotFoundError(f"input {given!r}: no such file or folder")
        files: list[str] = []
        for m, explicit in matches:
            if os.path.isdir(m):
                if explicit or not _hidden_path(m, p):
                    files.extend(_walk(m))
            elif os.path.isfile(m) and (explicit or not _hidden_path(m, p)):
                files.append(m)
        if not matches:
            raise FileNotFoundError(f"input {given!r}: the pattern matches nothing")
        if not files:
            raise FileNotFoundError(
                f"input {given!r}: no input files there (hidden, _-prefixed and .crc files are skipped)")
        for fpath in files:
            ap = os.path.abspath(fpath)
            real = os.path.realpath(ap)
            if real not in out:
                try:
                    size = os.stat(ap).st_size
                except OSError:
                    size = 0  # vanished or unreadable: its reader reports it
                out[real] = (ap, size)
    return sorted(out.values())


def _hidden(name: str) -> bool:
    return name.startswith((".", "_")) or name.endswith(".crc")


def _hidden_path(match: str, pattern: str) -> bool:
    """A glob match is hidden if any component it adds beyond the pattern's fixed prefix is."""
    fixed = pattern.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
    base = os.path.dirname(fixed) if not fixed.endswith(os.sep) else fixed
    rel = os.path.relpath(match, base or ".")
    return any(_hidden(part) for part in rel.split(os.sep) if part not in (".", ".."))


def _walk(folder: str) -> list[str]:
    def fail(e: OSError) -> None:
        raise PermissionError(f"cannot list input folder {e.filename!r}: {e.strerror}") from e

    found = []
    for root, dirs, names in os.walk(folder, onerror=fail):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        found.extend(os.path.join(root, n) for n in sorted(names) if not _hidden(n)
                     and os.path.isfile(os.path.join(root, n)))
    return found


def detect_format(path: str) -> str:
    """"warc", "html", "jsonl", "parquet", "arc" or "unknown": by name, else by the first bytes.

    Raises OSError when the name is not enough and the file cannot be read.
    """
    name = os.path.basename(path).lower()
    for suffix, fmt in _SUFFIXES:
        if name.endswith(suffix):
            return fmt
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):  # look inside: only WARC and JSONL readers take compressed input
        try:
            inner = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 512)
        except zlib.error:
            return "unknown"
        return fmt if (fmt := _sniff_text(inner)) in ("warc", "jsonl") else "unknown"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        try:
            with open(path, "rb") as f:
                inner = zstandard.ZstdDecompressor().stream_reader(f).read(512)
        except zstandard.ZstdError:
            return "unknown"
        return fmt if (fmt := _sniff_text(inner)) in ("warc", "jsonl") else "unknown"
    return _sniff_text(head)


def _sniff_text(head: bytes) -> str:
    s = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if s.startswith(b"WARC/"):
        return "warc"
    if s.startswith(b"{"):
        return "jsonl"
    if s.startswith(b"<"):
        return "html"
    return "unknown"


def iter_records(path: str, cfg: Mapping[str, Any]) -> Iterator[RawRecord]:
    """All records of one input file, read by the reader its name (or content) calls for.

    `cfg` is the `[collect]` config section. Never raises: an unknown format is one
    collect.unknown_format record, and even a reader bug ends the file with an error record
    rather than the job.
    """
    try:
        fmt = detect_format(path)
    except OSError as e:
        yield RawRecord(source=f"{path}@0", kind="error", error=UNREADABLE, detail=_short(e))
        return
    reader = READERS.get(fmt)
    if reader is None:
        detail = ("ARC files are not supported (FastWARC reads WARC only); convert with `warcio recompress`"
                  if fmt == "arc" else "not WARC, WET, HTML, JSONL or Parquet (by name or first bytes)")
        yield RawRecord(source=f"{path}@0", kind="error", error=UNKNOWN_FORMAT, detail=detail)
        return
    last: str | None = None
    try:
        for rec in reader(path, cfg):
            last = rec.source
            yield rec
    except Exception as e:  # noqa: BLE001 - the promise: a reader bug costs one file, not the job
        yield RawRecord(
            source=f"{path}@0" if last is None else f"{last}+", kind="error",
            error=UNREADABLE if isinstance(e, OSError) else CORRUPT_ARCHIVE,
            detail=f"{fmt} reader failed after {last or 'the start'}: {_short(e)}",
        )


def _short(e: BaseException) -> str:
    return " ".join(f"{type(e).__name__}: {e}".split())[:300]
