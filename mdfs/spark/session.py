"""The one place a SparkSession is built.

Keeps a master chosen by spark-submit (its py4j gateway is already running when our code starts),
else uses `--master` or the config's `spark.master`. Arrow on, UTC, zstd Parquet everywhere.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from pyspark.sql import SparkSession

from mdfs.config import Config, ConfigError


def under_spark_submit() -> bool:
    """spark-submit's PythonRunner starts the JVM first and hands us its gateway port."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


# The measured trade (bench/RESULTS.md "End to end: findings"): on the 2-core reference machine the
# 3,000-page e2e run took 76 s wall / 113 CPU s with the JVM's default tiered JIT and 45-63 s /
# 60-80 CPU s with C1 alone: C2 compiling Spark's planner and each query's generated code competes
# with the Python workers for the same two cores. C1-only code runs JVM-bound work (Parquet writes,
# sorts of millions of rows) ~1.5x slower, and our JVM carries extracted text only, so "auto" picks
# C1 where the driver runs the tasks on few cores (a local master, <= 4 cores), else the default.
_C1_MAX_CORES = 4


def jit_options(setting: str, master: str | None) -> str:
    """Driver JVM JIT flags: "c1" (C1 only), "tiered" (the JVM default) or "" (auto, see above)."""
    if setting not in ("", "c1", "tiered"):
        raise ConfigError(f"spark.driver_jit: expected '', 'c1' or 'tiered', got {setting!r}")
    local = bool(master) and master.startswith("local")
    if setting == "c1" or (setting == "" and local and (os.cpu_count() or 1) <= _C1_MAX_CORES):
        return "-XX:TieredStopAtLevel=1"
    return ""


def get_spark(cfg: Config, master: str | None = None, extra: dict[str, Any] | None = None) -> SparkSession:
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # Executors on this machine (local[*], a loopback standalone cluster) must run the same
    # interpreter as the driver, or they will not find mdfs and its dependencies.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    s = cfg["spark"]
    b = SparkSession.builder.appName(s["app_name"])
    chosen = master or (None if under_spark_submit() else s["master"])
    if chosen and chosen.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a laptop/CI run needs no network
    if master:
        b = b.master(master)
    elif not under_spark_submit():
        b = b.master(s["master"])
    java_opts = str((extra or {}).get("spark.driver.extraJavaOptions", ""))
    if not under_spark_submit():
        b = b.config("spark.driver.memory", s["driver_memory"])
        from mdfs.spark.jvmcache import java_options

        java_opts = f"{java_options(s['jvm_class_cache'])} {jit_options(s['driver_jit'], chosen)} {java_opts}".strip()
    conf = {
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(cfg["run"]["batch_rows"]),
        "spark.sql.parquet.compression.codec": s["parquet_compression"],
        "spark.sql.session.timeZone": "UTC",
        # Standard INT64 microseconds, not Spark's legacy INT96: pyarrow reads it as timestamp[us, UTC] and
        # writes it back the same, so our Parquet round-trips through other tools into the next stage.
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.ui.showConsoleProgress": "false",
        "spark.python.worker.reuse": "true",
    }
    if s["shuffle_partitions"] > 0:
        conf["spark.sql.shuffle.partitions"] = str(s["shuffle_partitions"])
    conf.update({k: str(v) for k, v in (extra or {}).items()})
    if java_opts:
        conf["spark.driver.extraJavaOptions"] = java_opts
    for k, v in conf.items():
        b = b.config(k, v)
    spark = b.getOrCreate()
    if s["checkpoint_dir"] not in ("", "local"):  # see mdfs.spark.checkpoints
        spark.sparkContext.setCheckpointDir(s["checkpoint_dir"])
    spark.sparkContext.setLogLevel("WARN")
    if s["shuffle_partitions"] <= 0:
        spark.conf.set("spark.sql.shuffle.partitions", str(2 * spark.sparkContext.defaultParallelism))
    return spark
