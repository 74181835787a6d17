"""Pre-tokenizer regexes: where BPE may never merge across.

Why this matters for Chinese: BPE cost per pre-token grows with its length and the encoder caches
results per pre-token string. GPT-2's regex makes every run of Han characters between two
punctuation marks one pre-token (10-30 characters, almost never seen twice), so the cache misses and
each run pays a full merge loop: ~2 MB/s per core. Cutting Han runs into pieces of at most `cap`
characters makes pre-tokens short and repetitive (cache hits), at the price of tokens never
spanning a cut. Measured trade-off: bench/tokenize/RESULTS_section.md.

All patterns are Oniguruma regexes for `tokenizers.pre_tokenizers.Split(..., behavior="isolated")`.
Every character of the input falls into exactly one match or the gaps Split keeps, so splitting
never loses text.
"""

from __future__ import annotations

from tokenizers import Regex, pre_tokenizers

# GPT-2's pattern (what `ByteLevel(use_regex=True)` applies): the ~2 MB/s baseline.
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

# Characters treated as "CJK" for run cutting: Han (incl. ext. A-H), kana, bopomofo.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}"


def cjk_pattern(cap: int) -> str:
    """GPT-2/Qwen-like pattern with CJK runs cut every `cap` characters and digits one by one.

    Alternatives, in order: English contractions; non-CJK letter runs with an optional leading
    space (Latin words, as GPT-2); CJK runs of 1..cap characters; single digits (as Llama 3/Qwen2,
    so numbers cost one token per digit but never blow up the vocabulary); punctuation/symbol runs
    with an optional leading space; newline runs; other whitespace.
    """
    if cap < 1:
        raise ValueError(f"cap must be >= 1, got {cap}")
    return (
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)"
        rf"| ?[\p{{L}}\p{{M}}&&[^{_CJK}]]+"
        rf"|[{_CJK}]{{1,{cap}}}"
        r"|\p{N}"
        rf"| ?[^\s\p{{L}}\p{{N}}\p{{M}}]+"
        r"|\s*[\r\n]+|\s+(?!\S)|\s+"
    )


def split_pre_tokenizer(pattern: str) -> pre_tokenizers.PreTokenizer:
    """A lossless Split on `pattern` (matches isolated, gaps kept)."""
    return pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False)
