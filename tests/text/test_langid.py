"""Language id on real-looking Chinese, Japanese and English text (fastText lid.176, offline)."""

from __future__ import annotations

import pytest

from mdfs.config import load_config
from mdfs.text.cjk import cjk_ratio, count_han, kana_ratio
from mdfs.text.langid import bundled_model_path, detect, load_model

CFG = load_config()["collect"]


def lid(text: str):
    return detect(text, CFG["langid_chars"], CFG["max_kana_ratio"])


ZH = "国务院新闻办公室今天举行新闻发布会，介绍今年前三季度国民经济运行情况。\n国家统计局新闻发言人表示，经济运行总体平稳，稳中有进。"
ZH_TRAD = "行政院今日召開記者會，說明今年前三季經濟成長情形。\n主計總處發言人表示，整體經濟表現穩健，出口持續成長。"
# Kanji-heavy Japanese news prose: the case a Han-ratio rule gets wrong.
JA_KANJI = "内閣府は本日、国内総生産速報値を発表した。前期比年率換算で実質成長率は二・一％増加、個人消費と設備投資が堅調に推移した。"
JA = "東京の天気は晴れのち曇りでしょう。午後からは雨が降るかもしれませんので、傘を持って出かけてください。"
EN = "The central bank kept interest rates unchanged on Thursday, citing steady growth and easing inflation."
MIXED = (
    "人工智能（AI）技术正在改变软件开发的方式，越来越多的公司开始使用 GitHub Copilot 和 ChatGPT 等工具辅助编程。\n"
    "专家认为，深度学习模型在代码补全、错误检测和自动测试等方面已经达到实用水平，但仍需人工审核。\n"
    "Keywords: machine learning, code generation\n"
    "未来三到五年内，大语言模型将成为开发者的日常工具，企业需要为此调整培训和管理流程。"
)


def test_bundled_model_loads_once():
    assert bundled_model_path().endswith("lid.176.ftz")
    assert load_model() is load_model()


@pytest.mark.parametrize("text", [ZH, ZH_TRAD, MIXED])
def test_chinese_is_kept(text):
    r = lid(text)
    assert r.lang == "zh" and r.score >= CFG["min_lang_score"], r


@pytest.mark.parametrize("text, lang", [(JA_KANJI, "ja"), (JA, "ja"), (EN, "en")])
def test_non_chinese_is_not_zh(text, lang):
    assert lid(text).lang == lang


def test_kana_guard_overrides_model_for_kanji_heavy_japanese():
    # Few kana among many kanji: the guard alone must still call it Japanese.
    text = "本日午前、国会議事堂前で大規模集会が開催され、参加者約三千人が政府予算案反対を表明した。"
    assert kana_ratio(text) > CFG["max_kana_ratio"]
    assert lid(text).lang == "ja"


def test_empty_text():
    assert lid("   \n ").lang == "und"


def test_cjk_ratio_counts_han_over_nonspace():
    assert count_han("中文abc 𠀀") == 3
    assert cjk_ratio("中文ab") == 0.5
    assert cjk_ratio("") == 0.0
