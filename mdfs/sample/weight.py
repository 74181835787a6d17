"""Real page weight for generated pages: scripts, styles, and the navigation markup around the text.

The sample crawl's pages carry only their text and layout (~5-7 KB of HTML), while real Chinese pages
weigh ~115 KB (shared/data/html: mean 115 KB, 862 tags per page; 13 % of the bytes in <script>, 22 %
in <style>). Benchmarks that report MB/s of raw WARC need that weight and that markup, or
per-document costs dominate and extractors get an easier job than on real pages. So ~35 % of the
padding is <style>/<script>/JSON-LD in <head> (ASCII), and ~65 % is boilerplate in <body>: nested
navigation, channel and "hot articles" link lists and footers with short Chinese anchor texts, in the
page's own charset. None of it belongs to the main text: an extractor that keeps it loses precision,
which is what real pages test too; the crawl's truth file stays right.
"""

from __future__ import annotations

import random

HEAD_SHARE = 0.35  # scripts + styles, of the added bytes (real pages: 13 % + 22 %)

_IDENT = ["app", "nav", "slider", "ad", "track", "share", "comment", "login", "search", "menu", "video", "swiper",
          "lazy", "footer", "header", "modal", "toast", "user", "news", "channel", "hot", "rank", "tab", "page"]
_CSS_PROPS = ["margin:0 auto", "padding:0 12px", "display:flex", "position:relative", "color:#333", "font-size:14px",
              "line-height:1.6", "background:#f5f5f5", "border-bottom:1px solid #e5e5e5", "overflow:hidden",
              "text-overflow:ellipsis", "white-space:nowrap", "width:100%", "max-width:1200px", "z-index:99",
              "transition:all .3s ease", "box-sizing:border-box", "float:left", "cursor:pointer", "opacity:.85"]


def _js_line(rng: random.Random) -> str:
    a, b, c = rng.choice(_IDENT), rng.choice(_IDENT), rng.choice(_IDENT)
    n = rng.randrange(1, 9999)
    return rng.choice((
        f"function {a}{b.title()}{n}(e,t){{var n=e||{{}};return n.{c}=t||{n},n}}",
        f"var {a}_{n}=document.querySelectorAll('.{b}-{c}');for(var i=0;i<{a}_{n}.length;i++){{{a}_{n}[i].classList.add('{c}-on')}}",
        f"window.{a}Config={{id:{n},name:'{b}',enable:!0,delay:{rng.randrange(100, 5000)},url:'/api/{c}/{n}.json'}};",
        f"(function(){{var s=document.createElement('script');s.src='//static.example-cdn.cn/{a}/{b}.{n}.js';"
        f"document.head.appendChild(s)}})();",
        f"$('.{a}-{b}').on('click',function(){{$(this).toggleClass('{c}');return!1}});",
        f"if(typeof {a}!=='undefined'&&{a}.{b}){{ {a}.{b}.push(['{c}',{n},{rng.randrange(2)}]) }}",
    ))


def _css_line(rng: random.Random) -> str:
    props = ";".join(rng.sample(_CSS_PROPS, rng.randrange(2, 6)))
    return f".{rng.choice(_IDENT)}-{rng.choice(_IDENT)}{rng.randrange(100)}{{{props}}}"


def padding(rng: random.Random, target_bytes: int) -> bytes:
    """About `target_bytes` of <style>, <script> and JSON-LD blocks, drawn from `rng`."""
    parts: list[str] = []
    size = 0
    while size < target_bytes:
        kind = rng.random()
        if kind < 0.3:
            body = "\n".join(_css_line(rng) for _ in range(rng.randrange(20, 80)))
            block = f"<style type=\"text/css\">\n{body}\n</style>\n"
        elif kind < 0.92:
            body = "\n".join(_js_line(rng) for _ in range(rng.randrange(20, 120)))
            block = f"<script type=\"text/javascript\">\n{body}\n</script>\n"
        else:
            n = rng.randrange(1, 99999)
            block = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
                     f'"identifier":"{n}","isAccessibleForFree":true,"publisher":{{"@type":"Organization",'
                     f'"logo":{{"@type":"ImageObject","url":"https://img.example-cdn.cn/logo/{n}.png"}}}}}}</script>\n')
        parts.append(block)
        size += len(block)
    return "".join(parts).encode("ascii")


_NAV = ("首页 新闻 国内 国际 社会 财经 股票 基金 理财 科技 数码 手机 汽车 房产 家居 教育 健康 旅游 体育 娱乐 "
        "电影 音乐 文化 读书 历史 军事 评论 图片 视频 专题 直播 排行 论坛 博客 微博 地方 本地 天气 彩票 "
        "招聘 公益 法治 时政 要闻 滚动 独家 深度 观点 人物 生活 美食 时尚 女性 亲子 游戏 动漫").split()
_MORE = ("关于我们 联系我们 网站地图 广告服务 诚聘英才 版权声明 隐私政策 意见反馈 帮助中心 合作伙伴 "
         "投稿须知 友情链接 网站导航 手机版 客户端 订阅 登录 注册 更多 返回顶部").split()
_WORDS = ("发展 经济 市场 企业 改革 城市 农村 建设 服务 安全 政策 项目 技术 创新 文化 教育 医疗 交通 环境 "
          "旅游 消费 投资 就业 社会 国际 合作 会议 工作 人民 群众 记者 调查 报告 数据 增长 提高 推进 加强 "
          "完成 举行 发布 启动 开展 召开 实施 公布 解读 聚焦 关注 回应 揭秘 盘点").split()


def _headline(rng: random.Random) -> str:
    return "".join(rng.sample(_WORDS, rng.randrange(3, 7)))


_HOSTS = ("www", "news", "finance", "tech", "sports", "ent", "auto", "house", "edu", "health", "travel", "v")


def _url(rng: random.Random, kind: str = "news") -> str:
    """An absolute link as portals write them: host, dated path, article id and tracking query."""
    host = f"https://{rng.choice(_HOSTS)}.example-news.cn"
    if kind == "channel":
        return f"{host}/{rng.choice(_IDENT)}/index.shtml"
    return (f"{host}/{kind}/2015/06{rng.randrange(1, 29):02d}/c{rng.randrange(1000, 9999)}-{rng.randrange(10**7, 10**8)}"
            f".shtml?from={rng.choice(_IDENT)}&amp;spm=C{rng.randrange(10**5, 10**6)}.P{rng.randrange(10**4)}")


def _track(rng: random.Random) -> str:
    return (f'data-spm="{rng.choice(_IDENT)}_{rng.randrange(10**4)}" '
            f'onclick="_trk(\'{rng.choice(_IDENT)}\',{rng.randrange(10**5)},this)"')


def _pretty(lines: list[tuple[int, str]], base: int) -> str:
    """One element per line, indented: real pages are written (or templated) that way."""
    return "".join("\n" + "  " * (base + d) + t for d, t in lines) + "\n"


def _dom_block(rng: random.Random) -> str:
    """One boilerplate block of a portal page: a nav bar, a channel list, a gallery or a footer.

    Calibrated on shared/data/html's 137 real pages, outside <script>/<style>: real 10.9 tags and 2.5
    links per KB, 17 % whitespace, 59-byte opening tags (absolute URLs, class lists, tracking
    attributes), 2 % comments; this markup 12.0, 3.1, 19 %, 62 B, 1 %. Denser markup (an earlier
    version: 24 tags/KB, 29-byte tags, no indentation) costs any parser more per byte than real pages do.
    """
    k = rng.random()
    cls = f"{rng.choice(_IDENT)}-{rng.choice(_IDENT)}"
    base = rng.randrange(1, 4)
    out: list[tuple[int, str]] = [(0, f"<!-- {cls} start -->")]
    if k < 0.3:
        out.append((0, f'<div class="{cls} {rng.choice(_IDENT)}-wrap clearfix" id="{rng.choice(_IDENT)}{rng.randrange(99)}" '
                       f'data-module="{rng.choice(_IDENT)}-{rng.randrange(10**3)}">'))
        out += [(1, '<div class="wrap w1200 clearfix">'), (2, f'<ul class="nav-list {rng.choice(_IDENT)}-list">')]
        for i, w in enumerate(rng.sample(_NAV, rng.randrange(8, 25))):
            out += [(3, f'<li class="nav-item nav-item-{i}">'), (4, f'<i class="icon icon-{rng.choice(_IDENT)}"></i>'),
                    (4, f'<a href="{_url(rng, "channel")}" target="_blank" {_track(rng)}>{w}</a>'), (3, "</li>")]
        out += [(2, "</ul>"), (1, "</div>"), (0, "</div>")]
    elif k < 0.75:
        out.append((0, f'<div class="{cls} mod-box" data-module="{rng.choice(_IDENT)}-{rng.randrange(10**3)}">'))
        out += [(1, '<div class="hd clearfix">'),
                (2, f'<h3 class="tit"><a href="{_url(rng, "channel")}" target="_blank">{rng.choice(_NAV)}</a></h3>'),
                (2, f'<a class="more" href="{_url(rng, "channel")}" target="_blank">更多</a>'),
                (1, "</div>"), (1, '<div class="bd">'), (2, '<ul class="list list-news">')]
        for i in range(rng.randrange(6, 16)):
            h = _headline(rng)
            out += [(3, f'<li class="item item-{rng.choice(_IDENT)}">'), (4, f'<i class="dot"></i><span class="num num-{i + 1}">{i + 1}</span>'),
                    (4, f'<a href="{_url(rng)}" target="_blank" title="{h}" {_track(rng)}>{h}</a>'),
                    (4, f'<span class="time">06-{rng.randrange(1, 29):02d}</span>'), (3, "</li>")]
        out += [(2, "</ul>"), (1, "</div>"), (0, "</div>")]
    elif k < 0.9:
        out.append((0, f'<div class="{cls} pic-list clearfix">'))
        for _ in range(rng.randrange(3, 8)):
            h = _headline(rng)
            out += [(1, '<div class="pic">'),
                    (2, f'<a href="{_url(rng, "photo")}" target="_blank" {_track(rng)}>'),
                    (3, f'<img src="https://img.example-cdn.cn/{rng.randrange(10**4)}/{rng.randrange(10**8)}_{rng.randrange(100, 300)}x'
                        f'{rng.randrange(80, 200)}.jpg" class="lazy" loading="lazy" width="{rng.randrange(100, 300)}" '
                        f'height="{rng.randrange(80, 200)}" alt="{h}">'),
                    (2, "</a>"), (2, f'<p class="pic-tit">{h}</p>'), (1, "</div>")]
        out.append((0, "</div>"))
    else:
        links = " | ".join(f'<a href="https://www.example-news.cn/about/{rng.choice(_IDENT)}.html" target="_blank">{w}</a>'
                           for w in rng.sample(_MORE, rng.randrange(6, 14)))
        out += [(0, f'<div class="{cls} footer-links">'), (1, f"<p>{links}</p>"), (0, "</div>")]
    out.append((0, f"<!-- {cls} end -->"))
    return _pretty(out, base)


def body_padding(rng: random.Random, target_bytes: int, charset: str | None) -> bytes:
    """About `target_bytes` of navigation markup, encoded in `charset` (characters it lacks as &#N;)."""
    parts: list[str] = []
    size = 0
    while size < target_bytes:
        block = _dom_block(rng)
        parts.append(block)
        size += len(block.encode("utf-8"))
    return "".join(parts).encode(charset or "utf-8", errors="xmlcharrefreplace")


def weigh(payload: bytes, rng: random.Random, mean_kb: float, charset: str | None = None, nav: bool = True) -> bytes:
    """`payload` with scripts and styles after its <head> tag and, with `nav` (Chinese pages), Chinese
    navigation markup after <body> (a page without a <head> is returned as it is; without a <body>, or
    without `nav`, it gets the head part only).

    Sizes vary from 0.25x to 1.75x of `mean_kb`, as real pages do."""
    low = payload.lower()
    at = low.find(b"<head")
    if at < 0 or mean_kb <= 0:
        return payload
    end = payload.find(b">", at)
    if end < 0:
        return payload
    total = int(mean_kb * 1024 * rng.uniform(0.25, 1.75))
    head = padding(rng, int(total * HEAD_SHARE))
    out = payload[: end + 1] + b"\n" + head + payload[end + 1 :]
    low = out.lower()
    b = low.find(b"<body", end + len(head))
    if nav and b >= 0 and (b_end := out.find(b">", b)) >= 0:
        markup = body_padding(rng, total - len(head), charset)
        out = out[: b_end + 1] + b"\n" + markup + out[b_end + 1 :]
    return out


__all__ = ["body_padding", "padding", "weigh"]
