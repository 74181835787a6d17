"""`mdfs audit OUT`: prove, for a whole run, that no document was lost or made up between stages.

For every finished stage, from its Parquet (not from its own stats, which are what is checked):
- rows in = kept + rejected, where rows in is the previous stage's kept output;
- the ids kept and rejected are exactly the previous stage's kept ids (a full outer join per
  stage: no id missing, none added), and no id appears twice in kept + rejected;
- every rejected row has a stage and a reason;
- the stage's stats.json agrees with the files, and names the previous stage's kept/ as its input.
collect has no previous stage: its ids must be unique and its stats consistent. tokenize writes no
rows. shard's kept rows are its `documents/` table (the text is in the shards).
Only counts reach the driver (Spark aggregations and `limit`ed examples).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from mdfs.schema import STAGES, stage_dir_name

EXAMPLES = 3


@dataclass
class StageAudit:
    stage: str
    rows_in: int | None = None
    kept: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)


def _kept_dir(stage_dir: Path, stage: str) -> Path:
    return stage_dir / ("documents" if stage == "shard" else "kept")


def _read(spark: SparkSession, folder: Path, what: str) -> DataFrame:
    """Parquet read with the schema it must have: a folder whose files were lost still reads (as empty)."""
    from mdfs.schema import DOC_SCHEMA, STAGE_OUTPUT_SCHEMA
    from mdfs.shard.encode import PLACED_SCHEMA
    from mdfs.spark.apply import spark_schema_of

    schema = {"kept": DOC_SCHEMA, "rejected": STAGE_OUTPUT_SCHEMA, "documents": PLACED_SCHEMA}[what]
    return spark.read.schema(spark_schema_of(schema)).parquet(str(folder))


def _ids(spark: SparkSession, folder: Path) -> DataFrame:
    return _read(spark, folder, folder.name).select("id")


def _examples(df: DataFrame) -> str:
    return ", ".join(str(r[0]) for r in df.limit(EXAMPLES).collect())


def audit_stage(spark: SparkSession, out: Path, stage: str, prev_kept: Path | None) -> StageAudit:
    d = out / stage_dir_name(stage)
    a = StageAudit(stage)
    stats = json.loads((d / "stats.json").read_text(encoding="utf-8"))
    kept_dir, rej_dir = _kept_dir(d, stage), d / "rejected"
    for p in (kept_dir, rej_dir):
        if not p.is_dir():
            a.problems.append(f"{p.relative_to(out)} is missing")
    if a.problems:
        return a
    kept = _ids(spark, kept_dir).withColumn("_side", F.lit("kept"))
    rej_full = _read(spark, rej_dir, "rejected")
    rej = rej_full.select("id").withColumn("_side", F.lit("rejected"))
    both = kept.unionByName(rej)
    counts = {r["_side"]: int(r["n"]) for r in both.groupBy("_side").agg(F.count(F.lit(1)).alias("n")).collect()}
    a.kept, a.rejected = counts.get("kept", 0), counts.get("rejected", 0)

    dup = both.groupBy("id").count().where(F.col("count") > 1)
    n_dup = dup.count()
    if n_dup:
        a.problems.append(f"{n_dup} ids appear more than once in kept + rejected (e.g. {_examples(dup)})")
    if a.rejected:
        no_reason = F.col("reason").isNull() | (F.col("reason") == "") | F.col("stage").isNull()
        other_stage = F.col("stage") != stage
        r = rej_full.agg(F.count_if(no_reason).alias("bad"), F.count_if(other_stage).alias("wrong")).first()
        if r["bad"]:
            ex = _examples(rej_full.where(no_reason).select("id"))
            a.problems.append(f"{r['bad']} rejected rows without a stage or reason (e.g. {ex})")
        if r["wrong"]:
            ex = _examples(rej_full.where(other_stage).select("id"))
            a.problems.append(f"{r['wrong']} rejected rows name another stage (e.g. {ex})")

    if (stats["docs_kept"], stats["docs_rejected"]) != (a.kept, a.rejected):
        a.problems.append(
            f"stats.json says kept {stats['docs_kept']} / rejected {stats['docs_rejected']}, "
            f"the files hold {a.kept} / {a.rejected}"
        )
    if prev_kept is None:
        a.rows_in = stats["docs_in"]
        if stats["docs_in"] != a.kept + a.rejected:
            a.problems.append(f"stats.json docs_in {stats['docs_in']} != kept {a.kept} + rejected {a.rejected}")
        return a

    named = [Path(p) for p in stats.get("inputs", {}).get("inputs", [])]
    # The same folder, or the same <nn>_<stage>/kept of a run folder that was moved since.
    same = len(named) == 1 and (
        named[0].resolve() == prev_kept.resolve() or named[0].parts[-2:] == prev_kept.parts[-2:]
    )
    if not same:
        a.problems.append(f"input is {named}, not the previous stage's kept output {prev_kept}")
    prev = _ids(spark, prev_kept).withColumn("_prev", F.lit(1))
    j = prev.join(both.select("id").distinct().withColumn("_here", F.lit(1)), "id", "full_outer")
    lost = j.where(F.col("_here").isNull())
    added = j.where(F.col("_prev").isNull())
    # rows in, lost and added from one pass over the join (input ids are distinct: collect checked them)
    r = j.agg(
        F.count_if(F.col("_prev").isNotNull()).alias("rows_in"),
        F.count_if(F.col("_here").isNull()).alias("lost"),
        F.count_if(F.col("_prev").isNull()).alias("added"),
    ).first()
    a.rows_in, n_lost, n_added = int(r["rows_in"]), int(r["lost"]), int(r["added"])
    if a.rows_in != a.kept + a.rejected:
        a.problems.append(f"rows in {a.rows_in} != kept {a.kept} + rejected {a.rejected}")
    if n_lost:
        a.problems.append(f"{n_lost} documents of the input are neither kept nor rejected (e.g. {_examples(lost.select('id'))})")
    if n_added:
        a.problems.append(f"{n_added} documents appear that were not in the input (e.g. {_examples(added.select('id'))})")
    return a


def audit_run(spark: SparkSession, out: str | Path) -> list[StageAudit]:
    """Audit every finished stage of a run, in pipeline order."""
    root = Path(out)
    results: list[StageAudit] = []
    prev_kept: Path | None = None
    for stage in STAGES:
        d = root / stage_dir_name(stage)
        if not (d / "_SUCCESS").is_file():
            if d.exists():
                results.append(StageAudit(stage, problems=[f"{d.name} exists without _SUCCESS (an unfinished stage)"]))
            continue
        if stage == "tokenize":
            continue  # writes no rows: the shard stage reads the stage before it
        results.append(audit_stage(spark, root, stage, prev_kept))
        prev_kept = _kept_dir(d, stage)
    return results


def audit_main(spark: SparkSession, out: str) -> int:
    results = audit_run(spark, out)
    if not results:
        print(f"audit: no finished stage under {out}")
        return 1
    failed = 0
    for a in results:
        status = "ok" if not a.problems else "FAILED"
        rows_in = "-" if a.rows_in is None else f"{a.rows_in:,}"
        print(f"[{a.stage}] {status}: in {rows_in} = kept {a.kept:,} + rejected {a.rejected:,}")
        for p in a.problems:
            print(f"    - {p}")
        failed += bool(a.problems)
    print(f"audit: {'FAILED' if failed else 'passed'} ({len(results)} stages checked, {failed} with problems)")
    return 1 if failed else 0


__all__ = ["StageAudit", "audit_main", "audit_run", "audit_stage"]
