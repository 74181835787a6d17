"""datatrove's 4-step MinHash near-dedup on a JSONL corpus, timed step by step (the reference for issue 5).

Run it with the datatrove virtualenv's python (bench/dedup/setup_datatrove.sh makes it), never the
project's venv, which has no datatrove:

    bench/dedup/.venv-datatrove/bin/python bench/dedup/run_datatrove.py \
        --input corpus.jsonl --work DIR --workers 2 --tasks 2 --mode zh_words --out result.json

Input: JSONL, one {"id": str, "text": str} per line, ids unique.

The pipeline is the one of datatrove's examples/local_minhash_deduplication.py and FineWeb-2's
fineweb-2-pipeline.py: JsonlReader -> MinhashDedupSignature (tasks) -> MinhashDedupBuckets
(num_buckets tasks) -> MinhashDedupCluster (1 task) -> JsonlReader -> MinhashDedupFilter
(exclusion_writer=JsonlWriter) -> JsonlWriter (tasks), each stage a LocalPipelineExecutor.
MinhashConfig is FineWeb-2's: 14 buckets x 8 hashes, 5-grams, 64-bit xxhash, seed 1.

--mode zh_words: word 5-grams from datatrove's own Chinese word tokenizer, selected by FineWeb-2's
  language code "cmn_Hani" (spaCy blank "zh" with the jieba segmenter). NOT Languages.chinese:
  in datatrove 0.10.1 "zho" resolves to WhitespaceTokenizer and "zh" to spaCy "xx", neither of
  which segments Chinese (checked below, the run fails if the tokenizer is not spaCy zh + jieba).
--mode chars: the same pipeline, but the word tokenizer is a WordTokenizer subclass returning the
  non-whitespace characters of datatrove's simplified text, so the 5-grams are character 5-grams.
  MinhashDedupSignature accepts a WordTokenizer instance as `language` (load_word_tokenizer passes
  it through), so nothing in datatrove is patched.

Datatrove shards work by input FILE (rank r reads files r, r+tasks, ...), so the input is first cut
into `tasks` contiguous JSONL shards under WORK/input (timed as "prepare", not part of "total").

Each stage runs in its own child process (this script with --_stage), so per-stage CPU time (user +
system of the stage process and all its workers, from getrusage(RUSAGE_CHILDREN) deltas) and peak RSS
(largest single process) are exact. Workers start with the "spawn" method, as in datatrove's local
example, so they are children of the stage process and their usage is counted. "seconds" per step
is the wall time of executor.run() inside the stage process (worker start-up included, the stage
process's own interpreter start-up and imports not); "seconds_with_interpreter" adds those.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

STAGES = ("signature", "buckets", "cluster", "filter")
MARKER = ".run_datatrove_workdir"
DEFAULT_LANGUAGE = (
    "cmn_Hani"  # FineWeb-2's language code for (Mandarin) Chinese in Han script
)

try:  # importable without datatrove so --help works anywhere; the stages need it
    from datatrove.utils.word_tokenizers import WordTokenizer
except ImportError:  # pragma: no cover
    WordTokenizer = object  # type: ignore[assignment,misc]


class CharTokenizer(WordTokenizer):
    """'Words' = the non-whitespace characters, so datatrove's n_grams=5 makes character 5-grams.

    It sees datatrove's simplified text (lower-cased, numbers -> "0", punctuation -> space, whitespace
    collapsed, diacritics stripped); whitespace is dropped, so 5-grams span the removed punctuation.
    """

    def __init__(self):
        super().__init__("zh_chars")

    def word_tokenize(self, text: str) -> list[str]:
        return [c for c in text if not c.isspace()]

    def sent_tokenize(self, text: str) -> list[str]:
        return [text]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        return [(0, len(text))]


# --------------------------------------------------------------------------- datatrove side


def minhash_config():
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.utils.hashing import HashConfig

    # FineWeb-2's values (also datatrove's defaults): 14 x 8 hashes, 5-grams, 64-bit xxhash, seed 1
    return MinhashConfig(
        hash_config=HashConfig(hash_fc="xxhash", precision=64),
        num_buckets=14,
        hashes_per_bucket=8,
        n_grams=5,
    )


def signature_step(plan: dict):
    from datatrove.pipeline.dedup.minhash import MinhashDedupSignature
    from datatrove.utils.word_tokenizers import SpaCyTokenizer

    if plan["mode"] == "chars":
        language = CharTokenizer()
    else:
        language = plan["language"]
    step = MinhashDedupSignature(
        output_folder=f"{plan['work']}/signatures",
        config=minhash_config(),
        language=language,
    )
    if plan["mode"] == "zh_words":
        tok = step.word_tokenizer
        ok = (
            isinstance(tok, SpaCyTokenizer)
            and tok.language == "zh"
            and (tok.config or {}).get("nlp", {}).get("tokenizer", {}).get("segmenter")
            == "jieba"
        )
        if not ok:
            raise SystemExit(
                f"language {plan['language']!r} gives {type(tok).__name__}({getattr(tok, 'language', None)!r}),"
                " not spaCy zh + jieba: use cmn_Hani (or zho_Hani)"
            )
    return step


def build_executor(stage: str, plan: dict):
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    work, tasks, workers = plan["work"], plan["tasks"], plan["workers"]
    cfg = minhash_config()

    def reader():
        return JsonlReader(f"{work}/input", text_key="text", id_key="id")

    common = {
        "logging_dir": f"{work}/logs/{stage}",
        "start_method": plan["start_method"],
    }
    if stage == "signature":
        return LocalPipelineExecutor(
            pipeline=[reader(), signature_step(plan)],
            tasks=tasks,
            workers=min(workers, tasks),
            **common,
        )
    if stage == "buckets":
        return LocalPipelineExecutor(
            pipeline=[
                MinhashDedupBuckets(
                    input_folder=f"{work}/signatures",
                    output_folder=f"{work}/buckets",
                    config=cfg,
                )
            ],
            tasks=cfg.num_buckets,
            workers=min(workers, cfg.num_buckets),
            **common,
        )
    if stage == "cluster":
        return LocalPipelineExecutor(
            pipeline=[
                MinhashDedupCluster(
                    input_folder=f"{work}/buckets",
                    output_folder=f"{work}/remove_ids",
                    config=cfg,
                )
            ],
            tasks=1,
            workers=1,
            **common,
        )
    if stage == "filter":
        return LocalPipelineExecutor(
            pipeline=[
                reader(),
                MinhashDedupFilter(
                    input_folder=f"{work}/remove_ids",
                    exclusion_writer=JsonlWriter(f"{work}/removed"),
                ),
                JsonlWriter(f"{work}/output"),
            ],
            tasks=tasks,
            workers=min(workers, tasks),
            **common,
        )
    raise ValueError(stage)


def run_stage(stage: str, work: Path) -> int:
    plan = json.loads((work / "plan.json").read_text())
    executor = build_executor(stage, plan)
    t0 = time.perf_counter()
    executor.run()
    secs = time.perf_counter() - t0
    self_ru = resource.getrusage(resource.RUSAGE_SELF)
    child_ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    (work / "stats" / f"{stage}.json").write_text(
        json.dumps(
            {
                "run_seconds": secs,
                "maxrss_kb_self": self_ru.ru_maxrss,
                "maxrss_kb_children": child_ru.ru_maxrss,
            }
        )
    )
    return 0


# --------------------------------------------------------------------------- driver side


def prepare_workdir(work: Path) -> None:
    if work.exists() and any(work.iterdir()):
        if not (work / MARKER).exists():
            raise SystemExit(
                f"{work} is not empty and was not made by this script: give an empty or new --work"
            )
        shutil.rmtree(
            work
        )  # a previous run's: datatrove would skip its "completed" tasks
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).write_text(
        "made by bench/dedup/run_datatrove.py; deleted on the next run\n"
    )
    (work / "stats").mkdir()


def split_input(src: Path, dst: Path, tasks: int) -> list[str]:
    """Cut src into `tasks` contiguous shards dst/00000.jsonl...; return the ids in order.

    Streams (two passes) so the driver stays small: a child's ru_maxrss starts at its parent's RSS
    at fork time, so a driver holding the corpus would inflate every step's peak RSS.
    """
    ids: list[str] = []
    with open(src, "rb") as f:
        for ln, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            doc = json.loads(raw)
            if not isinstance(doc.get("id"), str) or not isinstance(
                doc.get("text"), str
            ):
                raise SystemExit(f"{src}:{ln}: need string 'id' and 'text'")
            ids.append(doc["id"])
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{src}: ids are not unique")
    if not ids:
        raise SystemExit(f"{src}: no documents")
    dst.mkdir(parents=True)
    n, i = len(ids), 0
    with contextlib.ExitStack() as stack:
        outs = [
            stack.enter_context(open(dst / f"{r:05d}.jsonl", "wb"))
            for r in range(tasks)
        ]
        with open(src, "rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                outs[i * tasks // n].write(raw if raw.endswith(b"\n") else raw + b"\n")
                i += 1
    return ids


def read_ids(folder: Path) -> list[str]:
    out: list[str] = []
    if not folder.exists():
        return out
    for p in sorted(folder.rglob("*.jsonl*")):
        opener = gzip.open if p.suffix == ".gz" else open
        with opener(p, "rt", encoding="utf-8") as f:
            out.extend(json.loads(line)["id"] for line in f if line.strip())
    return out


def cpu_s(ru) -> float:
    return ru.ru_utime + ru.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--input", type=Path)
    ap.add_argument(
        "--work",
        type=Path,
        required=True,
        help="scratch folder (wiped if a previous run made it)",
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--tasks",
        type=int,
        default=2,
        help="shards of the input for the signature and filter stages",
    )
    ap.add_argument("--mode", choices=("zh_words", "chars"), default="zh_words")
    ap.add_argument("--out", type=Path)
    ap.add_argument(
        "--language",
        default=DEFAULT_LANGUAGE,
        help="datatrove language code for zh_words",
    )
    ap.add_argument(
        "--start-method", default="spawn", choices=("spawn", "fork", "forkserver")
    )
    ap.add_argument("--_stage", choices=STAGES, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    work = args.work.resolve()

    if args._stage:
        return run_stage(args._stage, work)
    if args.input is None or args.out is None:
        ap.error("--input and --out are required")
    if args.workers < 1 or args.tasks < 1:
        ap.error("--workers and --tasks must be >= 1")

    import importlib.util
    from importlib.metadata import version

    if (
        importlib.util.find_spec("datatrove") is None
    ):  # fail here, not in a child; no import: keep RSS low
        raise SystemExit(
            f"{sys.executable} has no datatrove: use bench/dedup/.venv-datatrove/bin/python"
        )

    prepare_workdir(work)
    t0 = time.perf_counter()
    all_ids = split_input(args.input, work / "input", args.tasks)
    prepare_s = time.perf_counter() - t0
    plan = {
        "work": str(work),
        "tasks": args.tasks,
        "workers": args.workers,
        "mode": args.mode,
        "language": args.language,
        "start_method": args.start_method,
    }
    (work / "plan.json").write_text(json.dumps(plan))

    seconds, outer, cpu, rss = {}, {}, {}, {}
    load_before = os.getloadavg()
    driver_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for stage in STAGES:
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        with open(work / f"{stage}.log", "wb") as log:
            rc = subprocess.run(
                [
                    sys.executable,
                    os.path.abspath(__file__),
                    "--work",
                    str(work),
                    "--_stage",
                    stage,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            ).returncode
        outer[stage] = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if rc != 0:
            tail = (work / f"{stage}.log").read_text(errors="replace")[-4000:]
            print(tail, file=sys.stderr)
            raise SystemExit(
                f"stage {stage} failed (exit {rc}); log: {work / f'{stage}.log'}"
            )
        st = json.loads((work / "stats" / f"{stage}.json").read_text())
        seconds[stage] = st["run_seconds"]
        cpu[stage] = cpu_s(ru1) - cpu_s(ru0)
        rss[stage] = (
            max(st["maxrss_kb_self"], st["maxrss_kb_children"]) / 1024
        )  # Linux: kB
        print(
            f"{stage:9s} {seconds[stage]:8.2f} s  cpu {cpu[stage]:8.2f} s  peak rss {rss[stage]:7.1f} MB",
            file=sys.stderr,
        )

    removed = read_ids(work / "removed")
    kept = read_ids(work / "output")
    n_docs = len(all_ids)
    if (
        len(kept) + len(removed) != n_docs
        or set(kept) | set(removed) != set(all_ids)
        or set(kept) & set(removed)
    ):
        raise SystemExit(
            f"accounting error: kept {len(kept)} + removed {len(removed)} != {n_docs} docs"
            " (or the id sets do not partition the input)"
        )

    total = sum(seconds.values())
    for d in (seconds, outer, cpu):
        d["total"] = sum(d.values())
    docs_per_s = n_docs / total
    deps = {}
    for pkg in (
        "datatrove",
        "spacy",
        "jieba",
        "xxhash",
        "numpy",
        "multiprocess",
        "dill",
        "orjson",
        "regex",
    ):
        try:
            deps[pkg] = version(pkg)
        except Exception:  # noqa: BLE001
            deps[pkg] = None
    cfg = dataclasses.asdict(minhash_config())
    cfg["tokenizer"] = (
        "CharTokenizer: non-whitespace characters of simplify_text(text)"
        if args.mode == "chars"
        else f"datatrove load_word_tokenizer({args.language!r}) = spaCy blank 'zh' + jieba segmenter"
    )
    result = {
        "datatrove_version": version("datatrove"),
        "mode": args.mode,
        "workers": args.workers,
        "tasks": args.tasks,
        "start_method": args.start_method,
        "n_docs": n_docs,
        "n_kept": len(kept),
        "n_removed": len(removed),
        "removed_ids": removed,
        "seconds": seconds,
        "seconds_with_interpreter": outer,
        "prepare_seconds": prepare_s,
        "cpu_seconds": cpu,
        "peak_rss_mb": max(rss.values()),
        "peak_rss_mb_by_step": rss,
        "driver_rss_mb_at_start": driver_rss_mb,  # floor of every step's peak (inherited through fork)
        "docs_per_s": docs_per_s,
        "docs_per_s_per_core": docs_per_s / args.workers,
        "docs_per_cpu_s": n_docs
        / cpu["total"],  # less sensitive to other load on a shared machine
        "signature_docs_per_cpu_s": n_docs / cpu["signature"],
        "signature_docs_per_s_per_core": n_docs
        / seconds["signature"]
        / min(args.workers, args.tasks),
        "config": cfg,
        "loadavg_before": load_before,  # the machine may be shared: a load above 0 means contention
        "loadavg_after": os.getloadavg(),
        "deps": deps,
        "python": sys.version.split()[0],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"{args.mode}: {n_docs} docs, kept {len(kept)}, removed {len(removed)}; total {total:.2f} s,"
        f" {docs_per_s:.1f} docs/s, {docs_per_s / args.workers:.1f} docs/s/core",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
