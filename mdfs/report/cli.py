"""`python -m mdfs.report OUT`: write OUT/report/report.html and OUT/report/report.json.

`build_report(spark, out_root, cfg)` is the library call: it reads every finished stage's
stats.json (and the shard manifest), runs the Parquet aggregations as one Spark job, and writes
both files atomically (temporary name, then rename).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from mdfs.config import Config

REPORT_DIR = "report"
log = logging.getLogger("mdfs")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def build_report(spark, out_root: str | Path, cfg: Config | None = None, *, report_dir: str | Path | None = None) -> dict[str, Any]:
    """Aggregate the run under `out_root` and write report.html + report.json.

    Returns {"html": path, "json": path, "report": the JSON dict}. `cfg` is accepted for symmetry
    with the stages (and future report settings); thresholds shown come from each stage's own
    stats.json, i.e. the values the run really used.
    """
    from mdfs.spark.report import aggregate_run
    from mdfs.report.html import make_plots, render
    from mdfs.report.model import build_model
    from mdfs.report.runinfo import read_run

    started = time.time()
    run = read_run(out_root)
    aggs = aggregate_run(spark, run.stages)
    report = build_model(run, aggs)
    report["report_seconds"] = round(time.time() - started, 3)  # aggregation; plotting is added below
    plots = make_plots(report)
    report["report_seconds"] = round(time.time() - started, 3)
    html = render({**report, "_plots": plots})
    out_dir = Path(report_dir) if report_dir else Path(out_root) / REPORT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, json_path = out_dir / "report.html", out_dir / "report.json"
    _write_atomic(json_path, json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
    _write_atomic(html_path, html)
    return {"html": html_path, "json": json_path, "report": report}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mdfs.report", description=__doc__.splitlines()[0])
    ap.add_argument("out", help="run folder OUT (holds <nn>_<stage>/ folders)")
    ap.add_argument("--report-dir", help="where to write report.html/json (default OUT/report)")
    ap.add_argument("--config", help="TOML file merged over configs/default.toml (Spark settings)")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    ap.add_argument("--master", help="Spark master (default: spark-submit's, else [spark].master)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from mdfs.config import ConfigError, load_config

    try:
        cfg = load_config(args.config, args.set)
    except ConfigError as e:
        print(f"mdfs report: configuration error: {e}", file=sys.stderr)
        return 2
    if not Path(args.out).is_dir():
        print(f"mdfs report: no run folder {args.out}", file=sys.stderr)
        return 2
    from mdfs.spark.session import get_spark

    spark = get_spark(cfg, args.master)
    res = build_report(spark, args.out, cfg, report_dir=args.report_dir)
    r = res["report"]
    print(f"report: {len(r['stages_present'])} stage(s) ({', '.join(r['stages_present']) or 'none'})"
          + (f"; absent: {', '.join(a['stage'] for a in r['stages_absent'])}" if r["stages_absent"] else "")
          + f"; {r['report_seconds']:.1f} s")
    for w in r["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"report: {Path(res['html']).resolve()}")
    print(f"json:   {Path(res['json']).resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
