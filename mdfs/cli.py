"""`mdfs` command line: run a stage, summarise a run, generate the sample crawl.

`spark-submit jobs/<stage>.py …`, `make <stage>` and `mdfs run <stage> …` all end up in
`run_stage_command`, so the three ways of running can never drift apart.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from mdfs.config import ConfigError, load_config
from mdfs.schema import STAGES, stage_dir_name

RUNNABLE = ["collect", "coarse", "quality", "dedup", "fine", "tokenize", "shard"]


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="TOML file merged over configs/default.toml")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override one setting")
    p.add_argument("--master", help="Spark master (default: spark-submit's, else [spark].master)")
    p.add_argument("--overwrite", action="store_true", help="redo a stage that already has _SUCCESS")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="mdfs", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    run = sub.add_parser("run", help="run one stage")
    run.add_argument("stage", choices=RUNNABLE)
    run.add_argument("--input", "-i", nargs="+", help="files, folders or globs (collect); default: the previous stage's kept/")
    run.add_argument("--output", "-o", help="run folder OUT; the stage writes OUT/<nn>_<stage>/")
    _add_common(run)

    pipe = sub.add_parser("pipeline", help="run every stage in order (finished stages are skipped)")
    pipe.add_argument("--input", "-i", nargs="+", required=True, help="crawl files, folders or globs for collect")
    pipe.add_argument("--output", "-o", help="run folder OUT")
    pipe.add_argument("--no-report", action="store_true", help="stop after the shard stage (`mdfs report OUT` writes it later)")
    _add_common(pipe)

    rep = sub.add_parser("report", help="write OUT/report/report.html and report.json (the dataset quality report)")
    rep.add_argument("out")
    rep.add_argument("--report-dir", help="where to write report.html/json (default OUT/report)")
    _add_common(rep)

    aud = sub.add_parser("audit", help="check a whole run: rows in = kept + rejected, no id lost, added or repeated")
    aud.add_argument("out")
    aud.add_argument("--master", help="Spark master (default: [spark].master)")

    summ = sub.add_parser("summary", help="print a per-stage summary of a run folder")
    summ.add_argument("out")
    summ.add_argument("--json", action="store_true")

    shards = sub.add_parser("shards", help="work with a shard folder (OUT/07_shard)")
    shards_sub = shards.add_subparsers(dest="shards_cmd", required=True)
    ver = shards_sub.add_parser("verify", help="check manifest, sha256, headers, sizes, EOS, vocabulary; decode samples")
    ver.add_argument("dir")
    ver.add_argument("--samples", type=int, default=3, help="documents decoded per shard")

    cfg = sub.add_parser("config", help="print the resolved configuration and its hash")
    _add_common(cfg)

    sample = sub.add_parser("sample", help="generate the embedded sample crawl (a WARC)")
    sample.add_argument("--out", default="build/sample/sample_crawl.warc.gz")
    sample.add_argument("--pages", type=int, default=None)
    sample.add_argument("--seed", type=int, default=None)
    return ap


def run_stage_command(args: argparse.Namespace) -> int:
    cfg = load_config(args.config, args.set)
    out = args.output or cfg["run"]["output"]
    _preflight(args.stage, cfg)
    from mdfs.spark.session import get_spark

    res = run_one(get_spark(cfg, args.master), args.stage, out, cfg, args.input, args.overwrite)
    print(format_stage(res.stats, skipped=res.skipped))
    print(f"output: {res.path}")
    return 0


def _preflight(stage: str, cfg: dict) -> None:
    """Errors that need no Spark are raised before Spark starts or reads anything."""
    if stage == "quality":
        from mdfs.quality.score import load_model

        load_model(cfg["quality"]["model"])  # a missing or corrupt model: one clear error


def run_one(spark, stage: str, out: str, cfg: dict, inputs: list[str] | None, overwrite: bool):
    """Run one stage (skipped when its _SUCCESS exists, unless overwrite) and return its StageResult."""
    if stage == "collect":
        if not inputs:
            raise ConfigError("collect needs --input (files, folders or globs)")
        from mdfs.spark.collect import run_collect

        return run_collect(spark, inputs, out, cfg, overwrite=overwrite)
    if stage == "dedup":
        from mdfs.spark.dedup import run_dedup

        return run_dedup(spark, out, cfg, inputs, overwrite)
    if stage == "tokenize":
        from mdfs.spark.tokenize import run_tokenize

        return run_tokenize(spark, out, cfg, inputs, overwrite)
    if stage == "shard":
        from mdfs.spark.shard import run_shard

        return run_shard(spark, out, cfg, inputs, overwrite)
    from mdfs.spark.docstage import run_doc_stage

    return run_doc_stage(spark, stage, _batch_fn(stage), out, cfg, inputs, overwrite)


def pipeline_command(args: argparse.Namespace) -> int:
    """Every stage in order on one Spark session (finished stages, with _SUCCESS, are skipped), then the report."""
    cfg = load_config(args.config, args.set)
    out = args.output or cfg["run"]["output"]
    for stage in RUNNABLE:
        _preflight(stage, cfg)
    from mdfs.spark.session import get_spark

    spark = get_spark(cfg, args.master)
    for stage in RUNNABLE:
        res = run_one(spark, stage, out, cfg, args.input if stage == "collect" else None, args.overwrite)
        print(format_stage(res.stats, skipped=res.skipped), flush=True)
    if args.no_report:
        print(f"output: {out}")
        return 0
    from mdfs.report.cli import build_report

    rep = build_report(spark, out, cfg)
    print(f"output: {out}")
    print(f"report: {Path(rep['html']).resolve()}")
    return 0


def _batch_fn(stage: str):
    if stage == "coarse":
        from mdfs.stages.coarse import coarse_batch

        return coarse_batch
    if stage == "quality":
        from mdfs.stages.quality import quality_batch

        return quality_batch
    if stage == "fine":
        from mdfs.stages.fine import fine_batch

        return fine_batch
    raise ConfigError(f"stage {stage} is not implemented yet")


def format_stage(stats: dict, skipped: bool = False) -> str:
    """One stage as a few human lines: docs in / kept / rejected by reason."""
    n_in, kept, rej = stats["docs_in"], stats["docs_kept"], stats["docs_rejected"]
    share = f"{100 * kept / n_in:.1f}%" if n_in else "-"
    head = f"[{stats['stage']}]{' (skipped: already done)' if skipped else ''} in {n_in:,}  kept {kept:,} ({share})  rejected {rej:,}  chars kept {stats['chars_kept']:,}  {stats['seconds']}s"
    lines = [head]
    for reason, v in stats["reasons"].items():
        lines.append(f"    {reason:<28} {v['docs']:>8,}")
    ex = stats.get("extra") or {}
    if stats["stage"] == "tokenize":
        how = f"trained on {ex.get('sample_chars', 0):,} chars" if ex.get("trained") else f"given ({ex.get('source')})"
        lines.append(f"    tokenizer: {ex.get('vocab_size', 0):,} tokens, {how}; held-out chars/token {ex.get('chars_per_token')}")
    if stats["stage"] == "shard":
        splits = ", ".join(f"{k} {v['documents']:,} docs / {v['tokens']:,} tokens" for k, v in (ex.get("splits") or {}).items())
        lines.append(f"    {ex.get('shards')} shards ({ex.get('dtype')}): {splits}; chars/token {ex.get('chars_per_token')}")
    if stats.get("edits"):
        lines.append("    edits: " + ", ".join(f"{k} {v:,}" for k, v in stats["edits"].items()))
    return "\n".join(lines)


def summary(out: str, as_json: bool) -> int:
    root = Path(out)
    found = []
    for stage in STAGES:
        p = root / stage_dir_name(stage) / "stats.json"
        if p.is_file() and (p.parent / "_SUCCESS").is_file():
            found.append(json.loads(p.read_text(encoding="utf-8")))
    if not found:
        print(f"no finished stage under {root}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps([{k: s[k] for k in ("stage", "docs_in", "docs_kept", "docs_rejected", "reasons")} for s in found], indent=2))
    else:
        for s in found:
            print(format_stage(s))
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.cmd == "run":
            return run_stage_command(args)
        if args.cmd == "pipeline":
            return pipeline_command(args)
        if args.cmd == "report":
            from mdfs.report.cli import main as report_main

            argv2 = [args.out, *(["--report-dir", args.report_dir] if args.report_dir else [])]
            argv2 += [*(["--config", args.config] if args.config else []), *[x for v in args.set for x in ("--set", v)]]
            return report_main(argv2 + (["--master", args.master] if args.master else []))
        if args.cmd == "audit":
            from mdfs.spark.audit import audit_main
            from mdfs.spark.session import get_spark

            return audit_main(get_spark(load_config(), args.master), args.out)
        if args.cmd == "shards":
            from mdfs.shard.manifest import verify_main

            return verify_main(args.dir, args.samples)
        if args.cmd == "summary":
            return summary(args.out, args.json)
        if args.cmd == "config":
            from mdfs.config import config_hash

            cfg = load_config(args.config, args.set)
            print(json.dumps(cfg, indent=2, ensure_ascii=False))
            print(f"hash: {config_hash(cfg)}")
            return 0
        if args.cmd == "sample":
            from mdfs.sample.crawl import main as sample_main

            argv2 = ["--out", args.out]
            if args.pages is not None:
                argv2 += ["--pages", str(args.pages)]
            if args.seed is not None:
                argv2 += ["--seed", str(args.seed)]
            return sample_main(argv2) or 0
    except ConfigError as e:
        print(f"mdfs: configuration error: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        from mdfs.quality.score import QualityModelError

        if isinstance(e, QualityModelError):
            print(f"mdfs: {e}", file=sys.stderr)
            return 2
        raise
    return 1


if __name__ == "__main__":
    sys.exit(main())
