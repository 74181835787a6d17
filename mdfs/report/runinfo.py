"""What a run folder holds: finished stages with their stats.json, absent or unfinished ones, shards.

Pure file reading, no Spark: a stage is in the report only when its folder has `_SUCCESS` and a
readable `stats.json`; everything else is listed as absent with the reason, so a partial run (or
one whose later stages are still running) still gets a report of what is finished.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mdfs.schema import STAGES, stage_dir_name

MANIFEST = "manifest.json"


@dataclass
class StageInfo:
    stage: str
    path: Path
    stats: dict[str, Any]

    def parquet_dir(self, side: str) -> Path | None:
        """`kept` or `rejected` when it holds Parquet files, else None."""
        d = self.path / side
        if d.is_dir() and any(d.glob("*.parquet")):
            return d
        return None


@dataclass
class RunInfo:
    root: Path
    stages: list[StageInfo] = field(default_factory=list)
    absent: list[dict[str, str]] = field(default_factory=list)  # {"stage", "why"}
    manifest: dict[str, Any] | None = None
    manifest_error: str | None = None

    def get(self, stage: str) -> StageInfo | None:
        return next((s for s in self.stages if s.stage == stage), None)

    @property
    def names(self) -> list[str]:
        return [s.stage for s in self.stages]


def read_run(out_root: str | Path) -> RunInfo:
    root = Path(out_root)
    info = RunInfo(root)
    for stage in STAGES:
        d = root / stage_dir_name(stage)
        running = sorted(p.name for p in root.glob(f".{stage_dir_name(stage)}.tmp-*")) if root.is_dir() else []
        if not d.is_dir():
            why = "running or interrupted (only a temporary folder)" if running else "not run"
            info.absent.append({"stage": stage, "why": why})
            continue
        if not (d / "_SUCCESS").is_file():
            info.absent.append({"stage": stage, "why": "unfinished (no _SUCCESS)"})
            continue
        try:
            stats = json.loads((d / "stats.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            info.absent.append({"stage": stage, "why": f"stats.json unreadable ({type(e).__name__})"})
            continue
        info.stages.append(StageInfo(stage, d, stats))
        if stage == "shard":
            try:
                info.manifest = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
            except FileNotFoundError:
                info.manifest_error = f"{MANIFEST} not found"
            except (OSError, ValueError) as e:
                info.manifest_error = f"{MANIFEST} unreadable ({type(e).__name__}: {e})"
    return info
