"""Fine filtering: line-level cleaning of boilerplate and edge spam, and PII masking.

A document that passed coarse still carries page furniture inside its text: navigation bars,
login and share widgets, datelines, copyright/ICP footers, "related articles" lists, repeated
captions, and SEO keyword headers planted above stolen articles. Cutting lines keeps the
article (a document-level rule would lose it, see shared/DESIGN.md).

Rules, each a small pattern or function (removed-line counts by kind):
- `lines_nav`: menus and breadcrumbs (`首页 | 新闻 | 体育`, `当前位置：首页 > 正文`), anywhere;
- `lines_boilerplate`: short widget/meta/notice lines (登录/注册, 分享到, 评论(12), 责任编辑,
  来源：, 上一篇, 返回顶部, 扫一扫, 版权所有, ICP备, 公网安备, 免责声明…), anywhere, with a length
  cap so prose that merely mentions 登录 or 来源 survives;
- `lines_related_block`: a 相关推荐/相关阅读/热门推荐… header and the short lines after it;
- `lines_dup`: exact repeats of a line of at least `dup_min_chars` characters (first kept);
- `lines_spam_edge`: keyword lists and `is_spam_line` hits above the first / below the last
  prose line, so a gambling header goes and the article under it stays.

Line patterns are two regexes run over the whole text (a C scan; Python only looks at the
lines they matched), and PII is one regex pass with validation in the callback.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from datetime import date
from typing import Any

# --------------------------------------------------------------------------------------------
# Line patterns. Text arrives normalised (NFKC + full-width Chinese punctuation), but both
# widths are accepted so the rules hold on raw text too. `[^\n]` everywhere: no rule may see
# across a line break, or a second pass would judge lines differently.
# --------------------------------------------------------------------------------------------

_SP = r"[^\S\n]"  # horizontal whitespace
_NAV_SEP = r"(?:[|｜>»›→]|->|>>|" + _SP + r"/" + _SP + r")"
_NAV_ITEM = r"[^\n|｜>»›→。！？，；!?,;]"
_PUNCT_STOP = r"[^\s。！？，；：、,;!?:]"

_LOGIN = r"(?:登录|登陆|注册|密码|用户名|忘记密码|找回密码|会员中心|退出登录)"
# Widgets that open their line (after decoration): `分享到：微博 微信`, `扫一扫在手机打开当前页`.
# Anchored at the start, so prose that says "他就能分享到一份光荣" stays.
_WIDGET_START = (
    r"(?:分享到|分享至|一键分享|分享[:：]|扫一扫|微信扫一扫|扫描二维码|返回顶部|回到顶部|返回首页|返回列表|展开全文|"
    r"阅读全文|查看全文|查看原文|阅读原文|点击查看|点击进入|打印本页|关闭窗口|加入收藏|收藏本文|我要收藏|推荐给朋友|"
    r"复制链接|我来说两句|页面功能|(?:字体|字号)[:：]?" + _SP + r"*[大中小]|上一篇|下一篇|上一页|下一页|上一条|下一条|"
    r"上一章|下一章|尾页|末页)"
)
# Widgets recognised anywhere on a short line: counters `评论(12)` and bracket buttons `【打印】`.
_WIDGET_ANY = (
    r"(?:(?:评论|回复|阅读|浏览|点击|转发|收藏|点赞|赞|顶|踩)" + _SP + r"*[(（][0-9]+[)）]|"
    r"【(?:打印|关闭|推荐|收藏|字体|我来说两句)|更多" + _SP + r"*(?:>>|»)|[|｜<«]" + _SP + r"*(?:上一篇|下一篇|上一页|下一页))"
)
# Datelines, bylines, editor and contact lines: metadata, not text.
_META = (
    r"(?:责任编辑|责编|编辑[:：]|来源[:：]|信息来源|发布时间|发布日期|发表时间|发表于|更新时间|"
    r"时间[:：]" + _SP + r"*[0-9]{4}|原标题[:：]|本文来源|文章来源|浏览次数|阅读次数|点击[数量次]*[:：]" + _SP + r"*[0-9]|"
    r"举报电话[:：]|举报邮箱|违法和不良信息|联系我们(?:[:：]|$)|联系电话[:：]|意见反馈|欢迎批评指正|客服热线|"
    r"您要为您所发的言论|注意语言文明|评论将在|仅代表(?:作者|网友)|(?i:trackback))"
)
# Copyright/ICP/licence footers. Unambiguous phrases anywhere on the line; the generic ones
# (版权声明, 免责声明, 版权归) only opening it, since articles about licences use them in prose.
_NOTICE_ANY = (
    r"(?:版权所有|(?i:copyright)|©|(?i:all rights reserved)|ICP[备证]|公网安备|网安备|不得转载|请勿转载|禁止转载|"
    r"谢绝转载|转载请注明|违者(?:依法)?必究)"
)
_NOTICE_START = r"(?:版权声明|版权归|免责声明|法律声明|本站声明|郑重声明|备案号|特别声明)"
# Words that make up a whole line on their own with digits and decoration: `登录`,
# `分享 收藏 12 评论`, `【打印】【关闭】`, `发表评论 查看评论`.
_WORD = r"(?:登录|注册|分享|收藏|评论|发表评论|查看评论|我要评论|转发|点赞|打赏|举报|关注|打印|关闭|顶|踩)"
_RELATED = (
    r"(?:相关推荐|相关阅读|相关文章|相关新闻|相关链接|相关报道|相关专题|热门推荐|推荐阅读|延伸阅读|猜你喜欢|为你推荐|"
    r"热门文章|热门新闻|最新文章|最新新闻|热点推荐|精彩推荐|更多精彩|大家都在看|热门标签|热门阅读|编辑推荐|往期回顾)"
)
_DECOR = r"[^\w\n]|_"  # decoration around a word: brackets, colons, >>, spaces


# First characters of every keyword pattern below: a leading lookahead on this set lets sre
# reject most positions with one class test instead of trying ~70 alternatives (8x faster).
_KW_FIRST = "评回阅浏点转收赞顶踩【更|｜<«责编来信发时原本文举违联意欢客您注仅Tt版Cc©AaI公网不请禁谢登密用忘找会退"


def _build_line_res(cfg: dict[str, Any]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two regexes over the whole text: line-start patterns, and keywords found anywhere.

    The anchored one is matched after a newline (the text gets one prepended), so sre scans
    for a literal `\n` in C instead of testing `^` at every position.
    """
    sep_items = max(2, int(cfg.get("nav_min_items", 3)))
    space_items = max(2, int(cfg.get("nav_min_items_spaces", 6)))
    item = int(cfg.get("nav_max_item_chars", 12))
    notice = int(cfg.get("notice_max_chars", 200))
    anchored = (
        r"\n(?:"
        # a 相关阅读-style header: it starts a block, so it is matched before everything else
        rf"(?P<related>(?:{_DECOR})*{_RELATED}(?:{_DECOR}|更多|(?i:more))*$)"
        # separated items: 首页 | 新闻 | 体育 ; 读书 -> 连载 -> 正文 ; << 上一页 | 下一页 >>
        rf"|(?P<nav>{_SP}*(?:{_NAV_ITEM}{{1,{item}}}?{_SP}*{_NAV_SEP}{_SP}*){{{sep_items - 1},}}"
        rf"{_NAV_ITEM}{{0,{item}}}{_SP}*$"
        # breadcrumbs: 当前位置：… / 您现在的位置：…
        rf"|{_SP}*(?:您|你)?(?:现在|当前)?的?(?:所在)?位置{_SP}*[:：][^\n]{{0,{notice}}}$)"
        # only spaces between short items: 首页 新闻 体育 财经 娱乐 科技 (Chinese checked after).
        # Table header rows look the same (播放年份 播放日期 媒体 节目名称 备注), hence more items.
        rf"|(?P<navsp>(?:{_PUNCT_STOP}{{1,4}}{_SP}+){{{space_items - 1},}}{_PUNCT_STOP}{{1,4}}{_SP}*$)"
        # a line of widget words, digits and decoration only: 分享 收藏 12 评论, 【打印】【关闭】
        rf"|(?P<word>(?:{_DECOR}|[0-9])*{_WORD}(?:(?:{_DECOR}|[0-9])*{_WORD})*(?:{_DECOR}|[0-9])*$)"
        # lines opening with a widget or a notice heading (length checked after)
        rf"|(?:{_DECOR})*(?P<start>{_WIDGET_START})"
        rf"|(?:{_DECOR}|[0-9①-⑳])*(?P<nstart>{_NOTICE_START})"
        r")"
    )
    keywords = (
        rf"(?=[{re.escape(_KW_FIRST)}])(?:(?P<short>{_WIDGET_ANY}|{_META})|(?P<notice>{_NOTICE_ANY})|(?P<login>{_LOGIN}))"
    )
    return re.compile(anchored, re.MULTILINE), re.compile(keywords)


_LINE_KEYS = ("nav_min_items", "nav_min_items_spaces", "nav_max_item_chars", "notice_max_chars")
_LINE_RE_CACHE: dict[tuple, tuple[re.Pattern[str], re.Pattern[str]]] = {}
_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_LOGIN_CORE = ("登录", "登陆", "注册")


def _line_res(cfg: dict[str, Any]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    key = tuple(cfg.get(k) for k in _LINE_KEYS)
    pats = _LINE_RE_CACHE.get(key)
    if pats is None:
        pats = _LINE_RE_CACHE[key] = _build_line_res(cfg)
    return pats


def line_kinds(text: str, lines: list[str], cfg: dict[str, Any]) -> dict[int, str]:
    """{line index: "nav" | "boiler" | "related"} for the lines a rule matches.

    Python only touches matched lines: the regexes find candidates over the whole text, and
    the length caps (a rule word inside a long paragraph is prose) are checked per hit.
    """
    anchored, keywords = _line_res(cfg)
    short = int(cfg.get("boilerplate_max_chars", 60))
    notice = int(cfg.get("notice_max_chars", 200))
    starts: list[int] | None = None
    kinds: dict[int, str] = {}

    def line_of(pos: int) -> int:
        nonlocal starts
        if starts is None:
            starts = [0]
            for line in lines[:-1]:
                starts.append(starts[-1] + len(line) + 1)
        return bisect_right(starts, pos) - 1

    for m in anchored.finditer("\n" + text):
        i = line_of(m.start())  # m.start() is the prepended/previous newline: pos - 1 + 1
        line = lines[i]
        k = m.lastgroup
        if k == "navsp":
            if _HAN_RE.search(line):
                kinds[i] = "nav"
        elif k in ("nav", "related"):
            kinds[i] = k
        elif k == "word":
            kinds[i] = "boiler"
        elif (k == "start" and len(line) <= short) or (k == "nstart" and len(line) <= notice):
            kinds[i] = "boiler"
    login: dict[int, list[str]] = {}
    for m in keywords.finditer(text):
        i = line_of(m.start())
        if i in kinds:
            continue
        k = m.lastgroup
        n = len(lines[i])
        if (k == "short" and n <= short) or (k == "notice" and n <= notice):
            kinds[i] = "boiler"
        elif k == "login" and n <= short:
            words = login.setdefault(i, [])
            words.append(m.group())
            if len(words) >= 2 and any(w in _LOGIN_CORE for w in words):
                kinds[i] = "boiler"
    return {i: k for i, k in kinds.items() if lines[i].strip()}


# Prose: a sentence, the thing edge trimming stops at.
_SENTENCE_END_RE = re.compile(r"[。！？!?…]")
# SEO keyword list: short items holding Chinese, separated by spaces, |, _, / or ASCII commas
# (`澳门赌场 葡京娱乐 百家乐 真人荷官`). Not `，` or `、`: Chinese prose and enumerations use those
# (`第一，提高产业技术水平，推动…`, `农业税、农业补贴`; People's Daily lost 69 lines to them).
_KW_SEP = r"[\s|｜_/,]"
_KW_ITEM = r"(?=[^\s|｜_/,]*?[\u3400-\u9fff])[^\s|｜_/,。！？!?]{1,12}"


@lru_cache(maxsize=8)
def _keyword_list_re(min_items: int) -> re.Pattern[str]:
    return re.compile(rf"{_KW_SEP}*(?:{_KW_ITEM}{_KW_SEP}+){{{max(1, min_items - 1)},}}{_KW_ITEM}{_KW_SEP}*")


def _nonspace_len(line: str) -> int:
    return len(line) - line.count(" ") - line.count("\t")


def is_keyword_list(line: str, min_items: int = 4) -> bool:
    """A line of `min_items` or more short Chinese items and no sentence: an SEO keyword header
    or footer (or a byline, which is not text either)."""
    return _keyword_list_re(min_items).fullmatch(line) is not None


def _is_prose(line: str, min_chars: int) -> bool:
    return _nonspace_len(line) >= min_chars and _SENTENCE_END_RE.search(line) is not None


def _edge_spam(
    lines: list[str],
    keep: list[int],
    min_chars: int,
    kw_items: int,
    is_spam_line: Callable[[str], bool] | None,
) -> set[int]:
    """Indices (into `lines`) of spam lines above the first and below the last prose line."""
    out: set[int] = set()

    def spam(line: str) -> bool:
        if not line.strip():
            return False
        if is_keyword_list(line, kw_items):
            return True
        if is_spam_line is None:
            return False
        try:
            return bool(is_spam_line(line))
        except Exception:  # noqa: BLE001 - a matcher bug must not fail the Spark task
            return False

    def good(line: str) -> bool:
        return _is_prose(line, min_chars) and not spam(line)

    first = len(keep)
    for pos, i in enumerate(keep):
        if good(lines[i]):
            first = pos
            break
        if spam(lines[i]):
            out.add(i)
    for pos in range(len(keep) - 1, first, -1):
        i = keep[pos]
        if good(lines[i]):
            break
        if spam(lines[i]):
            out.add(i)
    return out


_BLANK_RUN_RE = re.compile(r"\n{3,}")


def clean_lines(
    text: str, cfg: dict[str, Any], is_spam_line: Callable[[str], bool] | None = None
) -> tuple[str, dict[str, int]]:
    """Remove boilerplate, navigation, related-article blocks, repeated and edge-spam lines.

    Returns (text, removed-line counts by kind, nonzero only). Idempotent: every rule is a
    property of a line or of the lines left by the earlier rules, and edge trimming stops at a
    prose line that no rule removes. Blank-line runs left by removals collapse to one.
    """
    if not text:
        return text, {}
    lines = text.split("\n")
    kind = line_kinds(text, lines, cfg)
    counts = {"lines_nav": 0, "lines_boilerplate": 0, "lines_related_block": 0, "lines_dup": 0, "lines_spam_edge": 0}
    removed: set[int] = set()
    prose_min = int(cfg.get("prose_min_chars", 20))
    related_max = int(cfg.get("related_max_line_chars", 40))
    for i in sorted(kind):
        if i in removed:
            continue
        k = kind[i]
        removed.add(i)
        if k == "nav":
            counts["lines_nav"] += 1
        elif k == "boiler":
            counts["lines_boilerplate"] += 1
        else:
            counts["lines_related_block"] += 1
            j = i + 1  # the list under the header: short lines up to the next prose line
            while j < len(lines) and (
                j in kind or (_nonspace_len(lines[j]) <= related_max and not _is_prose(lines[j], prose_min))
            ):
                if j not in removed and (kind.get(j) in (None, "related")):
                    removed.add(j)
                    counts["lines_related_block"] += lines[j].strip() != ""
                j += 1
    dup_min = int(cfg.get("dup_min_chars", 10))
    keep = [i for i in range(len(lines)) if i not in removed]
    seen: set[str] = set()
    for i in keep:
        s = lines[i].strip()
        if len(s) < dup_min:
            continue
        if s in seen:
            removed.add(i)
            counts["lines_dup"] += 1
        else:
            seen.add(s)
    if cfg.get("trim_spam_edges", True):
        keep = [i for i in range(len(lines)) if i not in removed]
        edge = _edge_spam(lines, keep, prose_min, int(cfg.get("edge_keyword_min_items", 4)), is_spam_line)
        removed |= edge
        counts["lines_spam_edge"] = len(edge)
    if not removed:
        return text, {}
    out = "\n".join(line for i, line in enumerate(lines) if i not in removed)
    if "\n\n\n" in out:
        out = _BLANK_RUN_RE.sub("\n\n", out)
    out = out.strip("\n")
    return out, {k: v for k, v in counts.items() if v}


def trim_spam_edges(
    text: str, cfg: dict[str, Any], is_spam_line: Callable[[str], bool] | None = None
) -> tuple[str, int]:
    """Only the edge-spam rule of clean_lines: (text without spam lines above the first and below
    the last prose line, lines removed). For a document-level rule that should judge the article
    rather than the keyword header planted on it (e.g. blocklist density in coarse)."""
    if not text:
        return text, 0
    lines = text.split("\n")
    prose_min = int(cfg.get("prose_min_chars", 20))
    kw_items = int(cfg.get("edge_keyword_min_items", 4))
    edge = _edge_spam(lines, list(range(len(lines))), prose_min, kw_items, is_spam_line)
    if not edge:
        return text, 0
    out = "\n".join(line for i, line in enumerate(lines) if i not in edge)
    return _BLANK_RUN_RE.sub("\n\n", out).strip("\n"), len(edge)


# --------------------------------------------------------------------------------------------
# PII
# --------------------------------------------------------------------------------------------

PLACEHOLDERS = {"phone": "[PHONE]", "email": "[EMAIL]", "id": "[ID]", "card": "[CARD]"}

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
# Candidate spans for the number rules: 8+ characters of digits and number punctuation. One C
# scan; the full patterns then run only on these windows (the whole-text alternation with
# lookbehinds was 7-9 MB/s, as slow as everything else in fine together).
_NUM_CAND_RE = re.compile(r"[0-9+(（][0-9 +()（）-]{6,}[0-9Xx]")
_NUM_RE = re.compile(
    # 18-digit resident ID (validated in the callback)
    r"(?P<id>(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z]))"
    # mainland mobile: optional +86/0086/86, 1[3-9]x, 11 digits, optional space/dash groups 3-4-4
    r"|(?P<phone>(?<![0-9+])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])(?![ -][0-9]))"
    # landline: area code (010, 02x, 0xxx) in parentheses or followed by a dash/space, then a
    # 7-8 digit local number not starting with 0/1, optional extension
    r"|(?P<landline>(?<![0-9])(?:[(（]0(?:10|2[0-9]|[3-9][0-9]{2})[)）][ -]?|0(?:10|2[0-9]|[3-9][0-9]{2})[ -])"
    r"[2-9][0-9]{6,7}(?:-[0-9]{1,4})?(?![0-9]))"
    # bank-card-like: 13-19 digits, plain or in groups of 4 (validated: Luhn, issuer prefix)
    r"|(?P<card>(?<![0-9])[3-69](?:[0-9]{12,18}|[0-9]{3}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?)"
    r"(?![0-9])(?![ -][0-9]))"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits of mainland province-level codes (GB/T 2260) plus 71/81/82 (TW/HK/MO) and 83
# (residence permits for Taiwan residents use 83; HK/MO 81/82).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a resident ID number (GB 11643-1999)."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def is_valid_id(number: str) -> bool:
    """18-digit resident ID: province code, a real birth date (1900 to this year), check digit."""
    if len(number) != 18 or not number[:17].isdigit() or number[:2] not in _PROVINCES:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= date.today().year or born > date.today():
        return False
    return id_check_digit(number[:17]) == number[17].upper()


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) checksum that payment card numbers carry."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def mask_pii(text: str, cfg: dict[str, Any]) -> tuple[str, dict[str, int]]:
    """Replace phone numbers, emails, valid ID numbers and card numbers with placeholders.

    Returns (text, counts `pii_phone`, `pii_email`, `pii_id`, `pii_card`, nonzero only).
    Only validated numbers are masked: an 18-digit string must carry a real province, birth
    date and MOD 11-2 check digit to be an ID; a card must pass Luhn and start like a payment
    card (3 Amex/JCB, 4 Visa, 5 Mastercard, 6 UnionPay/Discover, 9 old domestic debit), which
    keeps 13-digit millisecond timestamps (1.6e12, Luhn-valid one time in ten) and order
    numbers out. Placeholders hold no digits or `@`, so masking twice changes nothing.
    """
    kinds = set(cfg.get("pii_kinds", ("phone", "email", "id", "card")))
    if not text or not kinds:
        return text, {}
    counts = {"pii_phone": 0, "pii_email": 0, "pii_id": 0, "pii_card": 0}

    def repl_email(m: re.Match[str]) -> str:
        counts["pii_email"] += 1
        return PLACEHOLDERS["email"]

    def placeholder(m: re.Match[str]) -> str | None:
        """The placeholder for a number match, or None when it does not validate."""
        k = m.lastgroup
        s = m.group()
        if k == "landline":
            k = "phone"
        elif k == "id":
            if not is_valid_id(s):
                k = "card" if s[0] in "34569" and s[-1] not in "Xx" and luhn_ok(s) else None
        elif k == "card":
            digits = s.replace(" ", "").replace("-", "")
            if not (13 <= len(digits) <= 19 and luhn_ok(digits)) or is_valid_id(digits):
                k = None
        if k is None or k not in kinds:
            return None
        counts["pii_" + k] += 1
        return PLACEHOLDERS[k]

    if "email" in kinds and "@" in text:
        text = _EMAIL_RE.sub(repl_email, text)
    if kinds - {"email"}:
        out: list[str] = []
        pos = 0
        for c in _NUM_CAND_RE.finditer(text):
            # pos= keeps the text before the window visible to the lookbehinds; endpos leaves
            # the two characters the lookaheads need
            for m in _NUM_RE.finditer(text, c.start(), min(len(text), c.end() + 2)):
                if m.start() < pos:
                    continue
                rep = placeholder(m)
                if rep is not None:
                    out.append(text[pos : m.start()])
                    out.append(rep)
                    pos = m.end()
        if out:
            out.append(text[pos:])
            text = "".join(out)
    return text, {k: v for k, v in counts.items() if v}
