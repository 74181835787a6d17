"""Spark aggregations over a run's Parquet outputs; only small aggregates reach the driver.

Per stage, the kept and rejected documents are read as a narrow projection (no text) by two
aggregations: a "facet" group-by (reasons, histogram buckets, charsets, languages,
domains, edit counters: every row emits a few (facet, key) pairs and one `groupBy` counts them all,
with categorical facets cut to their top keys by a window before collecting) and one row of
approximate percentiles per side. A third, small job takes a few short excerpts per rejection
reason (a window limited per reason, ordered by a hash of the id so the sample is spread and
reproducible). Across stages, one more aggregation ranks the domains of every rejected document.
A stage's aggregations are unioned and collected at once: one Spark job per stage.
"""

from __future__ import annotations

import json
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from mdfs.report.runinfo import StageInfo

# Histogram buckets. Lengths on a roughly logarithmic scale (characters); ratios in 0.05 steps;
# quality scores in 0.02 steps (so the default threshold 0.36 falls on an edge).
LENGTH_EDGES = [0, 50, 80, 100, 200, 300, 500, 1_000, 2_000, 3_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000]
RATIO_BINS = 20
QUALITY_BINS = 50
DUP_EDGES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 21, 51, 101, 1_001, 10_001]

TOP_DOMAINS = 20
TOP_CATEGORIES = 30  # charsets, languages, charset repairs, edits: rarely more, capped anyway
EXCERPTS_PER_REASON = 3
EXCERPT_CHARS = 200
PERCENTILES = [0.1, 0.5, 0.9]

HISTOGRAMS = {
    # open: the last bucket is [edges[-1], inf); otherwise edges close the last bucket.
    "n_chars": {"unit": "characters", "edges": LENGTH_EDGES, "open": True},
    "cjk_ratio": {"unit": "share of characters that are Han", "edges": [i / RATIO_BINS for i in range(RATIO_BINS + 1)],
                  "open": False},
    "quality_score": {"unit": "P(high quality)", "edges": [i / QUALITY_BINS for i in range(QUALITY_BINS + 1)],
                      "open": False},
    "dup_cluster_size": {"unit": "documents in the cluster", "edges": DUP_EDGES, "open": True},
}
CATEGORICAL = {"reason": None, "charset": TOP_CATEGORIES, "charset_repair": TOP_CATEGORIES, "lang": TOP_CATEGORIES,
               "domain": TOP_DOMAINS, "edit": TOP_CATEGORIES}

NARROW = {
    "reason": T.StringType(), "domain": T.StringType(), "charset": T.StringType(),
    "charset_declared": T.StringType(), "lang": T.StringType(), "n_chars": T.LongType(),
    "cjk_ratio": T.DoubleType(), "quality_score": T.DoubleType(), "dup_cluster_size": T.LongType(),
    "edits": T.MapType(T.StringType(), T.LongType()),
}


# Per-row expressions are SQL text parsed in one py4j call: built from Column objects they cost a
# py4j round trip per operator (hundreds per stage, seconds of the report's time on the driver).
def _edge_sql(col: str, edges: list[float]) -> str:
    """Index i of the bucket [edges[i], edges[i+1]); the last bucket is open-ended; below the first: 0."""
    idx = " + ".join(f"CASE WHEN `{col}` >= {e!r} THEN 1 ELSE 0 END" for e in edges[1:])
    return f"CASE WHEN `{col}` IS NULL THEN NULL ELSE {idx} END"


def _unit_sql(col: str, bins: int) -> str:
    """Bucket of a value in [0, 1] split into `bins` equal parts (1.0 goes to the last one)."""
    return (f"CASE WHEN `{col}` IS NULL THEN NULL ELSE "
            f"CAST(least(greatest(floor(`{col}` * {bins}), 0), {bins - 1}) AS INT) END")


def read_side(spark: SparkSession, path: str, side: str) -> DataFrame:
    """The narrow projection of one Parquet folder; columns it lacks (tokenize/shard outputs) are null."""
    df = spark.read.parquet(path)
    have = set(df.columns)
    cols = [f"CAST({f'`{c}`' if c in have and not (side == 'kept' and c == 'reason') else 'NULL'} AS {t.simpleString()})"
            f" AS `{c}`" for c, t in NARROW.items()]
    return df.selectExpr(f"'{side}' AS side", *cols)


def _pair(f: str, k: str) -> str:
    return f"named_struct('f', '{f}', 'k', CAST({k} AS STRING), 'v', CAST(NULL AS BIGINT))"


def _facets(df: DataFrame, stage: str) -> DataFrame:
    """Every row emits (f, k, v) pairs; v is a summed value (edit counts), null elsewhere.

    One SQL expression (a single py4j call) rather than a tree of Column objects."""
    fixed = ", ".join([
        _pair("reason", "coalesce(reason, '(kept)')"),
        _pair("hist.n_chars", f"coalesce(CAST(({_edge_sql('n_chars', LENGTH_EDGES)}) AS STRING), 'null')"),
        _pair("hist.cjk_ratio", f"coalesce(CAST(({_unit_sql('cjk_ratio', RATIO_BINS)}) AS STRING), 'null')"),
        _pair("hist.quality_score", f"coalesce(CAST(({_unit_sql('quality_score', QUALITY_BINS)}) AS STRING), 'null')"),
        _pair("hist.dup_cluster_size", f"coalesce(CAST(({_edge_sql('dup_cluster_size', DUP_EDGES)}) AS STRING), 'null')"),
        _pair("charset", "coalesce(charset, '(none)')"),
        _pair("lang", "coalesce(lang, '(none)')"),
        _pair("domain", "coalesce(domain, '(none)')"),
    ])
    # Declared charset differs from the decoding one: the page lied (or declared nothing usable).
    lied = _pair("charset_repair", "concat_ws(' -> ', charset_declared, charset)")
    repair = f"filter(array({lied}), x -> coalesce(lower(charset_declared) != lower(charset), false))"
    edits = (f"transform(filter(map_entries(coalesce(edits, CAST(map() AS MAP<STRING, BIGINT>))), "
             f"e -> startswith(e.key, '{stage}.') AND e.value > 0), "
             "e -> named_struct('f', 'edit', 'k', e.key, 'v', e.value))")
    return df.selectExpr("side", "n_chars", f"explode(concat(array({fixed}), {repair}, {edits})) AS p").selectExpr(
        "side", "n_chars", "p.f", "p.k", "p.v")


def _facet_rows(narrow: DataFrame, stage: str) -> DataFrame:
    g = _facets(narrow, stage).groupBy("side", "f", "k").agg(
        F.count(F.lit(1)).alias("docs"),
        F.coalesce(F.sum("n_chars"), F.lit(0)).alias("chars"),
        F.sum("v").alias("v"),
    )
    w = Window.partitionBy("side", "f").orderBy(F.desc("docs"), F.asc("k"))
    wall = Window.partitionBy("side", "f")
    cap = F.lit(None).cast("int")
    for f, n in CATEGORICAL.items():
        if n is not None:
            cap = F.when(F.col("f") == f, F.lit(n)).otherwise(cap)
    ranked = (g.withColumn("rank", F.row_number().over(w))
              .withColumn("n_keys", F.count(F.lit(1)).over(wall))
              .withColumn("cap", cap))
    return ranked.where(F.col("cap").isNull() | (F.col("rank") <= F.col("cap"))).drop("cap")


def _percentile_rows(narrow: DataFrame) -> DataFrame:
    aggs = [F.count(F.lit(1)).alias("docs")]
    for c in ("n_chars", "cjk_ratio", "quality_score"):
        aggs.append(F.struct(
            F.percentile_approx(c, PERCENTILES, 1000).alias("p"), F.avg(c).alias("mean"), F.count(c).alias("n"),
        ).alias(c))
    return narrow.groupBy("side").agg(*aggs)


def _excerpt_rows(spark: SparkSession, path: str) -> DataFrame | None:
    df = spark.read.parquet(path)
    have = set(df.columns)
    if "reason" not in have:
        return None
    text = F.col("text") if "text" in have else F.lit(None).cast("string")
    opt = lambda c: (F.col(c) if c in have else F.lit(None)).cast("string").alias(c)
    w = Window.partitionBy("reason").orderBy(F.xxhash64(F.col("id")), F.col("id"))
    return (df.select("reason", opt("id"), opt("url"), opt("domain"), opt("detail"),
                      F.substring(text, 1, EXCERPT_CHARS + 1).alias("excerpt"), F.length(text).alias("text_chars"))
            .withColumn("rank", F.row_number().over(w))
            .where(F.col("rank") <= EXCERPTS_PER_REASON))


def _rejected_domain_rows(spark: SparkSession, paths: list[str], top: int) -> DataFrame | None:
    df = spark.read.parquet(*paths)
    if not {"domain", "reason"} <= set(df.columns):
        return None
    n_chars = F.col("n_chars") if "n_chars" in df.columns else F.lit(0)
    return (df.select(F.coalesce("domain", F.lit("(none)")).alias("domain"), "reason", n_chars.alias("n_chars"))
            .groupBy("domain")
            .agg(F.count(F.lit(1)).alias("docs"), F.coalesce(F.sum("n_chars"), F.lit(0)).alias("chars"),
                 F.mode("reason", deterministic=True).alias("top_reason"),
                 F.count_distinct("reason").alias("n_reasons"))
            .orderBy(F.desc("docs"), F.asc("domain"))
            .limit(top))


def _tagged(df: DataFrame, stage: str, kind: str) -> DataFrame:
    """Rows of any shape as (stage, kind, json): lets every aggregate share one union and one collect."""
    return df.select(F.lit(stage).alias("stage"), F.lit(kind).alias("kind"),
                     F.to_json(F.struct(*[F.col(c) for c in df.columns])).alias("row"))


@dataclass
class StageAggregates:
    facets: list[dict[str, Any]] = field(default_factory=list)
    percentiles: list[dict[str, Any]] = field(default_factory=list)
    excerpts: list[dict[str, Any]] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)


@dataclass
class RunAggregates:
    stages: dict[str, StageAggregates]
    rejected_domains: list[dict[str, Any]]


def aggregate_run(spark: SparkSession, infos: list[StageInfo], top_domains: int = TOP_DOMAINS) -> RunAggregates:
    """Every Parquet aggregate of the run: one Spark job per stage (its facets, percentiles and
    excerpts unioned and collected together) and one for the rejected domains of all stages.

    Stages without document Parquet get no entry. One job per stage rather than one for the whole
    run: adaptive execution re-plans the whole query after every finished shuffle, which on a union
    of ~40 aggregations cost more than the jobs it saved (measured on out/demo: 98 s vs 39 s cold).
    """
    out: dict[str, StageAggregates] = {}
    groups: list[tuple[str, list[DataFrame]]] = []
    for info in infos:
        parts = []
        for side in ("kept", "rejected"):
            d = info.parquet_dir(side)
            if d is not None:
                parts.append(read_side(spark, str(d), side))
        if not parts:
            continue
        out[info.stage] = StageAggregates(sides=[p for p in ("kept", "rejected") if info.parquet_dir(p)])
        narrow = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
        frames = [_tagged(_facet_rows(narrow, info.stage), info.stage, "facet"),
                  _tagged(_percentile_rows(narrow), info.stage, "pct")]
        rej = info.parquet_dir("rejected")
        if rej is not None and (ex := _excerpt_rows(spark, str(rej))) is not None:
            frames.append(_tagged(ex, info.stage, "excerpt"))
        groups.append((info.stage, frames))
    rej_paths = [str(d) for i in infos if (d := i.parquet_dir("rejected")) is not None]
    if rej_paths and (rd := _rejected_domain_rows(spark, rej_paths, top_domains)) is not None:
        groups.append(("*", [_tagged(rd, "*", "rejected_domain")]))
    domains: list[dict[str, Any]] = []
    if not groups:  # no document Parquet at all (an empty or shard-only run): Spark is not needed
        return RunAggregates(out, domains)
    small = max((int(i.stats.get("docs_in") or 0) for i in infos), default=0) <= SMALL_RUN_DOCS
    with _small_job_conf(spark) if small else nullcontext():
        for _, frames in groups:
            for r in reduce(DataFrame.unionByName, frames).collect():
                row = json.loads(r["row"])
                if r["kind"] == "rejected_domain":
                    domains.append(row)
                    continue
                agg = out[r["stage"]]
                {"facet": agg.facets, "pct": agg.percentiles, "excerpt": agg.excerpts}[r["kind"]].append(row)
    domains.sort(key=lambda d: (-d["docs"], d["domain"]))
    for agg in out.values():
        agg.facets.sort(key=lambda f: (f["side"], f["f"], f["rank"]))
        agg.excerpts.sort(key=lambda e: (e["reason"], e["rank"]))
    return RunAggregates(out, domains)


# Up to this many documents in a stage the report's jobs run without whole-stage code generation.
SMALL_RUN_DOCS = 1_000_000


@contextmanager
def _small_job_conf(spark: SparkSession):
    """Whole-stage code generation off while the report runs, then restored.

    The report's queries are many small aggregations over narrow columns: compiling generated code
    for each costs more than it saves (out/demo: 24 s instead of 40 s, warm), and the expensive
    part of a big run (reading Parquet) is vectorised either way. Used only for runs of at most
    SMALL_RUN_DOCS documents per stage: above that, aggregating without generated code would cost
    more than compiling it.
    """
    key = "spark.sql.codegen.wholeStage"
    old = spark.conf.get(key, None)
    spark.conf.set(key, "false")
    try:
        yield
    finally:
        if old is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, old)
