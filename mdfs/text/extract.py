"""Main-text extraction from decoded HTML (collect stage).

Default: resiliparse (C++/lexbor) `main_content=True` plus a jusText-style line filter. On the
49 hand-labelled cwced Chinese pages (bench/extract, see bench/RESULTS.md) plain resiliparse
keeps recall near 1.0 but precision at ~0.81: old table-layout portals leave nav bars, link
lists, copyright footers and calendars inside its "main" block. Labelling each output line by
link density, length and Chinese clause punctuation, then resolving short/medium lines by their
neighbours, lifts mean char-F1 from 0.874 to 0.923 (trafilatura: 0.897) at ~0.7x plain
resiliparse's speed (27.7 vs 37.6 MB/s on one core; trafilatura 2.1 MB/s). Thresholds are round
numbers; F1 moves by <0.003 across sensible values, the gain holds on both halves of cwced and on
24 silver pages it was not tuned on (GNE and Mozilla Readability outputs: 0.64 -> 0.94).

Headings (<h1>-<h6>) are judged by what follows them, so a short headline under the menus is kept
when prose comes next; headings of boxes (相关文章, 热门推荐) and a site name over the headline are not.
On the generated sample crawl (mdfs.sample.crawl, 500 pages, --pad-kb 90; truth = title + heads +
paragraphs) that lifts main-text line recall from 0.918 to 0.967 (titles kept: 59% -> 98%) with no
new wrong lines. cwced and silver F1 do not move: their gold mostly leaves titles out, and on real
portal pages the headline usually sits above a link-dense byline/toolbar line ("来源: 新京报 举报",
"缩小字体 放大字体 收藏"), where this rule does not reach it.

The input must be a decoded `str` (run `mdfs.text.charset.decode_html` on the raw bytes): both
libraries guess charsets from bytes badly on GBK pages.
"""

from __future__ import annotations

import html as _html
import re
from configparser import ConfigParser

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree, NodeType

EXTRACTORS: tuple[str, ...] = ("resiliparse", "trafilatura")

# resiliparse options, measured on cwced + silver pages:
#  - comments=False: blog/news comment threads are not main text (+0.005 cwced F1, + silver).
#  - alt_texts=False: Chinese pages put file names ("IMG_3886.jpg") or nothing useful in alt;
#    neutral on cwced, +0.03 on silver, and keeps image captions from splitting paragraphs.
#  - links=True + 'minimal_html': only so the filter can measure per-line link density; the
#    markup is stripped again below. list_bullets/post_meta/hidden_elements: no effect;
#    form_fields/noscript=True: slightly worse.
_RP_OPTS = dict(
    preserve_formatting="minimal_html",
    links=True,
    alt_texts=False,
    comments=False,
    form_fields=False,
    noscript=False,
)
# Options for the whole-page retry when the main-content pass finds nothing. comments=False
# misses many comment blocks, and on guancha.cn the comment area even wins main_content.
# Skipping class/id *comment* on every page also helped (cwced +0.001, silver +0.06, nothing
# worse) but lexbor's substring selectors cost up to ~10% of throughput; the retry alone gets
# the same silver gain.
_RP_RETRY = dict(skip_elements=['[class*="comment"]', '[id*="comment"]'])

# Line classifier thresholds, in non-space characters (jusText's English defaults count
# ~70/200 chars; Chinese packs the same content into about a third of the characters).
_MAX_LINK_DENSITY = 0.5  # more link text than this: navigation / related-article list
_SHORT = 10  # chars; shorter lines are judged only by their neighbours
_GOOD_LEN = 30  # chars; prose lines at least this long with clause punctuation are content
_GOOD_LINK_DENSITY = 0.3
_FALLBACK_MIN = 50  # filtered main content below this many chars: try the other candidates
# A rejected main block is returned whole (lyrics, poems) only below this share of navigation lines:
# the one real page of the bench that takes that path (a lyrics page) has 0.02; generated 404/login/
# link pages inside portal markup have 0.29-0.89 (0.3 let 10 of 1,400 such pages of the 12,000-page
# e2e crawl through; 0.15 none, with cwced and silver F1 unchanged).
_MAX_BAD_SHARE = 0.15
_MAX_DEPTH = 1000  # deeper than this, skip main_content (see _spine_depth)

# resiliparse escapes "<" in text, so every "<" in its minimal_html output starts a tag.
_BLOCK_TAG_RE = re.compile(r"</?(?:p|br|li|ul|ol|pre|h[1-6])\b[^>]*>", re.IGNORECASE)
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
# An inner `<a` ends an anchor span: resiliparse emits unclosed anchors (`<a href="">`).
_ANCHOR_RE = re.compile(r"<a\b[^>]*>([^<]*(?:<(?!/?a\b)[^<]*)*)</a>", re.IGNORECASE)
_LINK_OPEN, _LINK_CLOSE = "\x01", "\x02"  # not whitespace to str.split(); removed from input
_LINK_SPAN_RE = re.compile("\x01([^\x01\x02]*)\x02")
# Headings: minimal_html keeps <h1>-<h6> (without attributes); their lines are flagged with this mark.
_HEAD_MARK = "\x03"
_HEAD_OPEN_RE = re.compile(r"<h[1-6]\b[^>]*>", re.IGNORECASE)
# Short headings of boxes around the article (相关文章, 热门推荐, 网友评论, "首页 - 新闻动态") keep the
# plain short-line rule even when prose follows them (on the bench: a sina sidebar, a pixnet blog).
# Of the 596 short (< 10 chars) titles of the sample corpus, 3 match: bylines (本报评论员) and a
# column name, not headlines.
_SECTION_HEAD_RE = re.compile(
    "相关|相關|热门|熱門|热点|熱點|推荐|推薦|排行|精彩|更多|最新|导航|導航|首页|首頁|评论|評論|留言"
    "|阅读|閱讀|专题|專題|关注|關注|分享|猜你|广告|廣告|链接|鏈接|友情|目录|目錄"
)
# Clause/sentence punctuation, full- and half-width: prose has one every ~15 chars, menus none.
_PUNCT_RE = re.compile(r"[，。！？；：、,!?;]")
# Footer boilerplate that appears inside "main" blocks of portal pages; checked only on lines
# under 200 chars so an article that discusses copyright or licences keeps its paragraphs.
_BOILER_RE = re.compile(  # the leading lookahead only makes it ~4x faster (no IGNORECASE)
    r"(?=[版免违©公备许CcAaI])(?:版权所有|版权声明|免责声明|违者必究|(?i:copyright|all rights reserved)"
    r"|©|ICP[备证]|公网安备|备案号|许可证(?:编?号)?[:：]?\s*\S{0,4}\d{5,})"
)
_WORDISH_RE = re.compile(r"[^\W\d_]")  # any letter (Latin, CJK, ...)


def _nonspace_len(text: str) -> int:
    return len(text) - text.count(" ")


def _mark_anchor(m: re.Match[str]) -> str:
    inner = m.group(1)
    if "\n" in inner:
        inner = inner.replace("\n", _LINK_CLOSE + "\n" + _LINK_OPEN)
    return _LINK_OPEN + inner + _LINK_CLOSE


_Line = tuple[str, float, bool]  # plain text, link density, is a heading


def _marked_lines(marked: str) -> list[_Line]:
    """Split resiliparse minimal_html output into (plain line, link density, heading) triples.

    Anchor text is bracketed with control characters (per line, since an <a> can wrap blocks),
    heading starts get a mark, and the other tags become newlines or nothing, so the work stays
    in C regex passes.
    """
    text = marked.replace(_LINK_OPEN, "").replace(_LINK_CLOSE, "").replace(_HEAD_MARK, "")
    text = _HEAD_OPEN_RE.sub("\n" + _HEAD_MARK, text)
    text = _ANCHOR_RE.sub(_mark_anchor, _BLOCK_TAG_RE.sub("\n", text))
    text = _html.unescape(_TAG_RE.sub("", text))
    lines: list[_Line] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        head = _HEAD_MARK in line  # not always first: an <a> around the heading marks it first
        if head:
            line = " ".join(line.replace(_HEAD_MARK, "").split())
            if not line:
                continue
        if _LINK_OPEN not in line:
            lines.append((line, 0.0, head))
            continue
        link = sum(len(span) - span.count(" ") for span in _LINK_SPAN_RE.findall(line))
        line = " ".join(line.replace(_LINK_OPEN, "").replace(_LINK_CLOSE, "").split())
        if line:
            lines.append((line, min(1.0, link / _nonspace_len(line)), head))
    return lines


_BAD, _GOOD, _SHORT_LINE, _NEAR = 0, 1, 2, 3


def _classify(lines: list[_Line]) -> list[bool]:
    """jusText-style: label lines good/bad/short/near, then resolve the last two by context."""
    labels: list[int] = []
    for text, link_density, _ in lines:
        n = len(text) - text.count(" ")
        if link_density > _MAX_LINK_DENSITY or (n < 200 and _BOILER_RE.search(text)):
            labels.append(_BAD)
        elif n < _SHORT or not _WORDISH_RE.search(text):
            # No letters at all (dates, calendars, rules, box drawing) counts as short: kept
            # only inside content, whatever its length.
            labels.append(_SHORT_LINE)
        elif n >= _GOOD_LEN and link_density <= _GOOD_LINK_DENSITY and _PUNCT_RE.search(text):
            labels.append(_GOOD)
        else:
            labels.append(_NEAR)

    # Nearest good/bad line on each side (page edges count as bad, as in jusText); two passes.
    size = len(labels)
    good_before = [False] * size
    good_after = [False] * size
    last = False
    for i, label in enumerate(labels):
        good_before[i] = last
        if label <= _GOOD:
            last = label == _GOOD
    last = False
    for i in range(size - 1, -1, -1):
        good_after[i] = last
        if labels[i] <= _GOOD:
            last = labels[i] == _GOOD

    keep: list[bool] = []
    for i, (label, before, after) in enumerate(zip(labels, good_before, good_after)):
        if label <= _GOOD:
            keep.append(label == _GOOD)
        elif lines[i][2] and (label == _NEAR or not _box_heading(lines, i)):
            # A heading introduces what follows: kept when prose comes next, whatever is above it
            # (the headline right under the menus), dropped above a link list or the page's end.
            keep.append(after)
        elif label == _SHORT_LINE:  # bylines, captions, box headings: need content on both sides
            keep.append(before and after)
        else:  # medium lines without punctuation: content on one side suffices
            keep.append(before or after)
    return keep


def _box_heading(lines: list[_Line], i: int) -> bool:
    """A short heading that names a box (相关文章) or stands right above another heading: the site's
    or column's name over the article's headline (<h1>松花江网</h1><h2>土豆不"土"</h2>)."""
    return bool(_SECTION_HEAD_RE.search(lines[i][0])) or (i + 1 < len(lines) and lines[i + 1][2])


def _bad_share(lines: list[_Line]) -> float:
    """Share of the lines that are link-dense or boilerplate (the classifier's first rule)."""
    bad = sum(1 for t, d, _ in lines if d > _MAX_LINK_DENSITY or (_nonspace_len(t) < 200 and _BOILER_RE.search(t)))
    return bad / len(lines) if lines else 0.0


def _filtered(lines: list[_Line]) -> str:
    return "\n".join(text for (text, _, _), k in zip(lines, _classify(lines)) if k)


def _spine_depth(tree: HTMLTree, limit: int) -> int:
    """Depth of the last-element-child chain under <body>, counted up to `limit`.

    resiliparse's main_content pass is quadratic in nesting depth (5,000 unclosed <div><span>
    pairs: 0.8 s; 20,000: 15 s), a straggler risk in a Spark task. Unclosed-tag runs, the way
    real pages get that deep, nest everything after them, so they sit on this chain; walking it
    costs microseconds, where a full depth scan or even str.count('<') costs ~8% of throughput.
    """
    node = tree.body
    depth = 0
    while node is not None and depth < limit:
        child = node.last_child
        if child is not None and child.type != NodeType.ELEMENT:
            child = child.prev_element
        node = child
        depth += 1
    return depth


def _extract_resiliparse(html: str) -> str:
    tree = HTMLTree.parse(html)
    if _spine_depth(tree, _MAX_DEPTH) >= _MAX_DEPTH:  # whole page + filter is linear-time
        lines = _marked_lines(extract_plain_text(tree, main_content=False, **_RP_OPTS))
        return _filtered(lines) or "\n".join(t for t, _, _ in lines)
    main_lines = _marked_lines(extract_plain_text(tree, main_content=True, **_RP_OPTS))
    text = _filtered(main_lines)
    if _nonspace_len(text) >= _FALLBACK_MIN:
        return text
    # Rare (4% of the bench pages). Either the filter rejected a real main block that has no
    # punctuation (lyrics, poems, lists): trust resiliparse and return it unfiltered. Or
    # resiliparse's main-content guess missed the article (guancha.cn: the comment area wins;
    # toutiao: nothing found): filter the whole page minus comment blocks. One linear-time
    # pass on the same tree (extraction does not mutate it).
    # A main block that is largely navigation (link-dense or boilerplate lines: a 404 or login page
    # inside a portal's menus, galleries and "更多" links) is not lyrics: never returned unfiltered.
    raw_main = "\n".join(t for t, _, _ in main_lines) if _bad_share(main_lines) <= _MAX_BAD_SHARE else ""
    if _nonspace_len(raw_main) >= 4 * _FALLBACK_MIN:
        return raw_main
    # A short raw block is not trusted unfiltered: gallery captions beside a login form are short
    # unpunctuated lines too (a junk page in portal markup kept them; cwced and silver F1 unchanged).
    full = extract_plain_text(tree, main_content=False, **_RP_OPTS, **_RP_RETRY)
    return _filtered(_marked_lines(full))


def _extract_trafilatura(html: str) -> str:
    import trafilatura  # heavy import (~0.5 s); only pay for it when asked

    out = trafilatura.extract(
        html,
        include_comments=False,  # comments are not main text (the cwced gold excludes them)
        # False scores higher on cwced (0.904 vs 0.897 mean) but empties 2 of 49 pages whose
        # text sits in layout tables; True renders such tables as "| a | b |" rows instead.
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        config=_trafilatura_config(),  # favor_recall/favor_precision/fast: all worse on cwced
    )
    return out or ""


_TRAF_CONFIG: ConfigParser | None = None


def _trafilatura_config() -> ConfigParser:
    """Lower trafilatura's size thresholds: they count characters, and Chinese needs ~3x fewer."""
    global _TRAF_CONFIG
    if _TRAF_CONFIG is None:
        from trafilatura.settings import use_config

        cfg = use_config()
        cfg.set("DEFAULT", "MIN_EXTRACTED_SIZE", "100")
        cfg.set("DEFAULT", "MIN_OUTPUT_SIZE", "10")
        _TRAF_CONFIG = cfg
    return _TRAF_CONFIG


def normalise_lines(text: str) -> str:
    """Collapse whitespace inside lines and drop blank lines (one paragraph per line)."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def extract_main_text(html: str, extractor: str = "resiliparse") -> str:
    """Main text of a decoded HTML page, one paragraph per line; "" when nothing or on failure.

    Never raises on bad input: a crawl has garbage, truncated and pathological pages, and one
    exception would fail a whole Spark task.
    """
    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown extractor {extractor!r}; expected one of {EXTRACTORS}")
    if not isinstance(html, str) or not html or html.isspace():
        return ""
    for attempt in range(2):
        try:
            if extractor == "resiliparse":
                return _extract_resiliparse(html)  # lines come out normalised already
            return normalise_lines(_extract_trafilatura(html))
        except UnicodeEncodeError:  # lone surrogates (e.g. from surrogateescape): scrub once
            if attempt:
                return ""
            html = html.encode("utf-8", "replace").decode("utf-8")
        except Exception:  # noqa: BLE001 - parser errors, RecursionError, lxml limits
            return ""
    return ""
