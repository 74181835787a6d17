"""Encoding documents for the shards (the hot path) and the exact inverse.

Tokenizers our compiled encoder reproduces exactly (mdfs.tokenize.fastbpe: the default
byte-fallback BPE designs) are encoded by it, ~5x faster per core than `tokenizers` with the same
ids; any other tokenizer.json (e.g. one given in the config) goes through `tokenizers`.
Per-core speed is what matters: Spark runs one Python worker per core, so set RAYON_NUM_THREADS=1
(or TOKENIZERS_PARALLELISM=false) in executors before the first encode; rayon threads only steal
cores from sibling workers. How the pieces were chosen (encode_batch_fast vs encode_batch,
list -> numpy conversion) is measured in bench/tokenize/compare.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from mdfs.tokenize.fastbpe import FastBPE

# Flat ids are uint32: vocabularies up to 4G, half of int64's memory; the shard writer narrows to
# uint16 when the vocabulary fits.
ID_DTYPE = np.uint32


# id(tokenizer) -> (the tokenizer, kept alive so the id stays its own; its compiled encoder or None)
_FAST: dict[int, tuple[Tokenizer, FastBPE | None]] = {}


def fast_encoder(tok: Tokenizer) -> FastBPE | None:
    """The compiled encoder for `tok` (built once per tokenizer object), or None if it has none."""
    hit = _FAST.get(id(tok))
    if hit is None or hit[0] is not tok:
        hit = _FAST[id(tok)] = (tok, FastBPE.from_tokenizer(tok))
    return hit[1]


def encode_arrow(tok: Tokenizer, arr: Any, eos_id: int | None) -> tuple[np.ndarray, np.ndarray]:
    """`encode_documents` for an Arrow string array (nulls as empty documents); with the compiled
    encoder the text goes from the Arrow UTF-8 buffer to ids without becoming Python strings."""
    fast = fast_encoder(tok)
    if fast is not None:
        return fast.encode_arrow(arr, eos_id)
    return encode_documents(tok, [t or "" for t in arr.to_pylist()], eos_id)


def encode_documents(tok: Tokenizer, texts: Sequence[str], eos_id: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Encode each text independently -> (flat uint32 ids, int64 per-document lengths).

    No special tokens are added except `eos_id` at the end of every document when given (and
    counted in its length). `encode_batch_fast` skips offset tracking, which costs a fifth of the
    time on Chinese text; `np.fromiter(chain(...))` is the cheapest list -> array route.
    """
    texts = list(texts) if not isinstance(texts, list) else texts
    fast = fast_encoder(tok)
    if fast is not None:
        return fast.encode(texts, eos_id)
    return hf_encode_documents(tok, texts, eos_id)


def hf_encode_documents(tok: Tokenizer, texts: list[str], eos_id: int | None) -> tuple[np.ndarray, np.ndarray]:
    """encode_documents through `tokenizers` itself (the reference the compiled encoder must equal)."""
    encs = tok.encode_batch_fast(texts, add_special_tokens=False)
    id_lists = [e.ids for e in encs]
    extra = 0 if eos_id is None else 1
    lengths = np.fromiter((len(x) + extra for x in id_lists), dtype=np.int64, count=len(id_lists))
    total = int(lengths.sum())
    if eos_id is None:
        flat = np.fromiter(chain.from_iterable(id_lists), dtype=ID_DTYPE, count=total)
    else:
        eos = (eos_id,)
        flat = np.fromiter(chain.from_iterable(chain.from_iterable((x, eos) for x in id_lists)),
                           dtype=ID_DTYPE, count=total)
    return flat, lengths


def decode_document(tok: Tokenizer, ids: Sequence[int] | np.ndarray) -> str:
    """The document text back from its ids, exactly; special tokens (e.g. the appended EOS) are dropped.

    Exact because the designs are lossless and special tokens never come from document text
    (load_tokenizer sets `encode_special_tokens`), so skipping them removes only what
    encode_documents appended.
    """
    if isinstance(ids, np.ndarray):
        ids = ids.tolist()
    return tok.decode(list(ids), skip_special_tokens=True)


def chars_per_token(tok: Tokenizer, texts: Sequence[str]) -> float:
    """Characters (code points) of `texts` per token, without special tokens: compression."""
    texts = list(texts)
    n_chars = sum(map(len, texts))
    n_tok = sum(len(e.ids) for e in tok.encode_batch_fast(texts, add_special_tokens=False))
    return n_chars / n_tok if n_tok else 0.0
