"""The pipeline on a real standalone cluster (one master, two workers, loopback) holds exactly the rows of
a clean local[2] run, also when an executor is killed in the middle of a stage; two clean runs are equal."""

from __future__ import annotations

import os
import signal
import time

import pytest

from mdfs.spark.audit import audit_main
from mdfs.spark.compare import diff_runs

from .conftest import (
    REPO,
    copy_stages,
    finish,
    run,
    sets_args,
    spark_submit,
    start,
    wait_for_tmp,
)

pytestmark = pytest.mark.spark


def submit(cluster, job: str, args: list[str], ckpt=None) -> list[str]:
    """spark-submit to the cluster; `ckpt` sets `[spark] checkpoint_dir`, else the default (none set)."""
    return [
        spark_submit(), "--master", cluster.master_url, "--conf", "spark.ui.enabled=false",
        "--conf", "spark.executor.memory=768m", str(REPO / "jobs" / job), *args,
        *sets_args([f'spark.checkpoint_dir="{ckpt}"'] if ckpt else []),
    ]


@pytest.fixture(scope="session")
def cluster_run(cluster, crawl, tmp_path_factory):
    d = tmp_path_factory.mktemp("cluster_run")
    out = d / "run"
    run(submit(cluster, "pipeline.py", ["--input", str(crawl), "--output", str(out)], d / "ckpt"), d / "log.txt")
    return out


def test_pipeline_on_standalone_cluster_equals_local(cluster_run, clean_local_run, spark):
    import json

    for s in ("01_collect", "04_dedup", "07_shard"):
        assert json.loads((cluster_run / s / "stats.json").read_text())["spark"]["master"].startswith("spark://127.0.0.1:")
    assert (cluster_run / "07_shard" / "_SUCCESS").is_file() and (cluster_run / "report" / "report.html").is_file()
    assert diff_runs(clean_local_run, cluster_run) == []
    assert audit_main(spark, str(cluster_run)) == 0


def test_two_clean_runs_are_identical(clean_local_run, spark, tmp_path):
    """A second clean run (fresh Spark jobs, another shuffle partition count) of the global stages: the
    same kept/rejected rows, tokenizer and shard bytes. (The cluster run is a third, checked above.)"""
    from mdfs.cli import RUNNABLE, run_one
    from mdfs.config import load_config

    cfg = load_config(sets=["spark.shuffle_partitions=3"])
    out = copy_stages(clean_local_run, tmp_path / "run", "dedup")
    spark.conf.set("spark.sql.shuffle.partitions", "3")
    try:
        for stage in RUNNABLE[RUNNABLE.index("dedup"):]:
            assert not run_one(spark, stage, str(out), cfg, None, False).skipped
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", "4")
    assert diff_runs(clean_local_run, out) == []


def test_executor_killed_mid_stage_run_finishes_with_clean_output(cluster, clean_local_run, tmp_path):
    """SIGKILL both workers' executor JVMs while dedup runs on the cluster, with default settings, just
    after connected components checkpointed their first round: Spark reruns the lost tasks, the workers
    launch new executors, and the stage finishes with exactly the clean run's rows. (With
    executor-local checkpoints the dead executors' rounds would be gone for good and the job would
    fail: see mdfs/spark/checkpoints.py.)"""
    out = copy_stages(clean_local_run, tmp_path / "run", "dedup")
    log = tmp_path / "log.txt"
    p = start(submit(cluster, "dedup.py", ["--output", str(out)]), log)
    try:
        wait_for_tmp(out, "04_dedup", p, log)
        end = time.time() + 60
        while len(cluster.executor_pids()) < 2 and time.time() < end:
            time.sleep(0.2)
        before = set(cluster.executor_pids())
        assert len(before) == 2, f"executors: {before}"
        end = time.time() + 120
        while not list(out.glob(".04_dedup.ckpt-*/round-000/_SUCCESS")) and p.poll() is None and time.time() < end:
            time.sleep(0.05)
        assert list(out.glob(".04_dedup.ckpt-*/round-000/_SUCCESS")), "no checkpointed round on the cluster"
        for victim in before:  # every executor: each block held in executor storage is gone
            os.kill(victim, signal.SIGKILL)
        assert p.poll() is None and not (out / "04_dedup").exists(), "the kill must land in the middle of the stage"
        relaunched = set()
        while p.poll() is None:
            relaunched |= set(cluster.executor_pids()) - before
            time.sleep(0.2)
        finish(p, log)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    text = log.read_text(errors="replace")
    assert "Lost executor" in text or "ExecutorLost" in text or "executor lost" in text.lower(), text[-3000:]
    assert relaunched, "the worker should have launched a replacement executor"
    assert (out / "04_dedup" / "_SUCCESS").is_file()
    assert not list(out.glob(".04_dedup.*")), "no temporary or checkpoint folder may be left"
    assert diff_runs(clean_local_run, out, ["collect", "coarse", "quality", "dedup"]) == []
