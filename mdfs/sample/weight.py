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


def _dom_block(rng: random.Random) -> str:
    """One boilerplate block of a portal page: a nav bar, a channel list, a ranked list or a footer."""
    k = rng.random()
    cls = f"{rng.choice(_IDENT)}-{rng.choice(_IDENT)}"
    if k < 0.3:
        items = "".join(f'<li class="nav-item"><a href="/{rng.choice(_IDENT)}/" target="_blank" '
                        f'data-id="{rng.randrange(10**5)}">{w}</a></li>' for w in rng.sample(_NAV, rng.randrange(8, 25)))
        return f'<div class="{cls}" id="{rng.choice(_IDENT)}{rng.randrange(99)}"><div class="wrap"><ul>{items}</ul></div></div>\n'
    if k < 0.75:
        items = "".join(
            f'<li><span class="num">{i + 1}</span><a href="/news/2015/06{rng.randrange(1, 29):02d}/'
            f'{rng.randrange(10**6, 10**7)}.html" title="{(h := _headline(rng))}">{h}</a>'
            f'<span class="time">06-{rng.randrange(1, 29):02d}</span></li>'
            for i in range(rng.randrange(6, 16)))
        return (f'<div class="{cls}"><div class="hd"><h3><a href="/{rng.choice(_IDENT)}/">{rng.choice(_NAV)}</a></h3>'
                f'<a class="more" href="/{rng.choice(_IDENT)}/">更多</a></div><div class="bd"><ul class="list">{items}'
                '</ul></div></div>\n')
    if k < 0.9:
        imgs = "".join(f'<div class="pic"><a href="/photo/{rng.randrange(10**6)}.html"><img src="//img.example-cdn.cn/'
                       f'{rng.randrange(10**8)}.jpg" width="{rng.randrange(100, 300)}" height="{rng.randrange(80, 200)}" '
                       f'alt="{(h := _headline(rng))}"></a><p>{h}</p></div>' for _ in range(rng.randrange(3, 8)))
        return f'<div class="{cls} clearfix">{imgs}</div>\n'
    links = " | ".join(f'<a href="/{rng.choice(_IDENT)}.html">{w}</a>' for w in rng.sample(_MORE, rng.randrange(6, 14)))
    return f'<div class="{cls}"><p>{links}</p></div>\n'


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
