"""A class-data-sharing (CDS) archive of the driver JVM's classes, made once, mapped by every later run.

Spark's JVM loads and verifies ~15,000 classes before and during its first job. On the 2-core
reference machine that is most of a local session's start (10.6 s) and of its first job (4.7 s).
Java's dynamic CDS (`-XX:ArchiveClassesAtExit`, then `-XX:SharedArchiveFile`, JDK 13+) maps them
from an archive instead: measured 10.6 -> 5.2 s and 4.7 -> 2.2 s (bench/RESULTS.md "End to end").

`python -m mdfs.spark.jvmcache` (run by `make setup`, so by `make demo` and `make test`) makes it
with a short Spark run whose JVM writes the archive as it exits, into a file named by the process
id, renamed into place only if the JVM exited cleanly: a killed run leaves a stale temporary file
(removed later), never a half-written archive under the final name. It is never made implicitly:
dumping ~190 MB on exit would slow whatever run happened to be first. The file name carries a key
of the JVM binary and of Spark's jars (folder, sizes, times: what the JVM checks), so an upgrade or
another checkout's environment just makes a new one, and the archives of environments that are gone
are removed when a new one is made; an archive that still does not match is ignored by the JVM
itself (`-Xshare:auto`, the default). Only the driver JVM mdfs
launches uses it: under spark-submit the JVM is already running, and cluster executors start their own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from mdfs.cluster import pid_alive

_STALE_S = 3600.0  # a temporary archive older than this whose process is gone is removed


def cache_dir(setting: str) -> Path | None:
    """Where archives live: "" = the user's cache folder, "off" = none, anything else = that folder."""
    if setting == "off":
        return None
    if setting:
        return Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mdfs" / "jvm"


def java_binary() -> str | None:
    """The `java` spark-submit will run: $JAVA_HOME/bin/java, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.isfile(os.path.join(home, "bin", "java")):
        return os.path.realpath(os.path.join(home, "bin", "java"))
    found = shutil.which("java")
    return os.path.realpath(found) if found else None


def spark_jars() -> Path:
    """The jars folder the driver's classpath is built from (SPARK_HOME's, else pyspark's own)."""
    from pyspark.find_spark_home import _find_spark_home

    return Path(os.path.realpath(_find_spark_home())) / "jars"


def archive_key() -> str | None:
    """A short hash of the JVM binary and of Spark's jars: their folder, names, sizes and times.

    The JVM rejects a dynamic archive whose classpath differs from the one it was dumped with
    (another checkout's virtual environment, a reinstalled jar), silently: each of those gets its own key.
    """
    java = java_binary()
    if java is None:
        return None
    import pyspark

    jars = spark_jars()
    st = os.stat(java)
    h = hashlib.sha256()
    for part in (java, str(st.st_size), str(int(st.st_mtime)), pyspark.__version__, str(jars)):
        h.update(part.encode() + b"\0")
    for p in sorted(jars.glob("*.jar")) if jars.is_dir() else []:
        js = p.stat()
        h.update(f"{p.name}\0{js.st_size}\0{js.st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]


def _remove_orphans(folder: Path) -> None:
    """Archives whose Spark jars are gone (a deleted checkout's environment): ~190 MB each."""
    for side in folder.glob("spark-*.json"):
        try:
            jars = json.loads(side.read_text()).get("jars", "")
        except (OSError, ValueError):
            continue
        if jars and not os.path.isdir(jars):
            side.with_suffix(".jsa").unlink(missing_ok=True)
            side.unlink(missing_ok=True)


def _remove_stale(folder: Path) -> None:
    """Temporary archives of runs that are gone (killed before their JVM finished writing)."""
    now = time.time()
    for p in folder.glob("*.tmp-*.jsa"):
        try:
            pid = int(p.name.rsplit(".tmp-", 1)[1].removesuffix(".jsa"))
            if not pid_alive(pid) or now - p.stat().st_mtime > _STALE_S:
                p.unlink(missing_ok=True)
        except (ValueError, OSError):
            continue


def archive_path(setting: str) -> Path | None:
    """The archive for this JVM and Spark, whether or not it exists yet; None when off or no JVM."""
    folder = cache_dir(setting)
    key = archive_key() if folder is not None else None
    if folder is None or key is None:
        return None
    return folder / f"spark-{key}.jsa"


def java_options(setting: str) -> str:
    """`-XX:SharedArchiveFile=…` when an archive for this JVM and Spark exists, else ""."""
    path = archive_path(setting)
    if path is None or not path.is_file():
        return ""
    return f"-XX:SharedArchiveFile={path} -Xlog:cds=off,cds+dynamic=off"


def _warm_up(spark) -> None:
    """Touch what the stages use (Arrow UDFs, Parquet with zstd, joins, aggregations, explode, sort),
    so their classes are loaded when the JVM exits and writes the archive."""
    import tempfile

    import pyarrow as pa
    from pyspark.sql import functions as F

    def ident(batches):
        for b in batches:
            yield pa.RecordBatch.from_arrays([b.column(0), b.column(1)], names=["id", "k"])

    with tempfile.TemporaryDirectory(prefix="mdfs-jvm-warm-") as d:
        df = spark.range(2000).withColumn("k", (F.col("id") % 7).cast("string"))
        df = df.mapInArrow(ident, "id long, k string").persist()
        df.write.option("compression", "zstd").parquet(f"{d}/a")
        back = spark.read.parquet(f"{d}/a")
        m = back.select("id", F.create_map(F.col("k"), F.col("id")).alias("m"))
        m.select(F.explode("m")).groupBy("key").agg(F.sum("value")).collect()
        back.join(back.withColumnRenamed("k", "k2"), "id").groupBy("k").agg(F.count(F.lit(1)), F.min("k2")).collect()
        back.orderBy(F.col("id").desc()).limit(5).collect()
        back.rdd.map(lambda r: r[0]).sum()
        df.unpersist()


def create(setting: str, master: str = "local[2]") -> Path | None:
    """Make the archive now (a short Spark run whose JVM writes it on exit); returns it, or None.

    Must run in a process that has not started a JVM yet. One process at a time makes it (a lock
    file); a run that loses the race returns None and leaves the other's work alone.
    """
    import fcntl

    from pyspark import SparkContext

    from mdfs.config import load_config
    from mdfs.spark.session import get_spark

    final = archive_path(setting)
    if final is None:
        return None
    if final.is_file():
        return final
    if SparkContext._gateway is not None:
        raise RuntimeError("the JVM class cache must be made by a process without a running JVM")
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(final.parent)
    _remove_orphans(final.parent)
    with open(final.parent / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        tmp = final.parent / f"{final.stem}.tmp-{os.getpid()}.jsa"
        # The session every run uses (same JIT, memory and conf), plus the option that writes the archive.
        spark = get_spark(load_config(sets=[f"spark.jvm_class_cache={json.dumps(setting)}"]), master, extra={
            "spark.driver.extraJavaOptions": f"-XX:ArchiveClassesAtExit={tmp} -Xlog:cds=off,cds+dynamic=off",
        })
        spark.sparkContext.setLogLevel("ERROR")
        try:
            _warm_up(spark)
        finally:
            spark.stop()
        ok = _exit_jvm()
        if ok and tmp.is_file() and tmp.stat().st_size > 0:
            final.with_suffix(".json").write_text(json.dumps({"jars": str(spark_jars()), "java": java_binary()}))
            os.replace(tmp, final)
            return final
        tmp.unlink(missing_ok=True)
        return None


def _exit_jvm() -> bool:
    """Close the driver JVM this process launched and wait for it: it writes the archive as it exits."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    proc = getattr(gateway, "proc", None)
    if proc is None:
        return False
    try:
        gateway.shutdown()
    except Exception:  # noqa: BLE001 - the JVM may already be closing
        pass
    if proc.stdin:
        proc.stdin.close()  # PythonGatewayServer exits on EOF of its stdin
    try:
        return proc.wait(timeout=300) == 0
    except Exception:  # noqa: BLE001
        proc.kill()
        return False


def main(argv: list[str] | None = None) -> int:
    """`python -m mdfs.spark.jvmcache [folder]`: make the archive if missing and print where it is."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default="", help='archive folder ("" = ~/.cache/mdfs/jvm)')
    args = ap.parse_args(argv)
    path = archive_path(args.folder)
    if path is None:
        print("JVM class cache: off or no java found")
        return 0
    existed = path.is_file()
    t = time.time()
    made = create(args.folder)
    if made is None:
        print(f"JVM class cache: not made ({path}: another process is making it, or the JVM failed)")
        return 0
    print(f"JVM class cache: {made}" + ("" if existed else f" (made in {time.time() - t:.1f} s)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
