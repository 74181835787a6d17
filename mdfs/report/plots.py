"""The report's figures (matplotlib, Agg backend), returned as base64 PNG for embedding.

Text in the figures is ASCII only (stage names, reasons, numbers): a machine without a CJK font
would draw Chinese as empty boxes, and the HTML tables carry the Chinese text instead.
"""

from __future__ import annotations

import base64
import io
from itertools import pairwise
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

STAGE_COLORS = {
    "collect": "#4e79a7", "coarse": "#f28e2b", "quality": "#59a14f", "dedup": "#e15759",
    "fine": "#76b7b2", "tokenize": "#b07aa1", "shard": "#9c755f",
}
KEPT, REJ, INPUT = "#4e79a7", "#e15759", "#bab0ac"


def human(n: float | None) -> str:
    """1234 -> 1.2k, 5.6e6 -> 5.6M: short labels for axes and bars."""
    if n is None:
        return "-"
    for unit, div in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.3g}{unit}"
    return f"{n:.4g}" if isinstance(n, float) else str(n)


_HUMAN = FuncFormatter(lambda x, _pos: human(x))


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def funnel(stages: list[dict[str, Any]]) -> str | None:
    """Documents and characters entering the pipeline and left after each stage."""
    if not stages:
        return None
    labels = [f"{stages[0]['stage']} input"] + [f"after {s['stage']}" for s in stages]
    docs = [stages[0]["docs_in"] or 0] + [s["docs_kept"] or 0 for s in stages]
    chars = [stages[0]["chars_in"] or 0] + [s["chars_kept"] or 0 for s in stages]
    colors = [INPUT] + [STAGE_COLORS.get(s["stage"], KEPT) for s in stages]
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.45 * len(labels) + 1.4), sharey=True)
    for ax, vals, title, unit in ((axes[0], docs, "Documents", "documents"),
                                  (axes[1], chars, "Characters", "characters (Unicode code points)")):
        y = list(range(len(labels)))[::-1]
        ax.barh(y, vals, color=colors)
        top = vals[0] or 1
        for yi, v in zip(y, vals):
            ax.text(v, yi, f" {human(v)} ({100 * v / top:.1f}%)", va="center", fontsize=8)
        ax.set_title(f"{title} left after each stage")
        ax.set_xlabel(unit)
        ax.xaxis.set_major_formatter(_HUMAN)
        ax.set_xlim(0, top * 1.35)
        ax.set_yticks(y, labels)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("Pipeline funnel (share of the pipeline's input in brackets)", fontsize=11)
    fig.tight_layout()
    return _png(fig)


def reasons(rejections: dict[str, dict[str, Any]]) -> str | None:
    """Rejected documents by reason, coloured by the stage that rejected them."""
    rows = [(st, r, v["docs"]) for st, rej in rejections.items() for r, v in rej["reasons"].items()]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(10, 0.28 * len(rows) + 1.2))
    y = list(range(len(rows)))[::-1]
    ax.barh(y, [n for _, _, n in rows], color=[STAGE_COLORS.get(st, REJ) for st, _, _ in rows])
    for yi, (_, _, n) in zip(y, rows):
        ax.text(n, yi, f" {n:,}", va="center", fontsize=8)
    ax.set_yticks(y, [r for _, r, _ in rows], fontsize=8)
    ax.set_xlabel("rejected documents")
    ax.xaxis.set_major_formatter(_HUMAN)
    ax.set_xlim(0, max(n for _, _, n in rows) * 1.15)
    ax.set_title("Rejected documents by reason (colour = stage)")
    ax.grid(axis="x", alpha=0.3)
    handles = [plt.Rectangle((0, 0), 1, 1, color=STAGE_COLORS.get(st, REJ)) for st in rejections if rejections[st]["reasons"]]
    ax.legend(handles, [st for st in rejections if rejections[st]["reasons"]], loc="lower right", fontsize=8)
    fig.tight_layout()
    return _png(fig)


def _edges(h: dict[str, Any], lo: float | None = None, open_factor: float = 10.0) -> list[float]:
    e = list(h["edges"])
    if e[-1] is None:  # open-ended last bucket: draw it one decade wide
        e[-1] = e[-2] * open_factor
    if lo is not None and e[0] <= 0:
        e[0] = lo
    return e


def histogram(series: list[tuple[str, dict[str, Any], str]], *, title: str, xlabel: str,
              log_x: bool = False, thresholds: list[tuple[str, float]] | None = None,
              stacked: bool = False, log_y: bool = False, ylabel: str = "documents") -> str | None:
    """Histograms of one metric for several populations (label, histogram dict, colour)."""
    series = [s for s in series if s[1] and sum(s[1]["counts"])]
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(10, 3.6))
    base = None
    # Open-ended bucketings (lengths) are cut after the last bucket any population fills.
    last = max(max((i for i, c in enumerate(h["counts"]) if c), default=0) for _, h, _ in series)
    trim = series[0][1]["edges"][-1] is None
    for label, h, color in series:
        edges = _edges(h, lo=1 if log_x else None)
        counts = list(h["counts"])
        if trim:
            counts, edges = counts[: last + 1], edges[: last + 2]
        if stacked:
            bottom = base or [0] * len(counts)
            ax.bar(edges[:-1], counts, width=[b - a for a, b in pairwise(edges)], bottom=bottom,
                   align="edge", color=color, alpha=0.85, label=f"{label} ({sum(counts):,})", edgecolor="white", linewidth=0.3)
            base = [a + b for a, b in zip(bottom, counts)]
        else:
            ax.stairs(counts, edges, label=f"{label} ({sum(counts):,})", color=color, linewidth=1.8,
                      fill=len(series) == 1, alpha=0.9 if len(series) > 1 else 0.6)
    styles = ["--", ":", "-."]
    for i, (name, x) in enumerate(t for t in thresholds or [] if t[1] is not None):
        ax.axvline(x, color="black", linestyle=styles[i % len(styles)], linewidth=1.2, label=f"{name} = {x:g}")
    if log_y:
        ax.set_yscale("log")
        ax.set_ylabel(f"{ylabel} (log scale)")
    else:
        ax.set_ylabel(ylabel)
    if log_x:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(_HUMAN)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return _png(fig)


def dup_clusters(h: dict[str, Any]) -> str | None:
    """Clusters by size: each kept document after dedup stands for one cluster of `dup_cluster_size`."""
    if not h or not sum(h["counts"]):
        return None
    labels = []
    e = h["edges"]
    for i in range(len(h["counts"])):
        lo, hi = e[i], e[i + 1]
        labels.append(str(lo) if hi == lo + 1 else (f"{lo}+" if hi is None else f"{lo}-{hi - 1}"))
    pairs = [(lab, c) for lab, c in zip(labels, h["counts"])]
    while pairs and pairs[-1][1] == 0:  # drop empty tail buckets
        pairs.pop()
    fig, ax = plt.subplots(figsize=(10, 3.2))
    ax.bar(range(len(pairs)), [c for _, c in pairs], color=STAGE_COLORS["dedup"])
    for i, (_, c) in enumerate(pairs):
        if c:
            ax.text(i, c, f"{c:,}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(pairs)), [lab for lab, _ in pairs])
    ax.set_yscale("log")
    ax.set_ylim(0.7, max(c for _, c in pairs) * 2)
    ax.set_xlabel("cluster size (documents, exact and near copies together)")
    ax.set_ylabel("clusters (log scale)")
    ax.set_title("Duplicate clusters by size (size 1 = no duplicate found)")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _png(fig)
