"""End to end against datatrove: the same WARC crawl through our whole pipeline and through datatrove's
FineWeb-style pipeline, on the same cores, timed per stage and scored against the crawl's truth.

1. The benchmark crawl (`mdfs.sample.crawl`, like the sample crawl but larger): `--pages` pages of the
   same mix (GBK/Big5 and lying charsets, SEO spam lines, pinyin, exact and near duplicates, foreign
   pages, junk, binaries), with real page weight (`--pad-kb` KB of scripts and styles per HTML page,
   mdfs.sample.weight) and cut into `--parts` WARC files, as crawls come. Cached in bench/e2e/.cache.
2. Ours: `mdfs pipeline --no-report` (collect -> coarse -> quality -> dedup -> fine -> tokenize ->
   shard) in a subprocess on Spark local[2]; then `mdfs report`, timed on its own. CPU seconds are the whole process tree's (driver, JVM,
   Python workers: /proc sampled every 0.1 s, bench/memory's Sampler), as is peak memory.
3. datatrove 0.10.1 (bench/e2e/run_datatrove.py in its own venv, DATATROVE.md): WarcReader ->
   URLFilter -> Trafilatura -> LanguageFilter -> Gopher repetition/quality -> FineWeb quality with
   FineWeb-2's cmn_Hani settings -> MinHash dedup (4 steps) -> DocumentTokenizer, 2 workers, one
   task per WARC file. Both pipelines get the same tokenizer, trained once per crawl beforehand
   (datatrove has no trainer; our tokenize stage, given a tokenizer, only measures it).
4. Quality from the truth file: good pages lost, junk/foreign/broken pages kept, duplicate pairs
   left, SEO spam lines left in kept text, and line precision/recall of the kept text against each
   page's true main text (both sides folded with NFKC + OpenCC t2s first, so script is not scored).

    python bench/e2e/bench_e2e.py [--pages 3000] [--pad-kb 90] [--parts 4] [--no-datatrove] [--no-write]

Writes bench/e2e/results.json and the "End to end" section of bench/RESULTS.md (another --pages:
results-<pages>.json and the section "End to end, <pages> pages").
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section
from bench.memory.bench_driver_rss import Sampler

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
DT_PY = HERE / ".venv-datatrove" / "bin" / "python"
CORES = 2
OUR_STAGES = ["collect", "coarse", "quality", "dedup", "fine", "tokenize", "shard"]
# Comparable parts of the two pipelines: (label, our stages, datatrove steps)
GROUPS = [
    ("read + extract + filter", ["collect", "coarse", "quality"], ["extract_filter"]),
    ("near-dedup", ["dedup"], ["minhash_signature", "minhash_buckets", "minhash_cluster", "minhash_filter"]),
    ("line cleaning + PII", ["fine"], []),
    ("tokenizer + tokens on disk", ["tokenize", "shard"], ["tokenize"]),
]


# ---------------------------------------------------------------- the crawl

def make_crawl(pages: int, seed: int, pad_kb: float, parts: int) -> tuple[Path, Path, dict]:
    """The crawl's folder (parts WARC files) and truth file, built once per setting."""
    from mdfs.sample.crawl import generate

    import hashlib

    import mdfs.sample

    src = b"".join(p.read_bytes() for p in sorted(Path(mdfs.sample.__file__).parent.glob("*.py")))
    d = CACHE / f"crawl-{pages}-{seed}-{pad_kb:g}-{parts}-{hashlib.sha256(src).hexdigest()[:10]}"  # generator version
    summary_path = d / "summary.json"
    if not summary_path.exists():
        shutil.rmtree(d, ignore_errors=True)
        (d / "warc").mkdir(parents=True)
        t0 = time.monotonic()
        s = generate(d / "warc" / "crawl.warc.gz", pages, seed, pad_kb, parts)
        truth = Path(s["truth"])
        truth.rename(d / "truth.jsonl")
        s["truth"] = str(d / "truth.jsonl")
        s["raw_bytes"] = sum(_gunzipped_size(Path(f)) for f in s.get("files", [s["out"]]))
        s["generate_seconds"] = round(time.monotonic() - t0, 1)
        summary_path.write_text(json.dumps(s, indent=2))
    return d / "warc", d / "truth.jsonl", json.loads(summary_path.read_text())


def make_tokenizer(crawl_dir: Path, truth_path: Path) -> tuple[Path, dict]:
    """One tokenizer both pipelines are given (datatrove only tokenizes; so, here, does our pipeline).

    Trained once per crawl, untimed, with our trainer and default settings on the true main text of
    the crawl's good pages. Our tokenize stage trains one itself when not given one; that cost is
    measured here and reported beside the runs."""
    from mdfs.config import load_config
    from mdfs.tokenize import save_tokenizer, train_tokenizer

    path = crawl_dir / "tokenizer" / "tokenizer.json"
    meta = crawl_dir / "tokenizer" / "train.json"
    if not meta.exists():
        tc = load_config()["tokenize"]
        texts = [r["main_text"] for r in map(json.loads, truth_path.read_text(encoding="utf-8").splitlines())
                 if r["final"] == "keep" and r.get("main_text")]
        t0 = time.monotonic()
        tok = train_tokenizer(iter(texts), tc["vocab_size"], min_frequency=tc["min_frequency"],
                              special_tokens=tc["special_tokens"], design=tc["design"])
        secs = time.monotonic() - t0
        save_tokenizer(tok, path)
        meta.write_text(json.dumps({"docs": len(texts), "chars": sum(map(len, texts)),
                                    "train_seconds": round(secs, 1), "design": tc["design"]}, indent=2))
    return path, json.loads(meta.read_text())


def ensure_jvm_class_cache() -> str:
    """Our driver JVM's class cache (mdfs/spark/jvmcache.py, made by `make setup`): made here, untimed,
    if this machine has none yet, as datatrove's runner warms its caches before its timed steps."""
    from mdfs.spark.jvmcache import archive_path

    path = archive_path("")
    if path is None:
        return "off"
    if path.is_file():
        return "present"
    r = subprocess.run([sys.executable, "-m", "mdfs.spark.jvmcache"], cwd=ROOT, capture_output=True, text=True)
    return "made before the run" if r.returncode == 0 and path.is_file() else "could not be made"


def _gunzipped_size(p: Path) -> int:
    n = 0
    with gzip.open(p, "rb") as f:
        while chunk := f.read(1 << 20):
            n += len(chunk)
    return n


# ---------------------------------------------------------------- the two runs

def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_ours(warc_dir: Path, out: Path, sets: list[str], tokenizer: Path) -> dict:
    """`mdfs pipeline` with the given tokenizer, timed to its exit; then `mdfs report`, timed on its own."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "mdfs.cli", "pipeline", "--input", str(warc_dir), "--output", str(out),
           "--master", f"local[{CORES}]", "--no-report", "--set", f"tokenize.tokenizer={json.dumps(str(tokenizer))}"]
    for s in sets:
        cmd += ["--set", s]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0, t0_wall = time.monotonic(), time.time()
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = Sampler(p.pid, every=0.1)
    sampler.start()
    log = p.stdout.read()
    p.wait()
    sampler.stop.set()
    sampler.join()
    wall, cpu = time.monotonic() - t0, sampler.cpu_seconds  # the whole tree, JVM and workers included
    (out.parent / "ours.log").write_text(log)
    if p.returncode:
        raise SystemExit(f"our pipeline failed:\n{log[-5000:]}")
    from mdfs.schema import stage_dir_name

    from datetime import datetime

    stages = []
    for s in OUR_STAGES:
        st = json.loads((out / stage_dir_name(s) / "stats.json").read_text())
        stages.append({"name": s, "seconds": st["seconds"], "docs_in": st["docs_in"], "docs_out": st["docs_kept"],
                       "started": datetime.fromisoformat(st["started_at"]).timestamp()})
    startup = stages[0]["started"] - t0_wall  # interpreter, imports, JVM and SparkSession start
    t1 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "mdfs.cli", "report", str(out), "--master", f"local[{CORES}]"],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"our report failed:\n{(r.stdout + r.stderr)[-5000:]}")
    report_wall = time.monotonic() - t1
    report_s = json.loads((out / "report" / "report.json").read_text()).get("report_seconds", 0.0)
    return {
        "startup_seconds": round(startup, 1),
        "report_seconds": round(report_s, 1),
        "report_wall_seconds": round(report_wall, 1),
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "stages": stages,
        "outside_stages_seconds": round(wall - sum(s["seconds"] for s in stages), 1),
        "peak_rss_mb": {
            "driver_python": round(sampler.py_hwm / 1024), "driver_jvm": round(sampler.jvm_hwm / 1024),
            "python_workers_sum": round(sampler.workers_rss / 1024),
        },
    }


def run_datatrove(warc_dir: Path, work: Path, tokenizer: Path, result: Path) -> dict:
    subprocess.run(["bash", str(HERE / "setup_datatrove.sh")], check=True)
    cmd = [str(DT_PY), str(HERE / "run_datatrove.py"), "--input", str(warc_dir), "--work", str(work),
           "--workers", str(CORES), "--tokenizer", str(tokenizer), "--out", str(result)]
    cpu0, t0 = _children_cpu(), time.monotonic()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    (work.parent / "datatrove.log").write_text(r.stdout + r.stderr)
    if r.returncode:
        raise SystemExit(f"datatrove failed:\n{(r.stdout + r.stderr)[-5000:]}")
    res = json.loads(result.read_text())
    # Timed like ours (each step's process start included), without the runner's one-time warm-up
    # (URL lists unpacked, jieba cache) and its untimed accounting pass over the WARC.
    res["seconds"] = round(sum(s["seconds_with_interpreter"] for s in res["steps"]), 1)
    res["cpu_seconds"] = round(res["total_cpu_seconds"], 1)
    res["script_seconds"], res["script_cpu_seconds"] = round(wall, 1), round(cpu, 1)
    return res


# ---------------------------------------------------------------- quality against the truth

def _fold(text: str) -> str:
    from mdfs.text.normalize import _opencc  # the OpenCC converter our coarse stage uses

    return _opencc("t2s").convert(unicodedata.normalize("NFKC", text))


def _lines(text: str) -> set[str]:
    return {ln for ln in (x.strip() for x in _fold(text).split("\n")) if len(ln) >= 2}


def ours_kept(out: Path) -> dict[str, str]:
    """url -> text of every document in our shards."""
    import pyarrow.parquet as pq

    from mdfs.schema import stage_dir_name

    sharded = set(pq.read_table(out / stage_dir_name("shard") / "documents", columns=["id"]).column("id").to_pylist())
    t = pq.read_table(out / stage_dir_name("fine") / "kept", columns=["id", "url", "text"]).to_pylist()
    return {r["url"]: r["text"] for r in t if r["id"] in sharded}


def datatrove_kept(work: Path) -> dict[str, str]:
    """url -> text of every document datatrove tokenized (its dedup output)."""
    out: dict[str, str] = {}
    for p in sorted((work / "dedup" / "output").rglob("*.jsonl*")):
        opener = gzip.open if p.suffix == ".gz" else open
        with opener(p, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    out[(d.get("metadata") or {}).get("url")] = d["text"]
    return out


def score(truth: list[dict], kept: dict[str, str]) -> dict:
    """What a corpus builder cares about, from the truth's `final` outcome of every page.

    A page and its planted copies (`dup_of`) are one content group: the group's content is kept when
    any member survives (a deduper may keep a copy rather than the original), and every survivor past
    the first is a duplicate left."""
    by_url = {r["url"]: r for r in truth}

    def root(url: str) -> str:  # copies of copies (a reused article's page copied again) join one group
        seen = set()
        while by_url.get(url, {}).get("dup_of") and url not in seen:
            seen.add(url)
            url = by_url[url]["dup_of"]
        return url

    members: dict[str, list[str]] = {}
    for r in truth:
        if r["final"] == "drop:dup" and r.get("dup_of"):
            members.setdefault(root(r["url"]), []).append(r["url"])
    good = [r for r in truth if r["final"] == "keep"]
    bad = [r for r in truth if r["final"].startswith(("drop:junk", "reject:"))]
    lost = [r for r in good if not any(u in kept for u in (r["url"], *members.get(r["url"], [])))]
    junk_kept = [r for r in bad if r["url"] in kept]
    groups = [[r["url"], *members[r["url"]]] for r in truth if r["url"] in members]
    dups_left = sum(max(0, sum(u in kept for u in g) - 1) for g in groups)
    spam_total = spam_left = 0
    tp = n_true = n_out = 0
    scored = 0
    for g in good:
        # The group's survivor is scored against its own truth (a near copy has its own main text):
        # scoring only originals would judge each pipeline on the few groups where its deduper
        # happened to keep the original (152 of 1,221 for ours at 12,000 pages), a biased sample.
        url = next((u for u in (g["url"], *members.get(g["url"], [])) if u in kept), None)
        if url is None:
            continue
        r = by_url[url]
        scored += 1
        out_lines = _lines(kept[url])
        for s in r.get("spam_lines") or []:
            spam_total += 1
            spam_left += _fold(s).strip() in out_lines
        if r.get("main_text"):
            true_lines = _lines(r["main_text"])
            tp += len(true_lines & out_lines)
            n_true += len(true_lines)
            n_out += len(out_lines)
    return {
        "pages": len(truth),
        "kept": len(kept),
        "kept_not_in_truth": sum(1 for u in kept if u not in by_url),
        "good_pages": len(good),
        "good_pages_lost": len(lost),
        "good_lost_by_category": dict(Counter(r["category"] for r in lost).most_common()),
        "bad_pages": len(bad),
        "bad_pages_kept": len(junk_kept),
        "bad_kept_by_category": dict(Counter(r["category"] for r in junk_kept).most_common()),
        "duplicate_groups": len(groups),
        "duplicate_copies": sum(len(g) - 1 for g in groups),
        "duplicates_left": dups_left,
        "spam_lines_on_kept_good_pages": spam_total,
        "spam_lines_left": spam_left,
        "line_scored_groups": scored,
        "main_text_line_recall": round(tp / n_true, 4) if n_true else None,
        "kept_text_line_precision": round(tp / n_out, 4) if n_out else None,
    }


# ---------------------------------------------------------------- report

def _sum(steps: list[dict], names: list[str], key: str) -> float:
    return sum(s[key] for s in steps if s["name"] in names)


def summarize(crawl: dict, ours: dict, dt: dict | None, runs: list[dict] | None = None) -> dict:
    raw_mb = crawl["raw_bytes"] / 1e6
    pages = crawl["pages"]

    def rates(seconds: float) -> dict:
        return {"mb_s_per_core": round(raw_mb / seconds / CORES, 3), "docs_s_per_core": round(pages / seconds / CORES, 1)}

    runs = runs or [ours]
    wall = round(sum(r["seconds"] for r in runs) / len(runs), 1)
    cpu = round(sum(r["cpu_seconds"] for r in runs) / len(runs), 1)
    s = {"ours": {**rates(wall), "seconds": wall, "cpu_seconds": cpu}}
    groups = []
    for label, ours_names, dt_names in GROUPS:
        g = {"label": label, "ours_seconds": round(_sum(ours["stages"], ours_names, "seconds"), 1)}
        if dt is not None and dt_names:
            g["datatrove_seconds"] = round(_sum(dt["steps"], dt_names, "seconds"), 1)
            g["datatrove_cpu_seconds"] = round(_sum(dt["steps"], dt_names, "cpu_seconds"), 1)
            g["speedup"] = round(g["datatrove_seconds"] / g["ours_seconds"], 2) if g["ours_seconds"] else None
        groups.append(g)
    s["groups"] = groups
    if dt is not None:
        s["datatrove"] = {**rates(dt["seconds"]), "seconds": dt["seconds"], "cpu_seconds": dt["cpu_seconds"]}
        s["speedup_wall"] = round(dt["seconds"] / wall, 2)
        s["speedup_cpu"] = round(dt["cpu_seconds"] / cpu, 2)
    return s


def render(res: dict, section: str = "End to end") -> str:
    c, o, d, sm = res["crawl"], res["ours"], res.get("datatrove"), res["summary"]
    raw = c["raw_bytes"] / 1e6
    lines = [
        f"## {section}",
        "",
        f"`make bench-e2e` (bench/e2e/bench_e2e.py), {res['date']}; {res['machine']}.",
        (f"One crawl, both pipelines, {CORES} cores each: {c['pages']:,} pages (mdfs.sample.crawl seed {c['seed']}, "
         f"~{c.get('pad_kb', 0):g} KB of scripts, styles and portal navigation markup per HTML page for real page "
         f"weight), {len(c.get('files', [1]))} "
         f"WARC files, {c['bytes'] / 1e6:.1f} MB gzipped, **{raw:.1f} MB raw WARC**. Ours: `mdfs pipeline`, Spark "
         f"local[{CORES}], all seven stages (`--no-report`; the report is timed on its own below). datatrove "
         f"{d['datatrove_version'] if d else ''}: FineWeb-style, FineWeb-2 cmn_Hani settings, MinHash, DocumentTokenizer, "
         "2 workers (bench/e2e/DATATROVE.md). Both are given the same tokenizer"
         + (f", trained beforehand with our trainer on the crawl's good pages ({res['tokenizer']['chars']:,} chars, "
            f"{res['tokenizer']['train_seconds']} s, not counted in either run; our tokenize stage trains one itself "
            "when not given one)" if res.get("tokenizer") else "")
         + (f". Our driver JVM's class cache (mdfs/spark/jvmcache.py, made by `make setup`): {res['jvm_class_cache']}."
            if res.get("jvm_class_cache") else ".")),
        "",
        "| | wall s | CPU s (process tree) | MB/s raw WARC per core | docs/s per core | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    pk = o["peak_rss_mb"]
    lines.append(f"| **ours** | {sm['ours']['seconds']} | {sm['ours']['cpu_seconds']} | {sm['ours']['mb_s_per_core']} | "
                 f"{sm['ours']['docs_s_per_core']} | driver {pk['driver_python']} + JVM {pk['driver_jvm']} + "
                 f"workers {pk['python_workers_sum']} |")
    if d:
        lines.append(f"| **datatrove** | {d['seconds']} | {d['cpu_seconds']} | "
                     f"{sm['datatrove']['mb_s_per_core']} | {sm['datatrove']['docs_s_per_core']} | "
                     f"{max(s['peak_rss_mb'] for s in d['steps']):.0f} (largest process) |")
        runs = res.get("ours_runs") or []
        if len(runs) > 1:
            lines += ["", "Ours is the mean of two runs, before and after datatrove's: " + ", ".join(
                f"{r['seconds']} s / {r['cpu_seconds']} CPU s" for r in runs) + " (per-stage figures below: the first)."]
        lines += ["", (f"Ours vs datatrove: **{sm['speedup_wall']}x** wall, **{sm['speedup_cpu']}x** CPU. datatrove's "
                       "time is the sum of its steps, each step's interpreter start included; its runner's one-time "
                       f"warm-up and accounting pass are not counted ({d['script_seconds']} s in all).")]
    lines += ["", "Per part (wall seconds; ours from each stage's stats.json, datatrove per step):", "",
              "| part | ours s | datatrove s | datatrove / ours |", "|---|---:|---:|---:|"]
    for g in sm["groups"]:
        lines.append(f"| {g['label']} | {g['ours_seconds']} | {g.get('datatrove_seconds', '-')} | "
                     f"{g.get('speedup') if g.get('speedup') is not None else '-'} |")
    if "startup_seconds" in o:
        rest = o["outside_stages_seconds"] - o["startup_seconds"] - (0 if "report_wall_seconds" in o else o["report_seconds"])
        lines.append(f"| start (Python, JVM, SparkSession) | {o['startup_seconds']} | - | - |")
        lines.append(f"| between stages (stage set-up before its clock starts, exit) | {rest:.1f} | - | - |")
        if "report_wall_seconds" in o:
            lines.append(f"| *not in the pipeline's time:* `mdfs report` (own process; {o['report_seconds']} s "
                         f"of aggregations + plots) | {o['report_wall_seconds']} | - | - |")
        else:
            lines.append(f"| report (aggregations + plots) | {o['report_seconds']} | - | - |")
    else:
        lines.append(f"| outside the stages (JVM start, report) | {o['outside_stages_seconds']} | - | - |")
    lines += ["", "Our stages: " + ", ".join(f"{s['name']} {s['seconds']} s" for s in o["stages"]) + "."]
    if d:
        lines.append("datatrove steps: " + ", ".join(f"{s['name']} {s['seconds']} s" for s in d["steps"]) + ".")
    q = res["quality"]
    keys = [("pages kept", "kept"), ("good pages lost (of {good_pages})", "good_pages_lost"),
            ("junk / foreign / broken pages kept (of {bad_pages})", "bad_pages_kept"),
            ("duplicates left (of {duplicate_copies} planted copies)", "duplicates_left"),
            ("SEO spam lines left on kept pages", "spam_lines_left"),
            ("good groups scored for lines", "line_scored_groups"),
            ("main-text line recall", "main_text_line_recall"), ("kept-text line precision", "kept_text_line_precision")]
    lines += ["", ("Output quality against the crawl's truth. A page and its planted copies count as one content "
                   "group: kept if any member is kept, and each further survivor is a duplicate left. Line recall "
                   "and precision compare the kept text of each good group's survivor (the original page if kept, "
                   "else the first kept copy) with that page's own true main text (lines folded "
                   "with NFKC + t2s on both sides):"), "",
              "| | ours | datatrove |", "|---|---:|---:|"]
    for label, k in keys:
        lab = label.format(**q["ours"])
        # .get: results written before a row existed (line_scored_groups) still render.
        lines.append(f"| {lab} | {q['ours'].get(k, '-')} | {q['datatrove'].get(k, '-') if 'datatrove' in q else '-'} |")
    if "datatrove" in q:
        lines += ["", f"Good pages datatrove lost, by category: {q['datatrove']['good_lost_by_category']}; ours: "
                  f"{q['ours']['good_lost_by_category']}. Bad pages kept, datatrove: "
                  f"{q['datatrove']['bad_kept_by_category']}; ours: {q['ours']['bad_kept_by_category']}."]
    if res.get("note"):
        lines += ["", res["note"]]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--pad-kb", type=float, default=90.0)
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--set", action="append", default=[], help="--set overrides for our pipeline")
    ap.add_argument("--no-datatrove", action="store_true")
    ap.add_argument("--work", type=Path, default=CACHE / "run")
    ap.add_argument("--no-write", action="store_true", help="do not touch bench/RESULTS.md")
    ap.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from the results file")
    ap.add_argument("--rescore", action="store_true",
                    help="recompute output quality from the last run's outputs in --work, then rewrite RESULTS.md")
    args = ap.parse_args(argv)
    default_size = args.pages == 3000
    results_path = HERE / ("results.json" if default_size else f"results-{args.pages}.json")
    section = "End to end" if default_size else f"End to end, {args.pages:,} pages"
    if args.render or args.rescore:
        res = json.loads(results_path.read_text())
        if args.rescore:
            truth = [json.loads(x) for x in Path(res["crawl"]["truth"]).read_text(encoding="utf-8").splitlines()]
            res["quality"]["ours"] = score(truth, ours_kept(args.work / "ours"))
            if "datatrove" in res["quality"]:
                res["quality"]["datatrove"] = score(truth, datatrove_kept(args.work / "datatrove"))
            results_path.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
        write_section(section, render(res, section))
        return 0

    warc_dir, truth_path, crawl = make_crawl(args.pages, args.seed, args.pad_kb, args.parts)
    print(f"crawl: {crawl['pages']} pages, {crawl['bytes'] / 1e6:.1f} MB gz, {crawl['raw_bytes'] / 1e6:.1f} MB raw",
          flush=True)
    truth = [json.loads(line) for line in truth_path.read_text(encoding="utf-8").splitlines()]
    args.work.mkdir(parents=True, exist_ok=True)
    tok, tok_meta = make_tokenizer(warc_dir.parent, truth_path)
    jvm_cache = ensure_jvm_class_cache()
    ours = run_ours(warc_dir, args.work / "ours", args.set, tok)
    print(f"ours: {ours['seconds']} s wall, {ours['cpu_seconds']} s CPU", flush=True)
    res = {"date": date.today().isoformat(), "machine": machine(), "crawl": crawl, "ours": ours,
           "tokenizer": tok_meta, "jvm_class_cache": jvm_cache,
           "quality": {"ours": score(truth, ours_kept(args.work / "ours"))}}
    dt = None
    if not args.no_datatrove:
        dt = run_datatrove(warc_dir, args.work / "datatrove", tok, args.work / "datatrove.json")
        print(f"datatrove: {dt['seconds']} s wall, {dt['cpu_seconds']} s CPU", flush=True)
        res["datatrove"] = {k: v for k, v in dt.items() if k not in ("kept_urls", "dropped", "kept_record_ids",
                                                                      "dropped_by_record_id")}
        res["quality"]["datatrove"] = score(truth, datatrove_kept(args.work / "datatrove"))
        # Ours again after datatrove: the machine's speed drifts (+-15 % within minutes on the
        # reference VM), so ours is timed on both sides of datatrove and the mean is compared.
        again = run_ours(warc_dir, args.work / "ours", args.set, tok)
        print(f"ours again: {again['seconds']} s wall, {again['cpu_seconds']} s CPU", flush=True)
        res["ours_runs"] = [{k: r[k] for k in ("seconds", "cpu_seconds")} for r in (ours, again)]
    res["summary"] = summarize(crawl, ours, dt, res.get("ours_runs"))
    results_path.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    text = render(res, section)
    if not args.no_write:
        write_section(section, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
