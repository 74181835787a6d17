"""Where a dedup run keeps the signatures of what it released, and when a later run may use them.

Incremental dedup compares a new crawl with the documents earlier runs kept. Their signatures
are saved beside the stage output (`OUT/04_dedup/signatures/`: id, sha256 of the text, MinHash
signature) with `_signatures.json` naming the parameters that made them. Signatures made with a
different n-gram, permutation count, seed, scheme or tokenisation are not comparable (every
Jaccard estimate would be noise), so such a reference is refused before any Spark work starts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

SIGNATURES_DIR = "signatures"
SIGNATURES_META = "_signatures.json"  # "_": skipped by Spark and pyarrow when they read the folder
# Bump when shingle normalisation or hashing changes: old signatures would silently stop matching.
SHINGLE_VERSION = 1
REF_PREFIX = "released:"  # node ids of reference documents in the LSH graph, and the detail of rows they remove
STORE_SCHEMA = pa.schema([pa.field("id", pa.string()), pa.field("h", pa.string()), pa.field("sig", pa.binary())])


class DedupReferenceError(ValueError):
    """A dedup reference that does not exist or was made with other parameters."""


def signature_params(dcfg: dict[str, Any]) -> dict[str, Any]:
    """The settings two signature sets must share to be compared."""
    return {
        "shingle_version": SHINGLE_VERSION,
        "tokens": dcfg["tokens"],
        "ngram": dcfg["ngram"],
        "num_perm": dcfg["num_perm"],
        "seed": dcfg["seed"],
        "scheme": dcfg["scheme"],
    }


def resolve_reference(path: str | Path) -> Path:
    """The signatures folder of a run folder, a dedup stage folder, or the signatures folder itself."""
    p = Path(path)
    for cand in (p, p / SIGNATURES_DIR, p / "04_dedup" / SIGNATURES_DIR):
        if (cand / SIGNATURES_META).is_file():
            return cand
    raise DedupReferenceError(f"dedup.reference: no {SIGNATURES_META} under {p} (give an earlier run's OUT or OUT/04_dedup)")


def check_references(paths: list[str], dcfg: dict[str, Any]) -> list[Path]:
    """Resolved signature folders of `paths`, each checked against this run's parameters."""
    want = signature_params(dcfg)
    out = []
    for path in paths:
        d = resolve_reference(path)
        meta = json.loads((d / SIGNATURES_META).read_text(encoding="utf-8"))
        got = meta.get("params", {})
        diff = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
        if diff:
            detail = ", ".join(f"{k}: {a!r} there vs {b!r} here" for k, (a, b) in diff.items())
            raise DedupReferenceError(f"dedup.reference {d}: signatures made with other settings ({detail})")
        out.append(d)
    return out


def write_meta(folder: Path, dcfg: dict[str, Any], docs: int, references: list[str]) -> None:
    meta = {"params": signature_params(dcfg), "docs": docs, "references": references}
    (folder / SIGNATURES_META).write_text(json.dumps(meta, indent=2), encoding="utf-8")


__all__ = [
    "REF_PREFIX", "SIGNATURES_DIR", "STORE_SCHEMA", "DedupReferenceError", "check_references", "resolve_reference",
    "signature_params", "write_meta",
]
