"""The near-duplicate benchmark corpus: reproducible, self-consistent, and its truth exact.

Its recall and precision numbers are only worth something if the planted Jaccard values are
right and the scorer counts what it says, so both are checked against independent slow paths.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from bench.dedup.generate import generate
from bench.dedup.truth import GENUINE_J, Truth, load_truth, score
from mdfs.dedup.shingles import shingles

N_DOCS = 600
pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def corpus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dedup_bench")
    generate(N_DOCS, out, shared_data, seed=0)
    return out


@pytest.fixture(scope="module")
def docs(corpus: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in (corpus / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["id"]: r["text"] for r in rows}


@pytest.fixture(scope="module")
def truth(corpus: Path) -> Truth:
    return load_truth(corpus)


def _ref_jaccard(x: str, y: str) -> float:
    """The slow reference: Python sets of shingle strings, no hashing at all."""
    a, b = set(shingles(x, 5)), set(shingles(y, 5))
    return len(a & b) / len(a | b) if a | b else 1.0


def test_same_seed_same_bytes_other_seed_other_corpus(corpus: Path, shared_data: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(N_DOCS, again, shared_data, seed=0)
    for name in ("corpus.jsonl", "truth.jsonl"):
        assert (again / name).read_bytes() == (corpus / name).read_bytes(), name
    other = tmp_path / "other"
    generate(N_DOCS, other, shared_data, seed=1)
    assert (other / "corpus.jsonl").read_bytes() != (corpus / "corpus.jsonl").read_bytes()


def test_files_agree_with_each_other_and_meta(corpus: Path, docs: dict[str, str], truth: Truth) -> None:
    lines = (corpus / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)) == N_DOCS
    meta = json.loads((corpus / "meta.json").read_text(encoding="utf-8"))
    assert meta["n_docs"] == N_DOCS
    assert meta["n_base"] + meta["n_copies"] == N_DOCS
    assert meta["n_pairs"] == len(truth.pairs)
    assert meta["n_clusters"] == len(truth.clusters)
    assert meta["n_docs_in_clusters"] == sum(len(m) for m in truth.clusters.values())
    assert meta["n_copies"] == round(0.3 * N_DOCS)
    assert meta["chars_total"] == sum(len(t) for t in docs.values())
    source_copy = [p for p in truth.pairs if p.kind != "copy_copy"]
    assert meta["n_pairs_source_copy"] == len(source_copy) == meta["n_copies"]
    assert Counter(p.kind for p in source_copy) == Counter(meta["copies_per_kind"])

    # Every pair inside every cluster is listed, once, with known ids; clusters are disjoint.
    seen_pairs: dict[str, set[frozenset[str]]] = defaultdict(set)
    for p in truth.pairs:
        assert p.a in docs and p.b in docs and p.a != p.b
        key = frozenset((p.a, p.b))
        assert key not in seen_pairs[p.cluster]
        seen_pairs[p.cluster].add(key)
    members = [d for m in truth.clusters.values() for d in m]
    assert len(members) == len(set(members))
    for c, m in truth.clusters.items():
        assert 2 <= len(m) <= 5
        assert seen_pairs[c] == {frozenset(x) for x in combinations(m, 2)}

    # Copies are shuffled away from their sources.
    pos = {d: i for i, d in enumerate(ids)}
    adjacent = sum(abs(pos[p.a] - pos[p.b]) == 1 for p in source_copy)
    assert adjacent < 0.1 * len(source_copy)


def test_parquet_holds_the_same_rows_in_the_pipeline_schema(corpus: Path, docs: dict[str, str]) -> None:
    import pyarrow.parquet as pq

    from mdfs.schema import DOC_SCHEMA

    table = pq.read_table(corpus / "corpus.parquet")
    assert table.schema.equals(DOC_SCHEMA)
    assert table.num_rows == len(docs)
    rows = table.select(["id", "text", "n_chars", "source", "quality_score", "url"]).to_pylist()
    assert [r["id"] for r in rows] == list(docs)
    assert all(r["text"] == docs[r["id"]] and r["n_chars"] == len(r["text"]) for r in rows)
    assert {r["source"] for r in rows} == {"bench-dedup"}
    assert all(0.0 <= r["quality_score"] <= 1.0 for r in rows)
    assert all(r["url"] is None for r in rows)


def test_stored_jaccard_equals_python_set_reference(docs: dict[str, str], truth: Truth) -> None:
    import opencc

    t2s = opencc.OpenCC("t2s")
    rng = random.Random(7)
    sample = rng.sample(truth.pairs, 60)
    sample += [p for p in truth.pairs if "traditional" in p.kind][:15]  # where the two keys differ
    assert any(abs(p.jaccard - p.jaccard_t2s) > 0.1 for p in sample)
    for p in sample:
        a, b = docs[p.a], docs[p.b]
        assert p.jaccard == pytest.approx(_ref_jaccard(a, b), abs=1e-9), p
        assert p.jaccard_t2s == pytest.approx(_ref_jaccard(t2s.convert(a), t2s.convert(b)), abs=1e-9), p


def test_jaccard_spreads_and_base_documents_are_unrelated(corpus: Path, truth: Truth) -> None:
    meta = json.loads((corpus / "meta.json").read_text(encoding="utf-8"))
    sc = [p.jaccard_t2s for p in truth.pairs if p.kind != "copy_copy"]
    assert sum(j < 0.5 for j in sc) >= 0.1 * len(sc)
    assert sum(j >= 0.9 for j in sc) >= 0.1 * len(sc)
    assert sum(0.5 <= j < 0.9 for j in sc) >= 0.3 * len(sc)
    exact = [p for p in truth.pairs if p.kind in ("exact", "whitespace_punct")]
    assert exact and all(p.jaccard == 1.0 for p in exact)  # invisible to shingle normalisation
    assert set(meta["copies_per_transform"]) == {
        "exact", "char_edits", "sentence_edit", "reorder", "boilerplate", "whitespace_punct", "traditional"
    }
    base = meta["base_pair_sample"]
    assert base["pairs"] == 2000 and base["max_jaccard"] < 0.3


def _ideal_removal(truth: Truth, key: str = "jaccard") -> set[str]:
    """Keep each cluster's source, remove every other member that has a genuine partner."""
    sources = {p.a for p in truth.pairs if p.kind != "copy_copy"}
    genuine = {d for p in truth.pairs if p.j(key) >= GENUINE_J for d in (p.a, p.b)}
    return {d for m in truth.clusters.values() for d in m if d not in sources and d in genuine}


def test_score_of_an_ideal_deduper(truth: Truth, docs: dict[str, str]) -> None:
    for key in ("jaccard", "jaccard_t2s"):
        s = score(truth, _ideal_removal(truth, key), set(docs), jaccard_key=key)
        assert s["pairs_at_threshold"] > 0
        assert s["recall"] == 1.0
        assert s["precision"] == 1.0 and s["false_positives"] == 0
        assert s["over_removed_clusters"] == 0 and s["removed_unknown_ids"] == 0
        for label in ("[0.8,0.9)", "[0.9,1.0)", "[1.0]", "[0.5,0.7)", "[0.7,0.8)"):
            b = s["recall_by_bucket"][label]
            assert b["recall"] in (None, 1.0), (label, b)
        json.dumps(s)  # plain JSON


def test_removing_one_member_per_cluster_catches_its_source_copy_pairs(truth: Truth) -> None:
    sources = {p.a for p in truth.pairs if p.kind != "copy_copy"}
    s = score(truth, sources)
    assert s["removed"] == len(truth.clusters)
    assert s["over_removed_clusters"] == 0
    for kind, r in s["recall_by_kind"].items():
        if kind != "copy_copy":
            assert r["recall"] == 1.0, kind
    # Copy-copy pairs survive when only the source goes: the scorer must not count them.
    assert s["recall_by_kind"]["copy_copy"]["recall"] < 1.0


def test_score_of_removing_nothing_and_of_removing_strangers(truth: Truth, docs: dict[str, str]) -> None:
    s = score(truth, set(), set(docs))
    assert s["recall"] == 0.0 and s["removed"] == 0 and s["precision"] is None
    assert all(b["caught"] == 0 for b in s["recall_by_bucket"].values())

    in_clusters = {d for m in truth.clusters.values() for d in m}
    strangers = set(random.Random(3).sample(sorted(set(docs) - in_clusters), 40))
    s = score(truth, strangers, set(docs))
    assert s["precision"] == 0.0 and s["false_positives"] == 40 and s["true_positives"] == 0
    assert s["false_positives_outside_clusters"] == 40
    assert s["recall"] == 0.0


def test_over_removal_counts_clusters_that_lost_every_member(truth: Truth) -> None:
    clusters = sorted(truth.clusters)
    whole = set(truth.clusters[clusters[0]]) | set(truth.clusters[clusters[1]])
    s = score(truth, whole | {truth.clusters[clusters[2]][0]})
    assert s["over_removed_clusters"] == 2
    assert set(s["over_removed_examples"]) == {clusters[0], clusters[1]}


def test_score_rejects_unknown_key(truth: Truth) -> None:
    with pytest.raises(ValueError):
        score(truth, set(), jaccard_key="cosine")


def test_truth_rows_have_the_documented_fields(corpus: Path) -> None:
    first: dict[str, Any] = json.loads((corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"a", "b", "kind", "cluster", "jaccard", "jaccard_t2s"}
