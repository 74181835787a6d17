"""Quality scoring throughput: plain fasttext.predict vs our scorer vs the Spark stage, one run, same texts.

  (a) plain `model.predict` on already-prepared fastText lines (the model alone);
  (b) `score_texts` in one process (normalise + tokenise + predict), i.e. the stage's per-batch work;
  (c) the Spark quality stage, local[2], over a Parquet of the same documents (whole stage: read, score,
      write kept/rejected, stats), per core.
(b)/(a) is what feature preparation costs; (c)/(b) is the Spark overhead.
Texts: People's Daily 1998 from shared/data (skipped cleanly when absent).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section  # noqa: E402


def best_of(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--copies", type=int, default=12, help="repeat the corpus to get a measurable Spark run")
    args = ap.parse_args(argv)
    src = Path(args.data) / "text" / "high_quality" / "peoples_daily_199801_docs.jsonl"
    if not src.is_file():
        print(f"{src} not found; nothing to measure", file=sys.stderr)
        return 0

    import pyarrow as pa
    import pyarrow.parquet as pq

    from mdfs.config import load_config
    from mdfs.quality.features import fasttext_line
    from mdfs.quality.score import load_model, score_texts
    from mdfs.schema import DOC_SCHEMA
    from mdfs.spark.docstage import run_doc_stage
    from mdfs.spark.session import get_spark
    from mdfs.stages.quality import quality_batch

    cfg = load_config()
    texts = [json.loads(x)["text"] for x in src.read_text(encoding="utf-8").splitlines() if x.strip()]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    model = load_model(cfg["quality"]["model"])
    lines = [fasttext_line(t, cfg) for t in texts]
    plain = best_of(lambda: model.predict(lines, k=2))
    ours = best_of(lambda: [score_texts(model, texts[i : i + 2000], cfg) for i in range(0, len(texts), 2000)])

    work = Path(tempfile.mkdtemp(prefix="mdfs-bench-quality-"))
    rows = [{"id": f"{c}-{i}", "text": t, "n_chars": len(t)} for c in range(args.copies) for i, t in enumerate(texts)]
    # row groups of 2,000 like a stage's part files, so Spark can spread the file over both cores
    pq.write_table(pa.Table.from_pylist(rows, schema=DOC_SCHEMA), work / "docs.parquet", row_group_size=2000)
    spark = get_spark(cfg, master="local[2]", extra={"spark.ui.enabled": "false"})
    run_doc_stage(spark, "quality", quality_batch, work / "warm", cfg, [str(work / "docs.parquet")])
    t = time.perf_counter()
    res = run_doc_stage(spark, "quality", quality_batch, work / "run", cfg, [str(work / "docs.parquet")])
    spark_s = time.perf_counter() - t
    spark.stop()
    n_sp, mb_sp = len(rows), mb * args.copies

    out = {
        "date": date.today().isoformat(), "machine": machine(), "docs": len(texts), "mb": mb,
        "plain_predict": {"seconds": plain, "docs_s": len(texts) / plain, "mb_s": mb / plain},
        "score_texts": {"seconds": ours, "docs_s": len(texts) / ours, "mb_s": mb / ours},
        "spark_local2": {"seconds": spark_s, "docs": n_sp, "docs_s_per_core": n_sp / spark_s / 2,
                         "mb_s_per_core": mb_sp / spark_s / 2, "kept": res.stats["docs_kept"]},
    }
    (ROOT / "bench" / "quality" / "results.json").write_text(json.dumps(out, indent=2))
    p, o, s = out["plain_predict"], out["score_texts"], out["spark_local2"]
    section = f"""## Quality scoring

`make bench-quality` ({out['date']}; {out['machine']}). {len(texts):,} People's Daily documents ({mb:.1f} MB; the Spark run
uses {args.copies} copies, {n_sp:,} docs), model `{cfg['quality']['model']}` (first {cfg['quality']['max_chars']} characters, char tokens).

| run | docs/s per core | MB/s per core |
|---|---|---|
| (a) plain `fasttext.predict` on prepared lines (reference) | {p['docs_s']:,.0f} | {p['mb_s']:.1f} |
| (b) `score_texts`: normalise + tokenise + predict, one process | {o['docs_s']:,.0f} | {o['mb_s']:.1f} |
| (c) Spark quality stage, local[2], whole stage incl. Parquet + stats | {s['docs_s_per_core']:,.0f} | {s['mb_s_per_core']:.1f} |

(b)/(a) = {o['docs_s'] / p['docs_s']:.2f} (feature preparation); (c)/(b) = {s['docs_s_per_core'] / o['docs_s']:.2f} (Spark overhead per core).
The model reads a bounded prefix, so MB/s grows with document length while docs/s stays about flat.
"""
    write_section("Quality scoring", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
