"""The driver killed in the middle of a stage leaves no finished-looking stage; rerunning the same command
gives exactly the clean run's rows (none missing, none repeated) and the run passes `mdfs audit`."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from mdfs.spark.audit import audit_main
from mdfs.spark.compare import diff_runs

from .conftest import copy_stages, run, sets_args, start, wait_for_tmp

pytestmark = pytest.mark.spark


def test_driver_killed_mid_stage_then_rerun_equals_clean_run(clean_local_run, spark, tmp_path):
    out = copy_stages(clean_local_run, tmp_path / "run", "dedup")
    cmd = [sys.executable, "-m", "mdfs.cli", "run", "dedup", "--output", str(out), "--master", "local[2]", *sets_args()]
    log = tmp_path / "killed.txt"
    p = start(cmd, log)
    try:
        tmp = wait_for_tmp(out, "04_dedup", p, log)
        time.sleep(2)  # Spark jobs of the stage are running
        assert p.poll() is None, "the stage ended before the kill"
    finally:
        os.killpg(p.pid, signal.SIGKILL)  # the driver, its JVM and Python workers, all at once
        p.wait()
    assert p.returncode == -signal.SIGKILL
    assert not (out / "04_dedup").exists(), "a killed stage must leave no final folder"
    assert not list(out.glob("**/04_dedup/_SUCCESS")) and not (tmp / "_SUCCESS").exists()

    run(cmd, tmp_path / "rerun.txt")
    assert (out / "04_dedup" / "_SUCCESS").is_file()
    assert diff_runs(clean_local_run, out, ["collect", "coarse", "quality", "dedup"]) == []
    assert audit_main(spark, str(out)) == 0


def test_driver_killed_mid_pipeline_then_rerun_resumes_and_equals_clean_run(clean_local_run, crawl, spark, tmp_path):
    """`mdfs pipeline` killed (driver, JVM and workers) once dedup has started: the stages finished before
    the kill stay finished and are skipped by the rerun of the same command (not redone), the interrupted
    one and those after it left nothing, and the rerun ends with every stage equal to the clean run, the
    report written, and `mdfs audit` passing."""
    import json

    from mdfs.schema import stage_dir_name

    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "mdfs.cli", "pipeline", "--input", str(crawl), "--output", str(out),
           "--master", "local[2]", *sets_args()]
    log = tmp_path / "killed.txt"
    p = start(cmd, log)
    try:
        wait_for_tmp(out, "04_dedup", p, log, timeout=400)
        time.sleep(0.5)
        assert p.poll() is None, "the pipeline ended before the kill"
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    stages = ["collect", "coarse", "quality", "dedup", "fine", "tokenize", "shard"]
    finished = [s for s in stages if (out / stage_dir_name(s) / "_SUCCESS").is_file()]
    assert finished == stages[: len(finished)] and 3 <= len(finished) < len(stages), finished
    for s in stages[len(finished):]:
        assert not (out / stage_dir_name(s)).exists(), f"{s} was interrupted or not started, yet has a folder"
    assert not (out / "report").exists()
    before = {s: (out / stage_dir_name(s) / "stats.json").read_text() for s in finished}

    rerun_log = tmp_path / "rerun.txt"
    run(cmd, rerun_log)
    text = rerun_log.read_text(errors="replace")
    for s in finished:
        assert f"[{s}] (skipped: already done)" in text, text[-3000:]
    assert {s: (out / stage_dir_name(s) / "stats.json").read_text() for s in finished} == before  # not redone
    assert not list(out.glob(".*.tmp-*")), "a killed attempt's temporary folder was left behind"
    assert diff_runs(clean_local_run, out) == []
    assert json.loads((out / "report" / "report.json").read_text())
    assert audit_main(spark, str(out)) == 0
