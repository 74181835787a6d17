"""MinHash signatures per core: ours (numpy over whole batches) vs datasketch.MinHash, same run, same texts.

Both use the same shingles (character 5-grams, `mdfs.dedup.shingles`), the same hash function and
the same permutations, so the signatures are identical (checked here on every document) and only
the speed differs. Texts: People's Daily 1998 from shared/data, cut into ~1,800-character documents.
The whole-dedup benchmark against datatrove is bench/dedup/bench_dedup.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import machine, write_section  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--ref-docs", type=int, default=300, help="datasketch is slow: time it on a prefix")
    args = ap.parse_args(argv)
    src = Path(args.data) / "text" / "high_quality" / "peoples_daily_199801_docs.jsonl"
    if not src.is_file():
        print(f"{src} not found; nothing to measure", file=sys.stderr)
        return 0

    import numpy as np
    from datasketch import MinHash

    from mdfs.config import load_config
    from mdfs.dedup.kernel import signatures_from_texts
    from mdfs.dedup.minhash import MinHasher
    from mdfs.dedup.shingles import shingle_hashes_batch, shingle_hashfunc, shingles

    d = load_config()["dedup"]
    text = "".join(json.loads(x)["text"] for x in src.read_text(encoding="utf-8").splitlines() if x.strip())
    docs = [text[i : i + 1800] for i in range(0, min(len(text), 1800 * args.docs), 1800)][: args.docs]
    mb = sum(len(t.encode()) for t in docs) / 1e6
    hasher = MinHasher(d["num_perm"], d["seed"], d["scheme"])
    signatures_from_texts(docs[:10], d["ngram"], hasher)  # compile / load the kernel, build tables

    def best_of(fn, reps: int = 3) -> tuple[float, np.ndarray]:
        best, out = float("inf"), None
        for _ in range(reps):
            t = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t)
        return best, out

    kern_s, ours = best_of(lambda: signatures_from_texts(docs, d["ngram"], hasher))
    numpy_s, ours_np = best_of(lambda: hasher.signatures_flat(*shingle_hashes_batch(docs, d["ngram"])))

    ref_docs = docs[: args.ref_docs]

    def datasketch_run(hashfunc) -> tuple[float, list[np.ndarray]]:
        t = time.perf_counter()
        out = []
        for doc in ref_docs:
            kw = {"hashfunc": hashfunc} if hashfunc else {}
            m = MinHash(num_perm=d["num_perm"], seed=d["seed"], scheme=d["scheme"], **kw)
            sh = shingles(doc, d["ngram"])
            m.update_batch(sh if hashfunc else [s.encode("utf-8") for s in sh])
            out.append(m.hashvalues)
        return time.perf_counter() - t, out

    ref_s, ref = datasketch_run(shingle_hashfunc)
    sha1_s, _ = datasketch_run(None)  # its default sha1_hash32: faster than our hashfunc in pure Python
    identical = bool(np.array_equal(np.array(ref, dtype=ours.dtype), ours[: len(ref)]))
    identical_np = bool(np.array_equal(ours, ours_np))

    ours_dps, ref_dps = len(docs) / kern_s, len(ref_docs) / min(ref_s, sha1_s)
    res = {"date": date.today().isoformat(), "machine": machine(), "docs": len(docs), "mb": mb,
           "ours_docs_s": ours_dps, "ours_mb_s": mb / kern_s, "numpy_docs_s": len(docs) / numpy_s,
           "datasketch_docs_s": len(ref_docs) / ref_s, "datasketch_sha1_docs_s": len(ref_docs) / sha1_s,
           "ratio": ours_dps / ref_dps, "ratio_numpy": len(docs) / numpy_s / ref_dps,
           "identical_signatures": identical, "kernel_equals_numpy": identical_np}
    (ROOT / "bench" / "dedup" / "minhash_results.json").write_text(json.dumps(res, indent=2))
    per_mb = mb / len(docs)
    section = f"""## MinHash signatures

`make bench-minhash` ({res['date']}; {res['machine']}). {len(docs):,} People's Daily documents of 1,800 characters
({mb:.1f} MB), character {d['ngram']}-grams, {d['num_perm']} permutations, scheme `{d['scheme']}`, one process, best of 3.

| run | docs/s per core | MB/s per core |
|---|---|---|
| ours: `kernel.signatures_from_texts` (numba, what the dedup stage runs) | {ours_dps:,.0f} | {mb / kern_s:.1f} |
| ours, numpy reference: `shingle_hashes_batch` + `MinHasher.signatures_flat` | {res['numpy_docs_s']:,.0f} | {mb / numpy_s:.1f} |
| `datasketch.MinHash.update_batch`, our hashfunc (identical signatures), {len(ref_docs)} docs | {res['datasketch_docs_s']:,.0f} | {res['datasketch_docs_s'] * per_mb:.2f} |
| `datasketch.MinHash.update_batch`, its default sha1 hashfunc, {len(ref_docs)} docs | {res['datasketch_sha1_docs_s']:,.0f} | {res['datasketch_sha1_docs_s'] * per_mb:.2f} |

Ours / datasketch (the faster of its two runs): **{res['ratio']:.0f}x** (numpy path {res['ratio_numpy']:.0f}x).
Signatures identical to datasketch's on all {len(ref_docs)} reference documents: {identical}; kernel equals numpy
path on all {len(docs):,}: {identical_np}.
"""
    write_section("MinHash signatures", section)
    print(section)
    return 0 if identical and identical_np else 1


if __name__ == "__main__":
    sys.exit(main())
