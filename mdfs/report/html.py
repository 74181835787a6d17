"""Render report.json (plus the figures) as one self-contained HTML page: inline CSS, embedded
PNGs, no script, no web font, nothing fetched from the network. Every string from the data is
escaped; Chinese excerpts are shown as text, one line, with line breaks marked ⏎."""

from __future__ import annotations

from html import escape
from typing import Any

from mdfs.report import plots
from mdfs.report.plots import human

NAV = {"overview": "Overview", "funnel": "Funnel", "rejections": "Rejections", "distributions": "Distributions",
       "charsets": "Charsets & languages", "domains": "Domains", "edits": "Text repairs", "shards": "Shards",
       "run": "Run"}
SECTIONS = [
    ("overview", "Overview"),
    ("funnel", "Funnel: documents, characters, tokens per stage"),
    ("rejections", "Rejections by stage and reason"),
    ("distributions", "Distributions"),
    ("charsets", "Charsets and languages"),
    ("domains", "Top domains"),
    ("edits", "Text repairs: Traditional conversion, pinyin, PII"),
    ("shards", "Tokenizer and shards"),
    ("run", "Configuration, versions, run time"),
]

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
 margin:0;color:#222;background:#fff;line-height:1.45;font-size:15px}
main{max-width:1180px;margin:0 auto;padding:16px 28px 48px}
h1{font-size:26px;margin:8px 0 4px} h2{font-size:20px;margin:34px 0 8px;padding-top:8px;border-top:2px solid #4e79a7}
h3{font-size:16px;margin:20px 0 6px} p{margin:6px 0}
nav{background:#f4f6f9;padding:8px 12px;border-radius:6px;margin:10px 0;font-size:14px}
nav a{margin-right:14px;color:#2c5d8f;text-decoration:none}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13.5px;max-width:100%}
th,td{padding:3px 9px;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
th{background:#f4f6f9;font-weight:600} td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-top:2px solid #999}
.muted{color:#777;font-size:13px} .warn{background:#fff4e5;border-left:4px solid #f28e2b;padding:6px 10px;margin:8px 0}
.ok{color:#2e7d32} .bad{color:#c62828;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:10px 0}
.card{border:1px solid #dde3ea;border-radius:8px;padding:10px 14px;min-width:200px;background:#fafbfc}
.card .big{font-size:22px;font-weight:650} .card .lbl{font-size:12.5px;color:#555}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:24px} @media (max-width:900px){.grid2{grid-template-columns:1fr}}
img{max-width:100%;height:auto;display:block;margin:6px 0 14px}
.ex{font-size:12.5px;color:#333;margin:2px 0 2px 0;word-break:break-all}
.ex code{background:#f3f3f3;padding:0 3px;border-radius:3px}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
td.reason{white-space:nowrap}
"""


def _n(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:,.0f}"
    return f"{v:,}"


def _pct(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{100 * v:.{digits}f}%"


def _img(b64: str | None, alt: str) -> str:
    if not b64:
        return f'<p class="muted">({escape(alt)}: no data)</p>'
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{b64}">'


def _table(head: list[str] | None, rows: list[list[str]], num: set[int] | None = None, total: list[str] | None = None,
           cls: str = "") -> str:
    """`rows` hold already-escaped HTML cells; `num` marks right-aligned (numeric) columns."""
    num = num or set()
    th = "".join(f'<th class="n">{h}</th>' if i in num else f"<th>{h}</th>" for i, h in enumerate(head or []))
    out = [f'<table class="{cls}">' + (f"<thead><tr>{th}</tr></thead>" if head else "") + "<tbody>"]
    for r in rows + ([total] if total else []):
        tr = ' class="total"' if total is not None and r is total else ""
        out.append(f"<tr{tr}>" + "".join(f'<td class="n">{c}</td>' if i in num else f"<td>{c}</td>"
                                        for i, c in enumerate(r)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _excerpt(text: str | None, limit: int = 200) -> str:
    if text is None:
        return '<span class="muted">(no text)</span>'
    if not text:
        return '<span class="muted">(empty)</span>'
    cut = len(text) > limit
    t = " ⏎ ".join(line.strip() for line in text[:limit].splitlines() if line.strip())
    return escape(t) + ("…" if cut else "")


def render(r: dict[str, Any]) -> str:
    f = r["funnel"]
    parts: list[str] = []
    add = parts.append
    add('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>mdfs data report – {escape(r['run'])}</title><style>{CSS}</style></head><body><main>")
    add(f"<h1>mdfs dataset quality report</h1><p class='muted'>Run folder <code>{escape(r['run'])}</code> · "
        f"generated {escape(r['generated_at'])} · report version {r['report_version']}</p>")
    add("<nav>" + "".join(f'<a href="#{sid}">{escape(NAV[sid])}</a>' for sid, _ in SECTIONS) + "</nav>")

    # Overview ------------------------------------------------------------------------------------
    add(_h2("overview"))
    o = f["overall"]
    if o:
        tokens = ("≈ " if o.get("tokens_estimated") else "") + human(o.get("tokens_out")) if o.get("tokens_out") else None
        cards = [
            (f"{_n(o['docs_in'])} → {_n(o['docs_out'])}", (f"documents, {o['from_stage']} input → after {o['to_stage']}"
                                                                   f" ({_pct(o['docs_share'])} kept)")),
            (f"{human(o['chars_in'])} → {human(o['chars_out'])}", f"characters ({_pct(o['chars_share'])} kept)"),
        ]
        if o.get("input_bytes"):
            out_b = f" → {human(o['output_bytes'])}B of shards" if o.get("output_bytes") else ""
            cards.append((f"{human(o['input_bytes'])}B{out_b}", "crawl files read" + (" → token shards written" if out_b else "")))
        if tokens:
            cards.append((tokens, "tokens" + (" (estimated from characters per token)" if o.get("tokens_estimated") else "")))
        add('<div class="cards">' + "".join(f'<div class="card"><div class="big">{escape(b)}</div>'
                                             f'<div class="lbl">{escape(lbl)}</div></div>' for b, lbl in cards) + "</div>")
    add(f"<p>Stages in this report: <b>{escape(', '.join(r['stages_present']) or 'none')}</b>.</p>")
    if r["stages_absent"]:
        add("<p>Not in this report (only stages with <code>_SUCCESS</code> are read): "
            + ", ".join(f"<b>{escape(a['stage'])}</b> ({escape(a['why'])})" for a in r["stages_absent"]) + ".</p>")
    for w in r["warnings"]:
        add(f'<div class="warn">⚠ {escape(w)}</div>')
    if not r["warnings"] and r["checks"]:
        add('<p class="ok">✓ Every stage: rows in = kept + rejected, and the Parquet files hold exactly the counts '
            "per reason stated in its stats.json.</p>")

    # Funnel ------------------------------------------------------------------------------------------
    add(_h2("funnel"))
    add("<p>Each stage reads the previous stage's kept documents. <i>Kept</i> is the share of the stage's input "
        "it keeps; the last column is what is left of the pipeline's input. Characters are counted after the "
        "stage's own repairs, so a cleaning stage (fine) can lose characters without losing documents.</p>")
    rows = []
    first_docs = f["stages"][0]["docs_in"] if f["stages"] else None
    for s in f["stages"]:
        tok = "–" if s["tokens_kept"] is None else ("≈ " if s["tokens_estimated"] else "") + human(s["tokens_kept"])
        rows.append([escape(s["stage"]), _n(s["docs_in"]), _n(s["docs_kept"]), _n(s["docs_rejected"]),
                     _pct(s["kept_share"]), human(s["chars_in"]), human(s["chars_kept"]), _pct(s["chars_kept_share"]),
                     tok, _pct(s["docs_kept"] / first_docs if first_docs else None)])
    add(_table(["stage", "docs in", "kept", "rejected", "kept %", "chars in", "chars kept", "chars kept %",
                "tokens kept", "of pipeline input"], rows, num=set(range(1, 10))))
    if f.get("chars_per_token"):
        src = "measured over all shards" if "shard" in r["stages_present"] else "measured by the tokenize stage on held-out documents"
        add(f"<p class='muted'>≈: estimated as characters ÷ {f['chars_per_token']:.3g} characters per token ({src}).</p>")
    else:
        add("<p class='muted'>No tokenizer yet: tokens are shown once the tokenize stage has run.</p>")
    add(_img(r["_plots"].get("funnel"), "funnel"))

    # Rejections -------------------------------------------------------------------------------------
    add(_h2("rejections"))
    add("<p>Why documents were removed, per stage, with up to three excerpts (first 200 characters) of "
        "rejected documents per reason, chosen by a hash of the document id. <i>detail</i> is what the rule "
        "measured or matched.</p>")
    add(_img(r["_plots"].get("reasons"), "rejections by reason"))
    for st, rej in r["rejections"].items():
        if not rej["reasons"]:
            add(f"<h3>{escape(st)}</h3><p class='muted'>No document rejected.</p>")
            continue
        add(f"<h3>{escape(st)}: {_n(rej['docs_rejected'])} documents rejected, {human(rej['chars_rejected'])} characters</h3>")
        rows = []
        for reason, v in rej["reasons"].items():
            ex = "".join(
                f'<div class="ex">{("<code>" + escape(str(s["detail"])[:80]) + "</code> ") if s.get("detail") else ""}'
                f'<span class="muted">{escape(s.get("domain") or "")}</span> <span lang="zh-Hans">{_excerpt(s.get("excerpt"))}</span></div>'
                for s in v["samples"])
            rows.append([f'<span class="reason"><code>{escape(reason)}</code></span>', _n(v["docs"]),
                         _pct(v["share_of_input"], 2), human(v["chars"]), ex or '<span class="muted">–</span>'])
        add(_table(["reason", "docs", "% of stage input", "chars", "samples (detail · domain · excerpt)"], rows,
                   num={1, 2, 3}))

    # Distributions ----------------------------------------------------------------------------------
    add(_h2("distributions"))
    ds = r["distribution_stages"]
    if ds["final"]:
        add(f"<p>Document length, Chinese-character share and quality score of the documents extracted "
            f"(<b>{escape(ds['first'])}</b> kept) and of those left at the end (<b>{escape(ds['final'])}</b> kept); "
            "the quality score as the quality stage saw it, kept and rejected. Dashed lines are the configured thresholds.</p>")
        add(_img(r["_plots"].get("length"), "length distribution"))
        add(_img(r["_plots"].get("cjk"), "Chinese share distribution"))
        add(_img(r["_plots"].get("quality"), "quality score distribution"))
        add(_img(r["_plots"].get("dup"), "duplicate cluster sizes"))
        rows = []
        for st, sides in r["distributions"].items():
            for side, per in sides.items():
                p = {m: (per[m].get("percentiles") or {}) for m in ("n_chars", "cjk_ratio", "quality_score")}
                if not any(p.values()):
                    continue
                rows.append([escape(st), escape(side), _n(sum(per["n_chars"]["counts"]) + per["n_chars"]["missing"]),
                             _n(p["n_chars"].get("p10")), _n(p["n_chars"].get("p50")), _n(p["n_chars"].get("p90")),
                             _n(p["cjk_ratio"].get("p10")), _n(p["cjk_ratio"].get("p50")),
                             _n(p["quality_score"].get("p10")), _n(p["quality_score"].get("p50"))])
        add("<h3>Percentiles per stage output (approximate)</h3>")
        add(_table(["stage", "side", "docs", "length p10", "length median", "length p90", "Han share p10",
                    "Han share median", "quality p10", "quality median"], rows, num=set(range(2, 10))))
        add("<p class='muted'>Length in characters; Han share = Han characters / all characters; quality = fastText "
            "P(high quality), present from the quality stage on.</p>")
    else:
        add("<p class='muted'>No document Parquet found.</p>")

    # Charsets and languages --------------------------------------------------------------------------
    add(_h2("charsets"))
    cs, lg = r["charsets"], r["languages"]
    fk = cs.get("final_kept_stage") or "-"
    keys = sorted(set(cs["records"]) | set(cs["final_kept"]), key=lambda k: -(cs["records"].get(k) or cs["final_kept"].get(k, 0)))
    rec_total = sum(cs["records"].values()) or None
    left = "<h3>Charsets (the codec that decoded the page)</h3>" + _table(
        ["charset", "records read", "share", f"kept after {escape(fk)}"],
        [[escape(k), _n(cs["records"].get(k)), _pct((cs["records"].get(k) or 0) / rec_total if rec_total else None),
          _n(cs["final_kept"].get(k))] for k in keys], num={1, 2, 3})
    rep = cs["repairs"] or cs["final_kept_repairs"]
    left += "<h3>Declared charset was wrong (declared → used)</h3>" + (_table(
        ["declared → decoded as", "records"], [[escape(k), _n(v)] for k, v in rep.items()], num={1})
        if rep else "<p class='muted'>None.</p>")
    lkeys = sorted(set(lg["records"]) | set(lg["final_kept"]), key=lambda k: -(lg["records"].get(k) or lg["final_kept"].get(k, 0)))
    lt = sum(lg["records"].values()) or None
    right = "<h3>Languages (fastText lid.176 label)</h3>" + _table(
        ["language", "records read", "share", f"kept after {escape(fk)}"],
        [[escape(k), _n(lg["records"].get(k)), _pct((lg["records"].get(k) or 0) / lt if lt else None),
          _n(lg["final_kept"].get(k))] for k in lkeys], num={1, 2, 3})
    add(f'<div class="grid2"><div>{left}</div><div>{right}</div></div>')
    add("<p class='muted'>“records read” counts every record the collect stage saw (none = no text, or not decoded).</p>")

    # Domains -----------------------------------------------------------------------------------------
    add(_h2("domains"))
    dk, dr = r["domains"]["kept"], r["domains"]["rejected"]
    left = (f"<h3>Kept after {escape(dk['stage'] or '-')} ({_n(dk['distinct'])} domains)</h3>" + _table(
        ["domain", "docs", "share", "chars"],
        [[escape(d["domain"]), _n(d["docs"]), _pct(d["share_docs"]), human(d["chars"])] for d in dk["top"]], num={1, 2, 3}))
    right = ("<h3>Rejected, all stages</h3>" + _table(
        ["domain", "docs", "chars", "commonest reason"],
        [[escape(d["domain"]), _n(d["docs"]), human(d["chars"]), f"<code>{escape(d['top_reason'] or '')}</code>"
          + (f" <span class='muted'>+{d['n_reasons'] - 1}</span>" if d["n_reasons"] > 1 else "")]
         for d in dr["top"]], num={1, 2}))
    add(f'<div class="grid2"><div>{left}</div><div>{right}</div></div>')

    # Edits -------------------------------------------------------------------------------------------
    add(_h2("edits"))
    e = r["edits"]
    hl = e["highlights"]
    pii = ", ".join(f"{k} {v:,}" for k, v in hl["pii_masks"].items()) or "none"
    cards = [(f"{hl['t2s_chars']:,}", f"Traditional characters converted to Simplified (in {hl['t2s_docs']:,} documents)"),
             (f"{hl['pinyin_repairs']:,}", f"injected pinyin annotations removed (in {hl['pinyin_docs']:,} documents)"),
             (f"{hl['pii_total']:,}", f"PII masked: {pii}")]
    add('<div class="cards">' + "".join(f'<div class="card"><div class="big">{escape(b)}</div><div class="lbl">'
                                         f"{escape(lbl)}</div></div>" for b, lbl in cards) + "</div>")
    rows = []
    for st, counters in e["per_stage"].items():
        for k, v in counters.items():
            rows.append([escape(st), f"<code>{escape(k)}</code>", _n(v), _n(e["docs_affected"].get(st, {}).get(k))])
    add(_table(["stage", "counter", "count", "documents"], rows, num={2, 3}) if rows
        else "<p class='muted'>No edit counters recorded.</p>")
    add(f"<p class='muted'>Counts come from each stage's stats.json (all its documents); {escape(e['note'])}.</p>")

    # Shards ------------------------------------------------------------------------------------------
    add(_h2("shards"))
    s = r["shards"]
    if not s:
        add("<p class='muted'>The tokenize and shard stages have not run (or not finished) for this run folder.</p>")
    else:
        if s.get("manifest_error"):
            add(f'<div class="warn">⚠ {escape(s["manifest_error"])}</div>')
        t = s["tokenizer"] or {}
        rows = [["format", escape(str(s.get("format") or "–"))], ["dtype", escape(str(s.get("dtype") or "–"))],
                ["tokenizer file", escape(str(t.get("file") or "–"))],
                ["tokenizer sha256", f"<code>{escape(str(t.get('sha256') or '–'))}</code>"],
                ["vocabulary size", _n(t.get("vocab_size"))],
                ["characters per token", _n(s.get("chars_per_token"))],
                ["shards (.bin + .idx pairs)", _n(s.get("shards"))], ["files", _n(s.get("files"))], ["bytes", f"{_n(s.get('bytes'))} ({human(s.get('bytes'))}B)"],
                ["documents", _n(s.get("documents"))], ["tokens", _n(s.get("tokens"))],
                ["manifest config hash", f"<code>{escape(str(s.get('config_hash') or '–'))}</code>"]]
        add(_table(None, rows))
        if s["splits"]:
            add("<h3>Splits</h3>" + _table(["split", "documents", "tokens"],
                                           [[escape(k), _n(v.get("documents")), _n(v.get("tokens"))] for k, v in s["splits"].items()],
                                           num={1, 2}))
        if s["file_list"]:
            add("<h3>Files</h3>" + _table(
                ["path", "split", "bytes", "documents", "tokens", "sha256"],
                [[f"<code>{escape(str(x['path']))}</code>", escape(str(x.get("split") or "")), _n(x.get("bytes")),
                  _n(x.get("documents")), _n(x.get("tokens")), f"<code>{escape(str(x.get('sha256') or '')[:16])}…</code>"]
                 for x in s["file_list"]], num={2, 3, 4}))
            if s["file_list_truncated"]:
                add(f"<p class='muted'>… and {s['file_list_truncated']:,} more files (all in manifest.json).</p>")

    # Run info ----------------------------------------------------------------------------------------
    add(_h2("run"))
    ri = r["run_info"]
    hash_line = (f"All stages ran with configuration <code>{escape(ri['config_hash'])}</code>."
                 if ri["config_hash"] else '<span class="bad">Stages ran with different configurations.</span>')
    add(f"<p>{hash_line} Total stage time {ri['total_seconds']:,.1f} s"
        + (f"; this report took {r['report_seconds']:.1f} s" if r.get("report_seconds") else "") + ".</p>")
    add(_table(["stage", "started (UTC)", "seconds", "config hash", "Spark master"],
               [[escape(x["stage"]), escape(str(x["started_at"] or "–")), "–" if x["seconds"] is None else f"{x['seconds']:,.1f}",
                 f"<code>{escape(str(x['config_hash']))}</code>", escape(str(x["master"] or "–"))] for x in ri["stages"]],
               num={2}))
    vers = list(ri["versions"].items())
    if vers:
        half = (len(vers) + 1) // 2
        mk = lambda vs: _table(["library", "version"], [[escape(k) + (" <span class='bad'>(differs between stages)</span>"
                                                          if k in ri["versions_differ"] else ""), escape(str(v))] for k, v in vs])
        add(f"<h3>Versions (of the last stage)</h3><div class='grid2'><div>{mk(vers[:half])}</div><div>{mk(vers[half:])}</div></div>")
    add("<p class='muted'>The same numbers are in <code>report.json</code> next to this file.</p>")
    add("</main></body></html>")
    return "\n".join(parts)


def _h2(sid: str) -> str:
    title = dict(SECTIONS)[sid]
    return f'<h2 id="{sid}">{escape(title)}</h2>'


def make_plots(r: dict[str, Any]) -> dict[str, str | None]:
    """All figures of the report from its (JSON) numbers."""
    out: dict[str, str | None] = {"funnel": plots.funnel(r["funnel"]["stages"]), "reasons": plots.reasons(r["rejections"])}
    d, ds, th = r["distributions"], r["distribution_stages"], r["thresholds"]
    first, final = ds["first"], ds["final"]
    if final:
        ser = lambda metric: [(f"{first} kept (extracted)", d[first]["kept"][metric], plots.INPUT)] + (
            [(f"{final} kept (final)", d[final]["kept"][metric], plots.KEPT)] if final != first else [])
        out["length"] = plots.histogram(
            ser("n_chars"), title="Document length", xlabel="characters per document (log scale)", log_x=True,
            thresholds=[("coarse.min_chars", th.get("coarse.min_chars")),
                        ("fine.min_chars_after_clean", th.get("fine.min_chars_after_clean"))])
        out["cjk"] = plots.histogram(
            ser("cjk_ratio"), title="Chinese-character share", xlabel="Han characters / all characters (0-1)",
            thresholds=[("coarse.min_cjk_ratio", th.get("coarse.min_cjk_ratio"))])
    q = d.get("quality")
    if q:
        out["quality"] = plots.histogram(
            [("kept", q.get("kept", {}).get("quality_score"), plots.KEPT),
             ("rejected", q.get("rejected", {}).get("quality_score"), plots.REJ)],
            title="Quality score at the quality stage", xlabel="fastText P(high quality) (0-1)", stacked=True,
            log_y=True,
            thresholds=[("quality.threshold", th.get("quality.threshold"))])
    dd = d.get("dedup")
    if dd and "kept" in dd:
        out["dup"] = plots.dup_clusters(dd["kept"]["dup_cluster_size"])
    return out
