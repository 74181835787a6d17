"""Assemble report.json from the stages' stats.json, the shard manifest and the Parquet aggregates.

Pure Python over small dicts (no Spark): the numbers a stage states about itself (stats.json) are
the report's numbers; the Parquet aggregates add distributions, domains, samples, and a cross-check
that the files on disk still say what stats.json says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mdfs.spark.report import (
    HISTOGRAMS,
    PERCENTILES,
    RunAggregates,
    StageAggregates,
)
from mdfs.report.runinfo import RunInfo

REPORT_VERSION = 1
# Edit counters shown as headline numbers: what the Chinese-specific repairs did.
T2S_KEY = "t2s_chars"
PINYIN_KEY = "pinyin_repairs"
PII_PREFIX = "pii_"


def _share(a: float | None, b: float | None) -> float | None:
    return None if not b or a is None else a / b


def _cfg(stats: dict[str, Any], section: str, key: str) -> Any:
    return (stats.get("config") or {}).get(section, {}).get(key)


def _facet(agg: StageAggregates | None, f: str, side: str | None = None) -> list[dict[str, Any]]:
    if agg is None:
        return []
    return [r for r in agg.facets if r["f"] == f and (side is None or r["side"] == side)]


def _histograms(agg: StageAggregates) -> dict[str, dict[str, Any]]:
    """Per side and metric: edges, counts (they sum, with `missing`, to the side's documents), percentiles."""
    out: dict[str, dict[str, Any]] = {}
    pct = {p["side"]: p for p in agg.percentiles}
    for side in agg.sides:
        per: dict[str, Any] = {}
        for metric, spec in HISTOGRAMS.items():
            edges = list(spec["edges"])
            n_buckets = len(edges) if spec["open"] else len(edges) - 1
            counts, missing = [0] * n_buckets, 0
            for r in _facet(agg, f"hist.{metric}", side):
                if r["k"] == "null":
                    missing += r["docs"]
                else:
                    counts[int(r["k"])] += r["docs"]
            h: dict[str, Any] = {
                "unit": spec["unit"],
                "edges": edges + [None] if spec["open"] else edges,  # None: the last bucket is open-ended
                "counts": counts,
                "missing": missing,
            }
            p = pct.get(side, {}).get(metric)
            if p and p.get("n"):
                h["percentiles"] = {f"p{round(q * 100)}": v for q, v in zip(PERCENTILES, p["p"] or [])}
                h["mean"] = p["mean"]
            per[metric] = h
        out[side] = per
    return out


def _check(stats: dict[str, Any], agg: StageAggregates) -> dict[str, Any]:
    """What the Parquet files hold against what stats.json states."""
    out: dict[str, Any] = {"sides": agg.sides}
    ok = True
    if "kept" in agg.sides:  # the shard stage writes no kept/ (its documents live in the shards)
        kept = sum(r["docs"] for r in _facet(agg, "reason", "kept"))
        out["parquet_docs_kept"] = kept
        ok = kept == stats.get("docs_kept")
    if "rejected" in agg.sides:
        reasons = {r["k"]: r["docs"] for r in _facet(agg, "reason", "rejected")}
        stated = {k: v["docs"] for k, v in (stats.get("reasons") or {}).items()}
        out["parquet_docs_rejected"] = sum(reasons.values())
        out["parquet_reasons"] = dict(sorted(reasons.items(), key=lambda kv: -kv[1]))
        ok = ok and sum(reasons.values()) == stats.get("docs_rejected") and reasons == stated
    out["matches_stats"] = ok
    return out


def build_model(run: RunInfo, aggs: RunAggregates, *, seconds: float | None = None) -> dict[str, Any]:
    stats = {s.stage: s.stats for s in run.stages}
    names = run.names
    warnings: list[str] = []
    tok, shd = stats.get("tokenize", {}), stats.get("shard", {})
    cpt = (shd.get("extra") or {}).get("chars_per_token") or (tok.get("extra") or {}).get("chars_per_token")
    manifest_files = (run.manifest or {}).get("files") or []
    bins = [f for f in manifest_files if str(f.get("path", "")).endswith(".bin")] or manifest_files
    splits = (run.manifest or {}).get("splits") or {}
    manifest_tokens = (sum(v.get("tokens", 0) for v in splits.values()) if splits
                       else sum(f.get("tokens", 0) for f in bins) if bins else None)
    manifest_docs = (sum(v.get("documents", 0) for v in splits.values()) if splits
                     else sum(f.get("documents", 0) for f in bins) if bins else None)

    # --- funnel -------------------------------------------------------------------------------
    funnel = []
    for st in names:
        s = stats[st]
        tokens, estimated = None, False
        ex = s.get("extra") or {}
        if st == "shard":
            tokens = ex.get("tokens") if ex.get("tokens") is not None else manifest_tokens
        elif st == "tokenize" and ex.get("tokens") is not None:
            tokens = ex["tokens"]
        elif cpt:
            tokens, estimated = round(s.get("chars_kept", 0) / cpt), True
        chars_in = s.get("chars_kept", 0) + s.get("chars_rejected", 0)
        funnel.append({
            "stage": st, "docs_in": s.get("docs_in"), "docs_kept": s.get("docs_kept"),
            "docs_rejected": s.get("docs_rejected"), "kept_share": _share(s.get("docs_kept"), s.get("docs_in")),
            "chars_in": chars_in, "chars_kept": s.get("chars_kept"), "chars_rejected": s.get("chars_rejected"),
            "chars_kept_share": _share(s.get("chars_kept"), chars_in),
            "tokens_kept": tokens, "tokens_estimated": estimated,
            "seconds": s.get("seconds"), "conservation_ok": s.get("conservation_ok"),
        })
        if s.get("conservation_ok") is False:
            warnings.append(f"{st}: rows in != kept + rejected in stats.json")
    overall: dict[str, Any] = {}
    if funnel:
        first, last = funnel[0], funnel[-1]
        out_bytes = sum(f.get("bytes", 0) for f in manifest_files) if manifest_files else None
        overall = {
            "from_stage": first["stage"], "to_stage": last["stage"],
            "docs_in": first["docs_in"], "docs_out": last["docs_kept"],
            "docs_share": _share(last["docs_kept"], first["docs_in"]),
            "chars_in": first["chars_in"], "chars_out": last["chars_kept"],
            "chars_share": _share(last["chars_kept"], first["chars_in"]),
            "tokens_out": last["tokens_kept"], "tokens_estimated": last["tokens_estimated"],
            "input_bytes": (stats.get("collect", {}).get("inputs") or {}).get("bytes"),
            "output_bytes": out_bytes,
        }

    # --- rejections ---------------------------------------------------------------------------
    rejections = {}
    for st in names:
        s, agg = stats[st], aggs.stages.get(st)
        reasons = {}
        for reason, v in (s.get("reasons") or {}).items():
            samples = [
                {k: e.get(k) for k in ("id", "url", "domain", "detail", "excerpt", "text_chars")}
                for e in (agg.excerpts if agg else []) if e["reason"] == reason
            ]
            reasons[reason] = {"docs": v["docs"], "chars": v["chars"],
                               "share_of_input": _share(v["docs"], s.get("docs_in")), "samples": samples}
        rejections[st] = {"docs_rejected": s.get("docs_rejected"), "chars_rejected": s.get("chars_rejected"),
                          "reasons": reasons}

    # --- distributions, checks ----------------------------------------------------------------
    distributions = {st: _histograms(a) for st, a in aggs.stages.items()}
    checks = {st: _check(stats[st], a) for st, a in aggs.stages.items()}
    for st, c in checks.items():
        if not c["matches_stats"]:
            warnings.append(f"{st}: the Parquet files do not match stats.json ({c})")
    doc_stages = [st for st in names if st in aggs.stages and "kept" in aggs.stages[st].sides]
    final = doc_stages[-1] if doc_stages else None
    thresholds = {
        "quality.threshold": _cfg(stats.get("quality", {}), "quality", "threshold"),
        "coarse.min_cjk_ratio": _cfg(stats.get("coarse", {}), "coarse", "min_cjk_ratio"),
        "coarse.min_chars": _cfg(stats.get("coarse", {}), "coarse", "min_chars"),
        "coarse.max_chars": _cfg(stats.get("coarse", {}), "coarse", "max_chars"),
        "fine.min_chars_after_clean": _cfg(stats.get("fine", {}), "fine", "min_chars_after_clean"),
    }

    # --- charsets, languages, domains -----------------------------------------------------------
    cex = stats.get("collect", {}).get("extra") or {}

    def kv(rows: list[dict[str, Any]]) -> dict[str, int]:
        return {r["k"]: r["docs"] for r in rows}

    final_agg = aggs.stages.get(final) if final else None
    kept_domains = _facet(final_agg, "domain", "kept")
    final_kept = stats[final]["docs_kept"] if final else 0
    final_chars = stats[final]["chars_kept"] if final else 0
    charsets = {"records": cex.get("charsets") or {}, "repairs": cex.get("charset_repairs") or {},
                "final_kept_stage": final, "final_kept": kv(_facet(final_agg, "charset", "kept")),
                "final_kept_repairs": kv(_facet(final_agg, "charset_repair", "kept"))}
    languages = {"records": cex.get("langs") or {}, "final_kept_stage": final,
                 "final_kept": kv(_facet(final_agg, "lang", "kept"))}
    domains = {
        "kept": {"stage": final, "distinct": kept_domains[0]["n_keys"] if kept_domains else 0,
                 "top": [{"domain": r["k"], "docs": r["docs"], "chars": r["chars"],
                          "share_docs": _share(r["docs"], final_kept), "share_chars": _share(r["chars"], final_chars)}
                         for r in kept_domains]},
        "rejected": {"stages": [st for st in names if st in aggs.stages and "rejected" in aggs.stages[st].sides],
                     "top": aggs.rejected_domains},
    }

    # --- edits --------------------------------------------------------------------------------
    per_stage = {st: dict(stats[st].get("edits") or {}) for st in names if stats[st].get("edits")}
    docs_affected: dict[str, dict[str, int]] = {}
    for st, a in aggs.stages.items():
        d: dict[str, int] = {}
        for r in _facet(a, "edit"):
            key = r["k"].removeprefix(f"{st}.")
            d[key] = d.get(key, 0) + r["docs"]
        if d:
            docs_affected[st] = dict(sorted(d.items()))

    def total(key_pred) -> tuple[int, int]:
        n = sum(v for e in per_stage.values() for k, v in e.items() if key_pred(k))
        docs = max((sum(v for k, v in d.items() if key_pred(k)) for d in docs_affected.values()), default=0)
        return n, docs

    t2s, t2s_docs = total(lambda k: k == T2S_KEY)
    pin, pin_docs = total(lambda k: k == PINYIN_KEY)
    pii = {}
    for e in per_stage.values():
        for k, v in e.items():
            if k.startswith(PII_PREFIX):
                pii[k.removeprefix(PII_PREFIX)] = pii.get(k.removeprefix(PII_PREFIX), 0) + v
    edits = {
        "per_stage": per_stage, "docs_affected": docs_affected,
        "highlights": {"t2s_chars": t2s, "t2s_docs": t2s_docs, "pinyin_repairs": pin, "pinyin_docs": pin_docs,
                       "pii_masks": dict(sorted(pii.items())), "pii_total": sum(pii.values())},
        "note": "docs counts documents with a counter > 0 in that stage's output (kept + rejected); "
                "for a multi-key total the largest per-stage count is shown, since one document can carry several",
    }

    # --- shards -------------------------------------------------------------------------------
    shards = None
    if "tokenize" in stats or "shard" in stats:
        m = run.manifest or {}
        tok_ex, shd_ex = tok.get("extra") or {}, shd.get("extra") or {}
        tokenizer = dict(m.get("tokenizer") or {})
        tokenizer.setdefault("vocab_size", tok_ex.get("vocab_size"))
        tokenizer.setdefault("sha256", tok_ex.get("sha256") or tok_ex.get("tokenizer_sha256"))
        shards = {
            "present": "shard" in stats and run.manifest is not None,
            "manifest_error": run.manifest_error,
            "format": m.get("format"), "dtype": m.get("dtype"), "tokenizer": tokenizer,
            "config_hash": m.get("config_hash"),
            "splits": m.get("splits") or {},
            "files": len(manifest_files) if manifest_files else None,
            "shards": len(bins) if manifest_files else shd_ex.get("shards"),
            "bytes": sum(f.get("bytes", 0) for f in manifest_files) if manifest_files else None,
            "documents": manifest_docs if manifest_docs is not None else shd.get("docs_kept"),
            "tokens": manifest_tokens if manifest_tokens is not None else shd_ex.get("tokens", tok_ex.get("tokens")),
            "tokens_stats": shd_ex.get("tokens"),
            "chars_per_token": shd_ex.get("chars_per_token") or tok_ex.get("chars_per_token"),
            "tokenize_extra": tok_ex, "shard_extra": shd_ex,
            "file_list": [{k: f.get(k) for k in ("path", "split", "bytes", "documents", "tokens", "sha256")}
                          for f in manifest_files[:50]],
            "file_list_truncated": max(0, len(manifest_files) - 50),
        }
        if shards["tokens_stats"] is not None and manifest_tokens is not None and shards["tokens_stats"] != manifest_tokens:
            warnings.append(f"shard: manifest.json counts {manifest_tokens:,} tokens, stats.json {shards['tokens_stats']:,}")
        if run.manifest_error and "shard" in stats:
            warnings.append(f"shard: {run.manifest_error}")

    # --- run info -----------------------------------------------------------------------------
    hashes = {st: stats[st].get("config_hash") for st in names}
    versions = {st: stats[st].get("versions") or {} for st in names}
    # A library a stage does not list (the list grew between runs) is not a difference.
    differ = sorted({lib for st in names for lib, v in versions[st].items()
                     if any(lib in versions[o] and versions[o][lib] != v for o in names)})
    if len(set(hashes.values())) > 1:
        warnings.append("stages ran with different configurations (config_hash differs)")
    run_info = {
        "stages": [{"stage": st, "started_at": stats[st].get("started_at"), "seconds": stats[st].get("seconds"),
                    "config_hash": hashes[st], "master": (stats[st].get("spark") or {}).get("master")} for st in names],
        "total_seconds": round(sum(stats[st].get("seconds") or 0 for st in names), 3),
        "config_hash": next(iter(set(hashes.values()))) if len(set(hashes.values())) == 1 else None,
        "config_hashes": hashes,
        "versions": versions[names[-1]] if names else {},
        "versions_differ": differ,
    }
    return {
        "report_version": REPORT_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "report_seconds": seconds,
        "run": str(run.root),
        "stages_present": names,
        "stages_absent": run.absent,
        "warnings": warnings,
        "funnel": {"stages": funnel, "overall": overall, "chars_per_token": cpt},
        "rejections": rejections,
        "distributions": distributions,
        "distribution_stages": {"first": doc_stages[0] if doc_stages else None, "final": final},
        "thresholds": thresholds,
        "charsets": charsets,
        "languages": languages,
        "domains": domains,
        "edits": edits,
        "shards": shards,
        "run_info": run_info,
        "checks": checks,
    }
