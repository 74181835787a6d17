"""Tokenize + shard throughput, MB/s of UTF-8 text per core, against `tokenizers` encode_batch alone.

In one run, on one corpus (bench/dedup/generate.py with no planted duplicates: documents composed
of real Chinese sentences from shared/data) and one tokenizer (mdfs.tokenize's default design,
trained on part of the corpus, vocabulary from the config):
- reference: `Tokenizer.encode_batch` alone, one thread, on Python strings already in memory;
- ours, one process: Arrow batches -> `encode_batch` (ids + EOS into one buffer) -> `write_shards`
  (.bin/.idx), i.e. the executor's work without Spark;
- ours, the shard stage in Spark local[2]: corpus Parquet -> encode -> shuffle -> shards, manifest,
  documents table, stats (the session is started and warmed by one untimed run first).
All with RAYON_NUM_THREADS=1 (Spark's Python workers inherit it), so "per core" means one thread:
MB/s per core = UTF-8 MB / wall seconds / cores used.
"""

from __future__ import annotations

import os

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # before tokenizers starts its thread pool

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section  # noqa: E402

HERE = ROOT / "bench" / "shard"
CORES = 2


def corpus(n: int, data: Path, work: Path, seed: int = 0) -> Path:
    from bench.dedup.generate import generate

    d = work / f"corpus-{n}-{seed}"
    if not (d / "meta.json").is_file():
        generate(n, d, data, seed=seed, dup_share=0.0)
    return d


def tokenizer(texts: list[str], vocab: int, train_chars: int, work: Path) -> tuple[Path, float]:
    """Train once on the first `train_chars` characters of the corpus; cached by size."""
    from mdfs.tokenize import save_tokenizer, train_tokenizer

    path = work / f"tokenizer-{vocab}-{train_chars}-{len(texts)}" / "tokenizer.json"
    if path.is_file():
        return path, json.loads((path.parent / "train.json").read_text())["seconds"]
    sample, n = [], 0
    for t in texts:
        if n >= train_chars:
            break
        sample.append(t)
        n += len(t)
    t0 = time.perf_counter()
    tok = train_tokenizer(sample, vocab)
    secs = time.perf_counter() - t0
    path.parent.mkdir(parents=True, exist_ok=True)
    save_tokenizer(tok, path)
    (path.parent / "train.json").write_text(json.dumps({"seconds": secs, "chars": n}))
    return path, secs


def best_of(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def single_core(tok_path: Path, table, reps: int) -> dict[str, Any]:
    """encode_batch alone vs our executor work (encode + write shards), one thread each."""
    import numpy as np
    import pyarrow as pa

    from mdfs.shard.encode import encode_batch, write_shards
    from mdfs.shard.indexed import dtype_for_vocab
    from mdfs.tokenize import encode_documents, load_tokenizer, token_id

    tok = load_tokenizer(tok_path)
    eos = token_id(tok, "<|eos|>")
    dtype = dtype_for_vocab(tok.get_vocab_size())
    texts = table.column("text").to_pylist()
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    n = len(texts)
    batches = []
    for b in table.to_batches(max_chunksize=2000):
        m = b.num_rows
        batches.append(
            pa.RecordBatch.from_pydict(
                {"id": b.column("id"), "split": ["train"] * m, "key": list(range(m)), "n_chars": b.column("n_chars"), "text": b.column("text")}
            )
        )
    out = Path(os.environ.get("TMPDIR", "/tmp")) / "mdfs-bench-shard"

    def ref() -> None:
        for i in range(0, n, 2000):
            tok.encode_batch(texts[i : i + 2000], add_special_tokens=False)

    def ours_encode() -> None:
        for i in range(0, n, 2000):
            encode_documents(tok, texts[i : i + 2000], eos)

    def ours_pipeline() -> None:
        shutil.rmtree(out, ignore_errors=True)
        enc = (encode_batch(b, tok, eos, dtype) for b in batches)
        with_shard = (e.append_column("shard", pa.array(np.zeros(e.num_rows, np.int32))) for e in enc)
        for _ in write_shards(with_shard, str(out), dtype):
            pass

    res = {"mb": round(mb, 2), "docs": n}
    for name, fn in (("encode_batch", ref), ("encode_documents", ours_encode), ("encode_and_write", ours_pipeline)):
        s = best_of(fn, reps)
        res[name] = {"seconds": round(s, 3), "mb_s": round(mb / s, 2)}
    shutil.rmtree(out, ignore_errors=True)
    return res


def spark_stage(corpus_dir: Path, tok_path: Path, work: Path, reps: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from mdfs.config import load_config
    from mdfs.spark.session import get_spark
    from mdfs.spark.shard import run_shard

    cfg = load_config(sets=[f'tokenize.tokenizer="{tok_path}"'])
    spark = get_spark(cfg, master=f"local[{CORES}]", extra={"spark.ui.enabled": "false"})
    src = str(corpus_dir / "corpus.parquet")
    t = pq.read_table(src, columns=["text"])
    mb = sum(len(x.encode("utf-8")) for x in t.column("text").to_pylist()) / 1e6
    run_shard(spark, work / "warm", cfg, [src], overwrite=True)
    times, stats = [], None
    for i in range(reps):
        t0 = time.perf_counter()
        r = run_shard(spark, work / f"run{i}", cfg, [src], overwrite=True)
        times.append(time.perf_counter() - t0)
        stats = r.stats
        shutil.rmtree(work / f"run{i}", ignore_errors=True)
    s = min(times)
    assert stats is not None
    return {
        "mb": round(mb, 2),
        "docs": stats["docs_in"],
        "seconds": round(s, 2),
        "all_seconds": [round(x, 2) for x in times],
        "mb_s_per_core": round(mb / s / CORES, 2),
        "tokens": stats["extra"]["tokens"],
        "shards": stats["extra"]["shards"],
        "chars_per_token": stats["extra"]["chars_per_token"],
    }


def render(r: dict[str, Any]) -> str:
    s, p = r["single_core"], r["spark"]
    ref = s["encode_batch"]["mb_s"]
    lines = [
        "## Tokenize + shard",
        "",
        f"Measured {r['date']} on {r['machine']} by `make bench-shard` (bench/shard/bench_shard.py). Corpus: "
        f"{p['docs']:,} documents, {p['mb']:.0f} MB of UTF-8, composed of real Chinese sentences from shared/data "
        f"(bench/dedup/generate.py, no planted duplicates); the one-thread rows use its first {s['docs']:,} documents "
        f"({s['mb']:.0f} MB). Tokenizer: mdfs.tokenize's default design, vocabulary "
        f"{r['vocab']:,}, trained on {r['train_chars']:,} characters of the corpus in {r['train_seconds']:.0f} s. "
        "One thread per core throughout (RAYON_NUM_THREADS=1); best of "
        f"{r['reps']} runs. Our encoder (mdfs.tokenize.fastbpe) gives the same ids as `tokenizers` (tests/tokenize/test_fastbpe.py).",
        "",
        "| what | MB/s per core | vs encode_batch |",
        "|---|---|---|",
        f"| reference: `tokenizers` `encode_batch` alone, strings in memory, 1 thread | {ref:.1f} | 1.00 |",
        f"| ours: `encode_documents` (ids + EOS in one numpy buffer), 1 thread | {s['encode_documents']['mb_s']:.1f} | {s['encode_documents']['mb_s'] / ref:.2f} |",
        f"| ours: Arrow batch -> encode -> `.bin/.idx` write (executor work, no Spark), 1 thread | {s['encode_and_write']['mb_s']:.1f} | {s['encode_and_write']['mb_s'] / ref:.2f} |",
        f"| **ours: shard stage, Spark local[2]**, Parquet -> shards + manifest + documents table ({p['seconds']:.1f} s) | **{p['mb_s_per_core']:.1f}** | {p['mb_s_per_core'] / ref:.2f} |",
        "",
        f"Target: >= 10 MB/s per core. The stage wrote {p['tokens']:,} tokens in {p['shards']} shard(s), "
        f"{p['chars_per_token']} characters per token (in-sample; held-out figures are in the Tokenizer section). "
        f"Stage runs: {', '.join(f'{x:.1f}' for x in p['all_seconds'])} s.",
    ]
    if r.get("smaller_run"):
        sm = r["smaller_run"]
        lines += [
            "",
            f"On a smaller corpus ({sm['docs']:,} documents, {sm['mb']:.0f} MB) the stage ran {sm['mb_s_per_core']:.2f} MB/s per core "
            f"(runs {', '.join(f'{x:.1f}' for x in sm['all_seconds'])} s): its fixed cost (~2-3 s of Spark jobs and driver work "
            "between them, measured from the event log) weighs more there. Inside the stage, encoding runs ~20 MB/s per core; "
            "moving 137 MB from Parquet into the Python workers and back costs ~1 s on 2 cores.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--docs", type=int, default=120000, help="corpus size for the Spark stage")
    ap.add_argument("--single-docs", type=int, default=10000, help="documents for the one-thread measurements")
    ap.add_argument("--vocab", type=int, default=64000)
    ap.add_argument("--train-chars", type=int, default=20_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--work", type=Path, default=HERE / ".cache")
    ap.add_argument("--render-only", action="store_true")
    args = ap.parse_args(argv)
    out_json = HERE / "shard_results.json"
    if args.render_only:
        write_section("Tokenize + shard", render(json.loads(out_json.read_text())))
        return 0
    if not (args.data / "text").is_dir():
        print(f"shared data not found at {args.data}", file=sys.stderr)
        return 2
    import pyarrow.parquet as pq

    args.work.mkdir(parents=True, exist_ok=True)
    cdir = corpus(args.docs, args.data, args.work)
    table = pq.read_table(str(cdir / "corpus.parquet"), columns=["id", "text", "n_chars"])
    tok_path, train_s = tokenizer(table.column("text").to_pylist(), args.vocab, args.train_chars, args.work)
    res: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "vocab": args.vocab,
        "train_chars": args.train_chars,
        "train_seconds": train_s,
        "reps": args.reps,
        "single_core": single_core(tok_path, table.slice(0, args.single_docs), args.reps),
        "spark": spark_stage(cdir, tok_path, args.work / "spark", args.reps),
    }
    if out_json.is_file() and "smaller_run" in json.loads(out_json.read_text()):
        res["smaller_run"] = json.loads(out_json.read_text())["smaller_run"]
    out_json.write_text(json.dumps(res, indent=2))
    write_section("Tokenize + shard", render(res))
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
