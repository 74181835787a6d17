"""MinHash pieces against datasketch 2.0: bit-identical signatures, same LSH parameters."""

from __future__ import annotations

import datasketch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdfs.dedup.minhash import SCHEMES, MinHasher, band_hashes, jaccard_estimate, optimal_bands
from mdfs.dedup.shingles import (
    normalize_for_shingles,
    shingle_hashes,
    shingle_hashes_batch,
    shingle_hashfunc,
    shingles,
)

NEWS = (
    "新华社北京三月五日电，第十四届全国人民代表大会第二次会议今天上午在人民大会堂开幕。"
    "国务院总理作政府工作报告时说，今年发展主要预期目标是：国内生产总值增长百分之五左右；"
    "城镇新增就业一千二百万人以上，城镇调查失业率百分之五点五左右；居民消费价格涨幅百分之三左右；"
    "居民收入增长和经济增长同步；国际收支保持基本平衡；粮食产量一万三千亿斤以上；"
    "单位国内生产总值能耗降低百分之二点五左右，生态环境质量持续改善。报告指出，"
    "实现今年的预期目标并不容易，需要政策聚焦发力、工作加倍努力、各方面共同奋斗。"
)
RECIPE = (
    "红烧肉的做法其实并不复杂。先把五花肉切成两厘米见方的块，冷水下锅焯水，撇去浮沫后捞出沥干。"
    "锅里放少许油，小火把冰糖慢慢炒化，炒到枣红色时下入肉块翻炒上色，再加入葱段、姜片、八角和桂皮，"
    "倒入料酒和生抽，加开水没过肉块，大火烧开后转小火炖一个小时左右，最后大火收汁即可。"
    "这样做出来的红烧肉肥而不腻，入口即化，配米饭特别香。"
)
TECH = (
    "在分布式系统中，数据去重通常分为精确去重和近似去重两类。精确去重依赖文档的哈希值，"
    "只能发现完全相同的副本；近似去重则借助最小哈希和局部敏感哈希，能够找到只改动了少量字词的转载页面。"
    "对于中文网页，按字切分的五元组比分词更快，也不受分词错误的影响。"
)
SHORT = ["", "  \n\t", "，。！？", "好", "你好", "１９９８年", "ABCD"]
TEXTS = [NEWS, RECIPE, TECH, NEWS + RECIPE, *SHORT]


def _datasketch_sig(text: str, scheme: str, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    m = datasketch.MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hashfunc, scheme=scheme)
    for s in shingles(text):
        m.update(s)
    return m.hashvalues


def _true_jaccard(a: str, b: str) -> float:
    sa, sb = set(shingles(a)), set(shingles(b))
    return len(sa & sb) / len(sa | sb)


def _edit(text: str, positions: list[int]) -> str:
    chars = list(text)
    for i, p in enumerate(positions):
        chars[p] = "改变替换"[i % 4]
    return "".join(chars)


# ---------------------------------------------------------------- shingles


def test_normalisation_drops_space_punct_and_folds_width_case():
    assert normalize_for_shingles("１９９８年，ＡＢＣ abc\n“你好”！") == "1998年abcabc你好"
    a = "中共中央总书记、国家主席江泽民发表新年讲话。"
    b = "中共中央总书记 国家主席江泽民\n发表新年讲话!"
    assert shingle_hashes(a).tolist() == shingle_hashes(b).tolist()


def test_short_and_empty_documents():
    assert shingles("好") == ["好"] and shingles("你好！") == ["你好"]
    assert shingles("") == [] and shingles(" ，。\n") == []
    assert shingle_hashes("").size == 0
    assert shingle_hashes("你好").tolist() == [shingle_hashfunc("你好")]
    # Same characters, different lengths: different hashes.
    assert shingle_hashfunc("一") != shingle_hashfunc("一一")


@pytest.mark.parametrize("text", TEXTS)
def test_vectorised_hash_equals_hashfunc(text):
    expected = sorted({shingle_hashfunc(s) for s in shingles(text)})
    assert shingle_hashes(text).tolist() == expected


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=6), st.integers(1, 7))
def test_batch_hashes_equal_hashfunc_any_unicode(texts, n):
    hashes, offsets = shingle_hashes_batch(texts, n=n)
    assert len(offsets) == len(texts) + 1 and offsets[0] == 0 and offsets[-1] == len(hashes)
    for d, t in enumerate(texts):
        expected = sorted({shingle_hashfunc(s) for s in shingles(t, n)})
        assert hashes[offsets[d] : offsets[d + 1]].tolist() == expected


# ---------------------------------------------------------------- signatures


@pytest.mark.parametrize("scheme", SCHEMES)
def test_signatures_bit_identical_to_datasketch(scheme):
    mh = MinHasher(128, seed=1, scheme=scheme, block=97)  # small blocks: documents straddle them
    ref = datasketch.MinHash(128, seed=1, scheme=scheme)
    assert np.array_equal(mh.permutations, ref.permutations)
    sigs = mh.signatures([shingle_hashes(t) for t in TEXTS])
    assert sigs.dtype == ref.hashvalues.dtype and sigs.shape == (len(TEXTS), 128)
    for t, sig in zip(TEXTS, sigs):
        assert np.array_equal(sig, _datasketch_sig(t, scheme)), t[:20]
        assert np.array_equal(mh.signature(shingle_hashes(t)), sig)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_empty_document_is_datasketch_empty(scheme):
    sig = MinHasher(64, seed=7, scheme=scheme).signature(shingle_hashes(" ，。"))
    assert np.array_equal(sig, datasketch.MinHash(64, seed=7, scheme=scheme).hashvalues)


_ALPHABET = st.one_of(
    st.characters(),
    st.sampled_from(list("中文的一是了在人有我他这个们 \n\t，。、“”！？１２ＡＢabAB…")),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(_ALPHABET, max_size=40), min_size=1, max_size=5), st.integers(1, 50))
def test_signatures_match_datasketch_any_unicode(texts, block):
    mh = MinHasher(32, seed=3, scheme="affine32", block=block)
    hashes, offsets = shingle_hashes_batch(texts)
    sigs = mh.signatures_flat(hashes, offsets)
    for t, sig in zip(texts, sigs):
        assert np.array_equal(sig, _datasketch_sig(t, "affine32", 32, 3))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.text(_ALPHABET, max_size=25), min_size=1, max_size=3))
def test_legacy_and_affine64_match_datasketch_any_unicode(texts):
    for scheme in ("legacy", "affine64"):
        sigs = MinHasher(16, seed=5, scheme=scheme, block=11).signatures([shingle_hashes(t) for t in texts])
        for t, sig in zip(texts, sigs):
            assert np.array_equal(sig, _datasketch_sig(t, scheme, 16, 5))


def test_jaccard_estimates_near_true_values():
    mh = MinHasher(128)
    near = _edit(NEWS, [10, 90, 170])
    cases = [(NEWS, near), (RECIPE, _edit(RECIPE, [40, 120])), (NEWS, RECIPE), (NEWS, TECH), (NEWS, NEWS)]
    for a, b in cases:
        sa, sb = mh.signatures([shingle_hashes(a), shingle_hashes(b)])
        est, true = jaccard_estimate(sa, sb), _true_jaccard(a, b)
        assert abs(est - true) <= 0.1, (a[:10], b[:10], est, true)
    sa, sb = mh.signatures([shingle_hashes(NEWS), shingle_hashes(near)])
    assert jaccard_estimate(sa, sb) >= 0.75
    sa, sb = mh.signatures([shingle_hashes(NEWS), shingle_hashes(RECIPE)])
    assert jaccard_estimate(sa, sb) <= 0.1
    m1 = datasketch.MinHash(128, hashfunc=shingle_hashfunc, hashvalues=sa, scheme="affine32")
    m2 = datasketch.MinHash(128, hashfunc=shingle_hashfunc, hashvalues=sb, scheme="affine32")
    assert jaccard_estimate(sa, sb) == m1.jaccard(m2)
    rows = jaccard_estimate(np.stack([sa, sa]), np.stack([sa, sb]))
    assert rows.tolist() == [1.0, jaccard_estimate(sa, sb)]


# ---------------------------------------------------------------- LSH


@pytest.mark.parametrize("threshold,num_perm", [(0.8, 128), (0.7, 256)])
def test_optimal_bands_equal_datasketch(threshold, num_perm):
    lsh = datasketch.MinHashLSH(threshold=threshold, num_perm=num_perm)
    assert optimal_bands(threshold, num_perm) == (lsh.b, lsh.r)
    assert optimal_bands(0.8, 128) == (9, 13)


def test_band_hashes_equal_iff_band_rows_equal():
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, size=(500, 128), dtype=np.uint64).astype(np.uint32)
    sigs[1] = sigs[0]
    sigs[2] = sigs[0]
    sigs[2, 2 * 13 + 5] ^= 1  # one entry of band 2 differs
    bh = band_hashes(sigs, 9, 13)
    assert bh.shape == (500, 9) and bh.dtype == np.uint64
    assert np.array_equal(bh[0], bh[1])
    assert (bh[0] == bh[2]).tolist() == [i != 2 for i in range(9)]
    assert len(np.unique(bh[2:])) == bh[2:].size  # random rows: no collisions, even across bands
    # Columns past bands * rows are ignored; uint32 and uint64 signatures hash alike.
    changed = sigs.copy()
    changed[:, 9 * 13 :] = 0
    assert np.array_equal(band_hashes(changed, 9, 13), bh)
    assert np.array_equal(band_hashes(sigs.astype(np.uint64), 9, 13), bh)
    with pytest.raises(ValueError):
        band_hashes(sigs, 10, 13)
