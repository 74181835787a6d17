"""Normalisers: real Chinese examples per rule, and properties (never raise, idempotent)."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdfs.config import load_config
from mdfs.text.normalize import (
    PROTECTED,
    collapse_punct,
    nfkc_zh,
    normalize,
    normalize_whitespace,
    repair_pinyin,
    strip_entities_zw,
    to_simplified,
)

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("MDFS_SHARED_DATA", REPO.parent / "shared" / "data"))
CFG = load_config()["normalize"]


# ---------------------------------------------------------------------------- NFKC


def test_nfkc_keeps_chinese_punctuation_and_folds_full_width_alphanumerics() -> None:
    text = "１９９８年１２月３１日，江泽民发表新年讲话（附图片１张）！ＧＤＰ增长８％？是的：很好；……"
    assert nfkc_zh(text) == "1998年12月31日，江泽民发表新年讲话（附图片1张）！GDP增长8%？是的：很好；……"


def test_plain_nfkc_would_mix_widths_which_is_why_we_protect() -> None:
    # The measurement behind the decision, on one sentence: NFKC turns ，！？：；（） and … into
    # ASCII but leaves 。、“” alone.
    s = "他说：“你好，世界！”（完）……。、"
    plain = unicodedata.normalize("NFKC", s)
    assert plain == "他说:“你好,世界!”(完)......。、"
    assert nfkc_zh(s) == s


def test_nfkc_protected_characters() -> None:
    assert nfkc_zh("①经济②政治，面积120㎡，体积3m³") == "①经济②政治，面积120㎡，体积3m³"
    assert set("，！？：；（）…") <= set(PROTECTED)


def test_nfkc_half_width_punctuation_after_han_becomes_full_width() -> None:
    assert nfkc_zh("他说:今天下雨,我们不去了!对吗?好;") == "他说：今天下雨，我们不去了！对吗？好；"
    assert nfkc_zh("国内生产总值(GDP)增长") == "国内生产总值（GDP）增长"
    assert nfkc_zh("见附件(第3页)") == "见附件（第3页）"


def test_nfkc_leaves_ascii_contexts_alone() -> None:
    for s in ["会议10:30开始", "函数f(x)的值", "Hello, world! How are you?", "比分3:1", "print(a)"]:
        assert nfkc_zh(s) == s


def test_nfkc_compatibility_ideographs_and_kangxi_radicals() -> None:
    # U+F9D1 (compatibility 六) and U+2F00 (Kangxi radical one) come from PDF/OCR text
    assert nfkc_zh("\uf9d1月\u2f00日") == "六月一日"


def test_nfkc_matches_reference_split_implementation() -> None:
    from mdfs.text.normalize import _nfkc_core

    s = "ｶﾞｷﾞ，e\u0301１２３…ﬁ㈱\u3000Ａ（Ｂ）"
    ref = "".join(
        p if p and p in PROTECTED else unicodedata.normalize("NFKC", p)
        for p in re.split("([" + re.escape(PROTECTED) + "])", s)
    )
    assert _nfkc_core(s)[0] == ref == "ガギ，é123…fi(株) A（B）"
    assert nfkc_zh(s) == "ガギ，é123…fi（株） A（B）"  # then (株) after Han text: full-width


# ---------------------------------------------------------------------------- t2s


def test_t2s_converts_traditional_and_counts() -> None:
    out, n = to_simplified("臺灣電子技術應用發展迅速，經濟學家認為這是關鍵。")
    assert out == "台湾电子技术应用发展迅速，经济学家认为这是关键。"
    assert n == 14


def test_t2s_keeps_valid_simplified_characters_in_simplified_text() -> None:
    # People's Daily 1998 (Simplified) contains 萧乾 and 王丙乾; plain t2s writes 萧干, 王丙干.
    s = "作家萧乾、王丙乾等参加了座谈会，大家谈到二噁英污染和三塚博的讲话，会议气氛热烈，讨论十分深入。"
    assert to_simplified(s) == (s, 0)


def test_t2s_converts_leftovers_in_simplified_text_but_keeps_names() -> None:
    s = "这篇文章讨论了许多问题，关於经济发展的部分写得很好，萧乾也提到了这一点，後来大家都同意了这个看法，会议圆满结束。"
    out, n = to_simplified(s)
    assert "关于" in out and "后来" in out and "萧乾" in out
    assert n == 2


def test_t2s_traditional_document_converts_ambiguous_characters_too() -> None:
    out, _ = to_simplified("畢昇發明了活字印刷術。這個房間很乾淨。")
    assert out == "毕昇发明了活字印刷术。这个房间很干净。"


def test_t2s_is_idempotent_on_opencc_chains() -> None:
    # OpenCC alone: t2s(t2s(x)) != t2s(x) for 薴 -> 苧 -> 苎 and phrase-kept names.
    for s in ["薴麻", "畢昇", "楊聯陞", "蕭乾", "旋乾轉坤"]:
        once = to_simplified(s)[0]
        assert to_simplified(once) == (once, 0), s


def test_t2s_survives_lone_surrogates() -> None:
    out, n = to_simplified("電\ud800腦")
    assert out == "电\ud800脑" and n == 2


# ---------------------------------------------------------------------------- pinyin


def test_pinyin_repair_half_and_full_width() -> None:
    assert repair_pinyin("電子技術(shù)應(yīng)用") == ("電子技術應用", 2)
    assert repair_pinyin("电子技术（shù）应（yīng）用") == ("电子技术应用", 2)


def test_pinyin_repair_in_a_sentence_with_neutral_tone() -> None:
    s = "近年來，我國電(diàn)子技術(shù)的(de)應(yīng)用越來越廣泛。"
    assert repair_pinyin(s) == ("近年來，我國電子技術的應用越來越廣泛。", 4)


def test_pinyin_repair_leaves_genuine_parentheses() -> None:
    for s in [
        "会议于（2019年）召开",
        "国内生产总值(GDP)增长5%",
        "字母x(ā)的读音",
        "方案(a)和方案(b)",  # untoned and no toned annotation in the text: genuine
        "参见附录(图)",
    ]:
        assert repair_pinyin(s) == (s, 0), s


def test_normalize_repairs_pinyin_before_t2s() -> None:
    out, edits = normalize("電子技術(shù)應(yīng)用", CFG)
    assert out == "电子技术应用"
    assert edits == {"pinyin_repairs": 2, "t2s_chars": 3}


# ---------------------------------------------------------------------------- punctuation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("真的吗，，我不信", "真的吗，我不信"),
        ("太好了！！！", "太好了！"),
        ("为什么？？？", "为什么？"),
        ("等一下。。。。他说", "等一下……他说"),
        ("他沉默了……", "他沉默了……"),
        ("他沉默了………", "他沉默了……"),
        ("结束了。。", "结束了。"),
        ("北京、、上海", "北京、上海"),
        ("真的？！", "真的？！"),
        ("std::map<int, int>", "std::map<int, int>"),
        ("Wow!! Really??", "Wow!! Really??"),
    ],
)
def test_collapse_punct(text: str, expected: str) -> None:
    assert collapse_punct(text)[0] == expected


# ---------------------------------------------------------------------------- entities, zero-width


def test_entities_decoded_and_counted() -> None:
    assert strip_entities_zw("北京&amp;上海&#12290;&#x4e2d;国") == ("北京&上海。中国", 3)
    assert strip_entities_zw("A&nbsp;B")[0] == "A\xa0B"
    assert strip_entities_zw("&amp;nbsp;")[0] == "\xa0"  # double-escaped
    assert strip_entities_zw("&foo; &copy")[0] == "&foo; &copy"  # not entities


def test_zero_width_and_invisible_characters_removed() -> None:
    s = "\ufeff中\u200b华\u200c人\u200d民\u2060共\u00ad和国\x00"
    assert strip_entities_zw(s) == ("中华人民共和国", 7)
    assert strip_entities_zw("坏&#0;字&#8203;符")[0] == "坏字符"


def test_normalize_decodes_nbsp_to_a_space() -> None:
    assert normalize("新华社&nbsp;&nbsp;北京电", CFG)[0] == "新华社 北京电"


# ---------------------------------------------------------------------------- whitespace


def test_whitespace() -> None:
    s = "\u3000\u3000第一段  文字\t\t内容 \r\n\r\n\r\n\r\n  第二段 English  words here\r最后一行\n\n"
    assert normalize_whitespace(s) == "第一段 文字 内容\n\n第二段 English words here\n最后一行"
    assert normalize_whitespace("Hello world") == "Hello world"


# ---------------------------------------------------------------------------- normalize


def test_normalize_counts_only_nonzero_keys() -> None:
    text, edits = normalize("新華社北京電&nbsp;１月１日，，會議(huì)在京召開！！", CFG)
    assert text == "新华社北京电 1月1日，会议在京召开！"
    assert set(edits) == {"nfkc_changed_chars", "t2s_chars", "pinyin_repairs", "punct_collapsed", "entities_removed"}
    assert all(v > 0 for v in edits.values())
    assert normalize("今天天气很好。", CFG) == ("今天天气很好。", {})


def test_normalize_config_switches() -> None:
    off = {k: (False if isinstance(v, bool) else v) for k, v in CFG.items()}
    s = "電子技術(shù)應(yīng)用，，  &amp;"
    assert normalize(s, off) == (s, {})


def test_normalize_output_is_utf8_safe() -> None:
    text, _ = normalize("abc\ud800中\udfff文", CFG)
    assert text == "abc中文"
    text.encode("utf-8")


# ---------------------------------------------------------------------------- properties

_PIECES = list(
    "電子技術應用乾昇畢萧苧薴，。！？：；（）()…、,.!?:;& #x0123456789shùīngéade\u200b\u0301\u3000"
    "ＡＢ１２①²㎡ﾞｶ\ufe19\ufe10\u2028\r\n\t\xa0\ud800ᄀ\u1161\u11a8"
) + ["&amp;", "&nbsp;", "&#12345;", "&#x200b;", "(shù)", "（yīng）", "(de)", "。。。", "……", "\r\n"]
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.characters()), max_size=40).map("".join)
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

_FUNCS = {
    "nfkc_zh": nfkc_zh,
    "to_simplified": lambda s: to_simplified(s)[0],
    "repair_pinyin": lambda s: repair_pinyin(s)[0],
    "collapse_punct": lambda s: collapse_punct(s)[0],
    "strip_entities_zw": lambda s: strip_entities_zw(s)[0],
    "normalize_whitespace": normalize_whitespace,
    "normalize": lambda s: normalize(s, CFG)[0],
}


@pytest.mark.parametrize("name", list(_FUNCS))
def test_normalisers_never_raise_and_are_idempotent(name: str) -> None:
    f = _FUNCS[name]

    @_SETTINGS
    @given(_TEXT)
    def check(s: str) -> None:
        once = f(s)
        assert isinstance(once, str)
        assert f(once) == once

    check()


@_SETTINGS
@given(st.text())
def test_normalize_arbitrary_unicode(s: str) -> None:
    once, edits = normalize(s, CFG)
    assert normalize(once, CFG) == (once, {})
    once.encode("utf-8")  # no lone surrogates left for Arrow/Parquet
    assert all(isinstance(v, int) and v > 0 for v in edits.values())


@_SETTINGS
@given(_TEXT)
def test_nfkc_zh_core_equals_reference(s: str) -> None:
    from mdfs.text.normalize import _nfkc_core

    ref = "".join(
        p if p and p in PROTECTED else unicodedata.normalize("NFKC", p)
        for p in re.split("([" + re.escape(PROTECTED) + "])", s)
    )
    assert _nfkc_core(s)[0] == ref


# ---------------------------------------------------------------------------- real text


@pytest.mark.shared
def test_peoples_daily_keeps_every_full_width_comma_and_is_idempotent() -> None:
    path = SHARED / "text" / "high_quality" / "peoples_daily_199801_docs.jsonl"
    if not path.is_file():
        pytest.skip(f"shared data not found at {SHARED} (set MDFS_SHARED_DATA)")
    with open(path, encoding="utf-8") as f:
        docs = [json.loads(line)["text"] for _, line in zip(range(200), f)]
    changed_t2s = 0
    for d in docs:
        out, edits = normalize(d, CFG)
        assert out.count("，") >= d.count("，")
        assert normalize(out, CFG) == (out, {})
        changed_t2s += edits.get("t2s_chars", 0)
    assert changed_t2s == 0  # Simplified text: t2s must not touch it (萧乾 stays)
