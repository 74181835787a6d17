"""The per-batch dedup pieces Spark runs: signatures, band rows, pair Jaccard."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mdfs.config import load_config
from mdfs.dedup.bands import bands_from_signatures, pair_jaccard, signature_rows
from mdfs.dedup.minhash import MinHasher, band_hashes
from mdfs.dedup.shingles import shingle_hashes

D = load_config()["dedup"]
A = "国家统计局今天发布数据，去年全国粮食总产量再创历史新高，达到六亿八千万吨，比上年增长百分之二点一。"
B = A.replace("六亿八千万吨", "六亿九千万吨")
C = "专家指出，这为稳定物价、保障民生和应对各种风险挑战提供了坚实基础，也为经济发展创造了条件。"


def batch() -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([{"id": "a", "text": A}, {"id": "b", "text": B}, {"id": "c", "text": C}])


def test_signatures_and_bands_match_the_minhasher():
    sigs = signature_rows(batch(), D)
    h = MinHasher(D["num_perm"], D["seed"], D["scheme"])
    expected = h.signatures([shingle_hashes(t, D["ngram"]) for t in (A, B, C)])
    got = np.frombuffer(b"".join(sigs.column("sig").to_pylist()), dtype=expected.dtype).reshape(3, -1)
    assert np.array_equal(got, expected)
    rows = bands_from_signatures(sigs, D)
    assert rows.num_rows == 3 * D["bands"]
    bh = band_hashes(expected, D["bands"], D["rows"]).reshape(-1).view(np.int64)
    assert rows.column("h").to_pylist() == bh.tolist()
    assert rows.column("id").to_pylist()[: D["bands"]] == ["a"] * D["bands"]


def test_pair_jaccard_separates_near_and_unrelated():
    sigs = dict(zip(["a", "b", "c"], signature_rows(batch(), D).column("sig").to_pylist()))
    pairs = pa.RecordBatch.from_pylist([
        {"a": "a", "b": "b", "sig_a": sigs["a"], "sig_b": sigs["b"]},
        {"a": "a", "b": "c", "sig_a": sigs["a"], "sig_b": sigs["c"]},
        {"a": "a", "b": "a", "sig_a": sigs["a"], "sig_b": sigs["a"]},
    ])
    j = pair_jaccard(pairs, D).column("j").to_pylist()
    assert j[0] > 0.7 and j[1] < 0.2 and j[2] == 1.0


def test_word_shingle_signatures_differ_from_char_but_keep_near_duplicates_close():
    w = {**D, "tokens": "word"}
    sig_w = signature_rows(batch(), w)
    sig_c = signature_rows(batch(), D)
    assert sig_w.column("sig").to_pylist() != sig_c.column("sig").to_pylist()
    assert sig_w.column("h").to_pylist() == sig_c.column("h").to_pylist()  # sha256 of the text either way
    s = {i: np.frombuffer(b, dtype=np.uint32) for i, b in zip("abc", sig_w.column("sig").to_pylist())}
    assert (s["a"] == s["b"]).mean() > (s["a"] == s["c"]).mean()
    with pytest.raises(ValueError, match="tokens"):
        signature_rows(batch(), {**D, "tokens": "bytes"})


def test_signature_rows_carry_quality_and_sha256():
    import hashlib

    b = pa.RecordBatch.from_pylist([{"id": "a", "quality_score": 0.5, "text": A}, {"id": "b", "quality_score": None, "text": None}])
    out = signature_rows(b, D)
    assert out.column("quality_score").to_pylist() == [0.5, None]
    assert out.column("h").to_pylist() == [hashlib.sha256(A.encode()).hexdigest(), hashlib.sha256(b"").hexdigest()]
