"""Driver memory: peak RSS of the driver when the input grows 10x.

`mdfs pipeline` (every stage, then the report) runs in a subprocess, Spark local[2], on a sample
crawl of N pages (mdfs.sample.crawl) and on one of 10 x N pages. While it runs, every 0.25 s this
script walks the subprocess's tree in /proc and records:
- the driver's Python process: VmHWM (the kernel's peak-RSS mark, read until it exits) and VmRSS;
- the driver's JVM (the `java` child): VmHWM, plus its heap in use (young + old, from `jstat -gc`
  once a second) against the -Xmx that spark.driver.memory gives it;
- Spark's Python workers (children of the JVM; in local mode they are the executors): the
  largest sum of their VmRSS at one sample. They are not the driver, and are reported apart.
Peak-RSS figures are the kernel's high-water marks, so a spike between samples is not missed; the
heap-in-use peak is sampled (1 s) and can miss a short spike.

    python bench/memory/bench_driver_rss.py [--pages 300] [--factor 10] [--no-write]

Writes bench/memory/results.json and the "Driver memory" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section

HERE = Path(__file__).resolve().parent
DRIVER_MEMORY = "4g"  # configs/default.toml's [spark] driver_memory, spelled out so the table says it


def _status(pid: int) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS", "PPid"):
                    out[k] = int(v.split()[0])
    except (OSError, ValueError):
        pass
    return out


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def _tree(root: int) -> dict[int, int]:
    """pid -> ppid for every descendant of root (and root)."""
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _status(int(name))
            if "PPid" in st:
                parent[int(name)] = st["PPid"]
    kids: dict[int, list[int]] = {}
    for p, pp in parent.items():
        kids.setdefault(pp, []).append(p)
    out, todo = {root: parent.get(root, 0)}, [root]
    while todo:
        for c in kids.get(todo.pop(), []):
            out[c] = parent[c]
            todo.append(c)
    return out


def _heap_used_kb(pid: int) -> float | None:
    """Young + old generation in use (KB) from `jstat -gc`, None when it cannot tell."""
    try:
        r = subprocess.run(["jstat", "-gc", str(pid)], check=False, capture_output=True, text=True, timeout=10)
        head, vals = r.stdout.split("\n")[:2]
        row = dict(zip(head.split(), vals.split()))
        return sum(float(row[k]) for k in ("S0U", "S1U", "EU", "OU"))
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
        return None


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.stop = threading.Event()
        self.py_hwm = self.py_rss = self.jvm_hwm = self.workers_rss = 0
        self.heap_kb = 0.0
        self.jvm_pid: int | None = None
        self.samples = 0

    def run(self) -> None:
        last_heap = 0.0
        while not self.stop.is_set():
            tree = _tree(self.pid)
            st = _status(self.pid)
            self.py_hwm = max(self.py_hwm, st.get("VmHWM", 0))
            self.py_rss = max(self.py_rss, st.get("VmRSS", 0))
            workers = 0
            for p in tree:
                if p == self.pid:
                    continue
                c = _comm(p)
                if c == "java":
                    self.jvm_pid = p
                    self.jvm_hwm = max(self.jvm_hwm, _status(p).get("VmHWM", 0))
                elif c.startswith("python"):  # pyspark.daemon and the workers it forks, under the JVM
                    workers += _status(p).get("VmRSS", 0)
            self.workers_rss = max(self.workers_rss, workers)
            if self.jvm_pid and time.monotonic() - last_heap >= 1.0:
                last_heap = time.monotonic()
                h = _heap_used_kb(self.jvm_pid)
                if h is not None:
                    self.heap_kb = max(self.heap_kb, h)
            self.samples += 1
            self.stop.wait(self.every)


def run_once(pages: int, seed: int, work: Path, sets: list[str]) -> dict:
    from mdfs.sample.crawl import generate

    crawl = work / f"crawl_{pages}" / "sample.warc.gz"
    generate(str(crawl), pages, seed)
    (crawl.parent / "sample.truth.jsonl").rename(work / f"truth_{pages}.jsonl")
    out = work / f"out_{pages}"
    cmd = [sys.executable, "-m", "mdfs.cli", "pipeline", "--input", str(crawl.parent), "--output", str(out),
           "--master", "local[2]", "--set", f'spark.driver_memory="{DRIVER_MEMORY}"']
    for s in sets:
        cmd += ["--set", s]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    s = Sampler(p.pid)
    s.start()
    log = p.stdout.read()
    p.wait()
    s.stop.set()
    s.join()
    seconds = time.monotonic() - t0
    if p.returncode:
        raise SystemExit(f"pipeline failed on {pages} pages:\n{log[-5000:]}")
    stats = json.loads((out / "01_collect" / "stats.json").read_text())
    shard = json.loads((out / "07_shard" / "stats.json").read_text())
    return {
        "pages": pages,
        "input_bytes": crawl.stat().st_size,
        "docs_collected": stats["docs_in"],
        "chars_collected": stats.get("chars_kept"),
        "docs_sharded": shard["docs_kept"],
        "seconds": round(seconds, 1),
        "driver_python_peak_rss_mb": round(s.py_hwm / 1024, 1),
        "driver_jvm_peak_rss_mb": round(s.jvm_hwm / 1024, 1),
        "driver_jvm_heap_used_peak_mb": round(s.heap_kb / 1024, 1),
        "python_workers_peak_rss_mb": round(s.workers_rss / 1024, 1),
        "samples": s.samples,
    }


def render(res: dict) -> str:
    a, b = res["runs"]

    def ratio(k: str) -> str:
        return f"{b[k] / a[k]:.2f}x" if a[k] else "-"

    rows = [
        ("pages in the sample crawl", "pages", None),
        ("input (WARC.gz) MB", "input_bytes", lambda v: f"{v / 1e6:.1f}"),
        ("documents collected", "docs_collected", None),
        ("characters after collect", "chars_collected", lambda v: f"{v:,}"),
        ("documents in the shards", "docs_sharded", None),
        ("wall seconds (all stages + report)", "seconds", None),
        ("**driver Python peak RSS, MB**", "driver_python_peak_rss_mb", None),
        ("**driver JVM peak RSS, MB**", "driver_jvm_peak_rss_mb", None),
        (f"driver JVM heap in use, peak MB (-Xmx {DRIVER_MEMORY})", "driver_jvm_heap_used_peak_mb", None),
        ("Python workers (executors), peak sum of RSS, MB", "python_workers_peak_rss_mb", None),
    ]
    lines = [
        "## Driver memory",
        "",
        f"`make bench-memory` (bench/memory/bench_driver_rss.py), {res['date']}; {res['machine']}.",
        (f"`mdfs pipeline` (all seven stages and the report), Spark local[2], spark.driver.memory={DRIVER_MEMORY}, "
         f"on sample crawls of {a['pages']:,} and {b['pages']:,} pages (mdfs.sample.crawl). Peak RSS is the kernel's "
         "VmHWM of each process; heap in use is `jstat -gc` (young + old) sampled once a second."),
        f"Settings: {', '.join(res['sets']) or 'configs/default.toml'}.",
        "",
        f"| | {a['pages']:,} pages | {b['pages']:,} pages | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label, k, fmt in rows:
        f = fmt or (lambda v: f"{v:,}" if isinstance(v, int) else str(v))
        lines.append(f"| {label} | {f(a[k])} | {f(b[k])} | {ratio(k)} |")
    lines += ["", res.get("note", "")]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--set", action="append", default=[], help="extra pipeline --set overrides")
    ap.add_argument("--no-write", action="store_true", help="do not touch bench/RESULTS.md")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mdfs-mem-"))
    try:
        runs = []
        for n in (args.pages, args.pages * args.factor):
            r = run_once(n, args.seed, work, args.set)
            print(json.dumps(r), flush=True)
            runs.append(r)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res = {"date": date.today().isoformat(), "machine": machine(), "sets": args.set, "runs": runs}
    a, b = runs
    res["ratios"] = {k: round(b[k] / a[k], 3) for k in ("driver_python_peak_rss_mb", "driver_jvm_peak_rss_mb",
                                                          "driver_jvm_heap_used_peak_mb") if a[k]}
    (HERE / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    if not args.no_write:
        write_section("Driver memory", render(res))
    print(render(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
