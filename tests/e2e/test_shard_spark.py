"""Tokenize + shard in Spark on the sample crawl: every document in exactly one shard, decoded
back to its source text, shards identical across runs, and `mdfs shards verify` catching damage."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mdfs.config import load_config
from mdfs.schema import DOC_SCHEMA
from mdfs.shard.indexed import IndexedReader
from mdfs.shard.manifest import read_manifest, verify_dir
from mdfs.spark.shard import run_shard
from mdfs.spark.tokenize import run_tokenize
from mdfs.tokenize import decode_document, load_tokenizer

# A small vocabulary trains in a second on the sample crawl; small shards give several per split.
SETS = ["tokenize.vocab_size=3000", "tokenize.heldout_fraction=0.1", "shard.shard_tokens=20000", "shard.valid_fraction=0.1"]


@pytest.fixture(scope="module")
def sharded(spark, sample_run, tmp_path_factory):
    cfg = load_config(sets=SETS)
    out = tmp_path_factory.mktemp("shard_run")
    tok = run_tokenize(spark, out, cfg, [sample_run.coarse_kept])
    sh = run_shard(spark, out, cfg, [sample_run.coarse_kept])
    return cfg, out, tok, sh


def _source(sample_run) -> dict[str, str]:
    return {r["id"]: r["text"] for r in pq.read_table(sample_run.coarse_kept, columns=["id", "text"]).to_pylist()}


def test_every_document_in_exactly_one_shard_and_decodes_to_its_text(sharded, sample_run):
    cfg, out, tok_res, res = sharded
    src = _source(sample_run)
    placed = pq.read_table(str(res.path / "documents")).to_pylist()
    ids = [r["id"] for r in placed]
    assert len(ids) == len(set(ids)) and set(ids) == set(src)
    assert res.stats["conservation_ok"] and res.stats["docs_in"] == len(src) == res.stats["docs_kept"]

    man = read_manifest(res.path)
    tok = load_tokenizer(res.path / "tokenizer.json")
    eos = man["eos"]["id"]
    assert man["eos"]["token"] == "<|eos|>" and eos == tok.token_to_id("<|eos|>")
    assert {s for s in man["splits"]} == {"train", "valid"}
    assert man["splits"]["train"]["shards"] >= 2, man["splits"]
    readers = {sh["prefix"]: IndexedReader(res.path / sh["prefix"]) for sh in man["shards"]}
    seen = 0
    for r in placed:
        ids_ = readers[f"{r['split']}/shard_{r['shard']:05d}"][r["index"]]
        assert len(ids_) == r["n_tokens"] and ids_[-1] == eos
        assert decode_document(tok, ids_[:-1].tolist()) == src[r["id"]]
        seen += 1
    # every sequence of every shard is some document's: nothing written twice or left over
    assert seen == sum(len(rd) for rd in readers.values())
    assert sum(f["tokens"] for f in man["files"] if f["path"].endswith(".bin")) == res.stats["extra"]["tokens"]
    assert man["dtype"] == "uint16" and man["tokenizer"]["vocab_size"] == tok.get_vocab_size() <= 3000
    # the validation split is ~10 % of documents, chosen by hash
    assert 0 < man["splits"]["valid"]["documents"] < 0.3 * len(src)
    assert tok_res.stats["extra"]["trained"] and tok_res.stats["extra"]["heldout_docs"] > 0
    assert tok_res.stats["extra"]["chars_per_token"] > 1.0


def test_shards_identical_across_runs_and_verify_passes(spark, sharded, sample_run, tmp_path):
    cfg, out, _, res = sharded
    problems, notes = verify_dir(res.path)
    assert problems == [] and notes
    # a second run from the same tokenizer, on a differently partitioned input, writes the same bytes
    cfg2 = load_config(sets=[*SETS, f'tokenize.tokenizer="{res.path / "tokenizer.json"}"'])
    src = tmp_path / "repart"
    spark.read.parquet(sample_run.coarse_kept).repartition(5).write.parquet(str(src))
    again = run_shard(spark, tmp_path / "out2", cfg2, [str(src)])
    m1, m2 = read_manifest(res.path), read_manifest(again.path)
    assert [(f["path"], f["sha256"]) for f in m1["files"]] == [(f["path"], f["sha256"]) for f in m2["files"]]


def test_verify_reports_damage(sharded, tmp_path):
    _, _, _, res = sharded
    d = tmp_path / "copy"
    shutil.copytree(res.path, d)
    man = read_manifest(d)
    first_bin = d / man["files"][0]["path"]
    raw = bytearray(first_bin.read_bytes())
    raw[10] ^= 0xFF
    first_bin.write_bytes(bytes(raw))
    problems, _ = verify_dir(d)
    assert any("sha256" in p for p in problems), problems

    shutil.rmtree(d)
    shutil.copytree(res.path, d)
    idx = d / man["shards"][-1]["prefix"]
    idx = idx.with_suffix(".idx")
    idx.write_bytes(idx.read_bytes()[:-8])
    problems, _ = verify_dir(d)
    assert any("bytes" in p for p in problems) and any("truncated" in p or ".idx" in p for p in problems), problems

    from mdfs.cli import main

    assert main(["shards", "verify", str(res.path)]) == 0
    assert main(["shards", "verify", str(d)]) == 1
    (d / "manifest.json").unlink()
    assert main(["shards", "verify", str(d)]) == 1


def test_empty_documents_are_rejected_with_a_reason(spark, sharded, tmp_path):
    _, _, _, res = sharded
    rows = [
        # a special token's string inside a document is text: encoded as such on the executors too
        {"id": "a", "text": "今天天气很好，我们去公园散步。<|eos|>不是结束"},
        {"id": "b", "text": ""},
        {"id": "c", "text": None},
    ]
    src = tmp_path / "in"
    src.mkdir()
    pq.write_table(pa.Table.from_pylist(rows, schema=DOC_SCHEMA), str(src / "part.parquet"))
    cfg = load_config(sets=[*SETS, f'tokenize.tokenizer="{res.path / "tokenizer.json"}"', "shard.valid_fraction=0.0"])
    r = run_shard(spark, tmp_path / "out", cfg, [str(src)])
    assert r.stats["docs_in"] == 3 and r.stats["docs_kept"] == 1 and r.stats["conservation_ok"]
    rej = pq.read_table(str(r.path / "rejected")).to_pylist()
    assert sorted(x["id"] for x in rej) == ["b", "c"] and {x["reason"] for x in rej} == {"shard.empty_text"}
    man = read_manifest(r.path)
    assert list(man["splits"]) == ["train"] and man["splits"]["train"]["documents"] == 1
    assert json.loads((r.path / "stats.json").read_text())["reasons"]["shard.empty_text"]["docs"] == 2
    tok = load_tokenizer(r.path / "tokenizer.json")
    with IndexedReader(r.path / man["shards"][0]["prefix"]) as rd:
        ids = np.asarray(rd[0])
        assert decode_document(tok, ids[:-1].tolist()) == rows[0]["text"]
        assert int((ids == man["eos"]["id"]).sum()) == 1 and ids[-1] == man["eos"]["id"]


def test_tokenize_adopts_a_given_tokenizer(spark, sharded, sample_run, tmp_path):
    _, _, _, res = sharded
    given = res.path / "tokenizer.json"
    cfg = load_config(sets=[*SETS, f'tokenize.tokenizer="{given}"'])
    r = run_tokenize(spark, tmp_path / "out", cfg, [sample_run.coarse_kept])
    from mdfs.tokenize import file_sha256

    assert r.stats["extra"]["trained"] is False and r.stats["extra"]["source"] == str(given.resolve())
    assert r.stats["extra"]["tokenizer_sha256"] == file_sha256(given) == file_sha256(r.path / "tokenizer.json")
    assert r.stats["extra"]["chars_per_token"] > 1.0
    # a tokenizer without the EOS the shards need is refused before anything is written
    import json as _json

    spec = _json.loads(given.read_text(encoding="utf-8"))
    spec["added_tokens"] = [a for a in spec["added_tokens"] if a["content"] != "<|eos|>"]
    spec["model"]["vocab"].pop("<|eos|>")
    bad = tmp_path / "bad" / "tokenizer.json"
    bad.parent.mkdir()
    bad.write_text(_json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="eos"):
        run_tokenize(spark, tmp_path / "out2", load_config(sets=[*SETS, f'tokenize.tokenizer="{bad}"']), [sample_run.coarse_kept])
    assert not (tmp_path / "out2" / "06_tokenize").exists()
