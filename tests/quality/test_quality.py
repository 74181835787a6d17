"""Quality classifier: features, training on a slice of the shared data, the shipped model."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdfs.quality import data as qdata
from mdfs.quality.features import _tokens_char_ref, fasttext_line, tokens_char
from mdfs.quality.score import QualityModelError, load_model, resolve_model_path, score_texts

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "quality_models"

# Hand-written for these tests.
GOOD = [
    "新华社北京3月12日电 国家统计局12日发布数据显示，2月份全国居民消费价格同比上涨0.7%，其中城市上涨0.8%，"
    "农村上涨0.5%。食品价格上涨1.2%，非食品价格上涨0.6%。国家统计局城市司首席统计师表示，春节因素带动部分服务"
    "价格上涨，猪肉价格则继续回落。分析人士认为，随着节后需求逐步恢复，物价将保持温和运行。",
    "长江是亚洲第一长河，全长约6300公里，发源于青藏高原唐古拉山脉各拉丹冬峰西南侧，干流流经青海、西藏、四川、"
    "云南、重庆、湖北、湖南、江西、安徽、江苏和上海，最终注入东海。长江流域面积约180万平方公里，约占中国陆地面积"
    "的五分之一，是中国经济最发达的地区之一。",
    "本报讯 记者从市教育局获悉，今年我市将新建和改扩建中小学校十二所，新增学位一万余个，以缓解城区入学压力。"
    "新建学校将优先布局在人口增长较快的新城区，并同步配套建设体育场馆和图书馆。市教育局负责人表示，所有项目将于"
    "明年秋季学期前投入使用。",
]
JUNK = {
    "seo_keywords": "澳门新葡京 澳门新葡京官网 新葡京娱乐 百家乐 百家乐技巧 真人百家乐 网上赌场 注册送彩金 时时彩 "
    "时时彩计划 北京赛车pk10 彩票平台 六合彩 六合彩开奖结果 体育投注 足球竞猜 老虎机 手机版下载",
    "site_nav": "网站导航\n首页\n新闻中心\n产品展示\n关于我们\n联系我们\n在线留言\n友情链接\n网站地图\n设为首页\n加入收藏\n"
    "版权所有 © 2015 某某科技有限公司 备案号：粤ICP备12345678号",
    "insult": "你就是个傻逼，滚远点，脑子有病吧",
}


def _auc(y: list[int], s: list[float]) -> float:
    pos = [v for v, t in zip(s, y) if t]
    neg = [v for v, t in zip(s, y) if not t]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------


def test_features_normalise_and_tokenise(cfg):
    line = fasttext_line("１９９８年GDP增長8.5%\n\n電腦  第二行", cfg)
    # NFKC (full-width digits), digit shapes, lower-cased Latin, t2s, one <nl> per line break
    assert line.split() == ["0000", "年", "gdp", "增", "长", "0", ".", "0", "%", "<nl>", "电", "脑", "第", "二", "行"]
    assert "\n" not in line


def test_features_are_bounded_by_max_chars(cfg):
    text = "中国人民" * 1000
    toks = fasttext_line(text, cfg).split()
    assert len(toks) == cfg["quality"]["max_chars"]


def test_features_deterministic_across_processes(cfg):
    text = GOOD[0] + "\n" + JUNK["site_nav"]
    code = "from mdfs.config import load_config; from mdfs.quality.features import fasttext_line; import sys; " \
           "print(fasttext_line(sys.stdin.read(), load_config()))"
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, env=env, cwd=REPO, check=True)
        outs.add(r.stdout.strip())
    assert outs == {fasttext_line(text, cfg)}
    assert fasttext_line(text, cfg) == fasttext_line(text, cfg)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZ019 \n\t\u3000，。中文ＡＢ１２é\x85\u2028<>&_-")), max_size=60))
def test_fast_char_tokens_match_reference(text):
    assert tokens_char(text) == _tokens_char_ref(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fasttext_line_never_raises(cfg, text):
    line = fasttext_line(text, cfg)
    assert "\n" not in line and "\r" not in line


# --------------------------------------------------------------------------------------------
# Data preparation (pure parts)
# --------------------------------------------------------------------------------------------


def test_balance_equalises_every_length_bucket():
    edges = qdata.bucket_edges(512)
    ex = [qdata.Example("字" * n, lab, f"s{lab}", f"g{i}", f"d{i}") for i, (n, lab) in enumerate(
        [(5, 0)] * 30 + [(5, 1)] * 10 + [(300, 1)] * 40 + [(300, 0)] * 7 + [(70, 1)] * 3)]
    out = qdata.balance(ex, edges, seed=0)
    by = {}
    for e in out:
        b = int(np.searchsorted(edges, len(e.text), side="right")) - 1
        by.setdefault(b, [0, 0])[e.label] += 1
    assert all(a == b for a, b in by.values())
    assert sum(sum(v) for v in by.values()) == 2 * (10 + 7)
    assert qdata.balance(ex, edges, seed=0) == out  # seeded


def test_near_duplicates_share_a_split():
    base = "国家统计局今日发布数据显示二月份全国居民消费价格同比上涨零点七个百分点城市上涨农村上涨"
    ex = [qdata.Example(base, 1, "a", "g1", "d1"), qdata.Example(base + "。", 1, "b", "g2", "d2")]
    ex += [qdata.Example(f"第{i}条完全不同的文本内容用于填充分组数量{i * 7919}", i % 2, "c", f"h{i}", f"e{i}") for i in range(40)]
    merged, stats = qdata.near_duplicate_groups(ex)
    assert merged["g1"] == merged["g2"] and stats.get("near_merges", 0) + stats.get("exact_merges", 0) >= 1
    split = qdata.split_groups(ex, merged, seed=0)
    assert split[merged["g1"]] == split[merged["g2"]]


def test_cut_window_ends_at_sentence_end():
    text = "第一句话说完了。第二句话也说完了。第三句"
    w, end = qdata.cut_window(text, 0, 12)
    assert w == "第一句话说完了。" and end == 8


# --------------------------------------------------------------------------------------------
# Training on a small slice of the shared data
# --------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_training_on_a_slice_separates_held_out_documents(shared_data, cfg):
    """~330 documents (40 per source), ~8 s. The metric is the pipeline's view: held-out
    documents of >= 100 characters, scored on their prefix; windows (down to a few characters,
    length-balanced) are the harder, noisier view of a slice this small."""
    from mdfs.quality.score import probabilities
    from mdfs.quality.train import natural, train_model

    docs = qdata.load_docs(shared_data, cfg["normalize"], limit=40, seed=7)
    assert 250 <= len(docs) <= 400
    ds = qdata.build_dataset(None, cfg, docs=docs, seed=7)
    held_out = ds.docs["test"] + ds.docs["val"]
    assert not {d.group for d in ds.docs["train"]} & {d.group for d in held_out}
    model = train_model(ds.splits["train"], cfg)

    nat = natural(held_out, cfg, 100)
    y = [d.label for d in nat]
    assert sum(y) >= 20 and len(y) - sum(y) >= 10
    auc_docs = _auc(y, score_texts(model, [d.text for d in nat], cfg))
    assert auc_docs > 0.9, auc_docs

    windows = ds.splits["test"] + ds.splits["val"]
    auc_windows = _auc([e.label for e in windows], probabilities(model, [fasttext_line(e.text, cfg) for e in windows]))
    assert auc_windows > 0.8, auc_windows


# --------------------------------------------------------------------------------------------
# The shipped model
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(cfg):
    path = resolve_model_path(cfg["quality"]["model"])
    if not path.is_file():
        pytest.fail(f"shipped model missing: {path}")
    return load_model(cfg["quality"]["model"])


def test_shipped_model_separates_good_from_junk(shipped, cfg):
    good = score_texts(shipped, GOOD, cfg)
    junk = dict(zip(JUNK, score_texts(shipped, list(JUNK.values()), cfg)))
    assert all(0.0 <= x <= 1.0 for x in good + list(junk.values()))
    assert np.mean(good) > np.mean(list(junk.values())) + 0.5, (good, junk)
    assert min(good) > max(junk.values()), (good, junk)
    thr = cfg["quality"]["threshold"]
    assert all(g >= thr for g in good) and all(j < thr for j in junk.values()), (thr, good, junk)


def test_score_texts_batches(shipped, cfg):
    assert score_texts(shipped, [], cfg) == []
    calls = []

    class Spy:
        def predict(self, lines, k):
            calls.append(len(lines))
            return shipped.predict(lines, k=k)

    out = score_texts(Spy(), ["", "   ", GOOD[0], JUNK["insult"]], cfg)
    assert calls == [4] and len(out) == 4
    assert out[0] == 0.0 and out[1] == 0.0 and out[2] > out[3]


def test_load_model_is_cached(cfg, shipped):
    assert load_model(cfg["quality"]["model"]) is shipped
    assert load_model(resolve_model_path(cfg["quality"]["model"])) is shipped


def test_missing_model_raises_with_path(tmp_path):
    p = tmp_path / "nope" / "zh_quality.ftz"
    with pytest.raises(QualityModelError, match="not found") as e:
        load_model(p)
    assert str(p) in str(e.value)


@pytest.mark.parametrize("damage", ["garbage", "truncated_half", "truncated_end", "trailing"])
def test_corrupt_model_raises_with_path(tmp_path, cfg, damage):
    src = resolve_model_path(cfg["quality"]["model"]).read_bytes()
    p = tmp_path / f"{damage}.ftz"
    p.write_bytes({
        "garbage": b"this is not a fastText model" * 10,
        "truncated_half": src[: len(src) // 2],  # fastText itself loads this and segfaults in predict
        "truncated_end": src[:-100],
        "trailing": src + b"\0" * 8,
    }[damage])
    with pytest.raises(QualityModelError) as e:
        load_model(p)
    assert str(p) in str(e.value)


def test_config_matches_shipped_model(cfg):
    m = json.loads((MODELS / "metrics.json").read_text(encoding="utf-8"))
    q = cfg["quality"]
    path = resolve_model_path(q["model"])
    assert m["features"]["tokens"] == q["tokens"] and m["features"]["max_chars"] == q["max_chars"]
    assert m["threshold"]["value"] == pytest.approx(q["threshold"])
    assert m["model"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()  # metrics/card are of this model
    assert path.stat().st_size < 5 * 1024 * 1024
    assert m["test"]["windows"]["auc"] >= 0.95 and m["test"]["documents"]["auc"] >= 0.95
    card = (MODELS / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert m["model"]["sha256"][:16] in card and str(q["threshold"]) in card
