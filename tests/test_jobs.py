"""The spark-submit entries in jobs/: one per stage, and none that breaks Python for the others."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mdfs.cli import RUNNABLE

JOBS = Path(__file__).resolve().parent.parent / "jobs"


def test_no_job_shadows_a_standard_library_module():
    # spark-submit puts jobs/ first on sys.path: jobs/tokenize.py broke every job (linecache imports tokenize)
    clash = [p.name for p in JOBS.glob("*.py") if p.stem in sys.stdlib_module_names]
    assert clash == []


def test_every_stage_has_a_job():
    stages = set()
    for p in JOBS.glob("*.py"):
        m = re.search(r'main\(\["run", "(\w+)"', p.read_text(encoding="utf-8"))
        if m:
            stages.add(m.group(1))
    assert stages == set(RUNNABLE)
    assert 'main(["pipeline"' in (JOBS / "pipeline.py").read_text(encoding="utf-8")
