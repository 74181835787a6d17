"""Category blocklists (porn, gambling, fraud/ads, violence, politics) and a domain blocklist.

One Aho-Corasick automaton (pyahocorasick, C) holds the terms of every category, so a document is
scanned once whatever the number of terms. It runs over the UTF-8 bytes of the text (as a latin-1
str), not over its characters: pyahocorasick looks a node's children up linearly, and with ~380
distinct first characters in the shipped lists the character automaton ran at ~13 MB/s, the byte
automaton (<= 256 children a node, whatever the list size) at ~37 MB/s. UTF-8 is
self-synchronising, so a byte match always starts and ends on character boundaries.

Hits are counted leftmost-longest and non-overlapping (`Automaton.iter_long`): a nested term
("百家乐" inside "百家乐投注") and a term listed twice never count twice, so the density is the
number of spam phrases a reader sees, not an artefact of how lists overlap.

A document is rejected only when a category is dense (hits per 1,000 characters at or above its
threshold) AND shows at least `min_distinct_terms` distinct terms: one word, however often repeated
(a crime report saying 百家乐 three times), never rejects. Lines are judged by `is_spam_line` for the
line-level cleaner: SEO keyword lines are short and mostly made of listed terms.

Text is expected already normalised as coarse does it (NFKC, OpenCC t2s); the matcher lower-cases
it itself. Terms get the same NFKC + t2s + lower-case treatment when loaded, so external lists in
Traditional or full-width forms still match.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick

from mdfs.config import DEFAULT_CONFIG_PATH

CATEGORIES: tuple[str, ...] = ("porn", "gambling", "fraud_ads", "violence", "politics")
SHIPPED_DIR = Path(__file__).resolve().parent / "blocklists"
SHIPPED_DOMAINS = SHIPPED_DIR / "domains.txt"
# Relative list paths in the config are resolved against the repository root, not the working
# directory, so the driver and every executor read the same file.
REPO_ROOT = DEFAULT_CONFIG_PATH.parent.parent

# Labels used by external `label<TAB>term` lists (ChineseWebText dict.txt) and Chinese list names,
# mapped to our categories for `auto:` lists. Labels not here (其他, 社会, 民生…) are skipped.
LABELS: dict[str, str] = {
    "色情": "porn", "porn": "porn",
    "赌博": "gambling", "gambling": "gambling",
    "广告": "fraud_ads", "诈骗": "fraud_ads", "fraud_ads": "fraud_ads",
    "暴恐": "violence", "毒品": "violence", "涉枪涉爆": "violence", "violence": "violence",
    "政治": "politics", "反动": "politics", "politics": "politics",
}


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _bytes_str(text: str) -> str:
    """UTF-8 bytes as a latin-1 str (one char per byte), what the automaton runs over.

    surrogatepass: a lone surrogate (possible in arbitrary input) is encoded rather than raising.
    """
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


_t2s: Any = None


def normalise_term(term: str) -> str:
    """NFKC, OpenCC t2s, lower-case, strip (and a trailing comma, as fwwdn's lists carry one)."""
    global _t2s
    t = unicodedata.normalize("NFKC", term).strip().rstrip(",，").strip()
    if t and not t.isascii():
        if _t2s is None:
            import opencc

            _t2s = opencc.OpenCC("t2s")
        t = _t2s.convert(t)
    return t.lower()


def read_list(path: str | Path) -> Iterator[tuple[str | None, str]]:
    """Yield (label or None, raw term) from a list: one term a line, `#` comments, `label<TAB>term`."""
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "\t" in line:
                label, _, term = line.partition("\t")
                yield label.strip(), term.strip()
            else:
                yield None, line


def resolve_path(path: str) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else (REPO_ROOT / p).resolve()


def parse_list_spec(spec: str) -> tuple[str, Path]:
    """Split a config entry "category:path" ("auto:path" maps each line's own label)."""
    cat, sep, path = spec.partition(":")
    if not sep or not path:
        raise ValueError(f"blocklist list {spec!r}: expected 'category:path'")
    cat = cat.strip()
    if cat != "auto" and cat not in CATEGORIES:
        raise ValueError(f"blocklist list {spec!r}: unknown category {cat!r}; known: auto, {', '.join(CATEGORIES)}")
    return cat, resolve_path(path.strip())


def load_terms(path: str | Path, category: str) -> Iterator[tuple[str, str]]:
    """Yield (category, raw term) from one list file; `category="auto"` uses each line's label."""
    for label, term in read_list(path):
        if category == "auto":
            cat = LABELS.get(label or "")
            if cat is None:
                continue
        else:
            cat = category
        yield cat, term


@dataclass(frozen=True, slots=True)
class CategoryHits:
    """What one category found in a text."""

    hits: int  # non-overlapping matches
    distinct: int  # distinct terms among them
    density: float  # hits per 1,000 characters
    top: tuple[str, ...]  # the most frequent matched terms, most frequent first


class BlocklistMatcher:
    """All categories in one automaton; build once per process (see `get_matcher`)."""

    def __init__(
        self,
        terms: Iterable[tuple[str, str]],
        thresholds: Mapping[str, float],
        min_distinct_terms: int = 2,
        min_term_chars: int = 2,
        spam_line_min_distinct: int = 2,
        spam_line_max_chars: int = 60,
        spam_line_min_coverage: float = 0.2,
        detail_terms: int = 3,
    ) -> None:
        self.categories = tuple(thresholds)
        self.thresholds = dict(thresholds)
        self.min_distinct_terms = min_distinct_terms
        self.spam_line_min_distinct = spam_line_min_distinct
        self.spam_line_max_chars = spam_line_max_chars
        self.spam_line_min_coverage = spam_line_min_coverage
        self.detail_terms = detail_terms
        by_term: dict[str, set[str]] = {}
        for cat, raw in terms:
            if cat not in self.thresholds:
                continue
            t = normalise_term(raw)
            if len(t) < min_term_chars:
                continue
            by_term.setdefault(t, set()).add(cat)
        self.terms: dict[str, tuple[str, ...]] = {t: tuple(sorted(c)) for t, c in by_term.items()}
        self.sizes: dict[str, int] = dict(Counter(c for cats in self.terms.values() for c in cats))
        self.n_terms = len(self.terms)
        self._auto = ahocorasick.Automaton()
        for t, cats in self.terms.items():
            key = _bytes_str(t)
            # Terms starting/ending in an ASCII letter or digit must not match inside a longer
            # ASCII word ("av" in "have", "porn" in "popcorn"): flag which edges to check.
            value = (t, cats, len(key), _is_ascii_alnum(t[0]), _is_ascii_alnum(t[-1]))
            self._auto.add_word(key, value)
        if self.n_terms:
            self._auto.make_automaton()

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> BlocklistMatcher:
        """Build from the `[blocklist]` section (or a whole config holding one)."""
        b = cfg.get("blocklist", cfg)
        cats = list(b["categories"])
        for c in cats:
            if c not in CATEGORIES:
                raise ValueError(f"blocklist.categories: unknown category {c!r}; known: {', '.join(CATEGORIES)}")
        thresholds = {c: float(b[f"max_density_{c}"]) for c in cats}

        def terms() -> Iterator[tuple[str, str]]:
            if b["use_shipped"]:
                for c in cats:
                    yield from load_terms(SHIPPED_DIR / f"{c}.txt", c)
            for spec in b["extra_lists"]:
                cat, path = parse_list_spec(spec)
                yield from load_terms(path, cat)

        return cls(
            terms(),
            thresholds,
            min_distinct_terms=int(b["min_distinct_terms"]),
            min_term_chars=int(b["min_term_chars"]),
            spam_line_min_distinct=int(b["spam_line_min_distinct"]),
            spam_line_max_chars=int(b["spam_line_max_chars"]),
            spam_line_min_coverage=float(b["spam_line_min_coverage"]),
            detail_terms=int(b["detail_terms"]),
        )

    def _matches(self, text: str) -> Iterator[tuple[int, str, tuple[str, ...]]]:
        """Yield (length, term, categories) per non-overlapping leftmost-longest match."""
        if not self.n_terms or not text:
            return
        data = _bytes_str(text.lower())
        n = len(data)
        for end, (term, cats, blen, check_start, check_end) in self._auto.iter_long(data):
            # Byte offsets; a byte < 0x80 is the ASCII character itself, any other never is.
            if check_start:
                start = end - blen + 1
                if start > 0 and _is_ascii_alnum(data[start - 1]):
                    continue
            if check_end and end + 1 < n and _is_ascii_alnum(data[end + 1]):
                continue
            yield len(term), term, cats

    def scan(self, text: str, n_chars: int | None = None) -> dict[str, CategoryHits]:
        """Hits per category that matched anything (absent categories had none)."""
        counts: dict[str, Counter[str]] = {}
        for _, term, cats in self._matches(text):
            for c in cats:
                counts.setdefault(c, Counter())[term] += 1
        if not counts:
            return {}
        size = n_chars if n_chars and n_chars > 0 else max(len(text), 1)
        out: dict[str, CategoryHits] = {}
        for c, cnt in counts.items():
            hits = sum(cnt.values())
            top = tuple(t for t, _ in cnt.most_common(self.detail_terms))
            out[c] = CategoryHits(hits, len(cnt), hits * 1000.0 / size, top)
        return out

    def doc_verdict(self, text: str, n_chars: int | None = None) -> tuple[str, str] | None:
        """(category, "gambling:12.5/1k:真人荷官,百家乐投注") for a document to reject, else None.

        Among the categories over their threshold, the one furthest over it (density / threshold) is named.
        """
        best: tuple[float, str, CategoryHits] | None = None
        for c, h in self.scan(text, n_chars).items():
            thr = self.thresholds[c]
            if h.distinct >= self.min_distinct_terms and h.density >= thr:
                score = h.density / thr if thr > 0 else float("inf")
                if best is None or score > best[0]:
                    best = (score, c, h)
        if best is None:
            return None
        _, c, h = best
        return c, f"{c}:{h.density:.1f}/1k:{','.join(h.top)}"

    def is_spam_line(self, line: str) -> bool:
        """A line to cut: >= spam_line_min_distinct distinct terms, or a short line mostly made of terms."""
        terms: set[str] = set()
        covered = 0
        for length, term, _ in self._matches(line):
            terms.add(term)
            covered += length
        if not terms:
            return False
        if len(terms) >= self.spam_line_min_distinct:
            return True
        n = len(line.strip())
        return 0 < n <= self.spam_line_max_chars and covered / n >= self.spam_line_min_coverage


def normalise_domain(value: str) -> str:
    """Host part of a domain or URL, lower-case, without scheme, port, path, "www." or trailing dot."""
    d = value.strip().lower()
    if "://" in d:
        d = d.split("://", 1)[1]
    for sep in "/?#":
        d = d.split(sep, 1)[0]
    d = d.rsplit("@", 1)[-1]
    if d.startswith("[") or d.count(":") > 1:  # IPv6 literal: keep whole
        return d.strip("[]")
    d = d.split(":", 1)[0].strip(".")
    return d[4:] if d.startswith("www.") else d


class DomainBlocklist:
    """Domain suffixes matched at a dot boundary, plus `~substring` patterns.

    List syntax: `example-casino.com` blocks it and every subdomain (a.example-casino.com) but not
    notexample-casino.com; `.xxx` blocks a whole suffix (a TLD); `~liuhecai` blocks any domain
    containing the substring. Entries without a dot that are not `.x`/`~x` are ignored: a bare word
    in an external list must never block a whole TLD by accident.
    """

    def __init__(self, entries: Iterable[str]) -> None:
        self.suffixes: set[str] = set()
        patterns: set[str] = set()
        for raw in entries:
            e = raw.strip().lower()
            if not e or e.startswith("#"):
                continue
            if e.startswith("~"):
                if len(e) > 3:
                    patterns.add(e[1:])
                continue
            if e.startswith("."):
                if len(e) > 1 and "/" not in e:
                    self.suffixes.add(e.strip("."))
                continue
            d = normalise_domain(e.removeprefix("*."))
            if "." in d:
                self.suffixes.add(d)
        self.patterns = tuple(sorted(patterns))

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> DomainBlocklist:
        b = cfg.get("blocklist", cfg)
        paths = ([SHIPPED_DOMAINS] if b["use_shipped"] else []) + [resolve_path(p) for p in b["domain_lists"]]
        return cls(term for p in paths for _, term in read_list(p))

    def __len__(self) -> int:
        return len(self.suffixes) + len(self.patterns)

    def match(self, domain: str | None) -> str | None:
        """The list entry that blocks `domain` (a host or URL), or None."""
        if not domain:
            return None
        d = normalise_domain(domain)
        if not d:
            return None
        if d in self.suffixes:
            return d
        i = d.find(".")
        while i >= 0:
            suffix = d[i + 1 :]
            if suffix in self.suffixes:
                return suffix
            i = d.find(".", i + 1)
        for p in self.patterns:
            if p in d:
                return "~" + p
        return None


def _key(cfg: Mapping[str, Any]) -> str:
    """The config values the matchers depend on, as a hashable string."""
    return json.dumps(dict(cfg.get("blocklist", cfg)), sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=8)
def _matcher(key: str) -> BlocklistMatcher:
    return BlocklistMatcher.from_config(json.loads(key))


@lru_cache(maxsize=8)
def _domains(key: str) -> DomainBlocklist:
    return DomainBlocklist.from_config(json.loads(key))


def get_matcher(cfg: Mapping[str, Any]) -> BlocklistMatcher:
    """The process-wide matcher for this config: built once per Python worker, then reused."""
    return _matcher(_key(cfg))


def get_domain_blocklist(cfg: Mapping[str, Any]) -> DomainBlocklist:
    """The process-wide domain blocklist for this config."""
    return _domains(_key(cfg))
