"""A real Spark standalone cluster on this machine: one master, N workers, loopback only.

Started from the installed pyspark's own classes (`spark-class org.apache.spark.deploy.master.Master`
/ `...worker.Worker`; the pip wheel ships no sbin/start-*.sh), with free ports chosen at start, so
CI jobs and parallel test runs never collide. Everything it writes (logs, pids, worker dirs, the
state file) lives under one folder, `build/cluster` by default:

    python -m mdfs.cluster up [--dir build/cluster] [--workers 2] [--cores 1] [--memory 1g]
    python -m mdfs.cluster status [--dir …]     # master URL, alive workers; exit 1 when down
    python -m mdfs.cluster down [--dir …]       # kills master, workers and their executors by pid

`make cluster-up` / `make cluster-down` call these; the cluster tests use `start` / `stop`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_DIR = "build/cluster"
STATE = "cluster.json"


@dataclass
class Cluster:
    dir: str
    master_url: str
    master_ui: str
    master_pid: int
    worker_pids: list[int] = field(default_factory=list)
    workers: int = 0
    cores: int = 1
    memory: str = "1g"

    def save(self) -> None:
        Path(self.dir, STATE).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, d: str | Path) -> Cluster | None:
        p = Path(d, STATE)
        return cls(**json.loads(p.read_text())) if p.is_file() else None

    def alive_workers(self) -> int:
        """Workers the master reports ALIVE (its web UI's /json), 0 when the master does not answer."""
        try:
            with urllib.request.urlopen(self.master_ui + "/json/", timeout=2) as r:
                info = json.load(r)
        except (OSError, ValueError):
            return 0
        return sum(1 for w in info.get("workers", []) if w.get("state") == "ALIVE")

    def executor_pids(self) -> list[int]:
        """Executor JVMs (CoarseGrainedExecutorBackend) launched by this cluster's workers."""
        workers = set(self.worker_pids)
        return [pid for pid, ppid, args in _processes() if ppid in workers and "CoarseGrainedExecutorBackend" in args]


def _processes() -> list[tuple[int, int, str]]:
    out = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
            args = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.append((int(p.name), ppid, args))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _spark_class() -> str:
    """The spark-class script of the pyspark installed next to this interpreter."""
    cand = Path(sys.executable).parent / "spark-class"
    if cand.is_file():
        return str(cand)
    import pyspark

    return str(Path(pyspark.__file__).parent / "bin" / "spark-class")


def cluster_env(d: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_LOCAL_IP=HOST,
        SPARK_LOG_DIR=str(d / "logs"),
        SPARK_PID_DIR=str(d / "pids"),
        SPARK_WORKER_DIR=str(d / "work"),
        PYSPARK_PYTHON=env.get("PYSPARK_PYTHON", sys.executable),
        # Small daemons; executors get their memory from spark.executor.memory (default 1g).
        SPARK_DAEMON_MEMORY=env.get("SPARK_DAEMON_MEMORY", "256m"),
    )
    env.pop("PYSPARK_GATEWAY_PORT", None)
    return env


def _launch(d: Path, name: str, args: list[str], env: dict[str, str]) -> int:
    with open(d / "logs" / f"{name}.out", "ab") as log:
        p = subprocess.Popen(
            [_spark_class(), *args], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True,  # its own process group: `down` kills it with its executors
        )
    (d / "pids" / f"{name}.pid").write_text(f"{p.pid}\n")
    return p.pid


def _wait(cond, timeout: float, what: str, d: Path) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.3)
    raise RuntimeError(f"cluster: {what} not ready after {timeout:.0f}s; logs in {d / 'logs'}")


def start(d: str | Path = DEFAULT_DIR, workers: int = 2, cores: int = 1, memory: str = "1g", timeout: float = 90) -> Cluster:
    """Start a master and `workers` workers bound to 127.0.0.1 and wait until all are registered."""
    d = Path(d).resolve()
    old = Cluster.load(d)
    if old is not None and pid_alive(old.master_pid):
        raise RuntimeError(f"cluster: already up at {old.master_url} (state in {d}); stop it first")
    for sub in ("logs", "pids", "work"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    env = cluster_env(d)
    port, ui = free_port(), free_port()
    c = Cluster(str(d), f"spark://{HOST}:{port}", f"http://{HOST}:{ui}", 0, [], workers, cores, memory)
    try:
        c.master_pid = _launch(d, "master", ["org.apache.spark.deploy.master.Master",
                                             "--host", HOST, "--port", str(port), "--webui-port", str(ui)], env)
        c.save()
        _wait(lambda: _listening(port) and c.alive_workers() == 0 and _answers(c.master_ui), timeout, "master", d)
        for i in range(workers):
            c.worker_pids.append(_launch(d, f"worker-{i + 1}", [
                "org.apache.spark.deploy.worker.Worker", "--host", HOST, "--port", str(free_port()),
                "--webui-port", str(free_port()), "--cores", str(cores), "--memory", memory,
                "--work-dir", str(d / "work" / f"worker-{i + 1}"), c.master_url,
            ], env))
            c.save()
        _wait(lambda: c.alive_workers() == workers, timeout, f"{workers} workers", d)
    except BaseException:
        stop(d)
        raise
    return c


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/json/", timeout=2):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, exited but not reaped, does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not alive
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # each daemon leads its own group (start_new_session)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def stop(d: str | Path = DEFAULT_DIR, timeout: float = 15) -> bool:
    """Stop workers (and their executors) then the master, by the pids recorded in `d`. True if any was running."""
    d = Path(d).resolve()
    pids: list[int] = []
    for p in sorted((d / "pids").glob("worker-*.pid")) + [d / "pids" / "master.pid"]:
        try:
            pids.append(int(p.read_text().strip()))
        except (OSError, ValueError):
            pass
    running = [p for p in pids if pid_alive(p)]
    for p in running:
        _kill_group(p, signal.SIGTERM)
    end = time.time() + timeout
    while time.time() < end and any(pid_alive(p) for p in running):
        time.sleep(0.2)
    for p in pids:  # the group too: executors and Python workers left behind by a worker
        _kill_group(p, signal.SIGKILL)
    for p in (d / "pids").glob("*.pid"):
        p.unlink(missing_ok=True)
    Path(d, STATE).unlink(missing_ok=True)
    return bool(running)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mdfs.cluster", description=__doc__.split("\n\n")[0])
    ap.add_argument("cmd", choices=["up", "down", "status"])
    ap.add_argument("--dir", default=os.environ.get("MDFS_CLUSTER_DIR", DEFAULT_DIR), help="state, logs, pids, worker dirs")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cores", type=int, default=1, help="cores per worker")
    ap.add_argument("--memory", default="1g", help="memory per worker (executors use spark.executor.memory, 1g)")
    a = ap.parse_args(argv)
    if a.cmd == "up":
        c = start(a.dir, a.workers, a.cores, a.memory)
        Path(a.dir, "master").write_text(c.master_url + "\n")
        print(f"master: {c.master_url}  (web UI {c.master_ui}; {c.workers} workers x {c.cores} core, {c.memory})")
        print(f"run:    make all IN=<crawl> OUT=<run dir> MASTER={c.master_url}")
        print(f"stop:   make cluster-down   (logs in {Path(a.dir, 'logs')})")
        return 0
    if a.cmd == "down":
        was = stop(a.dir)
        Path(a.dir, "master").unlink(missing_ok=True)
        print("cluster stopped" if was else "no cluster was running")
        return 0
    c = Cluster.load(a.dir)
    if c is None or not pid_alive(c.master_pid):
        print("cluster: down")
        return 1
    print(f"master: {c.master_url}  web UI {c.master_ui}  alive workers {c.alive_workers()}/{c.workers}  "
          f"executors {len(c.executor_pids())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
