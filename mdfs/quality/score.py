"""Score documents with the shipped fastText quality model: P(high quality) per text.

`load_model` caches one model per path and process: a Spark executor calls the batch scorer
once per Arrow batch, and loading (~10 ms for the .ftz, but real disk and C++ allocations)
must not be repeated per batch. Every failure to load (missing, not a fastText file, truncated,
wrong labels) raises `QualityModelError` naming the path, so a misconfigured job fails at once
with a message that says which file, not deep inside a Spark task with a C++ error.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mdfs.quality.features import fasttext_line

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
LABEL_HIGH = "__label__hq"
LABEL_LOW = "__label__lq"

# fastText's binary header: int32 magic, int32 version (fasttext/src/fasttext.cc).
_FASTTEXT_MAGIC = 793712314
_FASTTEXT_VERSION = 12

_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()


class QualityModelError(RuntimeError):
    """The quality model could not be loaded or used; the message names the file."""


def resolve_model_path(path: str | Path) -> Path:
    """A relative path (as in `quality.model`) is relative to the repository root, so the
    pipeline finds the model from any working directory."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else REPO_ROOT / p


def _check_file(p: Path) -> None:
    if not p.is_file():
        raise QualityModelError(f"quality model not found: {p} (train it with `python -m mdfs.quality.train`)")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise QualityModelError(f"cannot read quality model {p}: {e}") from e
    problem = _fasttext_layout_problem(data)
    if problem:
        raise QualityModelError(f"corrupt quality model {p}: {problem}")


_MAX_ROWS = 1 << 31  # sanity bounds, so garbage sizes are reported instead of allocated
_MAX_DIM = 4096


def _fasttext_layout_problem(b: bytes) -> str | None:
    """Walk fastText's binary layout (fasttext.cc saveModel: header, Args, Dictionary, input
    matrix, output matrix; dense or product-quantised) and check it ends exactly at the end of
    the file. fastText itself does not: a truncated .ftz loads "fine" and then segfaults or
    predicts garbage (checked: cut at 50% and 99% -> SIGSEGV in predict). ~1 ms for the model."""
    o = 0

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal o
        size = struct.calcsize("<" + fmt)
        if o + size > len(b):
            raise ValueError(f"truncated at byte {o} of {len(b)}")
        v = struct.unpack_from("<" + fmt, b, o)
        o += size
        return v

    def skip(n: int) -> None:
        nonlocal o
        if n < 0 or o + n > len(b):
            raise ValueError(f"truncated at byte {o} of {len(b)} (needs {n} more)")
        o += n

    def dims(m: int, n: int) -> None:
        if not (0 <= m <= _MAX_ROWS and 0 < n <= _MAX_DIM):
            raise ValueError(f"implausible matrix shape {m} x {n}")

    def dense() -> None:
        m, n = take("qq")
        dims(m, n)
        skip(4 * m * n)

    def pq() -> None:
        dim, nsubq, dsub, lastdsub = take("iiii")
        if not (0 < dim <= _MAX_DIM and 0 < nsubq <= dim):
            raise ValueError(f"implausible product quantizer {dim}/{nsubq}/{dsub}/{lastdsub}")
        skip(4 * dim * 256)  # centroids: dim x 2^8 floats

    def quant() -> None:
        (qnorm,) = take("?")
        m, n = take("qq")
        dims(m, n)
        (codesize,) = take("i")
        skip(codesize)
        pq()
        if qnorm:
            skip(m)
            pq()

    try:
        magic, version = take("ii")
        if (magic, version) != (_FASTTEXT_MAGIC, _FASTTEXT_VERSION):
            return "not a fastText model (bad header)"
        take("12id")  # Args: 12 ints and the sampling threshold t
        size, _nwords, nlabels, _ntokens, prune = take("iiiqq")
        if not (0 < size <= _MAX_ROWS and -1 <= prune <= _MAX_ROWS and 0 <= nlabels <= size):
            return f"implausible dictionary ({size} entries, {nlabels} labels)"
        for _ in range(size):  # NUL-terminated word, int64 count, int8 type
            end = b.find(b"\0", o)
            if end < 0:
                raise ValueError(f"truncated in the dictionary at byte {o}")
            o = end + 1
            take("qb")
        skip(8 * max(prune, 0))  # -1: never pruned
        (quant_input,) = take("?")
        quant() if quant_input else dense()
        (qout,) = take("?")
        quant() if (quant_input and qout) else dense()
    except (ValueError, struct.error) as e:
        return str(e)
    if o != len(b):
        return f"{len(b) - o} unexpected bytes after the model"
    return None


def load_model(path: str | Path) -> Any:
    """The fastText model at `path`, loaded once per process (thread-safe)."""
    p = resolve_model_path(path)
    key = str(p.resolve()) if p.exists() else str(p)
    model = _MODELS.get(key)
    if model is not None:
        return model
    with _LOCK:
        if key in _MODELS:
            return _MODELS[key]
        _check_file(p)
        import fasttext

        try:
            model = fasttext.load_model(str(p))
            labels = set(model.get_labels())
        except Exception as e:  # C++ errors surface as ValueError/RuntimeError/MemoryError
            raise QualityModelError(f"cannot load quality model {p}: {type(e).__name__}: {e}") from e
        if labels != {LABEL_HIGH, LABEL_LOW}:
            raise QualityModelError(f"quality model {p} has labels {sorted(labels)}, expected {LABEL_HIGH} and {LABEL_LOW}")
        _MODELS[key] = model
        return model


def probabilities(model: Any, lines: Sequence[str]) -> list[float]:
    """P(high) for prepared fastText lines, in one `predict` call (fastText 0.9.3 under numpy 2
    only accepts a list). An empty line (no text at all) scores 0.0."""
    if not lines:
        return []
    labels, probs = model.predict(list(lines), k=2)
    out: list[float] = []
    for line, labs, ps in zip(lines, labels, probs):
        if not line:
            out.append(0.0)
            continue
        d = dict(zip(labs, (float(x) for x in ps)))
        p = d[LABEL_HIGH] if LABEL_HIGH in d else 1.0 - d.get(LABEL_LOW, 1.0)
        out.append(min(1.0, max(0.0, p)))  # fastText adds 1e-5 to each probability
    return out


def score_texts(model: Any, texts: Sequence[str], cfg: Mapping[str, Any]) -> list[float]:
    """P(high quality) for each text. `cfg` is the full config: `[quality]` (max_chars, tokens)
    and `[normalize]`, the settings the model was trained with (quality_models/metrics.json)."""
    return probabilities(model, [fasttext_line(t, cfg) for t in texts])
