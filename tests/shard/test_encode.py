"""The shard stage's batch functions without Spark: encode a batch, write it into shards, read back."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from mdfs.sample.corpus import load_articles
from mdfs.shard.encode import ENCODED_SCHEMA, encode_batch, shard_prefix, write_shards
from mdfs.shard.indexed import IndexedReader, IndexedWriter
from mdfs.tokenize import decode_document, token_id, train_tokenizer


@pytest.fixture(scope="module")
def tok():
    texts = [a.text for a in load_articles()[:300]]
    return train_tokenizer(texts, 1500)


def _docs(n: int, skip: int = 400) -> list[str]:
    return [a.text for a in load_articles()[skip : skip + n]] + ["", "ok 好", "a\n\n  b\t😀𠀀"]


def _encoded(tok, texts, dtype=np.uint16):
    n = len(texts)
    batch = pa.RecordBatch.from_pydict(
        {
            "id": [f"d{i:03d}" for i in range(n)],
            "split": ["train"] * n,
            "key": list(range(n)),
            "n_chars": [len(t) for t in texts],
            "text": texts,
        }
    )
    return encode_batch(batch, tok, token_id(tok, "<|eos|>"), np.dtype(dtype))


def test_encode_batch_matches_the_tokenizer_document_by_document(tok):
    texts = _docs(40)
    out = _encoded(tok, texts)
    assert out.schema == ENCODED_SCHEMA
    eos = token_id(tok, "<|eos|>")
    for t, blob, n in zip(texts, out.column("tokens").to_pylist(), out.column("n_tokens").to_pylist()):
        ids = np.frombuffer(blob, dtype="<u2")
        assert len(ids) == n and ids[-1] == eos
        assert ids[:-1].tolist() == tok.encode(t, add_special_tokens=False).ids
        assert decode_document(tok, ids[:-1].tolist()) == t


def test_write_shards_splits_runs_into_shards_and_reads_back(tok, tmp_path):
    texts = _docs(60)
    enc = _encoded(tok, texts)
    n = enc.num_rows
    shard = [0] * 25 + [1] * (n - 25)
    b = enc.append_column("shard", pa.array(shard, pa.int32()))
    # two Arrow batches, the second starting in the middle of shard 1: one writer per shard anyway
    placed = pa.Table.from_batches(list(write_shards(iter([b.slice(0, 40), b.slice(40)]), str(tmp_path), np.uint16)))
    assert placed.column("index").to_pylist() == list(range(25)) + list(range(n - 25))
    for s, count in ((0, 25), (1, n - 25)):
        meta = json.loads((tmp_path / (shard_prefix("train", s) + ".json")).read_text())
        assert meta["documents"] == count
        with IndexedReader(tmp_path / shard_prefix("train", s)) as r:
            assert len(r) == count and r.token_count == meta["tokens"]
            first = 0 if s == 0 else 25
            for i in range(count):
                assert decode_document(tok, r[i][:-1].tolist()) == texts[first + i]
    assert not list(tmp_path.rglob("*.tmp"))


def test_write_shards_leaves_nothing_when_a_batch_fails(tok, tmp_path):
    enc = _encoded(tok, _docs(5))
    b = enc.append_column("shard", pa.array([0] * enc.num_rows, pa.int32()))

    def batches():
        yield b
        raise RuntimeError("executor lost")

    with pytest.raises(RuntimeError):
        list(write_shards(batches(), str(tmp_path), np.uint16))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_encode_refuses_ids_outside_the_dtype(tok):
    with pytest.raises(ValueError, match="does not fit"):
        _encoded(tok, ["今天天气很好"], dtype=np.uint8)


def test_add_documents_equals_add_document(tmp_path):
    rng = np.random.default_rng(0)
    docs = [rng.integers(0, 60000, size=int(rng.integers(0, 50))) for _ in range(30)]
    with IndexedWriter(tmp_path / "one", np.uint16) as w:
        for d in docs:
            w.add_document(d)
    with IndexedWriter(tmp_path / "many", np.uint16) as w:
        w.add_documents(np.concatenate(docs), [len(d) for d in docs])
    for ext in ("bin", "idx"):
        assert (tmp_path / f"one.{ext}").read_bytes() == (tmp_path / f"many.{ext}").read_bytes()
    with IndexedWriter(tmp_path / "bad", np.uint16) as w, pytest.raises(ValueError, match="sum"):
        w.add_documents(np.arange(5), [2, 2])
