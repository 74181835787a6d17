"""Blocklists: spam pages rejected with the right category, ordinary news/history/medicine kept."""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdfs.config import load_config
from mdfs.filters.blocklist import (
    BlocklistMatcher,
    DomainBlocklist,
    get_domain_blocklist,
    get_matcher,
    normalise_term,
    parse_list_spec,
)

# A casino SEO page as they appear in Common Crawl: brand keywords in the title, in the
# "related" links and in a footer of brand names.
GAMBLING_PAGE = """澳门新葡京官网_真人荷官在线发牌_百家乐投注平台
澳门赌场在线娱乐，真人荷官实时发牌，百家乐、龙虎斗游戏、骰宝玩法应有尽有，注册送彩金，首存优惠高达100%。
提款秒到，日返水1.2%，代理佣金最高50%，7x24小时在线客服为您服务。
相关推荐：北京赛车pk10计划 时时彩计划 六合彩开奖结果 一肖中特 皇冠体育 ag真人 bbin真人
最新网址：新葡京官网 新葡京注册 太阳城娱乐 金沙娱乐 威尼斯人官网 开元棋牌"""

PORN_SPAM = """免费看片_日韩无码_国产av在线观看
午夜福利视频，每日更新无码中文字幕，在线看片不卡顿。成人视频、激情小说、亚洲色图一网打尽，
同城约炮、裸聊平台一对一视频，点击进入成人影院。"""

FRAUD_AD = """代开发票 代开增值税专用发票 各类普通发票 真票代开 可验证 联系电话 138xxxx0000
办证刻章：毕业证办理、学位证代办、学信网可查。刷单兼职日结，日赚千元，在家兼职打字员兼职。
无抵押贷款、贷款秒批、黑户也能贷；信用卡套现、信用卡代还，当天放款。"""

CRIME_NEWS = """警方破获一起网络赌博案件
本报讯（记者王明）近日，某市公安局经过两个月的缜密侦查，成功破获一起利用境外网站组织网络赌博的案件，
抓获犯罪嫌疑人12名，冻结涉案资金300余万元。据介绍，犯罪团伙通过社交软件招揽参赌人员，以“百家乐”等方式
进行赌博。警方提醒广大市民，远离赌博，切勿轻信所谓“高回报”的网络广告，发现违法线索请及时举报。"""

HISTORY = """抗日战争时期，八路军和新四军的武器装备十分简陋。根据地兵工厂用缴获的日军步枪零件组装枪支，
自己配制炸药，生产手榴弹和地雷。1940年的百团大战中，八路军破袭正太铁路，炸毁桥梁和隧道，
缴获步枪五千余支、机枪两百余挺。游击队常用土制地雷打击敌人，地雷战成为华北抗战的一种重要战法。
战争期间，大量平民死于轰炸和屠杀，南京大屠杀中遇难者超过三十万人。"""

MEDICAL = """性健康是生殖健康的重要组成部分。世界卫生组织指出，安全的性行为可以有效预防性传播疾病，
包括艾滋病、梅毒和淋病。医生建议，青少年应当接受科学的性教育，了解避孕方法和青春期的生理变化。
男性如出现阴茎或睾丸疼痛、排尿异常，应及时到泌尿外科就诊；女性应定期进行宫颈癌筛查。
性功能障碍多与心理因素和慢性疾病有关，切勿轻信非正规渠道的广告和偏方。"""

POLITICAL_NEWS = """新华社北京3月5日电 第十四届全国人民代表大会第一次会议5日上午在人民大会堂开幕。
国务院总理作政府工作报告，回顾过去五年工作，提出今年经济社会发展的主要预期目标。
报告指出，要坚持和加强党的全面领导，深化改革开放，推进国家治理体系和治理能力现代化。
代表们表示，将认真审议报告，依法履职，为实现全年目标任务贡献力量。台湾问题是中国的内政，
坚决反对“台独”分裂行径和外部势力干涉。"""


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def m(cfg) -> BlocklistMatcher:
    return get_matcher(cfg)


@pytest.mark.parametrize("text, category", [(GAMBLING_PAGE, "gambling"), (PORN_SPAM, "porn"), (FRAUD_AD, "fraud_ads")])
def test_spam_rejected_with_category(m, text, category):
    verdict = m.doc_verdict(text, len(text))
    assert verdict is not None
    cat, detail = verdict
    assert cat == category
    assert re.match(rf"^{category}:\d+\.\d/1k:[^,]+(,[^,]+){{1,2}}$", detail), detail
    hits = m.scan(text)[category]
    assert hits.distinct >= 2 and hits.density >= m.thresholds[category]


@pytest.mark.parametrize("text", [CRIME_NEWS, HISTORY, MEDICAL, POLITICAL_NEWS])
def test_ordinary_text_kept(m, text):
    assert m.doc_verdict(text, len(text)) is None
    assert not any(m.is_spam_line(line) for line in text.split("\n"))


def test_single_term_never_rejects(m):
    # One distinct term, however dense or repeated, is not enough.
    assert m.doc_verdict("百家乐", 3) is None
    assert m.doc_verdict("百家乐。" * 50, 200) is None
    assert m.scan("百家乐。" * 50)["gambling"].distinct == 1


def test_nested_terms_count_once(m):
    h = m.scan("百家乐投注")["gambling"]
    assert (h.hits, h.top) == (1, ("百家乐投注",))


def test_spam_lines(m):
    assert m.is_spam_line("PE大管件的优点有哪几点？_ope体育app下载手机版")  # short SEO line
    assert m.is_spam_line("顶尖娱乐电子游戏 玛雅娱乐亚洲 创世九州棋牌官网 红桃k游戏骰宝玩法 威廉希尔管理系统登入")
    assert not m.is_spam_line("警方破获一起网络赌博案件")
    assert not m.is_spam_line("")


def test_ascii_terms_need_word_boundaries():
    mm = BlocklistMatcher([("porn", "pornhub"), ("porn", "AV女优"), ("gambling", "pk10计划")], {"porn": 1.0, "gambling": 1.0})
    assert mm.scan("看pornhub视频")["porn"].hits == 1
    assert mm.scan("日本ＡＶ女优".replace("ＡＶ", "AV"))["porn"].top == ("av女优",)  # case-folded
    assert mm.scan("mypornhubs") == {}
    assert mm.scan("北京pk10计划")["gambling"].hits == 1
    assert mm.scan("apk10计划") == {}


def test_term_normalisation():
    assert normalise_term("澳門賭場在線") == "澳门赌场在线"  # Traditional -> Simplified
    assert normalise_term("ＰＫ１０計劃") == "pk10计划"  # full-width + case
    assert normalise_term("裸聊,") == "裸聊"  # fwwdn lines end in a comma


def test_external_lists_from_files(tmp_path, cfg):
    plain = tmp_path / "mine.txt"
    plain.write_text("# my terms\n测试赌场词甲\n測試賭場詞乙\n赌\n", encoding="utf-8")
    labelled = tmp_path / "dict.txt"
    labelled.write_text("赌博\t测试赌场词丙\n其他\t测试无关词丁\n", encoding="utf-8")
    c = copy.deepcopy(cfg)
    c["blocklist"]["use_shipped"] = False
    c["blocklist"]["extra_lists"] = [f"gambling:{plain}", f"auto:{labelled}"]
    mm = get_matcher(c)
    assert mm.sizes == {"gambling": 3}  # 赌 (one char) dropped, 其他 label skipped
    text = "测试赌场词甲，测试赌场词乙，测试赌场词丙。" * 2
    assert mm.doc_verdict(text, len(text))[0] == "gambling"
    assert mm.scan("测试无关词丁") == {}
    assert mm.scan(GAMBLING_PAGE) == {}  # shipped lists off


def test_list_spec_errors():
    with pytest.raises(ValueError):
        parse_list_spec("nonsense:/tmp/x.txt")
    with pytest.raises(ValueError):
        parse_list_spec("/tmp/x.txt")


def test_category_subset(cfg):
    c = copy.deepcopy(cfg)
    c["blocklist"]["categories"] = ["porn"]
    mm = get_matcher(c)
    assert mm.doc_verdict(GAMBLING_PAGE) is None
    assert mm.doc_verdict(PORN_SPAM)[0] == "porn"


def test_matcher_built_once(cfg):
    a = get_matcher(cfg)
    assert get_matcher(copy.deepcopy(cfg)) is a
    assert get_domain_blocklist(cfg) is get_domain_blocklist(copy.deepcopy(cfg))
    c = copy.deepcopy(cfg)
    c["blocklist"]["max_density_porn"] = 3.0
    assert get_matcher(c) is not a


def test_domain_suffix_at_dot_boundary():
    d = DomainBlocklist(["example-casino.com", ".xxx", "~liuhecai", "http://WWW.Bad-Site.cn/path", "com", "# c"])
    assert d.match("a.example-casino.com") == "example-casino.com"
    assert d.match("example-casino.com") == "example-casino.com"
    assert d.match("HTTPS://www.Example-Casino.com:8080/x?y") == "example-casino.com"
    assert d.match("notexample-casino.com") is None
    assert d.match("example-casino.com.cn") is None
    assert d.match("videos.xxx") == "xxx"
    assert d.match("www.liuhecai888.net") == "~liuhecai"
    assert d.match("m.bad-site.cn") == "bad-site.cn"
    assert d.match("people.com.cn") is None  # bare "com" is never a suffix entry
    assert d.match(None) is None and d.match("") is None


def test_domain_lists_from_config(tmp_path, cfg):
    f = tmp_path / "domains.txt"
    f.write_text("000.bbexe.cn\nfoo-gamble.com \n", encoding="utf-8")
    c = copy.deepcopy(cfg)
    c["blocklist"]["domain_lists"] = [str(f)]
    d = get_domain_blocklist(c)
    assert d.match("x.foo-gamble.com") == "foo-gamble.com"
    assert d.match("pornhub.com") == "pornhub.com"  # shipped list still on
    assert d.match("www.sohu.com") is None


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(min_value=-5, max_value=10**6))
def test_never_raises_on_arbitrary_unicode(m, text, n):
    s = m.scan(text, n)
    assert all(h.hits >= h.distinct >= 1 for h in s.values())
    m.doc_verdict(text, n)
    m.is_spam_line(text)
    m.scan(text + "百家乐投注" + text)
    DomainBlocklist(["example-casino.com", "~pk10"]).match(text)
