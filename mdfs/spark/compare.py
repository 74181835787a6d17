"""Compare the content of two run folders, stage by stage, without Spark (pyarrow only).

Used by the cluster and fault tests: a run on a standalone cluster, a run that lost an executor and
a run resumed after its driver was killed must hold exactly the rows of a clean `local[2]` run.

Per document stage, the kept and rejected rows are reduced to sorted `(id, sha256(text), reason)`
tuples plus a digest of every other column (row order and file layout, which depend on the partitioning,
are ignored). tokenize is compared by the sha256 of its tokenizer.json, shard by the sha256s its
manifest records for every .bin/.idx file and by its documents/ table. stats.json is not compared: it
names the master, the application id and timings.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from mdfs.schema import STAGES, stage_dir_name


def _sha(s: str | None) -> str | None:
    return None if s is None else hashlib.sha256(s.encode("utf-8")).hexdigest()


def _canon(v: Any) -> Any:
    """A JSON-able, order-independent form of one cell (map columns come back as lists of pairs)."""
    if isinstance(v, list):
        items = [_canon(x) for x in v]
        if all(isinstance(x, (list, tuple)) and len(x) == 2 for x in items):
            return sorted(items, key=lambda kv: str(kv[0]))
        return items
    if isinstance(v, tuple):
        return [_canon(x) for x in v]
    if isinstance(v, float):
        return repr(v)
    return v if v is None or isinstance(v, (str, int, bool)) else str(v)


def read_rows(folder: Path) -> list[tuple]:
    """Sorted (id, sha256(text), reason, sha256(other columns)) of a Parquet folder; [] if it has no files."""
    files = sorted(p for p in folder.glob("*.parquet"))
    if not files:
        return []
    table = pa.concat_tables([pq.read_table(p) for p in files], promote_options="default")
    cols = table.column_names
    rows = []
    for r in table.to_pylist():
        rest = {k: _canon(r[k]) for k in cols if k not in ("id", "text", "reason")}
        rest_sha = hashlib.sha256(json.dumps(rest, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        rows.append((r["id"], _sha(r.get("text")), r.get("reason"), rest_sha))
    rows.sort(key=lambda t: tuple("" if x is None else x for x in t))
    return rows


def _file_sha(p: Path) -> str | None:
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None


def stage_content(out: str | Path, stage: str) -> dict[str, Any] | None:
    """The comparable content of one finished stage of a run, or None when it has no _SUCCESS."""
    d = Path(out) / stage_dir_name(stage)
    if not (d / "_SUCCESS").is_file():
        return None
    if stage == "tokenize":
        return {"tokenizer.json": _file_sha(d / "tokenizer.json")}
    if stage == "shard":
        m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        return {
            "files": sorted((f["path"], f["sha256"], f["bytes"]) for f in m["files"]),
            "tokenizer": m["tokenizer"]["sha256"],
            "documents": read_rows(d / "documents"),
            "rejected": read_rows(d / "rejected"),
        }
    return {"kept": read_rows(d / "kept"), "rejected": read_rows(d / "rejected")}


def run_content(out: str | Path, stages: list[str] | None = None) -> dict[str, Any]:
    return {s: stage_content(out, s) for s in (stages or STAGES)}


def diff_runs(a: str | Path, b: str | Path, stages: list[str] | None = None, limit: int = 5) -> list[str]:
    """Human-readable differences between two runs ([] = same content in every stage compared)."""
    problems: list[str] = []
    for stage in stages or STAGES:
        ca, cb = stage_content(a, stage), stage_content(b, stage)
        if ca is None or cb is None:
            if (ca is None) != (cb is None):
                problems.append(f"{stage}: finished in {'b' if ca is None else 'a'} only")
            continue
        for part in ca:
            va, vb = ca[part], cb[part]
            if va == vb:
                continue
            if isinstance(va, list) and isinstance(vb, list):
                sa, sb = set(va), set(vb)
                only_a, only_b = sorted(sa - sb, key=str)[:limit], sorted(sb - sa, key=str)[:limit]
                ia, ib = {t[0] for t in sa - sb}, {t[0] for t in sb - sa}
                problems.append(
                    f"{stage}/{part}: {len(va)} vs {len(vb)} rows; {len(sa - sb)} only in a, {len(sb - sa)} only in b; "
                    f"ids differing in text/reason/other columns: {sorted(ia & ib)[:limit]}; "
                    f"ids only in a: {sorted(ia - ib)[:limit]}; only in b: {sorted(ib - ia)[:limit]}; "
                    f"e.g. a {only_a[:2]} b {only_b[:2]}"
                )
            else:
                problems.append(f"{stage}/{part}: {va!r} != {vb!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """`python -m mdfs.spark.compare RUN_A RUN_B`: exit 0 when both runs hold the same content."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m mdfs.spark.compare RUN_A RUN_B", file=sys.stderr)
        return 2
    problems = diff_runs(args[0], args[1])
    for p in problems:
        print(p)
    print("same content" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
