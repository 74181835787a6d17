"""Which earlier runs a dedup may reference: found by any of three paths, refused on other settings."""

from __future__ import annotations

import pytest

from mdfs.config import load_config
from mdfs.dedup.store import (
    SIGNATURES_META,
    DedupReferenceError,
    check_references,
    resolve_reference,
    signature_params,
    write_meta,
)

D = load_config()["dedup"]


def _run_dir(tmp_path, dcfg=D):
    sig = tmp_path / "run" / "04_dedup" / "signatures"
    sig.mkdir(parents=True)
    write_meta(sig, dcfg, docs=3, references=[])
    return tmp_path / "run", sig


def test_reference_found_from_run_stage_or_signatures_folder(tmp_path):
    run, sig = _run_dir(tmp_path)
    assert resolve_reference(run) == resolve_reference(run / "04_dedup") == resolve_reference(sig) == sig
    assert (sig / SIGNATURES_META).name.startswith("_")  # hidden from Spark/pyarrow readers of the folder
    assert check_references([str(run)], D) == [sig]


def test_missing_or_incompatible_reference_is_refused(tmp_path):
    with pytest.raises(DedupReferenceError, match="no _signatures.json"):
        resolve_reference(tmp_path)
    run, _ = _run_dir(tmp_path, {**D, "num_perm": 64, "tokens": "word"})
    with pytest.raises(DedupReferenceError, match="num_perm") as e:
        check_references([str(run)], D)
    assert "tokens" in str(e.value)
    assert signature_params(D)["ngram"] == D["ngram"]
