"""How dedup's connected components checkpoint their rounds, chosen so a lost executor never fails a run.

`localCheckpoint` keeps a round in executor storage: fast, but when an executor dies on a cluster
its blocks are gone, and Spark cannot recompute them (the lineage was cut on purpose), so the job
fails. So by default, on a master whose executors can die alone (standalone, YARN, Kubernetes,
local-cluster), each round is written as Parquet into a hidden folder beside the stage's output
(which must be on storage the whole cluster shares anyway) and read back; the folder is removed when
the stage ends, and a killed attempt's folder when the stage next starts. `local[...]` masters keep
`localCheckpoint`: there the executors live inside the driver's JVM and die only with it.

`[spark] checkpoint_dir`: "" = the above; "local" = always `localCheckpoint`; a path = Spark's own
reliable checkpoints in that folder (set on the SparkContext by mdfs.spark.session).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from mdfs.config import Config
from mdfs.schema import stage_dir_name

Checkpoint = Callable[[DataFrame], DataFrame]


def executors_die_alone(master: str) -> bool:
    """False only for `local` / `local[N]` / `local[N,F]`: one JVM, executors and driver die together."""
    return not (master == "local" or master.startswith("local["))


def local_checkpoint(df: DataFrame) -> DataFrame:
    return df.localCheckpoint(eager=True)


def spark_checkpoint(df: DataFrame) -> DataFrame:
    return df.checkpoint(eager=True)


class ParquetRounds:
    """A reliable checkpoint as a Parquet round trip: the rounds' files outlive any executor."""

    def __init__(self, spark: SparkSession, folder: Path) -> None:
        self.spark, self.folder, self.rounds = spark, folder, 0

    def __call__(self, df: DataFrame) -> DataFrame:
        path = self.folder / f"round-{self.rounds:03d}"
        self.rounds += 1
        df.write.mode("overwrite").parquet(str(path))
        return self.spark.read.parquet(str(path))


@contextmanager
def stage_checkpoints(spark: SparkSession, cfg: Config, out_root: str | Path, stage: str) -> Iterator[Checkpoint]:
    """The checkpoint for `stage`'s rounds; its Parquet folder (if any) lives until the block ends,
    since the stage's lazy output still reads the last round when it is written."""
    setting = cfg["spark"]["checkpoint_dir"]
    if setting == "local" or (not setting and not executors_die_alone(spark.sparkContext.master)):
        yield local_checkpoint
        return
    if setting:
        yield spark_checkpoint
        return
    root = Path(out_root)
    prefix = f".{stage_dir_name(stage)}.ckpt-"
    for stale in root.glob(prefix + "*"):  # left by a killed attempt
        shutil.rmtree(stale, ignore_errors=True)
    folder = root / f"{prefix}{uuid.uuid4().hex[:8]}"
    try:
        yield ParquetRounds(spark, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Checkpoint", "ParquetRounds", "executors_die_alone", "local_checkpoint", "spark_checkpoint",
           "stage_checkpoints"]
