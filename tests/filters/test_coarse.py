"""Coarse rules: real Chinese examples for every rule, feature values computed by hand, and
property tests that the numpy feature code matches a brute-force reference and never raises."""

from __future__ import annotations

import copy
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdfs.config import load_config
from mdfs.filters import coarse
from mdfs.filters.coarse import (
    DUP_NGRAM_NS,
    RULES,
    TOP_NGRAM_NS,
    check,
    check_batch,
    check_features,
    features,
    features_batch,
)


@pytest.fixture(scope="module")
def ccfg() -> dict:
    return load_config()["coarse"]


# A normal news article (a title, a dateline paragraph, body paragraphs).
NEWS = """我国科学家在量子通信领域取得新突破
新华社合肥3月5日电（记者张华）记者从中国科学技术大学获悉，该校研究团队近日在城市光纤网络中实现了长达百公里的量子密钥分发，相关成果发表在国际学术期刊上。
研究人员介绍，量子密钥分发利用光子的量子特性传递密钥，任何窃听行为都会留下痕迹，因此被认为是保障信息安全的重要手段。此前，受光纤损耗和探测器噪声影响，这一技术在城市网络中的传输距离一直难以提高。
为解决这一难题，团队自主研制了低噪声单光子探测器，并设计了新的误差校正方案，使系统在复杂环境下仍能稳定运行。实验期间，系统连续工作超过两周，平均成码率达到每秒数千比特。
专家表示，这项工作为量子保密通信网络的规模化应用奠定了基础。下一步，团队将与相关企业合作，推动成果在政务、金融等领域落地。"""

# A short brief: a title line and a date/source line, both short and without punctuation, then one
# paragraph. FineWeb-2's line rules trip on exactly this shape; ours must not.
BRIEF = """北京迎来今冬首场降雪
2024年1月10日 来源：北京日报
本报讯 昨天傍晚，北京城区迎来今冬首场降雪。市气象台提醒，降雪将持续到今天上午，道路湿滑，市民出行请注意安全，尽量选择公共交通工具。"""

# A keyword-stuffed SEO page: one brand phrase in every line, no line repeated exactly.
SEO = """澳门赌场官网首页，澳门赌场在线注册，澳门赌场手机版下载
澳门赌场真人娱乐，澳门赌场网址大全，澳门赌场最新优惠
澳门赌场开户送彩金，澳门赌场充值秒到账，澳门赌场信誉第一
为什么选择澳门赌场？澳门赌场提供全天候服务，澳门赌场值得信赖
澳门赌场官方客服，澳门赌场代理加盟，澳门赌场app免费下载"""

# A shop page made of the same lines over and over.
REPEATED = "\n".join(
    ["本店所有商品均为正品行货，支持七天无理由退换货，欢迎新老顾客选购。"] * 8
    + ["联系电话请见店铺首页，营业时间为每天上午九点到晚上十点。", "今日特价商品数量有限，先到先得，售完即止。"]
)

# A price table: each line a month and an amount.
DIGITS = "\n".join(
    f"{m}月销售额{n}元"
    for m, n in zip(
        "一二三四五六七八九十",
        (1234567, 2345678, 3456789, 4567890, 5678901, 6789012, 7890123, 8901234, 9012345, 1357913),
    )
)

# Emoji and star spam around a little text.
SYMBOLS = "★★★★★全网最低价★★★★★\n☆☆☆限时抢购☆☆☆\n❤❤❤好评如潮❤❤❤\n★★★★★正品保证★★★★★\n☎☎☎订购热线☎☎☎\n✔✔✔包邮到家✔✔✔\n★★★★★欢迎选购★★★★★"

# A navigation-only page (what a portal's main text is when extraction finds no article).
NAV = """首页 | 新闻 | 体育 | 娱乐 | 财经 | 科技
首页 > 新闻中心 > 国内新闻
上一篇：关于举办春季运动会的通知
下一篇：学校召开新学期工作会议
相关阅读
热门推荐
联系我们
关于我们
网站地图
版权所有：某某市第一中学
国内新闻 更多>>
国际新闻 更多>>"""

# UTF-8 read as GBK and written back: the classic 锟斤拷.
MOJIBAKE = "锟斤拷锟斤拷锟斤拷锟斤拷\n" + NEWS.split("\n")[1]

# A mostly English page with a Chinese title.
ENGLISH = """产品介绍
This product is designed for professional users who need reliable performance in demanding
environments. It supports all major operating systems and comes with a two-year warranty.
Please read the user manual carefully before installation and contact our support team if you
have any questions about configuration, maintenance or compatibility with other devices."""


# ---------------------------------------------------------------------------------------------
# Whole documents


def test_news_article_passes_every_rule(ccfg):
    f = features(NEWS)
    assert [r.__name__ for r in RULES if r(f, ccfg)] == []
    assert check(NEWS, ccfg) is None


def test_short_brief_with_title_and_date_lines_passes(ccfg):
    f = features(BRIEF)
    assert f.n_lines == 3 and min(f.line_lengths) < 20
    for rule in (coarse.rule_mean_line_length, coarse.rule_dup_line_frac, coarse.rule_nav_lines):
        assert rule(f, ccfg) is None
    assert check(BRIEF, ccfg) is None


@pytest.mark.parametrize(
    "text, reason",
    [
        (SEO, "coarse.top_ngram_frac"),
        (REPEATED, "coarse.dup_line_frac"),
        (DIGITS, "coarse.digit_ratio"),
        (SYMBOLS, "coarse.symbol_ratio"),
        (NAV, "coarse.nav_lines"),
        (MOJIBAKE, "coarse.mojibake"),
        (ENGLISH, "coarse.cjk_ratio"),
        ("今天天气很好，我们去公园散步。", "coarse.too_short"),
    ],
    ids=["seo", "repeated_lines", "digit_table", "symbols", "navigation", "mojibake", "english", "short"],
)
def test_bad_pages_fail_the_expected_rule(ccfg, text, reason):
    failed = check(text, ccfg)
    assert failed is not None and failed[0] == reason, failed


def test_each_rule_has_a_negative_example(ccfg):
    """Every rule passes the news article, so each failure above is that rule's own doing."""
    f = features(NEWS)
    for rule in RULES:
        assert rule(f, ccfg) is None, rule.__name__


def test_details_name_the_measured_value(ccfg):
    assert check("短" * 10, ccfg) == ("coarse.too_short", "10")
    reason, detail = check(SEO, ccfg)
    n, value = detail.split(":")
    assert int(n) in TOP_NGRAM_NS and float(value) > 0.25


def test_too_long_and_dup_paragraphs(ccfg):
    cfg = dict(ccfg, max_chars=200)
    assert check(NEWS, cfg)[0] == "coarse.too_long"
    assert check_features(features(NEWS), cfg) == check(NEWS, cfg)  # the shortcut agrees
    assert check_batch([NEWS, BRIEF], cfg) == [check(NEWS, cfg), None]
    # Whitespace does not count: padding a short text past max_chars does not make it too long.
    assert check(BRIEF + " " * 500, cfg) is None
    para = NEWS.split("\n")[1]
    doc = "\n\n".join([para, para, para, NEWS.split("\n")[2]])
    f = features(doc)
    assert f.dup_para_frac == pytest.approx(2 / 4)
    assert coarse.rule_dup_para_frac(f, ccfg)[0] == "coarse.dup_para_frac"


def test_mean_line_length_rejects_a_menu_but_not_a_poem(ccfg):
    words = "新闻 体育 娱乐 财经 科技 汽车 房产 教育 旅游 健康 时尚 游戏 动漫 军事 历史 文化 读书 美食 育儿 星座"
    words += " 视频 图片 博客 论坛 彩票 股票 基金 理财 手机 数码 家居 女性 情感 公益 招聘 天气 地图 音乐 电影 小说"
    menu = "\n".join(words.split())  # 40 two-character items, one a line
    assert check(menu, ccfg)[0] == "coarse.mean_line_length"
    poem = "春天来了\n小草绿了\n桃花红了\n燕子飞回来了\n孩子们在田野里奔跑\n风筝飞上了蓝天\n" * 2
    poem += "我们一起唱歌\n我们一起跳舞\n春天是希望的季节\n春天是播种的季节\n"
    assert coarse.rule_mean_line_length(features(poem), ccfg) is None


def test_wrong_number_of_ngram_limits_is_an_error(ccfg):
    cfg = copy.deepcopy(dict(ccfg))
    cfg["max_top_ngram_frac"] = [0.2, 0.2]
    with pytest.raises(ValueError, match="max_top_ngram_frac"):
        check(NEWS, cfg)


def test_every_config_key_is_used(ccfg):
    """Each [coarse] key drives a rule: changing it to an extreme flips the news article."""
    extreme = {
        "min_chars": 10**6, "max_chars": 1, "max_mojibake_ratio": -1.0, "min_cjk_ratio": 1.1,
        "max_latin_ratio": -1.0, "max_digit_ratio": -1.0, "max_symbol_ratio": -1.0, "max_punct_ratio": -1.0,
        "min_mean_line_length": 10**6, "max_dup_line_frac": -1.0, "max_dup_line_char_frac": -1.0,
        "max_dup_para_frac": -1.0, "max_dup_para_char_frac": -1.0, "max_nav_line_frac": -1.0,
        "max_top_ngram_frac": [-1.0] * 3, "max_dup_ngram_frac": [-1.0] * 6,
    }
    # trim_spam_edges is applied by the stage (mdfs/stages/coarse.py), tested in tests/stages/test_coarse_stage.py
    assert set(extreme) == set(ccfg) - {"trim_spam_edges"}
    f = features(NEWS)
    for key, value in extreme.items():
        assert check_features(f, dict(ccfg, **{key: value})) is not None, key


def test_check_batch_matches_check(ccfg):
    texts = [NEWS, BRIEF, SEO, REPEATED, DIGITS, SYMBOLS, NAV, MOJIBAKE, ENGLISH, "", "短"]
    assert check_batch(texts, ccfg) == [check(t, ccfg) for t in texts]


# ---------------------------------------------------------------------------------------------
# Feature values on inputs small enough to count by hand


def test_dup_and_top_ngrams_by_hand():
    f = features("ABCDEABCDE")
    # 5-grams ABCDE BCDEA CDEAB DEABC EABCD ABCDE: the second ABCDE (5 of 10 chars) repeats.
    assert f.dup_ngram_frac == {5: 0.5, 6: 0.0, 7: 0.0, 8: 0.0, 9: 0.0, 10: 0.0}
    # AB, ABC, ABCD each occur twice: 2 x n characters of 10.
    assert f.top_ngram_frac == {2: 0.4, 3: 0.6, 4: 0.8}
    # Chinese, with punctuation and spaces ignored: the same numbers.
    g = features("甲乙丙丁戊， 甲乙丙丁戊。")
    assert g.dup_ngram_frac == f.dup_ngram_frac and g.top_ngram_frac == f.top_ngram_frac
    # A run: every 5..9-gram after the first covers positions 1..9 (datatrove's skip would say 0.5).
    h = features("哈" * 10)
    assert [h.dup_ngram_frac[n] for n in DUP_NGRAM_NS] == [0.9, 0.9, 0.9, 0.9, 0.9, 0.0]
    # Overlapping repeats of a 6-gram: ABCDEF twice = 6 of 12 for n = 5 and 6.
    k = features("ABCDEFABCDEF")
    assert (k.dup_ngram_frac[5], k.dup_ngram_frac[6], k.dup_ngram_frac[7]) == (0.5, 0.5, 0.0)
    # Nothing repeats: all zero; an n-gram seen once is not a "top" n-gram.
    z = features("春眠不觉晓处处闻啼鸟")
    assert set(z.dup_ngram_frac.values()) == {0.0} and set(z.top_ngram_frac.values()) == {0.0}


def test_ngrams_never_span_documents():
    a, b = features_batch(["ABCDE", "ABCDE"])
    assert a == b == features("ABCDE")
    assert a.dup_ngram_frac[5] == 0.0


def test_line_and_class_features_by_hand():
    f = features("中文abc123，！\n\n中文abc123，！\n新的一行")
    assert f.n_chars == 24 and f.n_lines == 3
    assert f.line_lengths == [10, 10, 4]
    assert f.mean_line_length == 8.0
    assert f.dup_line_frac == pytest.approx(1 / 3)
    assert f.dup_line_char_frac == pytest.approx(10 / 24)
    assert f.han_ratio == pytest.approx(8 / 24)
    assert f.latin_ratio == pytest.approx(6 / 24)
    assert f.digit_ratio == pytest.approx(6 / 24)
    assert f.punct_ratio == pytest.approx(4 / 24)
    assert f.symbol_ratio == 0.0 and f.mojibake_ratio == 0.0


def test_mojibake_markers():
    assert features("锟斤拷").mojibake_ratio == 1.0
    assert features("正常\ufffd文本").replacement_ratio == pytest.approx(1 / 5)
    # "，" in UTF-8 read as cp1252, before and after NFKC (¼ -> 1⁄4).
    assert features("标点ï¼Œ乱码").mojibake_ratio == pytest.approx(3 / 7)
    assert features("标点ï1⁄4Œ乱码").mojibake_ratio == pytest.approx(4 / 9)
    assert features("cafÃ©").mojibake_ratio == pytest.approx(2 / 5)  # UTF-8 é read as Latin-1
    assert features("控制\x08字符").mojibake_ratio == pytest.approx(1 / 5)
    # Latin-1 characters that Chinese text uses on their own are not mojibake.
    assert features("马克·吐温 3×4 零下5°C 约±2").mojibake_ratio == 0.0


@pytest.mark.parametrize(
    "line, nav",
    [
        ("首页 | 新闻 | 体育", True),
        ("首页 > 新闻中心 > 国内新闻", True),
        ("上一篇：关于举办春季运动会的通知", True),
        ("国内新闻 更多>>", True),
        ("[详细]", True),
        ("某帖标题 作者 3 小时前", True),
        ("主题: 144, 帖数: 1136", True),
        ("各项工作全面展开", False),  # a headline, not a "展开" link
        ("2024年1月10日 来源：北京日报", False),
        ("新华社北京1月1日电", False),
        ("上证指数1194·101200·951250·01", False),  # "·" is People's Daily's decimal point
        ("他说：“我们明天再来。”", False),
    ],
)
def test_navigation_lines(line, nav):
    assert features(line).nav_line_frac == (1.0 if nav else 0.0)


# ---------------------------------------------------------------------------------------------
# Properties


def _reference_ngrams(text: str) -> tuple[dict[int, float], dict[int, float]]:
    """Brute force over Python strings: the definitions, without hashing or batching."""
    cls, _ = coarse._tables()
    s = "".join(ch for ch in text if cls[ord(ch)] not in (coarse.SPACE, coarse.PUNCT))
    top, dup = {}, {}
    for n in TOP_NGRAM_NS:
        counts = Counter(s[i : i + n] for i in range(len(s) - n + 1))
        best = max(counts.values(), default=0)
        top[n] = min(1.0, best * n / len(s)) if best > 1 else 0.0
    for n in DUP_NGRAM_NS:
        seen: set[str] = set()
        covered: set[int] = set()
        for i in range(len(s) - n + 1):
            g = s[i : i + n]
            if g in seen:
                covered.update(range(i, i + n))
            seen.add(g)
        dup[n] = len(covered) / len(s) if s else 0.0
    return top, dup


_small = st.text(alphabet="甲乙丙AB 1，\n", max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.lists(_small, max_size=6))
def test_ngram_features_match_brute_force(texts):
    for text, f in zip(texts, features_batch(texts)):
        top, dup = _reference_ngrams(text)
        assert all(math.isclose(top[n], f.top_ngram_frac[n]) for n in TOP_NGRAM_NS), (text, top, f.top_ngram_frac)
        assert all(math.isclose(dup[n], f.dup_ngram_frac[n]) for n in DUP_NGRAM_NS), (text, dup, f.dup_ngram_frac)


def test_many_repeats_take_the_numpy_path():
    """Over _PY_CANDIDATES repeated positions the n > 5 rounds run in numpy: same definition."""
    text = "".join(f"第{i % 7}条规定甲乙丙丁戊己庚辛{i % 3}" for i in range(60))
    top, dup = _reference_ngrams(text)
    f = features(text)
    assert all(math.isclose(dup[n], f.dup_ngram_frac[n]) for n in DUP_NGRAM_NS)
    assert all(math.isclose(top[n], f.top_ngram_frac[n]) for n in TOP_NGRAM_NS)


_any_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=300)


@settings(max_examples=300, deadline=None)
@given(st.lists(_any_text, max_size=5))
def test_features_and_check_never_raise(texts):
    cfg = load_config()["coarse"]
    batch = features_batch(texts)
    assert batch == [features(t) for t in texts]
    for t, f in zip(texts, batch):
        assert 0.0 <= f.han_ratio <= 1.0 and 0.0 <= f.mojibake_ratio <= 1.0
        assert all(0.0 <= v <= 1.0 for v in (*f.top_ngram_frac.values(), *f.dup_ngram_frac.values()))
        result = check(t, cfg)
        assert result is None or (result[0].startswith("coarse.") and isinstance(result[1], str))
