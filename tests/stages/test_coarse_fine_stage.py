"""coarse_batch and fine_batch on real-looking Chinese documents, without Spark."""

from __future__ import annotations

import pyarrow as pa

from mdfs.config import load_config
from mdfs.schema import DOC_SCHEMA
from mdfs.stages.coarse import coarse_batch
from mdfs.stages.fine import fine_batch

CFG = load_config()

ARTICLE = "\n".join([
    "国家统计局：去年粮食总产量再创历史新高",
    "新华社北京1月1日电 国家统计局今天发布数据，去年全国粮食总产量再创历史新高，达到六亿八千万吨，比上年增长百分之二点一。",
    "统计局有关负责人介绍，粮食播种面积稳中有增，单产水平明显提高，主要农产品供给充足，市场运行总体平稳。",
    "专家指出，这为稳定物价、保障民生和应对各种风险挑战提供了坚实基础，也为今年经济社会发展开好局起好步创造了条件。",
])
TRAD_PINYIN = ARTICLE.replace("国家统计局", "國家統計局").replace("粮食", "糧(liáng)食(shí)").replace("经济", "經(jīng)濟(jì)")
SPAM_HEADER = "澳门百家乐 真人荷官 网上赌场 注册送彩金 体育博彩\n时时彩计划 百家乐投注 六合彩开奖 网上赌场 真人荷官\n"
GAMBLING = "\n".join([
    "真人荷官在线发牌，百家乐投注首存优惠，注册送彩金，网上赌场信誉第一。",
    "新用户注册即可领取彩金，每日存款还有额外返水，提款快速到账，全天客服在线为您服务。",
    "澳门赌场在线体验，体育博彩赔率最高，六合彩开奖结果实时更新，时时彩计划免费提供，百家乐投注立即开始。",
])


def batch(rows: list[dict]) -> pa.RecordBatch:
    full = [{"id": f"d{i}", "n_chars": len(r["text"]), **r} for i, r in enumerate(rows)]
    return pa.RecordBatch.from_pylist(full, schema=DOC_SCHEMA)


def test_coarse_keeps_article_normalises_and_counts_edits():
    kept, rej = coarse_batch(batch([{"text": ARTICLE}, {"text": TRAD_PINYIN}]), CFG)
    assert kept.num_rows == 2 and rej.num_rows == 0
    texts = kept.column("text").to_pylist()
    assert "国家统计局" in texts[1] and "(liáng" not in texts[1] and "粮食总产量" in texts[1]
    edits = dict(kept.column("edits").to_pylist()[1])
    assert edits["coarse.t2s_chars"] > 0 and edits["coarse.pinyin_repairs"] >= 2
    assert kept.column("n_chars").to_pylist() == [len(t) for t in texts]


def test_coarse_cuts_spam_header_and_keeps_the_article():
    kept, rej = coarse_batch(batch([{"text": SPAM_HEADER + ARTICLE}]), CFG)
    assert kept.num_rows == 1, rej.to_pylist()
    text = kept.column("text")[0].as_py()
    assert "真人荷官" not in text and text.startswith("国家统计局")
    assert dict(kept.column("edits")[0].as_py())["coarse.lines_spam_edge"] == 2


def test_coarse_rejections_have_reasons_and_keep_all_rows():
    rows = [
        {"text": GAMBLING},
        {"text": "太短了"},
        {"text": ARTICLE, "domain": "www.example-casino.com"},
        {"text": "The quick brown fox jumps over the lazy dog. " * 20},
        {"text": ARTICLE},
    ]
    kept, rej = coarse_batch(batch(rows), CFG)
    assert kept.num_rows + rej.num_rows == len(rows)
    reasons = dict(zip(rej.column("id").to_pylist(), rej.column("reason").to_pylist()))
    assert reasons["d0"] == "coarse.blocklist" and "gambling" in rej.column("detail")[0].as_py()
    assert reasons["d1"] == "coarse.too_short"
    assert reasons["d2"] == "coarse.url_blocklist"
    assert reasons["d3"] == "coarse.cjk_ratio"
    assert kept.column("id").to_pylist() == ["d4"]
    assert set(rej.column("stage").to_pylist()) == {"coarse"}


def test_fine_cleans_lines_masks_pii_and_rechecks_length():
    page = "\n".join([
        "首页 | 新闻 | 体育 | 财经 | 娱乐",
        ARTICLE,
        "如对数据有疑问，读者可拨打13812345678咨询，或发送邮件至reporter@example-news.cn提出意见。",
        "分享到：微博 微信 QQ空间",
        "版权所有 © 2015 某某网 京ICP备12345678号",
    ])
    kept, rej = fine_batch(batch([{"text": page}, {"text": "首页 | 新闻 | 体育\n简短通知。\n版权所有 © 某某网"}]), CFG)
    assert kept.num_rows == 1 and rej.num_rows == 1
    text = kept.column("text")[0].as_py()
    assert "首页 |" not in text and "分享到" not in text and "ICP" not in text
    assert "[PHONE]" in text and "[EMAIL]" in text and "13812345678" not in text
    edits = dict(kept.column("edits")[0].as_py())
    assert edits["fine.pii_phone"] == 1 and edits["fine.pii_email"] == 1 and edits["fine.lines_nav"] == 1
    assert rej.column("reason").to_pylist() == ["fine.too_short_after_clean"]


def test_fine_is_idempotent_on_its_own_output():
    kept, _ = fine_batch(batch([{"text": SPAM_HEADER + ARTICLE + "\n分享到：微博 微信"}]), CFG)
    again, _ = fine_batch(kept, CFG)
    assert again.column("text").to_pylist() == kept.column("text").to_pylist()
