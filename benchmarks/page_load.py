"""The public search page (or the JSON API) end to end: gunicorn (2 sync workers) under wrk, walking the search mix.

Every request goes through the whole stack: parameter validation, the comuni list from PostgreSQL,
the Elasticsearch query, Jinja rendering (or JSON). wrk runs for a bounded time against 127.0.0.1
only; gunicorn is always stopped afterwards, even on error or SIGTERM. With `--target api` the same
searches go to `GET /api/v1/opportunities` (rate limiting off, as a load test from one address
would otherwise measure the limiter) and the result is written as `api_load-<scale>.json`.

    .venv/bin/python -m benchmarks.page_load --scale 10000 [--duration 20] [--connections 8] [--target api]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks import common
from benchmarks.query_mix import DEFAULT_SEED, DEFAULT_SIZE, build_mix, load_places

LUA = common.ROOT / "benchmarks" / "wrk_paths.lua"


def fetch(url: str, timeout: float = 30.0) -> tuple[int, float]:
    """(HTTP status, seconds) of one GET."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def wait_until_serving(base: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if fetch(base + "/opportunita/", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError("gunicorn did not answer in time")


def sequential_pass(base: str, paths: list[str]) -> dict[str, Any]:
    """Every page of the mix once, one at a time: warms the workers and checks statuses."""
    statuses: dict[str, int] = {}
    timings, failures = [], []
    for path in paths:
        status, seconds = fetch(base + path)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        timings.append(seconds)
        if status != 200:
            failures.append({"status": status, "path": path})
    return {"statuses": statuses, "latency_ms": common.summary_ms(timings), "non_200": failures[:10]}


def run_wrk(base: str, paths_file: Path, duration: int, connections: int, threads: int) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base,
        "--",
        str(paths_file),
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True)
    line = next(line for line in out.stdout.splitlines() if line.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    latency = {key: round(value / 1000, 2) for key, value in raw["latency_us"].items()}
    return {
        "command": " ".join(command),
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "requests_per_s": round(raw["requests"] / seconds, 2),
        "latency_ms": latency,
        "errors": raw["errors"],
    }


PAGE_PREFIX, API_PREFIX = "/opportunita/", "/api/v1/opportunities"


def dataset_facts(target: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    app = common.make_app()
    with app.app_context():
        common.wait_for_elasticsearch(app.extensions["search"].client)
        machine, counts = common.machine_info(app), common.opportunity_counts(app)
        paths = [spec.to_path() for spec in build_mix(load_places(), DEFAULT_SIZE, DEFAULT_SEED)]
    if target == "api":
        paths = [API_PREFIX + path.removeprefix(PAGE_PREFIX) for path in paths]
    return machine, counts, paths


def run(scale: int, duration: int, connections: int, workers: int, target: str = "page") -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if target == "api":
        os.environ["RATELIMIT_ENABLED"] = "0"
    machine, counts, paths = dataset_facts(target)
    workdir = Path(tempfile.mkdtemp(prefix="bench-page-load-"))
    paths_file = workdir / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = [
        str(common.VENV_BIN / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "marketplace:create_app()",
    ]
    try:
        with common.background(gunicorn, workdir / "gunicorn.log") as server:
            wait_until_serving(base, server)
            warmup = sequential_pass(base, paths)
            probe = common.NoiseProbe()
            load = run_wrk(base, paths_file, duration, connections, threads=min(2, connections))
            noise = probe.finish()
    except BaseException:
        print(f"gunicorn log kept in {workdir / 'gunicorn.log'}", file=sys.stderr)
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "machine": machine,
        "dataset": counts,
        "server": {"gunicorn_workers": workers, "worker_class": "sync", "command": " ".join(gunicorn[1:])},
        "target": target,
        "mix": {"distinct_urls": len(set(paths)), "urls": len(paths), "seed": DEFAULT_SEED},
        "sequential_warmup": warmup,
        "load": {"duration_s": duration, "connections": connections, **load},
        "noise": noise,
    }


def main() -> None:
    common.exit_on_sigterm()
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--target", choices=("page", "api"), default="page")
    args = parser.parse_args()
    result = run(args.scale, args.duration, args.connections, args.workers, args.target)
    name = "page_load" if args.target == "page" else "api_load"
    path = common.write_result(name, args.scale, result)
    load, lat = result["load"], result["load"]["latency_ms"]
    print(f"{name} @ {args.scale}: {load['requests']} requests in {load['seconds']} s, {args.connections} conns")
    print(f"  {load['requests_per_s']} req/s; latency p50 {lat['p50']} p90 {lat['p90']} p99 {lat['p99']} ms")
    print(f"  errors {load['errors']}; warm-up statuses {result['sequential_warmup']['statuses']}")
    print(f"  -> {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
