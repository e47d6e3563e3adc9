"""Shared helpers: the isolated environment, machine facts, percentiles, result files."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
VENV_BIN = ROOT / ".venv" / "bin"

# The benchmarks never touch the app's or the tests' data: own database, index prefix, Redis db.
BENCH_DATABASE = "opportunita_bench"
BENCH_ENV = {
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "SEARCH_INDEX_PREFIX": "bench-opportunita",
    "SECRET_KEY": "bench",
    "FLASK_APP": "marketplace",
}


def _services_env() -> dict[str, str]:
    """The `export K=V` lines of scripts/services.sh env, as a dict."""
    out = subprocess.run([str(ROOT / "scripts" / "services.sh"), "env"], capture_output=True, text=True, check=True)
    found: dict[str, str] = {}
    for line in out.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            key, value = line.removeprefix("export ").split("=", 1)
            found[key] = value.strip("'\"")
    return found


def apply_bench_env() -> dict[str, str]:
    """Point this process (and its children) at the benchmark database, indexes and Redis db."""
    if not (os.environ.get("DATABASE_URL") and os.environ.get("ELASTICSEARCH_URL")):
        for key, value in _services_env().items():
            os.environ.setdefault(key, value)
    base = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + BENCH_DATABASE
    os.environ.update(BENCH_ENV)
    os.environ.pop("TEST_DATABASE_URL", None)
    return dict(os.environ)


def make_app() -> Any:
    apply_bench_env()
    from marketplace import create_app

    return create_app()


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--scale", type=int, default=10_000, help="dataset scale (demo seed --scale), for the file name"
    )
    return parser


# -- child processes -----------------------------------------------------------


def exit_on_sigterm() -> None:
    """Turn SIGTERM (e.g. from `timeout`) into SystemExit so `finally` blocks stop our children."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process_group(process: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM the group we started (warm shutdown), SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def background(command: list[str], log_path: Path) -> Iterator[subprocess.Popen]:
    """Run `command` in its own process group with this process's (bench) environment; always stop it."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop_process_group(process)


# -- services ------------------------------------------------------------------


def wait_for_elasticsearch(client: Any, timeout: float = 120.0) -> None:
    """Other sessions may restart the shared node; wait for it rather than fail a long run."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if client.cluster.health(wait_for_status="yellow", timeout="5s")["status"] in {"green", "yellow"}:
                return
        except Exception:  # connection refused while the node restarts
            if time.monotonic() > deadline:
                raise
        time.sleep(1)


def retrying(call: Callable[[], T], client: Any, interruptions: list[str], attempts: int = 4) -> T:
    """Run `call`; if Elasticsearch went away (another session's fault tests stop it), wait and redo it."""
    from elastic_transport import ConnectionError as TransportConnectionError
    from elastic_transport import ConnectionTimeout

    for _ in range(attempts - 1):
        try:
            return call()
        except (TransportConnectionError, ConnectionTimeout) as error:
            interruptions.append(f"{time.strftime('%H:%M:%S')} {type(error).__name__}")
            wait_for_elasticsearch(client, timeout=300)
    return call()


def opportunity_counts(app: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.opportunities.models import Opportunity

    backend = app.extensions["search"]
    total = db.session.scalar(select(func.count()).select_from(Opportunity)) or 0
    indexed = backend.client.count(index=backend.alias("opportunities"))["count"]
    return {"opportunities_in_db": total, "opportunities_indexed": indexed}


# -- machine and noise ---------------------------------------------------------


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def busy_neighbours() -> int:
    """How many pytest processes of other sessions run right now (a noise indicator)."""
    count = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"pytest" in cmdline.read_bytes():
                count += 1
        except OSError:
            continue
    return count


def _git_revision() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "marketplace", "search", "jobs"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out.stdout.strip() + ("+dirty" if dirty else "")


def machine_info(app: Any) -> dict[str, Any]:
    from sqlalchemy import text

    from marketplace.extensions import db

    client = app.extensions["search"].client
    nodes = client.nodes.info(node_id="_local", metric="jvm")["nodes"]
    node = next(iter(nodes.values()))
    return {
        "nproc": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "cpu_model": _cpu_model(),
        "elasticsearch": node["version"],
        "elasticsearch_heap_mib": node["jvm"]["mem"]["heap_max_in_bytes"] // 2**20,
        "postgresql": db.session.scalar(text("SHOW server_version")),
        "python": platform.python_version(),
        "git": _git_revision(),
    }


class NoiseProbe:
    """Load average and neighbour activity at the start and end of a measurement."""

    def __init__(self) -> None:
        self.start = {"loadavg": load_average(), "pytest_processes": busy_neighbours()}

    def finish(self) -> dict[str, Any]:
        end = {"loadavg": load_average(), "pytest_processes": busy_neighbours()}
        return {
            "start": self.start,
            "end": end,
            "note": "shared 2-core machine: other sessions' test suites, PostgreSQL and Elasticsearch run "
            "alongside; a load average above nproc means the numbers are pessimistic",
        }


# -- statistics and results ----------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(samples_s: Iterable[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max in milliseconds from samples in seconds."""
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 2),
        "p95": round(percentile(ms, 95), 2),
        "p99": round(percentile(ms, 99), 2),
        "mean": round(statistics.fmean(ms), 2),
        "max": round(max(ms), 2),
    }


def write_result(name: str, scale: int, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{scale}.json"
    document = {
        "benchmark": name,
        "scale": scale,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", f"benchmarks.{name}", *sys.argv[1:]]),
        **payload,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"
