"""Shared fixtures: one local[2] Spark session per test run, the shared-data path, the config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    return Path(os.environ.get("MDFS_SHARED_DATA", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = shared_data_dir()
    if not (d / "html" / "MANIFEST.jsonl").is_file():
        pytest.skip(f"shared data not found at {d} (set MDFS_SHARED_DATA)")
    return d


@pytest.fixture(scope="session")
def cfg():
    from mdfs.config import load_config

    return load_config()


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from mdfs.config import load_config
    from mdfs.spark.session import get_spark

    c = load_config(sets=["spark.shuffle_partitions=4", "spark.driver_memory=\"2g\""])
    s = get_spark(c, master="local[2]", extra={
        "spark.ui.enabled": "false",
        "spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("warehouse")),
    })
    yield s
    s.stop()
