"""Fixtures of the cluster and fault tests: a sample crawl, its clean local[2] run, a standalone cluster.

Pipelines under test run in subprocesses (the test process already holds a local[2] SparkContext);
the clean reference run uses that session in-process, which costs no extra JVM start.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mdfs.sample.crawl import generate

REPO = Path(__file__).resolve().parents[3]
PAGES, SEED = 60, 8
SETS = ["spark.shuffle_partitions=4"]
STAGES = ["collect", "coarse", "quality", "dedup", "fine", "tokenize", "shard"]


def sets_args(extra: list[str] | None = None) -> list[str]:
    return [x for s in SETS + (extra or []) for x in ("--set", s)]


def sub_env() -> dict[str, str]:
    env = dict(os.environ)
    py = sys.executable
    env.update(PYSPARK_PYTHON=py, PYSPARK_DRIVER_PYTHON=py, SPARK_LOCAL_IP="127.0.0.1")
    env.pop("PYSPARK_GATEWAY_PORT", None)
    env.pop("PYSPARK_SUBMIT_ARGS", None)
    return env


def spark_submit() -> str:
    return str(Path(sys.executable).parent / "spark-submit")


def start(cmd: list[str], log: Path) -> subprocess.Popen:
    """A pipeline/stage command in its own process group (so a test can kill the driver with its JVM)."""
    with open(log, "ab") as f:
        return subprocess.Popen(cmd, cwd=REPO, env=sub_env(), stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def finish(p: subprocess.Popen, log: Path, timeout: float = 420) -> None:
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise AssertionError(f"{p.args} ran over {timeout}s; log tail:\n{log.read_text(errors='replace')[-4000:]}")
    assert rc == 0, f"{p.args} exited {rc}; log tail:\n{log.read_text(errors='replace')[-4000:]}"


def run(cmd: list[str], log: Path, timeout: float = 420) -> None:
    finish(start(cmd, log), log, timeout)


def wait_for_tmp(out: Path, stage_dir: str, p: subprocess.Popen, log: Path, timeout: float = 180) -> Path:
    """Poll until the stage's hidden temporary folder appears (the stage has started writing)."""
    end = time.time() + timeout
    while time.time() < end:
        found = sorted(out.glob(f".{stage_dir}.tmp-*"))
        if found:
            return found[0]
        if p.poll() is not None:
            raise AssertionError(f"{p.args} ended ({p.returncode}) before {stage_dir} started:\n"
                                 f"{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.1)
    raise AssertionError(f"{stage_dir} did not start within {timeout}s")


def copy_stages(src: Path, dst: Path, upto: str) -> Path:
    """The finished stages of `src` before `upto`, copied into a new run folder `dst`."""
    from mdfs.schema import stage_dir_name

    for s in STAGES[: STAGES.index(upto)]:
        shutil.copytree(src / stage_dir_name(s), dst / stage_dir_name(s))
    return dst


@pytest.fixture(scope="session")
def crawl(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cluster_crawl")
    warc = d / "crawl.warc.gz"
    generate(str(warc), PAGES, SEED)
    return warc


@pytest.fixture(scope="session")
def clean_local_run(spark, crawl, tmp_path_factory) -> Path:
    """Every stage on the test session's local[2] Spark, clean (no faults): the reference content."""
    from mdfs.cli import RUNNABLE, run_one
    from mdfs.config import load_config

    cfg = load_config(sets=SETS)
    out = tmp_path_factory.mktemp("clean_local") / "run"
    for stage in RUNNABLE:
        run_one(spark, stage, str(out), cfg, [str(crawl)] if stage == "collect" else None, False)
    return out


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A standalone cluster (one master, two 1-core 1g workers on 127.0.0.1, free ports), always torn down."""
    from mdfs import cluster as cl

    d = tmp_path_factory.mktemp("standalone")
    c = cl.start(d, workers=2, cores=1, memory="1g")
    try:
        yield c
    finally:
        cl.stop(d)
