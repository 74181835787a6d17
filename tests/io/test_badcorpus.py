"""The broken-input corpus: every reader survives it, keeps every good record, reports every failure."""

from __future__ import annotations

import os
from collections import Counter

from mdfs.config import load_config
from mdfs.io.sources import ERROR_REASONS, expand_inputs, iter_records
from tests.io.badcorpus import write_bad_corpus


def test_bad_corpus(tmp_path):
    expected = write_bad_corpus(tmp_path / "bad")
    cfg = {**load_config()["collect"], **expected["overrides"]}
    files = expand_inputs([str(tmp_path / "bad")])
    assert sorted(os.path.basename(p) for p, _ in files) == sorted(expected["files"])
    for path, _ in files:
        name = os.path.basename(path)
        recs = list(iter_records(path, cfg))  # must not raise
        good = [r for r in recs if r.kind != "error"]
        errors = Counter(r.error for r in recs if r.kind == "error")
        assert (len(good), dict(errors)) == (expected["files"][name]["good"], expected["files"][name]["errors"]), name
        for r in recs:
            assert r.source.startswith(path) and r.source[len(path)] in "@#", r.source
            if r.kind == "error":
                assert r.error in ERROR_REASONS and r.detail
            else:
                assert (r.payload is not None) != (r.text is not None)
        assert len({r.source for r in recs}) == len(recs), name
