"""The driver JVM mdfs launches: its class-data-sharing archive (made by a real Spark run, mapped by the
next driver) and its JIT setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mdfs.spark import jvmcache

REPO = Path(__file__).resolve().parents[2]

# Starts a driver JVM through get_spark with the archive folder given, runs one job, and says which
# archive files the JVM has mapped (CDS archives are mmapped: /proc/<pid>/maps names them).
_PROBE = r"""
import json, sys
from mdfs.config import load_config
from mdfs.spark.session import get_spark
from pyspark import SparkContext
cfg = load_config(sets=[f"spark.jvm_class_cache={json.dumps(sys.argv[1])}", f"spark.driver_jit={json.dumps(sys.argv[2])}",
                        'spark.driver_memory="1g"'])
spark = get_spark(cfg, "local[1]")
n = spark.range(10).count()
pid = SparkContext._gateway.proc.pid
maps = open(f"/proc/{pid}/maps").read()
mapped = sorted({line.split()[-1] for line in maps.splitlines() if line.endswith(".jsa")})
args = open(f"/proc/{pid}/cmdline").read().split("\0")
print(json.dumps({"n": n, "mapped": mapped, "jvm_args": args}))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYSPARK_GATEWAY_PORT", None)
    env.setdefault("PYSPARK_PYTHON", sys.executable)
    return env


def _probe(folder: str, jit: str = "") -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, folder, jit], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_cache_dir_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert jvmcache.cache_dir("") == tmp_path / "mdfs" / "jvm"
    assert jvmcache.cache_dir("off") is None
    assert jvmcache.cache_dir(str(tmp_path / "x")) == tmp_path / "x"
    assert jvmcache.java_options("off") == ""
    # No archive yet: no option, so the JVM starts as it always did.
    assert jvmcache.java_options(str(tmp_path / "x")) == ""


def test_archive_key_follows_the_jvm(monkeypatch, tmp_path):
    key = jvmcache.archive_key()
    assert key and key == jvmcache.archive_key()
    fake = tmp_path / "jdk" / "bin" / "java"
    fake.parent.mkdir(parents=True)
    fake.write_bytes(b"#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    assert jvmcache.archive_key() not in (None, key)


def test_archive_key_follows_the_spark_jars(monkeypatch, tmp_path):
    """Another checkout's environment (same Spark version, other path) gets its own archive: the JVM
    would silently reject one dumped with a different classpath."""
    key = jvmcache.archive_key()
    real = jvmcache.spark_jars()
    home = tmp_path / "spark"
    (home / "jars").mkdir(parents=True)
    for p in sorted(real.glob("*.jar"))[:3]:
        (home / "jars" / p.name).write_bytes(p.read_bytes())
    monkeypatch.setenv("SPARK_HOME", str(home))
    assert jvmcache.spark_jars() == (home / "jars").resolve()
    other = jvmcache.archive_key()
    assert other not in (None, key)
    jar = next((home / "jars").glob("*.jar"))
    os.utime(jar, ns=(jar.stat().st_atime_ns, jar.stat().st_mtime_ns + 10**9))  # a reinstalled jar
    assert jvmcache.archive_key() not in (None, key, other)


def test_archives_of_deleted_environments_are_removed(tmp_path):
    gone, kept = tmp_path / "spark-aaaa.jsa", tmp_path / "spark-bbbb.jsa"
    for p, jars in ((gone, tmp_path / "deleted" / "jars"), (kept, tmp_path)):
        p.write_bytes(b"x")
        p.with_suffix(".json").write_text(json.dumps({"jars": str(jars)}))
    jvmcache._remove_orphans(tmp_path)
    assert not gone.exists() and not gone.with_suffix(".json").exists()
    assert kept.exists() and kept.with_suffix(".json").exists()


def test_stale_temporary_archives_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / f"spark-k.tmp-{dead.pid}.jsa"
    mine = tmp_path / f"spark-k.tmp-{os.getpid()}.jsa"
    old_alive = tmp_path / f"spark-k.tmp-{os.getppid()}.jsa"
    for p in (gone, mine, old_alive):
        p.write_bytes(b"x")
    past = time.time() - 2 * 3600
    os.utime(old_alive, (past, past))
    jvmcache._remove_stale(tmp_path)
    assert not gone.exists() and not old_alive.exists()
    assert mine.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/maps")
def test_archive_is_made_then_mapped_by_the_next_driver():
    """The machine's own archive (made by `make setup`; made here if this machine has none yet, ~1 min once)."""
    final = jvmcache.archive_path("")
    assert final is not None and final.name == f"spark-{jvmcache.archive_key()}.jsa"
    if not final.is_file():
        made = subprocess.run(
            [sys.executable, "-m", "mdfs.spark.jvmcache"], cwd=REPO, env=_env(),
            capture_output=True, text=True, timeout=600,
        )
        assert made.returncode == 0, made.stderr[-3000:]
    assert final.is_file() and final.stat().st_size > 10 << 20
    assert json.loads(final.with_suffix(".json").read_text())["jars"] == str(jvmcache.spark_jars())
    assert not list(final.parent.glob(f"{final.stem}.tmp-*"))
    after = _probe("", "c1")
    assert after["n"] == 10
    assert str(final) in after["mapped"]
    assert "-XX:TieredStopAtLevel=1" in after["jvm_args"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/maps")
def test_a_corrupt_archive_is_ignored_not_fatal(tmp_path):
    folder = tmp_path / "jvm"
    folder.mkdir()
    bad = folder / f"spark-{jvmcache.archive_key()}.jsa"
    bad.write_bytes(b"not an archive" * 1000)
    assert jvmcache.java_options(str(folder)).startswith(f"-XX:SharedArchiveFile={bad}")
    probe = _probe(str(folder), "tiered")
    assert probe["n"] == 10
    assert str(bad) not in probe["mapped"]
    assert "-XX:TieredStopAtLevel=1" not in probe["jvm_args"]


def test_jit_setting(monkeypatch):
    from mdfs.spark.session import jit_options

    assert jit_options("c1", "spark://h:7077") == "-XX:TieredStopAtLevel=1"
    assert jit_options("tiered", "local[2]") == ""
    assert jit_options("", "spark://h:7077") == ""  # the driver only plans: the JVM's default
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert jit_options("", "local[*]") == "-XX:TieredStopAtLevel=1"
    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    assert jit_options("", "local[2]") == ""
    with pytest.raises(ValueError):
        jit_options("c2", "local[2]")
