"""`manifest.json` of a shard folder, and `mdfs shards verify DIR`, which checks one against its files.

The manifest is what a training job and an auditor read: every file with its size and sha256,
documents and tokens per shard and per split, the tokenizer's hash and the config hash, and the
Megatron `--data-path` prefixes. `verify_dir` trusts none of it: it re-hashes every file, re-reads
every header, checks that each document ends with EOS and that every id is inside the vocabulary,
and decodes sample documents, re-encoding them to the same ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from mdfs.shard.encode import file_sha256
from mdfs.shard.indexed import IndexedReader, dtype_for_vocab, verify

MANIFEST = "manifest.json"
FORMAT = "megatron-mmap-indexed"
TOKENIZER_FILE = "tokenizer.json"


def build_manifest(
    metas: list[dict[str, Any]],
    *,
    dtype: np.dtype,
    tokenizer: dict[str, Any],
    eos: dict[str, Any] | None,
    seed: int,
    config_hash: str,
) -> dict[str, Any]:
    """The manifest from the writers' per-shard sidecars (split, shard, documents, tokens, bin, idx)."""
    from mdfs.shard.encode import shard_prefix

    files: list[dict[str, Any]] = []
    shards: list[dict[str, Any]] = []
    splits: dict[str, dict[str, int]] = {}
    for m in sorted(metas, key=lambda m: (m["split"], m["shard"])):
        prefix = shard_prefix(m["split"], m["shard"])
        shards.append({"prefix": prefix, "split": m["split"], "documents": m["documents"], "tokens": m["tokens"]})
        for ext in ("bin", "idx"):
            files.append(
                {
                    "path": f"{prefix}.{ext}",
                    "split": m["split"],
                    "bytes": m[ext]["bytes"],
                    "sha256": m[ext]["sha256"],
                    "documents": m["documents"],
                    "tokens": m["tokens"],
                }
            )
        s = splits.setdefault(m["split"], {"documents": 0, "tokens": 0, "shards": 0})
        s["documents"] += m["documents"]
        s["tokens"] += m["tokens"]
        s["shards"] += 1
    return {
        "format": FORMAT,
        "version": 1,
        "dtype": np.dtype(dtype).name,
        "tokenizer": tokenizer,
        "eos": eos,
        "seed": seed,
        "config_hash": config_hash,
        "splits": splits,
        # Megatron-LM: --train-data-path / --valid-data-path take "weight prefix" pairs.
        "data_path": {
            split: [x for sh in shards if sh["split"] == split for x in (str(sh["tokens"]), sh["prefix"])]
            for split in splits
        },
        "shards": shards,
        "files": files,
    }


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_manifest(folder: str | Path) -> dict[str, Any]:
    with open(Path(folder) / MANIFEST, encoding="utf-8") as f:
        return json.load(f)


def _sample_positions(n: int, k: int) -> list[int]:
    """k document positions spread over the shard, first and last included."""
    if n <= 0 or k <= 0:
        return []
    return sorted({int(round(x)) for x in np.linspace(0, n - 1, num=min(k, n))})


def verify_dir(folder: str | Path, samples: int = 3) -> tuple[list[str], list[str]]:
    """(problems, notes) for a shard folder; no problems means every check passed."""
    root = Path(folder)
    problems: list[str] = []
    notes: list[str] = []
    try:
        man = read_manifest(root)
    except (OSError, ValueError) as e:
        return [f"{root / MANIFEST}: cannot read: {e}"], notes
    if man.get("format") != FORMAT:
        problems.append(f"manifest format {man.get('format')!r}, expected {FORMAT!r}")

    for f in man["files"]:
        p = root / f["path"]
        if not p.is_file():
            problems.append(f"{f['path']}: missing")
            continue
        if p.stat().st_size != f["bytes"]:
            problems.append(f"{f['path']}: {p.stat().st_size} bytes, manifest says {f['bytes']}")
        elif file_sha256(p) != f["sha256"]:
            problems.append(f"{f['path']}: sha256 differs from the manifest")
    listed = {f["path"] for f in man["files"]}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.suffix in (".bin", ".idx") and rel not in listed:
            problems.append(f"{rel}: a shard file the manifest does not list")

    tok = None
    tinfo = man.get("tokenizer") or {}
    tpath = root / tinfo.get("file", TOKENIZER_FILE)
    if not tpath.is_file():
        problems.append(f"{tpath.name}: missing (the tokenizer is needed to decode)")
    elif file_sha256(tpath) != tinfo.get("sha256"):
        problems.append(f"{tpath.name}: sha256 differs from the manifest")
    else:
        from mdfs.tokenize import load_tokenizer

        tok = load_tokenizer(tpath)
        vocab = tok.get_vocab_size()
        if vocab != tinfo.get("vocab_size"):
            problems.append(f"tokenizer vocabulary {vocab}, manifest says {tinfo.get('vocab_size')}")
        if np.dtype(man["dtype"]) != dtype_for_vocab(vocab):
            problems.append(f"dtype {man['dtype']} is not Megatron's choice {dtype_for_vocab(vocab)} for {vocab} tokens")

    eos_id = (man.get("eos") or {}).get("id")
    totals: dict[str, dict[str, int]] = {}
    for sh in man["shards"]:
        prefix = root / sh["prefix"]
        before = len(problems)
        if not (prefix.with_suffix(".bin").is_file() and prefix.with_suffix(".idx").is_file()):
            continue  # reported above
        for msg in verify(prefix):
            problems.append(f"{sh['prefix']}: {msg}")
        if len(problems) > before:
            continue
        with IndexedReader(prefix) as r:
            if r.dtype.name != np.dtype(man["dtype"]).name:
                problems.append(f"{sh['prefix']}: dtype {r.dtype.name}, manifest says {man['dtype']}")
            if (r.document_count, r.token_count) != (sh["documents"], sh["tokens"]):
                problems.append(
                    f"{sh['prefix']}: {r.document_count} documents / {r.token_count} tokens, "
                    f"manifest says {sh['documents']} / {sh['tokens']}"
                )
            if len(problems) > before:
                continue
            t = totals.setdefault(sh["split"], {"documents": 0, "tokens": 0})
            t["documents"] += r.document_count
            t["tokens"] += r.token_count
            allids = r.all_tokens()
            if tok is not None and allids.size and int(allids.max()) >= tok.get_vocab_size():
                problems.append(f"{sh['prefix']}: token id {int(allids.max())} outside the vocabulary")
            lengths = r.sequence_lengths.astype(np.int64)
            if eos_id is not None and len(lengths):
                if (lengths == 0).any():
                    problems.append(f"{sh['prefix']}: {int((lengths == 0).sum())} empty documents (no EOS)")
                else:
                    last = np.cumsum(lengths) - 1
                    bad = int((allids[last] != eos_id).sum())
                    if bad:
                        problems.append(f"{sh['prefix']}: {bad} documents do not end with EOS id {eos_id}")
            if tok is None:
                continue
            from mdfs.tokenize import decode_document

            for i in _sample_positions(len(r), samples):
                ids = r[i].tolist()
                body = ids[:-1] if eos_id is not None and ids and ids[-1] == eos_id else ids
                text = decode_document(tok, body)
                again = tok.encode(text, add_special_tokens=False).ids
                if again != body:
                    problems.append(f"{sh['prefix']}[{i}]: decoding then encoding does not give the stored ids")
                excerpt = text[:60].replace("\n", " ")
                notes.append(f"{sh['prefix']}[{i}] {len(ids)} tokens: {excerpt}")
    if not problems:
        for split, s in man["splits"].items():
            got = totals.get(split, {"documents": 0, "tokens": 0})
            if (got["documents"], got["tokens"]) != (s["documents"], s["tokens"]):
                problems.append(f"split {split}: shards hold {got}, manifest says {s}")
    return problems, notes


def verify_main(folder: str, samples: int = 3) -> int:
    """`mdfs shards verify DIR`: print what was checked; exit 1 on any problem."""
    problems, notes = verify_dir(folder, samples)
    try:
        man = read_manifest(folder)
        for split, s in man["splits"].items():
            print(f"{split}: {s['shards']} shards, {s['documents']:,} documents, {s['tokens']:,} tokens ({man['dtype']})")
    except (OSError, ValueError, KeyError):
        pass
    for n in notes:
        print(f"  {n}")
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {folder}")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"OK: {folder} (files, sha256, headers, sizes, EOS, vocabulary range, decoded samples)")
    return 0


__all__ = ["FORMAT", "MANIFEST", "build_manifest", "read_manifest", "verify_dir", "verify_main", "write_manifest"]
