"""Evaluate the coarse rules on real Chinese text: false rejections on high-quality text,
rejections on low-quality text, a FineWeb-2 cmn_Hani-like baseline, and throughput.

Usage: .venv/bin/python bench/rules/coarse_eval.py [--data ../shared/data] [--out bench/rules/coarse_results.json]

Every text is normalised first (mdfs.text.normalize when it is importable, else NFKC + OpenCC
t2s), because that is what the coarse stage receives. High quality: People's Daily 1998, zhwiki,
Sohu (records with < 50 characters of content are teaser stubs, counted apart, not evaluated;
the title is prepended as the page would show it), cwced hand-made main text, GNE's own article
output (silver), and the main text our extractor gets from the cwced pages (what the pipeline
really sees). Low quality: ToxiCN toxic comments, ChineseWebText's CC sample (the file holds only
'middle' bucket documents, so its highest-perplexity third stands in for the tail), the
ChineseWebText fastText 'dirty' examples, and the extracted main text of GNE's list pages.

The FineWeb-2 column re-implements datatrove's GopherRepetition, FineWebQuality and GopherQuality
filters with the cmn_Hani thresholds (huggingface/fineweb-2 configs/cmn_Hani.yml) over jieba words;
it is an approximation for comparison, not datatrove itself.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from mdfs.config import load_config  # noqa: E402
from mdfs.filters.coarse import (  # noqa: E402
    DocFeatures,
    _duplicates,
    check,
    check_batch,
    check_features,
    features_batch,
)

Doc = tuple[str, str]  # (id, text)

HQ_TARGET = ("peoples_daily", "zhwiki", "sohu", "cwced_gold")


# ---------------------------------------------------------------------------------------------
# Normalisation (what coarse receives)


def get_normalizer() -> tuple[Callable[[str], str], str]:
    try:
        from mdfs.text.normalize import normalize

        ncfg = load_config()["normalize"]
        normalize("測試", ncfg)
        return (lambda t: normalize(t, ncfg)[0]), "mdfs.text.normalize"
    except Exception as e:  # noqa: BLE001 - module not there yet, or not ready
        import opencc

        cc = opencc.OpenCC("t2s")
        print(f"note: mdfs.text.normalize unavailable ({type(e).__name__}: {e}); using NFKC + OpenCC t2s")
        return (lambda t: cc.convert(unicodedata.normalize("NFKC", t))), "NFKC + OpenCC t2s (fallback)"


# ---------------------------------------------------------------------------------------------
# Data


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _extract(path: Path) -> str:
    from mdfs.text.charset import decode_html
    from mdfs.text.extract import extract_main_text

    return extract_main_text(decode_html(path.read_bytes()).text)


def load_sources(data: Path) -> tuple[dict[str, list[Doc]], dict[str, list[Doc]], dict[str, Any]]:
    """(high-quality sources, low-quality sources, notes on what was skipped and why)."""
    t = data / "text"
    notes: dict[str, Any] = {}
    hq: dict[str, list[Doc]] = {}
    hqd = t / "high_quality"
    hq["peoples_daily"] = [(r["id"], r["text"]) for r in _jsonl(hqd / "peoples_daily_199801_docs.jsonl")]
    hq["zhwiki"] = [(r["id"], r["text"]) for r in _jsonl(hqd / "zhwiki_readwiki_100.jsonl")]
    sohu, stubs = [], []
    for r in _jsonl(hqd / "sogoucs_sohu_smarty_200.jsonl"):
        body = r.get("text") or ""
        if len("".join(body.split())) < 50:
            stubs.append(r["docno"])
            continue
        sohu.append((r["docno"], f"{r.get('title') or ''}\n{body}"))
    hq["sohu"] = sohu
    notes["sohu_skipped_stubs"] = {
        "count": len(stubs),
        "why": "content < 50 non-space chars (36 empty, 5 one-line teasers); not documents",
    }
    cw = sorted((data / "html/cwced/cleaned").glob("*.txt"))
    hq["cwced_gold"] = [(p.stem, p.read_text(encoding="utf-8", errors="replace")) for p in cw]
    gne = json.loads((data / "html/gne/gne_result_parsed.json").read_text(encoding="utf-8"))
    hq["gne_silver"] = [(k, f"{v.get('title') or ''}\n{v.get('content') or ''}") for k, v in gne.items()]
    hq["cwced_extracted"] = [(p.stem, _extract(p)) for p in sorted((data / "html/cwced/original").glob("*.html"))]

    lq: dict[str, list[Doc]] = {}
    with open(t / "toxic/ToxiCN_1.0.csv", encoding="utf-8-sig", newline="") as fh:
        lq["toxicn_toxic"] = [
            (f"toxicn-{i}", row["content"]) for i, row in enumerate(csv.DictReader(fh)) if row["toxic"] == "1"
        ]
    cc = _jsonl(t / "web_mixed/chinesewebtext_cc2021-43_50.jsonl")
    buckets = Counter(r["bucket"] for r in cc)
    cc.sort(key=lambda r: r["perplexity"])
    k = len(cc) // 3
    lq["cwt_cc_all"] = [(r["digest"], r["raw_content"]) for r in cc]
    lq["cwt_cc_tail_proxy"] = [(r["digest"], r["raw_content"]) for r in cc[-k:]]
    notes["cwt_cc"] = {
        "buckets": dict(buckets),
        "tail_proxy": f"highest-perplexity third ({k} docs, perplexity >= {cc[-k]['perplexity']:.0f}); "
        "the file has no 'tail' bucket",
    }
    dirty = _jsonl(t / "web_mixed/chinesewebtext_fasttext_dirty_10.jsonl")
    lq["cwt_dirty"] = [(f"dirty-{i}", r["text"]) for i, r in enumerate(dirty)]
    lists = sorted((data / "html/gne/test_list_page").rglob("*.html"))
    lq["gne_list_pages"] = [(str(p.relative_to(data / "html/gne/test_list_page")), _extract(p)) for p in lists]
    return hq, lq, notes


# ---------------------------------------------------------------------------------------------
# FineWeb-2 cmn_Hani-like baseline (datatrove semantics, jieba words)

FW2 = {
    "dup_line_frac": 0.287,
    "top_n_grams": ((2, 0.256), (3, 0.201), (4, 0.171)),
    "dup_n_grams": ((5, 0.198), (6, 0.182), (7, 0.167), (8, 0.154), (9, 0.14), (10, 0.127)),
    "line_punct_thr": 0.106,
    "new_line_ratio": 0.178,
    "char_duplicates_ratio": 0.1,
    "min_doc_words": 50,
    "max_doc_words": 100_000,
    "min_avg_word_length": 1,
    "max_avg_word_length": 5,
    "max_non_alpha_words_ratio": 0.735,
    "stop_words": set("的 年 在 月 是 和 日 了 於 · 為 有 被 人 中 为 他 與 後 也 而 由".split()),
}
_TERMINAL = tuple(".!?。！？…\"'”’」』")
_PUNCT = {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)).startswith("P")} | set("$+<=>^`|~")


_dups = _duplicates  # Gopher's find_duplicates, the same function the rules use


def _find_all_duplicate(words: list[str], n: int) -> int:
    seen: set[str] = set()
    rep, i = 0, 0
    while i < len(words) - n + 1:
        g = "".join(words[i : i + n])
        if g in seen:
            rep += len(g)
            i += n
        else:
            seen.add(g)
            i += 1
    return rep


def fw2_check(text: str) -> str | None:
    import jieba

    if not text.strip():
        return "fw2.empty"
    lines = [x for x in re.split(r"\n+", text) if x]
    if lines and _dups(lines)[0] / len(lines) > FW2["dup_line_frac"]:
        return "fw2.dup_line_frac"
    words = [w for w in jieba.lcut(text) if w.strip()]
    for n, lim in FW2["top_n_grams"]:
        grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        if grams:
            g, cnt = Counter(grams).most_common(1)[0]
            if len(g) * cnt / len(text) > lim:
                return f"fw2.top_{n}_gram"
    for n, lim in FW2["dup_n_grams"]:
        if _find_all_duplicate(words, n) / len(text) > lim:
            return f"fw2.dup_{n}_gram"
    nl = [x for x in text.split("\n") if x.strip()]
    if sum(x.rstrip().endswith(_TERMINAL) for x in nl) / len(nl) < FW2["line_punct_thr"]:
        return "fw2.line_punct_ratio"
    if _dups(nl)[1] / max(1, len(text.replace("\n", ""))) > FW2["char_duplicates_ratio"]:
        return "fw2.char_dup_ratio"
    if words and text.count("\n") / len(words) > FW2["new_line_ratio"]:
        return "fw2.list_ratio"
    nonsym = [w for w in words if any(ch not in _PUNCT for ch in w)]
    if len(nonsym) < FW2["min_doc_words"]:
        return "fw2.gopher_short_doc"
    if len(nonsym) > FW2["max_doc_words"]:
        return "fw2.gopher_long_doc"
    avg = statistics.fmean(len(w) for w in nonsym)
    if avg < FW2["min_avg_word_length"] or avg > FW2["max_avg_word_length"]:
        return "fw2.gopher_avg_word_length"
    if sum(any(c.isalpha() for c in w) for w in words) / len(words) < FW2["max_non_alpha_words_ratio"]:
        return "fw2.gopher_below_alpha_threshold"
    if sum(w in FW2["stop_words"] for w in words) < 2:
        return "fw2.gopher_enough_stop_words"
    return None


# ---------------------------------------------------------------------------------------------
# Evaluation


def _snippet(text: str, n: int = 70) -> str:
    return " ⏎ ".join(x.strip() for x in text.splitlines() if x.strip())[:n]


def evaluate(
    docs: list[Doc], cfg: dict[str, Any], with_fw2: bool
) -> tuple[dict[str, Any], list[DocFeatures]]:
    reasons: Counter[str] = Counter()
    fw2_reasons: Counter[str] = Counter()
    examples: list[dict[str, str]] = []
    feats = []
    for (doc_id, text), f in zip(docs, features_batch([t for _, t in docs])):
        feats.append(f)
        failed = check_features(f, cfg)
        if failed:
            reasons[failed[0]] += 1
            if sum(1 for e in examples if e["reason"] == failed[0]) < 3:
                examples.append({"id": doc_id, "reason": failed[0], "detail": failed[1], "text": _snippet(text)})
        if with_fw2:
            r = fw2_check(text)
            if r:
                fw2_reasons[r] += 1
    n = len(docs)
    out: dict[str, Any] = {
        "docs": n,
        "rejected": sum(reasons.values()),
        "rate": sum(reasons.values()) / n if n else 0.0,
        "reasons": dict(reasons.most_common()),
        "examples": examples,
    }
    if with_fw2:
        out["fw2_rejected"] = sum(fw2_reasons.values())
        out["fw2_rate"] = out["fw2_rejected"] / n if n else 0.0
        out["fw2_reasons"] = dict(fw2_reasons.most_common())
    return out, feats


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def feature_summary(feats: list[DocFeatures]) -> dict[str, dict[str, float]]:
    """Percentiles of each rule's statistic: the measurements the thresholds were chosen from."""
    cols: dict[str, list[float]] = {
        "n_chars": [f.n_chars for f in feats],
        "han_ratio": [f.han_ratio for f in feats],
        "latin_ratio": [f.latin_ratio for f in feats],
        "digit_ratio": [f.digit_ratio for f in feats],
        "punct_ratio": [f.punct_ratio for f in feats],
        "symbol_ratio": [f.symbol_ratio for f in feats],
        "mojibake_ratio": [f.mojibake_ratio for f in feats],
        "mean_line_length": [f.mean_line_length for f in feats],
        "dup_line_frac": [f.dup_line_frac for f in feats],
        "dup_line_char_frac": [f.dup_line_char_frac for f in feats],
        "dup_para_frac": [f.dup_para_frac for f in feats],
        "dup_para_char_frac": [f.dup_para_char_frac for f in feats],
        "nav_line_frac": [f.nav_line_frac for f in feats],
    }
    for n in (2, 3, 4):
        cols[f"top_{n}gram"] = [f.top_ngram_frac[n] for f in feats]
    for n in (5, 10):
        cols[f"dup_{n}gram"] = [f.dup_ngram_frac[n] for f in feats]
    qs = {"min": 0.0, "p01": 0.01, "p05": 0.05, "p50": 0.5, "p95": 0.95, "p99": 0.99, "max": 1.0}
    return {k: {q: round(_pct(v, x), 4) for q, x in qs.items()} for k, v in cols.items()}


def _speed(fn: Callable[[], object], mb: float, rounds: int) -> list[float]:
    speeds = []
    for _ in range(rounds):
        gc.collect()
        reps, total = 0, 0.0
        while total < 2.0:
            t0 = time.perf_counter()
            fn()
            total += time.perf_counter() - t0
            reps += 1
        speeds.append(mb * reps / total)
    return speeds


def throughput(texts: list[str], cfg: dict[str, Any], batch_rows: int, rounds: int = 3) -> dict[str, Any]:
    """MB/s on one core of `check` (one document at a time) and of `check_batch` (Arrow-batch
    sized groups, as the stage gets them): median of `rounds` runs of >= 2 s, interleaved."""
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    check_batch(texts[:50], cfg)  # warm-up: lookup tables

    def single() -> None:
        for t in texts:
            check(t, cfg)

    def batched() -> None:
        for i in range(0, len(texts), batch_rows):
            check_batch(texts[i : i + batch_rows], cfg)

    runs: dict[str, list[float]] = {"check": [], "check_batch": []}
    for _ in range(rounds):
        runs["check"] += _speed(single, mb, 1)
        runs["check_batch"] += _speed(batched, mb, 1)
    out: dict[str, Any] = {"mb": round(mb, 2), "docs": len(texts), "batch_rows": batch_rows}
    for k, v in runs.items():
        med = statistics.median(v)
        out[k] = {"mb_per_s": round(med, 2), "docs_per_s": round(len(texts) * med / mb),
                  "runs": [round(x, 2) for x in v]}
    return out


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "rules" / "coarse_results.json")
    ap.add_argument("--no-fw2", action="store_true", help="skip the FineWeb-2-like baseline (jieba, slow)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    full_cfg = load_config()
    cfg = full_cfg["coarse"]
    norm, norm_name = get_normalizer()
    hq, lq, notes = load_sources(args.data)
    hq = {k: [(i, norm(t)) for i, t in v] for k, v in hq.items()}
    lq = {k: [(i, norm(t)) for i, t in v] for k, v in lq.items()}

    results: dict[str, Any] = {"high_quality": {}, "low_quality": {}}
    summaries: dict[str, Any] = {}
    for kind, groups in (("high_quality", hq), ("low_quality", lq)):
        for name, docs in groups.items():
            res, feats = evaluate(docs, cfg, with_fw2=not args.no_fw2)
            results[kind][name] = res
            summaries[name] = feature_summary(feats)

    target = [results["high_quality"][k] for k in HQ_TARGET]
    pooled = sum(r["rejected"] for r in target) / sum(r["docs"] for r in target)
    results["hq_target_pooled_rate"] = pooled
    results["hq_target_max_rate"] = max(r["rate"] for r in target)
    speed = throughput([t for _, t in hq["peoples_daily"]], cfg, full_cfg["run"]["batch_rows"], args.rounds)

    print(f"\nnormaliser: {norm_name}\n")
    print("| set | source | docs | coarse rejected | rate | reasons | FineWeb-2-like rate | its top reasons |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, label in (("high_quality", "HQ (false rej.)"), ("low_quality", "LQ (rejection)")):
        for name, r in results[kind].items():
            top = ", ".join(f"{k.removeprefix('coarse.')} {v}" for k, v in r["reasons"].items()) or "-"
            fw = f"{r['fw2_rate']:.1%}" if "fw2_rate" in r else "-"
            fwr = ", ".join(f"{k.removeprefix('fw2.')} {v}" for k, v in list(r.get("fw2_reasons", {}).items())[:3])
            cells = [label, name, r["docs"], r["rejected"], f"{r['rate']:.1%}", top, fw, fwr or "-"]
            print("| " + " | ".join(map(str, cells)) + " |")
    print(f"\nHQ target sources pooled false-rejection rate: {pooled:.2%} (max per source "
          f"{results['hq_target_max_rate']:.2%}); Sohu stubs skipped: {notes['sohu_skipped_stubs']['count']}")
    for k in ("check", "check_batch"):
        s = speed[k]
        print(f"throughput of {k}() on People's Daily (one core): {s['mb_per_s']} MB/s, {s['docs_per_s']} docs/s")
    print("\nHQ rejections:")
    for name in hq:
        for e in results["high_quality"][name]["examples"]:
            print(f"  {name} {e['id']}: {e['reason']} {e['detail']} | {e['text']}")

    from importlib.metadata import version

    out = {
        "date": dt.date.today().isoformat(),
        "machine": {
            "cpu": _cpu(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "numpy": version("numpy"),
            "processes_used": 1,
        },
        "normaliser": norm_name,
        "config": cfg,
        "notes": notes,
        "results": results,
        "throughput_peoples_daily": speed,
        "feature_percentiles": summaries,
        "fw2_baseline": {k: (sorted(v) if isinstance(v, set) else v) for k, v in FW2.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
