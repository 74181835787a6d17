"""Megatron-LM indexed dataset shards (`prefix.bin` + `prefix.idx`), written and read with numpy.

`.bin` is every sequence's tokens laid end to end in one dtype, little-endian, no header.
`.idx` is, in this order (all little-endian, no padding):

    offset  size   field
    0       9      magic b"MMIDIDX\\x00\\x00"
    9       8      version, <Q, always 1
    17      1      dtype code, <B  (uint8=1 int8=2 int16=3 int32=4 int64=5 float64=6 float32=7 uint16=8)
    18      8      sequence count N, <Q
    26      8      document-index count D, <Q  (= number of documents + 1: it counts the leading 0)
    34      4*N    sequence lengths in tokens, int32
    ..      8*N    sequence pointers: byte offset of each sequence in .bin, int64 (exclusive cumsum
                   of lengths * itemsize)
    ..      8*D    document indices, int64: 0, then the sequence count at the end of each document
    (..     N      sequence modes, int8: only in multimodal datasets; never written here)

One document is one sequence here, as in Megatron's tools/preprocess_data.py without
--split-sentences, so document indices are 0, 1, ..., N. The caller appends the EOD token. An
empty document becomes a zero-length sequence (preprocess_data would instead record a document
with no sequence); megatron-core's GPTDataset builds and samples over such shards fine. A shard
with no tokens at all has a zero-byte .bin, which megatron-core's mmap reader cannot open
("cannot mmap an empty file"): do not hand those to training.

Checked against megatron-core 0.16.1 (the newest release pip found), file
megatron/core/datasets/indexed_dataset.py: `_INDEX_HEADER`, `DType`, `_IndexWriter.write`,
`_IndexReader.__init__`, `IndexedDatasetBuilder.add_document/finalize`, and
`DType.optimal_dtype` (the vocab-size rule of `dtype_for_vocab`); with torch 2.13.0+cpu our
.bin/.idx were byte-identical to IndexedDatasetBuilder's for the same documents, and
IndexedDataset read every sequence back. Written here rather than imported because
megatron-core imports torch at module level (it requires torch>=2.6; the CPU build alone is
~750 MB installed): a Spark executor writing shards should need numpy only, and the format
is small and versioned (version field 1).

Writes are atomic per shard: both files go to `*.tmp` first, are fsynced, then renamed,
`.bin` before `.idx`, with any old `.idx` removed first; so a `.idx` under the final name
always describes a complete `.bin` beside it, and a crash or an exception leaves no final
file half-written.
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
HEADER_SIZE = len(MAGIC) + 8 + 1 + 8 + 8  # 34

# megatron.core.datasets.indexed_dataset.DType: the dtype code in the .idx header.
DTYPE_CODES: dict[np.dtype, int] = {
    np.dtype(np.uint8): 1,
    np.dtype(np.int8): 2,
    np.dtype(np.int16): 3,
    np.dtype(np.int32): 4,
    np.dtype(np.int64): 5,
    np.dtype(np.float64): 6,
    np.dtype(np.float32): 7,
    np.dtype(np.uint16): 8,
}
CODE_DTYPES: dict[int, np.dtype] = {code: dt for dt, code in DTYPE_CODES.items()}

# Megatron's DType.optimal_dtype: uint16 when the vocabulary size is below 65500, else int32.
UINT16_VOCAB_LIMIT = 65500

_INT32_MAX = np.iinfo(np.int32).max
_BIG_ENDIAN = sys.byteorder == "big"

# array.array typecodes of the integer token dtypes (their C sizes are checked below).
_TYPECODES: dict[np.dtype, str] = {
    np.dtype(np.uint8): "B",
    np.dtype(np.int8): "b",
    np.dtype(np.int16): "h",
    np.dtype(np.uint16): "H",
    np.dtype(np.int32): "i",
    np.dtype(np.int64): "q",
}
assert all(array(tc).itemsize == dt.itemsize for dt, tc in _TYPECODES.items())


class IndexedFormatError(ValueError):
    """A .idx/.bin pair that is not a readable Megatron indexed dataset."""


def dtype_for_vocab(vocab_size: int) -> np.dtype:
    """The token dtype Megatron's preprocess_data picks for a tokenizer of `vocab_size` ids.

    Megatron's rule (DType.optimal_dtype): uint16 if vocab_size < 65500, else int32. The cut is
    at 65500, not 65536, though uint16 could hold ids up to 65535: we follow Megatron so our
    shards have the dtype its own tool would write for the same tokenizer (Qwen2's 151,643 ids
    and Llama-3's 128,256 -> int32; GPT-2's 50,257 -> uint16). Caveat: GPTDatasetConfig's
    fast-cache path (sequences_per_dataset) does not read the header and assumes uint16 for
    vocab_size <= 65536, so a vocabulary of 65500..65536 ids would be misread on that path
    only; no common tokenizer is that size.
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)):
        raise TypeError(f"vocab_size must be an int, got {type(vocab_size).__name__}")
    if vocab_size <= 0:
        raise ValueError(f"vocab_size must be positive, got {vocab_size}")
    return np.dtype(np.uint16) if vocab_size < UINT16_VOCAB_LIMIT else np.dtype(np.int32)


def _paths(prefix: str | os.PathLike[str]) -> tuple[Path, Path]:
    p = os.fspath(prefix)
    return Path(p + ".bin"), Path(p + ".idx")


def _token_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind not in "iu" or dt.newbyteorder("=") not in DTYPE_CODES:
        names = ", ".join(str(d) for d in DTYPE_CODES if d.kind in "iu")
        raise ValueError(f"token dtype must be one of {names}; got {dt}")
    return dt.newbyteorder("<")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class IndexedWriter:
    """Write one Megatron indexed dataset shard, one document per `add_document` call.

    `dtype` must be an integer dtype of the format (use `dtype_for_vocab`). Tokens are range
    checked against it: a negative id in an unsigned dtype, or any id that does not fit, raises
    ValueError and the document is not written. The .idx is written on `close()`; leaving the
    `with` block by an exception deletes the temporary files and writes nothing.
    """

    def __init__(
        self,
        prefix: str | os.PathLike[str],
        dtype: Any,
        *,
        buffer_bytes: int = 8 << 20,
        fsync: bool = True,
    ) -> None:
        self.dtype = _token_dtype(dtype)
        self._info = np.iinfo(self.dtype)
        self._typecode = _TYPECODES[self.dtype.newbyteorder("=")]
        self.bin_path, self.idx_path = _paths(prefix)
        self._bin_tmp = self.bin_path.with_name(self.bin_path.name + ".tmp")
        self._idx_tmp = self.idx_path.with_name(self.idx_path.name + ".tmp")
        self._fsync = fsync
        self._lengths = array("q")
        self._tokens = 0
        self._closed = False
        # open across add_document calls; close()/abort() close it
        self._bin = open(self._bin_tmp, "wb", buffering=max(int(buffer_bytes), 1 << 16))  # noqa: SIM115

    # -- writing ------------------------------------------------------------------------------

    def add_document(self, tokens: np.ndarray | Sequence[int]) -> None:
        """Append one document (one sequence) of token ids; the caller appends EOD."""
        if self._closed:
            raise ValueError("IndexedWriter is closed")
        buf = self._as_tokens(tokens)
        n = len(buf)
        if n > _INT32_MAX:
            raise ValueError(f"document of {n} tokens: sequence lengths are int32 in the .idx")
        if n:
            self._bin.write(buf)
        self._lengths.append(n)
        self._tokens += n

    def add_documents(self, tokens: np.ndarray, lengths: np.ndarray | Sequence[int]) -> None:
        """Append many documents at once: `tokens` laid end to end, `lengths` tokens each.

        One range check and one write for the whole block, so a shard writer fed Arrow batches
        does no Python work per document.
        """
        if self._closed:
            raise ValueError("IndexedWriter is closed")
        lens = np.asarray(lengths, dtype=np.int64)
        if lens.ndim != 1 or (lens.size and (lens.min() < 0 or lens.max() > _INT32_MAX)):
            raise ValueError("lengths must be one-dimensional, in [0, 2**31-1]")
        buf = self._as_tokens(tokens)
        total = int(lens.sum())
        if len(buf) != total:
            raise ValueError(f"lengths sum to {total} but {len(buf)} tokens were given")
        if total:
            self._bin.write(buf)
        self._lengths.extend(lens.tolist())
        self._tokens += total

    def _as_tokens(self, tokens: np.ndarray | Sequence[int]) -> np.ndarray | array[int]:
        """The document as a 1-D buffer in the shard's dtype, range checked."""
        dt = self.dtype
        if not isinstance(tokens, np.ndarray):
            # array.array converts Python ints in C, range checks them against the C type and
            # rejects floats: ~3x faster than np.asarray on a list, and no int64 detour.
            try:
                buf = array(self._typecode, tokens)
            except OverflowError as e:
                raise ValueError(f"token id does not fit {dt}: {e}") from None
            except TypeError as e:
                raise TypeError(f"token ids must be integers: {e}") from None
            if _BIG_ENDIAN:
                buf.byteswap()
            return buf
        src = tokens
        if src.ndim != 1:
            raise ValueError(f"tokens must be one-dimensional, got shape {src.shape}")
        if src.dtype.kind not in "iu":
            if src.size == 0:
                return src.astype(dt)
            raise TypeError(f"token ids must be integers, got dtype {src.dtype}")
        if src.dtype != dt:
            if src.size:
                lo, hi = int(src.min()), int(src.max())
                if lo < self._info.min or hi > self._info.max:
                    bad = lo if lo < self._info.min else hi
                    raise ValueError(
                        f"token id {bad} does not fit {dt} [{self._info.min}, {self._info.max}]"
                    )
            src = src.astype(dt)
        return np.ascontiguousarray(src)

    # -- properties ---------------------------------------------------------------------------

    @property
    def document_count(self) -> int:
        return len(self._lengths)

    @property
    def token_count(self) -> int:
        return self._tokens

    # -- finishing ----------------------------------------------------------------------------

    def close(self) -> None:
        """Write the .idx, fsync, and move both files to their final names."""
        if self._closed:
            return
        try:
            self._bin.flush()
            if self._fsync:
                os.fsync(self._bin.fileno())
            self._bin.close()
            with open(self._idx_tmp, "wb") as f:
                f.write(build_index(self._lengths, self.dtype))
                f.flush()
                if self._fsync:
                    os.fsync(f.fileno())
            # .idx is the commit marker: drop an old one before the .bin it described changes.
            self.idx_path.unlink(missing_ok=True)
            os.replace(self._bin_tmp, self.bin_path)
            os.replace(self._idx_tmp, self.idx_path)
            if self._fsync:
                _fsync_dir(self.idx_path.parent)
        except BaseException:
            self.abort()
            raise
        self._closed = True

    def abort(self) -> None:
        """Discard the shard: close and delete the temporary files, write no final file."""
        self._closed = True
        try:
            self._bin.close()
        finally:
            self._bin_tmp.unlink(missing_ok=True)
            self._idx_tmp.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def build_index(sequence_lengths: Sequence[int] | np.ndarray, dtype: Any) -> bytes:
    """The .idx bytes for one-sequence-per-document data, as megatron-core's _IndexWriter writes."""
    dt = np.dtype(dtype).newbyteorder("=")
    code = DTYPE_CODES[dt]
    lengths = np.asarray(sequence_lengths, dtype=np.int64)
    if lengths.size and (lengths.min() < 0 or lengths.max() > _INT32_MAX):
        raise ValueError("sequence lengths must lie in [0, 2**31-1]")
    n = int(lengths.size)
    pointers = np.zeros(n, dtype="<i8")
    if n > 1:
        np.cumsum(lengths[:-1] * dt.itemsize, out=pointers[1:])
    doc_idx = np.arange(n + 1, dtype="<i8")
    return b"".join(
        (
            MAGIC,
            struct.pack("<Q", VERSION),
            struct.pack("<B", code),
            struct.pack("<Q", n),
            struct.pack("<Q", n + 1),
            lengths.astype("<i4").tobytes(),
            pointers.tobytes(),
            doc_idx.tobytes(),
        )
    )


class IndexedReader:
    """Read a Megatron indexed dataset shard through numpy memmaps.

    Opening checks the .idx header and that the .idx holds the arrays it declares, raising
    IndexedFormatError otherwise; the .bin is only mapped, so a short .bin is reported by
    `verify()` (and by `__getitem__` for the sequences it cuts off), not by opening.
    """

    def __init__(self, prefix: str | os.PathLike[str]) -> None:
        self.bin_path, self.idx_path = _paths(prefix)
        idx_size = self.idx_path.stat().st_size
        self.bin_path.stat()  # FileNotFoundError now, not at first read
        if idx_size < HEADER_SIZE:
            raise IndexedFormatError(
                f"{self.idx_path}: truncated: {idx_size} bytes, the header alone is {HEADER_SIZE}"
            )
        self._idx = np.memmap(self.idx_path, dtype=np.uint8, mode="r")
        magic, version, code, n, d = _parse_header(self._idx[:HEADER_SIZE].tobytes())
        if magic != MAGIC:
            raise IndexedFormatError(f"{self.idx_path}: bad magic {magic!r}, expected {MAGIC!r}")
        if version != VERSION:
            raise IndexedFormatError(f"{self.idx_path}: unsupported version {version}, expected 1")
        if code not in CODE_DTYPES:
            raise IndexedFormatError(f"{self.idx_path}: unknown dtype code {code}")
        need = HEADER_SIZE + 12 * n + 8 * d
        if idx_size < need:
            raise IndexedFormatError(
                f"{self.idx_path}: truncated: {idx_size} bytes, the header declares "
                f"{n} sequences and {d} document indices, which need {need}"
            )
        self.dtype: np.dtype = CODE_DTYPES[code].newbyteorder("<")
        self._dtype_code = code
        self._n = n
        self._d = d
        buf = self._idx
        o = HEADER_SIZE
        self.sequence_lengths: np.ndarray = np.frombuffer(buf, dtype="<i4", count=n, offset=o)
        o += 4 * n
        self.sequence_pointers: np.ndarray = np.frombuffer(buf, dtype="<i8", count=n, offset=o)
        o += 8 * n
        self.document_indices: np.ndarray = np.frombuffer(buf, dtype="<i8", count=d, offset=o)
        self._bin_size = self.bin_path.stat().st_size
        if self._bin_size:
            self._bin: np.ndarray = np.memmap(self.bin_path, dtype=np.uint8, mode="r")
        else:  # mmap refuses empty files
            self._bin = np.empty(0, dtype=np.uint8)

    def __len__(self) -> int:
        return self._n

    @property
    def document_count(self) -> int:
        """Documents in the shard (the document-index array minus its leading 0)."""
        return max(self._d - 1, 0)

    @property
    def token_count(self) -> int:
        return int(self.sequence_lengths.sum(dtype=np.int64))

    def __getitem__(self, i: int | np.integer) -> np.ndarray:
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
            raise TypeError(f"index must be an int, got {type(i).__name__}")
        i = int(i)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(f"sequence {i} out of range for {self._n} sequences")
        length = int(self.sequence_lengths[i])
        ptr = int(self.sequence_pointers[i])
        end = ptr + length * self.dtype.itemsize
        if length < 0 or ptr < 0 or end > self._bin_size:
            raise IndexedFormatError(
                f"{self.bin_path}: sequence {i} spans bytes [{ptr}, {end}), "
                f"the file has {self._bin_size}"
            )
        return np.frombuffer(self._bin, dtype=self.dtype, count=length, offset=ptr)

    def all_tokens(self) -> np.ndarray:
        """Every token of the shard, end to end (a view of the mapped .bin)."""
        item = self.dtype.itemsize
        return np.frombuffer(self._bin, dtype=self.dtype, count=self._bin_size // item)

    def verify(self) -> list[str]:
        """Every inconsistency found between the header, the index arrays and the .bin."""
        return _verify_open(self)

    def close(self) -> None:
        """Drop the memmaps (they close once no returned array still refers to them)."""
        for name in ("sequence_lengths", "sequence_pointers", "document_indices", "_idx", "_bin"):
            self.__dict__.pop(name, None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _parse_header(head: bytes) -> tuple[bytes, int, int, int, int]:
    magic = head[:9]
    (version,) = struct.unpack_from("<Q", head, 9)
    (code,) = struct.unpack_from("<B", head, 17)
    (n,) = struct.unpack_from("<Q", head, 18)
    (d,) = struct.unpack_from("<Q", head, 26)
    return magic, version, code, n, d


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _verify_open(r: IndexedReader) -> list[str]:
    problems: list[str] = []
    idx_size = r.idx_path.stat().st_size
    bin_size = r.bin_path.stat().st_size
    magic, version, code, n, d = _parse_header(bytes(r._idx[:HEADER_SIZE]))
    if magic != MAGIC:
        problems.append(f"bad magic {magic!r}")
    if version != VERSION:
        problems.append(f"version {version}, expected 1")
    if code not in CODE_DTYPES:
        problems.append(f"unknown dtype code {code}")
    if (n, d) != (r._n, r._d):
        problems.append("header changed since the shard was opened")
    need = HEADER_SIZE + 12 * n + 8 * d
    if idx_size != need:
        extra = idx_size - need
        hint = " (sequence modes of a multimodal dataset?)" if extra == n and n else ""
        problems.append(f".idx is {idx_size} bytes, header implies {need}{hint}")
    lengths = r.sequence_lengths.astype(np.int64)
    item = r.dtype.itemsize
    if n and (lengths < 0).any():
        problems.append(f"negative sequence length at sequence {_first(lengths < 0)}")
    expect_ptr = np.zeros(n, dtype=np.int64)
    if n > 1:
        np.cumsum(lengths[:-1] * item, out=expect_ptr[1:])
    bad_ptr = r.sequence_pointers != expect_ptr
    if n and bad_ptr.any():
        k = _first(bad_ptr)
        problems.append(
            f"sequence pointer {k} is {int(r.sequence_pointers[k])}, lengths x itemsize give "
            f"{int(expect_ptr[k])} ({int(bad_ptr.sum())} pointers wrong)"
        )
    total = int(lengths.sum()) * item
    if bin_size != total:
        problems.append(f".bin is {bin_size} bytes, sequence lengths sum to {total}")
    di = r.document_indices
    if d == 0:
        problems.append("no document indices (need at least the leading 0)")
    else:
        if di[0] != 0:
            problems.append(f"document indices start at {int(di[0])}, not 0")
        if d > 1 and (np.diff(di) < 0).any():
            problems.append(f"document indices decrease at {_first(np.diff(di) < 0) + 1}")
        if di[-1] != n:
            problems.append(f"last document index is {int(di[-1])}, sequence count is {n}")
    return problems


def verify(prefix: str | os.PathLike[str]) -> list[str]:
    """`IndexedReader(prefix).verify()`, with header and file errors returned as problems."""
    try:
        reader = IndexedReader(prefix)
    except (IndexedFormatError, OSError) as e:
        return [str(e)]
    try:
        return reader.verify()
    finally:
        reader.close()
