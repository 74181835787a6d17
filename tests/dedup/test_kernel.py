"""The compiled MinHash kernel computes exactly what the numpy reference and datasketch compute."""

from __future__ import annotations

import datasketch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdfs.dedup.kernel import signatures_from_texts
from mdfs.dedup.minhash import SCHEMES, MinHasher
from mdfs.dedup.shingles import shingle_hashes_batch, shingle_hashfunc, shingles

DOCS = [
    "新华社北京三月五日电，第十四届全国人民代表大会第二次会议今天上午在人民大会堂开幕。",
    "红烧肉的做法其实并不复杂。先把五花肉切成两厘米见方的块，冷水下锅焯水。" * 40,  # > one chunk
    "", " \n\t", "，。！？", "好", "你好", "１９９８年ＡＢＣ", "abcd", "abcde", "emoji 😀😀😀 表情",
    "重复重复重复重复重复重复重复重复",
]
# Chinese, ASCII, punctuation, full-width, astral code points and whitespace, in any mix.
ALPHABET = st.sampled_from(list("中文网页数据去重的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要") +
                           list("abcXYZ019 \n\t，。！？“”、ＡＢ１😀𠀀"))


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("n", [1, 3, 5, 9])
def test_kernel_equals_numpy_reference(scheme: str, n: int):
    mh = MinHasher(num_perm=64, seed=7, scheme=scheme)
    got = signatures_from_texts(DOCS, n, mh)
    want = mh.signatures_flat(*shingle_hashes_batch(DOCS, n))
    assert got.dtype == want.dtype and got.shape == (len(DOCS), 64)
    np.testing.assert_array_equal(got, want)
    assert (got[2] == mh.empty_value).all() and (got[0] != mh.empty_value).any()


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(ALPHABET, max_size=400), max_size=12), n=st.integers(1, 7))
def test_kernel_equals_numpy_on_random_text(texts: list[str], n: int):
    mh = MinHasher(num_perm=32, seed=3, scheme="affine32")
    np.testing.assert_array_equal(signatures_from_texts(texts, n, mh), mh.signatures_flat(*shingle_hashes_batch(texts, n)))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_kernel_equals_datasketch(scheme: str):
    mh = MinHasher(num_perm=128, seed=1, scheme=scheme)
    got = signatures_from_texts(DOCS, 5, mh)
    for text, sig in zip(DOCS, got, strict=True):
        ref = datasketch.MinHash(num_perm=128, seed=1, hashfunc=shingle_hashfunc, scheme=scheme)
        for s in shingles(text):
            ref.update(s)
        np.testing.assert_array_equal(sig, ref.hashvalues)


def test_kernel_rejects_bad_n():
    with pytest.raises(ValueError):
        signatures_from_texts(["文本"], 0, MinHasher(num_perm=8))


def _py_token_signature(ids: list[int], n: int, mh: MinHasher) -> np.ndarray:
    """Reference for word shingles: the shingle polynomial over token ids, then datasketch's affine32."""
    from mdfs.dedup.shingles import _MULT, _SEED, _fmix64_int

    grams = [ids[i : i + n] for i in range(len(ids) - n + 1)] if len(ids) >= n else ([ids] if ids else [])
    hashes = []
    for g in grams:
        h = _SEED
        for t in g:
            h = (h * _MULT + t) & ((1 << 64) - 1)
        hashes.append(_fmix64_int(h) >> 32)
    return mh.signatures_flat(np.array(hashes, dtype=np.uint32), np.array([0, len(hashes)]))[0]


def test_word_shingles_match_reference_and_ignore_punctuation():
    from mdfs.dedup.kernel import signatures_from_tokens
    from mdfs.dedup.shingles import word_token_ids

    texts = [DOCS[0], DOCS[0].replace("，", " , ").replace("。", "！"), DOCS[1][:200], "", "，。"]
    ids, off = word_token_ids(texts)
    assert off[0] == 0 and off[-1] == len(ids) and off[4] == off[5] == off[3]  # empty / punctuation-only: no words
    assert (ids[off[0] : off[1]] == ids[off[1] : off[2]]).all()  # punctuation and spacing changes no word
    mh = MinHasher(num_perm=64, seed=1, scheme="affine32")
    sigs = signatures_from_tokens(ids, off, 3, mh)
    for d in range(len(texts)):
        np.testing.assert_array_equal(sigs[d], _py_token_signature(ids[off[d] : off[d + 1]].tolist(), 3, mh))
    assert (sigs[3] == mh.empty_value).all()
