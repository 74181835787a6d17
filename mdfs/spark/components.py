"""Connected components in Spark with the alternating large-star / small-star algorithm.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014), the method
data-juicer's and MAP-NEO's Spark dedup tools use. Each step is a DataFrame group-by with `min`,
so no node's neighbour list is ever gathered in one place (a near-duplicate "hub" with millions of
copies costs no more memory than any other node) and nothing is collected on the driver. The
number of rounds grows with log(n); every round is checkpointed so each round's query plan starts
from the previous result instead of nesting all earlier rounds. How a round is checkpointed is the
caller's choice (mdfs.spark.checkpoints: executor-local, Parquet beside the output, or Spark's own
reliable checkpoints); by default, Spark's checkpoint directory if one is set, else executor-local.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F


def _both_ways(edges: DataFrame) -> DataFrame:
    return edges.select("a", "b").union(edges.select(F.col("b").alias("a"), F.col("a").alias("b")))


def large_star(edges: DataFrame) -> DataFrame:
    """Connect every strictly larger neighbour of a node to the smallest node of its neighbourhood."""
    # A window min instead of group-by + join: one exchange per step, and still no neighbour list.
    e = _both_ways(edges).withColumn("m", F.least(F.min("b").over(Window.partitionBy("a")), F.col("a")))
    return e.where(F.col("b") > F.col("a")).select(F.col("b").alias("a"), F.col("m").alias("b")).distinct()


def small_star(edges: DataFrame) -> DataFrame:
    """Connect a node and its smaller neighbours to the smallest of them."""
    e = edges.select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b"))
    e = e.withColumn("m", F.min("b").over(Window.partitionBy("a")))
    to_min = e.where(F.col("b") != F.col("m")).select(F.col("b").alias("a"), F.col("m").alias("b"))
    self_to_min = e.select("a", F.col("m").alias("b"))
    return to_min.union(self_to_min).distinct()


def _checkpoint(df: DataFrame) -> DataFrame:
    if df.sparkSession.sparkContext.getCheckpointDir():
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


def _is_star_forest(edges: DataFrame) -> bool:
    """True when no node is both a child and a parent and no child has two parents (edges distinct).

    Large/small-star keep the components of the graph, and a star is connected: so a star forest
    has one star per component, centred on its smallest node (small-star points each child at a
    smaller node). That is the fixed point, detected without running one more confirming round,
    with one aggregation per node.
    """
    roles = edges.select(F.col("a").alias("n"), F.lit(1).alias("child"), F.lit(0).alias("parent")).union(
        edges.select(F.col("b").alias("n"), F.lit(0).alias("child"), F.lit(1).alias("parent"))
    )
    per_node = roles.groupBy("n").agg(F.sum("child").alias("c"), F.max("parent").alias("p"))
    bad = per_node.where((F.col("c") > 1) | ((F.col("c") >= 1) & (F.col("p") == 1)))
    return bad.limit(1).count() == 0


def connected_components(
    edges: DataFrame, max_rounds: int = 50, clean: bool = False,
    checkpoint: Callable[[DataFrame], DataFrame] | None = None,
) -> DataFrame:
    """`edges` (a, b) of any orderable type -> (id, component) for every node that has an edge,
    where `component` is the smallest id of its component. Self-loops and duplicates are fine;
    `clean=True` says there are none, in either direction (saves a shuffle). `checkpoint` cuts each
    round's lineage (eagerly)."""
    ckpt = checkpoint or _checkpoint
    # Each edge as (larger, smaller): a graph of disjoint pairs, the commonest dedup graph, is then
    # already a star forest and needs no round at all.
    e = edges.select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b"))
    cur = ckpt(e if clean else e.where(F.col("a") != F.col("b")).distinct())
    for _ in range(max_rounds + 1):
        if _is_star_forest(cur):
            break
        cur = ckpt(small_star(large_star(cur)))
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    # At the fixed point every edge is (node, root) with root the component's minimum.
    roots = cur.select(F.col("b").alias("id"), F.col("b").alias("component")).distinct()
    return cur.select(F.col("a").alias("id"), F.col("b").alias("component")).union(roots).distinct()
