"""Megatron indexed dataset writer/reader: byte layout, round trip, validation, atomicity."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from mdfs.shard.indexed import (
    MAGIC,
    IndexedFormatError,
    IndexedReader,
    IndexedWriter,
    build_index,
    dtype_for_vocab,
    verify,
)


def _write(prefix, docs, dtype):
    with IndexedWriter(prefix, dtype) as w:
        for d in docs:
            w.add_document(d)
    return w


def _random_docs(rng, dtype, n=200):
    hi = np.iinfo(dtype).max
    docs = [rng.integers(0, hi, size=int(rng.integers(1, 300)), endpoint=True) for _ in range(n)]
    docs[3] = []                              # empty document (a list)
    docs[7] = np.array([], dtype=np.int64)    # empty document (an array)
    docs[11] = [hi, 0, hi]                    # dtype max, from a list
    docs[12] = np.full(5, hi, dtype=dtype)    # dtype max, already in the dtype
    docs[13] = [np.int64(5), np.int64(hi)]    # numpy scalars in a list
    docs[14] = np.arange(40, dtype=np.int64)[::3]  # non-contiguous view
    docs[15] = tuple(range(10))               # any sequence of ints
    return docs


@pytest.mark.parametrize("dtype", [np.uint16, np.int32])
def test_round_trip(tmp_path, dtype):
    rng = np.random.default_rng(0)
    docs = _random_docs(rng, dtype)
    prefix = tmp_path / "shard_text_document"
    w = _write(prefix, docs, dtype)
    assert w.document_count == len(docs)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "shard_text_document.bin",
        "shard_text_document.idx",
    ]
    item = np.dtype(dtype).itemsize
    total = sum(len(d) for d in docs)
    assert w.token_count == total
    assert (tmp_path / "shard_text_document.bin").stat().st_size == total * item

    r = IndexedReader(prefix)
    assert r.verify() == []
    assert verify(str(prefix)) == []
    assert len(r) == len(docs) and r.document_count == len(docs)
    assert r.dtype == np.dtype(dtype)
    assert r.token_count == total
    np.testing.assert_array_equal(r.document_indices, np.arange(len(docs) + 1))
    np.testing.assert_array_equal(r.sequence_lengths, [len(d) for d in docs])
    for i, d in enumerate(docs):
        got = r[i]
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got, np.asarray(d, dtype=np.int64))
    np.testing.assert_array_equal(r[-1], docs[-1])
    with pytest.raises(IndexError):
        r[len(docs)]
    r.close()


def test_idx_bytes_match_hand_assembled_layout(tmp_path):
    # three documents of 3, 0 and 2 uint16 tokens; pins the layout independently of the reader
    _write(tmp_path / "t", [[1, 2, 3], [], [65535, 7]], np.uint16)
    expected = (
        b"MMIDIDX\x00\x00"
        + struct.pack("<Q", 1)             # version
        + struct.pack("<B", 8)             # dtype code: uint16
        + struct.pack("<Q", 3)             # sequence count
        + struct.pack("<Q", 4)             # document-index count (documents + 1)
        + struct.pack("<3i", 3, 0, 2)      # sequence lengths, int32
        + struct.pack("<3q", 0, 6, 6)      # sequence pointers (bytes), int64
        + struct.pack("<4q", 0, 1, 2, 3)   # document indices, int64
    )
    assert (tmp_path / "t.idx").read_bytes() == expected
    assert (tmp_path / "t.bin").read_bytes() == struct.pack("<5H", 1, 2, 3, 65535, 7)
    assert build_index([3, 0, 2], np.uint16) == expected


def test_int32_dtype_code_and_pointers(tmp_path):
    _write(tmp_path / "t", [[5], [6, 7]], np.int32)
    idx = (tmp_path / "t.idx").read_bytes()
    assert idx[17] == 4  # int32
    assert idx[34 + 8 : 34 + 8 + 16] == struct.pack("<2q", 0, 4)


def test_dtype_for_vocab_follows_megatron():
    # megatron.core.datasets.indexed_dataset.DType.optimal_dtype: uint16 iff vocab_size < 65500
    assert dtype_for_vocab(1) == np.uint16
    assert dtype_for_vocab(50257) == np.uint16   # GPT-2
    assert dtype_for_vocab(65499) == np.uint16
    assert dtype_for_vocab(65500) == np.int32
    assert dtype_for_vocab(65535) == np.int32
    assert dtype_for_vocab(65536) == np.int32
    assert dtype_for_vocab(151643) == np.int32   # Qwen2
    with pytest.raises(ValueError):
        dtype_for_vocab(0)
    with pytest.raises(TypeError):
        dtype_for_vocab(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "dtype,tokens",
    [
        (np.uint16, [65536]),
        (np.uint16, [-1]),
        (np.uint16, np.array([0, 70000], dtype=np.int64)),
        (np.uint16, np.array([-3], dtype=np.int32)),
        (np.int32, [2**31]),
        (np.int32, np.array([-(2**31) - 1], dtype=np.int64)),
        (np.int32, np.array([2**32], dtype=np.uint64)),
        (np.int32, [2**70]),
        (np.uint16, [-1, 2**63]),
        (np.int8, [128]),
        (np.uint8, np.array([256], dtype=np.int16)),
    ],
)
def test_overflow_raises(tmp_path, dtype, tokens):
    with IndexedWriter(tmp_path / "t", dtype) as w:
        w.add_document([1, 2])
        with pytest.raises(ValueError, match="does not fit"):
            w.add_document(tokens)
    r = IndexedReader(tmp_path / "t")  # the bad document was not written
    assert len(r) == 1 and r.verify() == []


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError):
        IndexedWriter(tmp_path / "f", np.float32)
    with IndexedWriter(tmp_path / "t", np.uint16) as w:
        with pytest.raises(TypeError):
            w.add_document([1.5, 2.0])
        with pytest.raises(ValueError):
            w.add_document(np.zeros((2, 2), dtype=np.uint16))
    with pytest.raises(ValueError):
        w.add_document([1])  # closed


def test_exception_inside_with_leaves_no_files(tmp_path):
    with pytest.raises(RuntimeError), IndexedWriter(tmp_path / "t", np.uint16) as w:
        w.add_document([1, 2, 3])
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_unclosed_writer_has_only_tmp_files(tmp_path):
    w = IndexedWriter(tmp_path / "t", np.uint16)
    w.add_document([1, 2, 3])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.bin.tmp"]
    w.abort()
    assert list(tmp_path.iterdir()) == []


def test_overwrite_replaces_old_shard(tmp_path):
    _write(tmp_path / "t", [[1, 2, 3]], np.uint16)
    _write(tmp_path / "t", [[4], [5, 6]], np.uint16)
    r = IndexedReader(tmp_path / "t")
    assert [r[i].tolist() for i in range(len(r))] == [[4], [5, 6]]


def test_verify_catches_truncated_bin(tmp_path):
    _write(tmp_path / "t", [[1, 2, 3], [4, 5]], np.uint16)
    b = tmp_path / "t.bin"
    b.write_bytes(b.read_bytes()[:-2])
    r = IndexedReader(tmp_path / "t")
    problems = r.verify()
    assert any(".bin is 8 bytes, sequence lengths sum to 10" in p for p in problems)
    assert r[0].tolist() == [1, 2, 3]
    with pytest.raises(IndexedFormatError):
        r[1]


def test_corrupted_magic(tmp_path):
    _write(tmp_path / "t", [[1]], np.uint16)
    p = tmp_path / "t.idx"
    p.write_bytes(b"XXIDIDX\x00\x00" + p.read_bytes()[9:])
    with pytest.raises(IndexedFormatError, match="bad magic"):
        IndexedReader(tmp_path / "t")
    assert any("bad magic" in x for x in verify(tmp_path / "t"))


def test_unknown_dtype_and_truncated_idx(tmp_path):
    _write(tmp_path / "t", [[1, 2], [3]], np.uint16)
    p = tmp_path / "t.idx"
    good = p.read_bytes()
    p.write_bytes(good[:17] + b"\x09" + good[18:])
    with pytest.raises(IndexedFormatError, match="unknown dtype code 9"):
        IndexedReader(tmp_path / "t")
    p.write_bytes(good[:-1])
    with pytest.raises(IndexedFormatError, match="truncated"):
        IndexedReader(tmp_path / "t")
    p.write_bytes(good[:20])
    with pytest.raises(IndexedFormatError, match="truncated"):
        IndexedReader(tmp_path / "t")
    p.write_bytes(good[:9] + struct.pack("<Q", 2) + good[17:])
    with pytest.raises(IndexedFormatError, match="version 2"):
        IndexedReader(tmp_path / "t")
    p.write_bytes(good + b"\x00")
    assert any(".idx is" in x for x in IndexedReader(tmp_path / "t").verify())


def test_verify_catches_inconsistent_index(tmp_path):
    _write(tmp_path / "t", [[1, 2], [3], [4]], np.uint16)
    p = tmp_path / "t.idx"
    good = bytearray(p.read_bytes())
    ptr1 = 34 + 3 * 4 + 8
    bad = bytearray(good)
    bad[ptr1 : ptr1 + 8] = struct.pack("<q", 2)  # should be 4
    p.write_bytes(bad)
    assert any("sequence pointer 1" in x for x in verify(tmp_path / "t"))
    di = 34 + 3 * 12
    bad = bytearray(good)
    bad[di + 8 : di + 16] = struct.pack("<q", 3)  # document indices 0,3,2,3: not monotone
    p.write_bytes(bad)
    assert any("decrease" in x for x in verify(tmp_path / "t"))
    bad = bytearray(good)
    bad[di + 24 : di + 32] = struct.pack("<q", 2)  # last != sequence count
    p.write_bytes(bad)
    assert any("last document index is 2" in x for x in verify(tmp_path / "t"))


def test_empty_shard(tmp_path):
    _write(tmp_path / "t", [], np.int32)
    r = IndexedReader(tmp_path / "t")
    assert len(r) == 0 and r.document_count == 0 and r.verify() == []
    assert (tmp_path / "t.idx").read_bytes()[:9] == MAGIC


def test_small_buffer_many_flushes(tmp_path):
    rng = np.random.default_rng(1)
    docs = [rng.integers(0, 65535, size=1000).astype(np.uint16) for _ in range(50)]
    with IndexedWriter(tmp_path / "t", np.uint16, buffer_bytes=1, fsync=False) as w:
        for d in docs:
            w.add_document(d)
    r = IndexedReader(tmp_path / "t")
    assert r.verify() == []
    assert all(np.array_equal(r[i], d) for i, d in enumerate(docs))
