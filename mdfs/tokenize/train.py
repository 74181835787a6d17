"""Tokenizer designs, training, saving and loading.

A design is named `<model>-<pretok>`:
  model   `bytelevel`: byte-level BPE (GPT-2 style; every byte maps to a printable character, so
          nothing is ever unknown; a Han character starts as 3 symbols and costs merges to form);
          `fallback`: character-level BPE with byte fallback (sentencepiece-like: characters are
          the alphabet, a character outside it is spelled as <0xXX> byte tokens).
  pretok  `gpt2`: GPT-2's regex (a Han run between punctuation is one pre-token);
          `cjk<N>`: `pretok.cjk_pattern(N)` (Han runs cut every N characters, digits one by one);
          `lines`: split after each newline; `none`: no split; `digits`: digits one by one;
          `metaspace`: sentencepiece's ▁ for spaces, split on spaces only (reference; not
          lossless for text containing ▁ itself).
The default, DEFAULT_DESIGN, was chosen by bench/tokenize/compare.py (numbers in mdfs/tokenize/__init__.py).

Lossless by construction: no normalizer, no unknown token (byte-level or byte fallback), and
special tokens are never matched inside document text (`encode_special_tokens = True`, set again
on every load because tokenizer.json does not store it), so decode(encode(text)) == text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from mdfs.tokenize.pretok import GPT2_PATTERN, cjk_pattern, split_pre_tokenizer

DEFAULT_DESIGN = "fallback-lines"
SPECIAL_TOKENS: tuple[str, ...] = ("<|pad|>", "<|bos|>", "<|eos|>")
# Roles of the special tokens by position, as written to tokenizer_config.json for transformers.
SPECIAL_ROLES: tuple[str, ...] = ("pad_token", "bos_token", "eos_token")
BYTE_TOKENS: tuple[str, ...] = tuple(f"<0x{b:02X}>" for b in range(256))

_DESIGN_RE = re.compile(r"^(bytelevel|fallback)-(none|lines|digits|gpt2|metaspace|cjk(\d+))$")


def parse_design(design: str) -> tuple[str, str, int | None]:
    """`"fallback-cjk4"` -> ("fallback", "cjk", 4); raises ValueError on an unknown name."""
    m = _DESIGN_RE.match(design)
    if not m:
        raise ValueError(
            f"unknown tokenizer design {design!r}: expected bytelevel-|fallback- followed by "
            "none, lines, digits, gpt2, metaspace or cjk<N>"
        )
    model, pretok, cap = m.group(1), m.group(2), m.group(3)
    if cap is not None:
        return model, "cjk", int(cap)
    return model, pretok, None


def _split(pretok: str, cap: int | None) -> pre_tokenizers.PreTokenizer | None:
    """The lossless splitting step of a design (None = the whole document is one pre-token)."""
    if pretok == "none":
        return None
    if pretok == "lines":
        return pre_tokenizers.Split("\n", behavior="merged_with_previous")
    if pretok == "digits":
        return pre_tokenizers.Digits(individual_digits=True)
    if pretok == "gpt2":
        return split_pre_tokenizer(GPT2_PATTERN)
    if pretok == "cjk":
        return split_pre_tokenizer(cjk_pattern(cap or 1))
    raise ValueError(f"no split for {pretok!r}")


def build_tokenizer(design: str = DEFAULT_DESIGN) -> Tokenizer:
    """An untrained tokenizer with `design`'s model, pre-tokenizer and decoder (no normalizer)."""
    model, pretok, cap = parse_design(design)
    if model == "bytelevel":
        if pretok == "metaspace":
            raise ValueError("bytelevel-metaspace makes no sense: use fallback-metaspace")
        tok = Tokenizer(models.BPE())
        if pretok == "gpt2":  # ByteLevel's built-in GPT-2 regex, as GPT-2/RoBERTa ship it
            tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        else:
            byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
            split = _split(pretok, cap)
            tok.pre_tokenizer = byte_level if split is None else pre_tokenizers.Sequence([split, byte_level])
        tok.decoder = decoders.ByteLevel()
        return tok
    tok = Tokenizer(models.BPE(byte_fallback=True))
    if pretok == "metaspace":
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
        tok.decoder = decoders.Sequence([
            decoders.Metaspace(replacement="▁", prepend_scheme="never", split=True),
            decoders.ByteFallback(), decoders.Fuse(),
        ])
        return tok
    split = _split(pretok, cap)
    if split is not None:
        tok.pre_tokenizer = split
    tok.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Fuse()])
    return tok


def _alphabet_size(texts: Sequence[str], min_count: int) -> int:
    """Characters seen at least `min_count` times: the fallback alphabet (rarer ones become bytes)."""
    counts: Counter[str] = Counter()
    for t in texts:
        counts.update(t)
    return sum(1 for c in counts.values() if c >= min_count)


def _with_byte_tokens(tok: Tokenizer, n_special: int) -> Tokenizer:
    """Put the 256 <0xXX> byte-fallback tokens into the BPE vocabulary right after the specials.

    BpeTrainer cannot add them itself (as special tokens they would be matched in text and skipped
    on decode), so the trained vocabulary is renumbered: specials 0..n-1, bytes n..n+255, then the
    learned tokens in their trained order. Merges are stored as strings, so they stay valid.
    """
    spec = json.loads(tok.to_str())
    vocab: dict[str, int] = spec["model"]["vocab"]
    ordered = sorted(vocab, key=vocab.__getitem__)
    specials, learned = ordered[:n_special], ordered[n_special:]
    new: dict[str, int] = {}
    for t in (*specials, *BYTE_TOKENS, *learned):
        new.setdefault(t, len(new))
    spec["model"]["vocab"] = new
    for added in spec["added_tokens"]:
        added["id"] = new[added["content"]]
    out = Tokenizer.from_str(json.dumps(spec, ensure_ascii=False))
    out.encode_special_tokens = True
    return out


def train_tokenizer(
    texts: Iterable[str],
    vocab_size: int,
    *,
    min_frequency: int = 2,
    special_tokens: Sequence[str] = SPECIAL_TOKENS,
    design: str = DEFAULT_DESIGN,
) -> Tokenizer:
    """Train a BPE tokenizer of `design` with exactly `vocab_size` entries at most.

    Special tokens get ids 0.. in the order given. No post-processor: `encode` gives plain ids
    whatever `add_special_tokens` says; BOS/EOS are added by the caller (encode_documents).
    For fallback designs the alphabet is every character seen >= min_frequency times (at most 3/4
    of the vocabulary, so merges keep a quarter even for tiny test vocabularies); rarer characters
    are encoded as UTF-8 bytes. The texts are held in memory (the sample is bounded by
    [tokenize] sample_max_chars).
    """
    special_tokens = list(special_tokens)
    model, _, _ = parse_design(design)
    tok = build_tokenizer(design)
    docs = list(texts)
    if model == "bytelevel":
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=special_tokens,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
        )
        tok.train_from_iterator(docs, trainer, length=len(docs))
        tok.encode_special_tokens = True
        return tok
    n_learn = vocab_size - len(BYTE_TOKENS)
    if n_learn <= len(special_tokens):
        raise ValueError(f"vocab_size {vocab_size} too small for byte fallback (needs > {256 + len(special_tokens)})")
    limit = min(_alphabet_size(docs, min_frequency), max(1, (n_learn - len(special_tokens)) * 3 // 4))
    trainer = trainers.BpeTrainer(
        vocab_size=n_learn, min_frequency=min_frequency, special_tokens=special_tokens,
        limit_alphabet=limit, show_progress=False,
    )
    tok.train_from_iterator(docs, trainer, length=len(docs))
    return _with_byte_tokens(tok, len(special_tokens))


def save_tokenizer(tok: Tokenizer, path: str | Path) -> None:
    """Write `tokenizer.json` at `path`, plus tokenizer_config.json/special_tokens_map.json beside it.

    `tokenizers.Tokenizer.from_file(path)` and `transformers.PreTrainedTokenizerFast(
    tokenizer_file=path)` read the json alone (the latter then knows no pad/bos/eos roles: pass
    them as keyword arguments); `PreTrainedTokenizerFast.from_pretrained(path's folder)` also
    reads the two side files and knows pad/bos/eos (special token at id 0, 1, 2 = pad, bos, eos).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(path), pretty=False)
    roles = special_roles(tok)
    side = {"tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": False,
            "model_max_length": 1_000_000_000, **roles}
    if path.name == "tokenizer.json":
        (path.parent / "tokenizer_config.json").write_text(json.dumps(side, ensure_ascii=False, indent=2) + "\n")
        (path.parent / "special_tokens_map.json").write_text(json.dumps(roles, ensure_ascii=False, indent=2) + "\n")


def special_roles(tok: Tokenizer) -> dict[str, str]:
    """{"pad_token": ..., "bos_token": ..., "eos_token": ...} from the special tokens at ids 0, 1, 2."""
    decoder = tok.get_added_tokens_decoder()
    roles: dict[str, str] = {}
    for i, role in enumerate(SPECIAL_ROLES):
        added = decoder.get(i)
        if added is not None and added.special:
            roles[role] = added.content
    return roles


def load_tokenizer(path: str | Path) -> Tokenizer:
    """Read tokenizer.json; special tokens in document text are then encoded as plain text."""
    return tokenizer_from_str(Path(path).read_text(encoding="utf-8"))


def tokenizer_from_str(spec: str) -> Tokenizer:
    """A tokenizer from tokenizer.json's content, set up exactly as `load_tokenizer` sets it up
    (executors get the JSON by broadcast and must encode the same ids as the driver)."""
    tok = Tokenizer.from_str(spec)
    tok.encode_special_tokens = True
    return tok


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file (recorded in stats/manifests so shards name the tokenizer they used)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def token_id(tok: Tokenizer, token: str) -> int:
    """The id of `token`; ValueError (not None) when the vocabulary lacks it."""
    i = tok.token_to_id(token)
    if i is None:
        raise ValueError(f"token {token!r} is not in the tokenizer's vocabulary (size {tok.get_vocab_size()})")
    return i
