"""Main-text extraction from decoded HTML (collect stage).

Default is resiliparse (C++/lexbor, ~30x faster than trafilatura) plus a light line-level
boilerplate filter. Measured on the 49 hand-labelled cwced Chinese pages (bench/extract), plain
`main_content=True` keeps recall near 1.0 but precision at ~0.81: old table-layout portals leave
nav bars, link lists, copyright footers and calendars inside the "main" block. A jusText-style
pass over the output lines (link density, length, Chinese clause punctuation, neighbour context)
removes most of that for a few percent of the extraction time. Every threshold is a round number
and the gains held on both halves of cwced and on silver pages it was not tuned on (GNE, Mozilla
Readability, trafilatura snippets); see bench/RESULTS.md.

The input must already be a decoded `str` (use `mdfs.text.charset.decode_html` on the raw bytes):
both libraries guess charsets from bytes badly on GBK pages.
"""

from __future__ import annotations

import html as _html
import re
from configparser import ConfigParser
from typing import Literal

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

Extractor = Literal["resiliparse", "trafilatura"]
EXTRACTORS: tuple[str, ...] = ("resiliparse", "trafilatura")

# resiliparse options, measured on cwced + silver pages:
#  - comments=False: blog/news comment threads are not main text (+0.005 cwced F1, + silver).
#  - alt_texts=False: Chinese pages put file names ("IMG_3886.jpg") or nothing useful in alt;
#    neutral on cwced, +0.015 on silver, and keeps image captions from splitting paragraphs.
#  - links=True + 'minimal_html': only so the filter can measure per-line link density; the
#    markup is stripped again below. list_bullets/form_fields/noscript/post_meta: defaults
#    (no measurable effect or worse).
_RP_OPTS = dict(
    preserve_formatting="minimal_html",
    links=True,
    alt_texts=False,
    comments=False,
    form_fields=False,
    noscript=False,
)

# Line classifier thresholds (jusText-style, re-scaled from words to CJK characters: one
# Chinese character carries roughly a third of an English word's length in chars).
_MAX_LINK_DENSITY = 0.5  # more link text than this: navigation / related-article list
_SHORT = 10  # chars; shorter lines are judged only by their neighbours
_GOOD_LEN = 30  # chars; prose lines at least this long with clause punctuation are content
_GOOD_LINK_DENSITY = 0.3
_FALLBACK_MIN = 50  # filtered main content below this many chars: try the other candidates

_TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_ANCHOR_RE = re.compile(r"<a\b[^>]*>((?:(?!<a\b).)*?)</a>", re.DOTALL | re.IGNORECASE)
_BLOCK_TAGS = frozenset({"p", "br", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
# Clause/sentence punctuation, full- and half-width: prose has one every ~15 chars, menus none.
_PUNCT_RE = re.compile(r"[，。！？；：、,!?;]")
# Footer boilerplate that appears inside "main" blocks of portal pages; checked only on lines
# under 200 chars so an article that discusses copyright or licences keeps its paragraphs.
_BOILER_RE = re.compile(
    r"版权所有|版权声明|免责声明|违者必究|copyright|©|all rights reserved"
    r"|ICP[备证]|公网安备|备案号|许可证(?:编?号)?[:：]?\s*\S{0,4}\d{5,}",
    re.IGNORECASE,
)
_WORDISH_RE = re.compile(r"[^\W\d_]")  # any letter (Latin, CJK, ...)


def _nonspace_len(text: str) -> int:
    return len(text) - text.count(" ")


def _marked_lines(marked: str) -> list[tuple[str, float]]:
    """Split resiliparse minimal_html output into (plain line, link density) pairs.

    Anchors are matched across lines (an <a> can wrap blocks), and an inner `<a` ends the
    candidate span because resiliparse emits unclosed anchors (`<a href="">`) on real pages.
    """
    lines: list[tuple[str, float]] = []
    buf: list[str] = []
    link_chars = 0

    def flush() -> None:
        nonlocal link_chars
        text = " ".join("".join(buf).split())
        if text:
            n = _nonspace_len(text)
            lines.append((text, min(1.0, link_chars / n) if n else 0.0))
        buf.clear()
        link_chars = 0

    def add_text(segment: str, is_link: bool) -> None:
        nonlocal link_chars
        if not segment:
            return
        for i, part in enumerate(_html.unescape(segment).split("\n")):
            if i:
                flush()
            buf.append(part)
            if is_link:
                link_chars += len("".join(part.split()))

    def feed(chunk: str, is_link: bool) -> None:
        pos = 0
        for m in _TAG_RE.finditer(chunk):
            add_text(chunk[pos : m.start()], is_link)
            if m.group(1).lower() in _BLOCK_TAGS:
                flush()
            pos = m.end()
        add_text(chunk[pos:], is_link)

    pos = 0
    for m in _ANCHOR_RE.finditer(marked):
        feed(marked[pos : m.start()], False)
        feed(m.group(1), True)
        pos = m.end()
    feed(marked[pos:], False)
    flush()
    return lines


def _classify(lines: list[tuple[str, float]]) -> list[bool]:
    """jusText-style: label lines good/bad/short/near, then resolve the last two by context."""
    labels: list[str] = []
    for text, link_density in lines:
        n = _nonspace_len(text)
        if link_density > _MAX_LINK_DENSITY or (n < 200 and _BOILER_RE.search(text)):
            labels.append("bad")
        elif n < _SHORT or not _WORDISH_RE.search(text):
            # No letters at all (dates, calendars, rules, box drawing) counts as short: kept
            # only inside content, whatever its length.
            labels.append("short")
        elif n >= _GOOD_LEN and link_density <= _GOOD_LINK_DENSITY and _PUNCT_RE.search(text):
            labels.append("good")
        else:
            labels.append("near")

    def neighbour(i: int, step: int) -> str:
        j = i + step
        while 0 <= j < len(labels):
            if labels[j] in ("good", "bad"):
                return labels[j]
            j += step
        return "bad"  # page edges count as boilerplate, as in jusText

    keep: list[bool] = []
    for i, label in enumerate(labels):
        if label in ("good", "bad"):
            keep.append(label == "good")
            continue
        prev, nxt = neighbour(i, -1), neighbour(i, 1)
        # Short lines (headings, bylines) need content on both sides; medium lines on one.
        keep.append(prev == nxt == "good" if label == "short" else "good" in (prev, nxt))
    return keep


def _filtered(lines: list[tuple[str, float]]) -> str:
    return "\n".join(text for (text, _), k in zip(lines, _classify(lines)) if k)


def _extract_resiliparse(html: str) -> str:
    tree = HTMLTree.parse(html)
    main_lines = _marked_lines(extract_plain_text(tree, main_content=True, **_RP_OPTS))
    text = _filtered(main_lines)
    if _nonspace_len(text) >= _FALLBACK_MIN:
        return text
    # Rare (~5% of pages): resiliparse's main-content guess missed the article (e.g. guancha.cn),
    # or the content has no punctuation at all (lyrics, poems). Take the longest of: filtered
    # whole page, unfiltered main content. The tree is reused; extraction does not mutate it.
    full = _filtered(_marked_lines(extract_plain_text(tree, main_content=False, **_RP_OPTS)))
    raw_main = "\n".join(t for t, _ in main_lines)
    return max((text, full, raw_main), key=_nonspace_len)


def _extract_trafilatura(html: str) -> str:
    import trafilatura  # heavy import (~0.5 s); only pay for it when asked

    out = trafilatura.extract(
        html,
        include_comments=False,  # comments are not main text (the cwced gold excludes them)
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
    if not isinstance(html, str) or not html.strip():
        return ""
    try:
        if extractor == "resiliparse":
            text = _extract_resiliparse(html)
        else:
            text = _extract_trafilatura(html)
    except Exception:  # noqa: BLE001 - parser errors, RecursionError, MemoryError-adjacent
        return ""
    return normalise_lines(text)
