"""Connected components in Spark on hand-built graphs, checked against a union-find."""

from __future__ import annotations

import random

import pytest

from mdfs.spark.components import connected_components


def union_find(edges: list[tuple[str, str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def run(spark, edges: list[tuple[str, str]]) -> dict[str, str]:
    df = spark.createDataFrame(edges, "a string, b string")
    return {r["id"]: r["component"] for r in connected_components(df).collect()}


def n(i: int) -> str:
    return f"n{i:04d}"


CASES = {
    "chain": [(n(i), n(i + 1)) for i in range(16)],
    "reversed chain": [(n(i + 1), n(i)) for i in range(16)],
    "star": [(n(0), n(i)) for i in range(1, 30)],
    "star around a large id": [(n(99), n(i)) for i in range(30)],
    "cycle": [(n(i), n((i + 1) % 12)) for i in range(12)],
    "two components and a pair": [(n(1), n(2)), (n(2), n(3)), (n(10), n(11)), (n(11), n(12)), (n(50), n(60))],
    "duplicates and self loops": [(n(1), n(2)), (n(2), n(1)), (n(1), n(2)), (n(3), n(3)), (n(2), n(3))],
}


@pytest.mark.parametrize("name", list(CASES))
def test_hand_built_graphs(spark, name):
    edges = CASES[name]
    expected = union_find([(a, b) for a, b in edges if a != b] + [(a, a) for a, b in edges])
    assert run(spark, edges) == expected


def test_random_graph_matches_union_find(spark):
    rng = random.Random(7)
    edges = [(n(rng.randrange(300)), n(rng.randrange(300))) for _ in range(250)]
    assert run(spark, edges) == union_find(edges)


def test_reliable_checkpoints_when_a_checkpoint_dir_is_set(spark, tmp_path):
    """[spark] checkpoint_dir: rounds are written to shared storage (survive executor loss), same result."""
    sc = spark.sparkContext
    assert sc.getCheckpointDir() is None
    sc.setCheckpointDir(str(tmp_path / "ckpt"))
    try:
        edges = CASES["cycle"] + CASES["two components and a pair"]
        assert run(spark, edges) == union_find(edges)
        written = [p for p in (tmp_path / "ckpt").rglob("part-*")]
        assert written, "checkpoint files must be on the shared directory"
    finally:
        # No public API unsets it: restore the test session's default (executor-local checkpoints).
        getattr(sc._jsc.sc(), "checkpointDir_$eq")(sc._jvm.scala.Option.empty())
    assert sc.getCheckpointDir() is None


@pytest.mark.parametrize(
    ("master", "alone"),
    [("local", False), ("local[2]", False), ("local[*, 3]", False), ("local-cluster[2,1,1024]", True),
     ("spark://10.0.0.1:7077", True), ("yarn", True), ("k8s://https://api:6443", True)],
)
def test_which_masters_lose_executors_alone(master, alone):
    from mdfs.spark.checkpoints import executors_die_alone

    assert executors_die_alone(master) is alone


def test_parquet_rounds_beside_the_output_outlive_the_stage_and_are_removed(spark, tmp_path, monkeypatch):
    """The cluster default: rounds as Parquet in a hidden folder beside the stage output (same result);
    the folder exists while the stage's lazy output may still read it, and is gone afterwards, as is a
    killed attempt's folder."""
    import mdfs.spark.checkpoints as cp
    from mdfs.config import load_config

    cfg = load_config()
    with cp.stage_checkpoints(spark, cfg, tmp_path, "dedup") as ckpt:
        assert ckpt is cp.local_checkpoint  # the test session is local[2]
    stale = tmp_path / ".04_dedup.ckpt-deadbeef"
    stale.mkdir()
    edges = CASES["cycle"] + CASES["two components and a pair"]
    monkeypatch.setattr(cp, "executors_die_alone", lambda master: True)  # as on a cluster's master
    with cp.stage_checkpoints(spark, cfg, tmp_path, "dedup") as ckpt:
        assert isinstance(ckpt, cp.ParquetRounds) and not stale.exists()
        comp = connected_components(spark.createDataFrame(edges, "a string, b string"), checkpoint=ckpt)
        folders = list(tmp_path.glob(".04_dedup.ckpt-*"))
        assert len(folders) == 1 and min(p.name for p in folders[0].iterdir()) == "round-000"
        got = {r["id"]: r["component"] for r in comp.collect()}  # read from the last round's files
    assert got == union_find(edges)
    assert not list(tmp_path.glob(".04_dedup.ckpt-*"))
    monkeypatch.undo()
    with cp.stage_checkpoints(spark, load_config(sets=[f'spark.checkpoint_dir="{tmp_path}"']), tmp_path, "dedup") as c:
        assert c is cp.spark_checkpoint
    with cp.stage_checkpoints(spark, load_config(sets=['spark.checkpoint_dir="local"']), tmp_path, "dedup") as c:
        assert c is cp.local_checkpoint
