"""Real page weight for generated pages: the scripts, styles and JSON-LD that make up most of a page.

The sample crawl's pages carry only their text and layout (~5-7 KB of HTML), while real Chinese pages
weigh ~100 KB (the 122 real pages of shared/data/html average 126 KB), mostly inline JavaScript and
CSS. Benchmarks that report MB/s of raw WARC need that weight, or per-document costs dominate. The
padding is ASCII (so it is valid in every charset the crawl uses), sits in <head>, and holds no text
an extractor should return, so the crawl's truth file stays right.
"""

from __future__ import annotations

import random

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


def weigh(payload: bytes, rng: random.Random, mean_kb: float) -> bytes:
    """`payload` with padding right after its <head> tag (a page without one is returned as it is).

    Sizes vary from 0.25x to 1.75x of `mean_kb`, as real pages do."""
    at = payload.lower().find(b"<head")
    if at < 0 or mean_kb <= 0:
        return payload
    end = payload.find(b">", at)
    if end < 0:
        return payload
    pad = padding(rng, int(mean_kb * 1024 * rng.uniform(0.25, 1.75)))
    return payload[: end + 1] + b"\n" + pad + payload[end + 1 :]


__all__ = ["padding", "weigh"]
