"""Search latency: the query layer vs the same request body sent raw.

For every search of the fixed mix (benchmarks/query_mix.py), two timings:
- layer: `backend.search_opportunities(query)` — builds the body, calls Elasticsearch,
  parses hits and facets into a `SearchResult`;
- raw: `client.search(index=alias, **body)` with the body built beforehand — no building,
  no parsing (the client still decodes the JSON response).
The two are interleaved (random order per search) so that they share the machine's noise.

    .venv/bin/python -m benchmarks.search_latency --scale 10000 [--rounds 3]
"""

from __future__ import annotations

import random
import time
from typing import Any

from benchmarks import common
from benchmarks.query_mix import DEFAULT_SEED, DEFAULT_SIZE, QuerySpec, build_mix, load_places

RATIO_TARGET = 1.3
P95_TARGET_MS = 50.0


def time_layer(backend: Any, query: Any) -> tuple[float, int]:
    started = time.perf_counter()
    result = backend.search_opportunities(query)
    return time.perf_counter() - started, result.total


def time_raw(client: Any, alias: str, body: dict[str, Any]) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.search(index=alias, **body)
    return time.perf_counter() - started, int(response["took"])


def prepare(specs: list[QuerySpec], places: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
    from search.elastic_queries import opportunity_search_body

    queries = [spec.to_query(places) for spec in specs]
    return [(query, opportunity_search_body(query)) for query in queries]


def time_pair(backend: Any, query: Any, body: dict[str, Any], layer_first: bool) -> tuple[float, float, int, int]:
    """(layer s, raw s, ES took ms, total hits), in the given order."""
    client, alias = backend.client, backend.alias("opportunities")
    if layer_first:
        layer, total = time_layer(backend, query)
    raw, took = time_raw(client, alias, body)
    if not layer_first:
        layer, total = time_layer(backend, query)
    return layer, raw, took, total


def measure(
    backend: Any,
    prepared: list[tuple[Any, dict[str, Any]]],
    rounds: int,
    seed: int,
    interruptions: list[str],
    budget_s: float = float("inf"),
) -> dict[str, list]:
    """Both timings for every search, up to `rounds` times over the mix (whole rounds within the budget)."""
    rng = random.Random(seed)
    samples: dict[str, list] = {"layer": [], "raw": [], "took_ms": [], "totals": []}
    started = time.monotonic()
    for done in range(rounds):
        if done and time.monotonic() - started > budget_s * done / (done + 1):
            break  # another round would likely overrun the budget
        for query, body in prepared:
            layer_first = rng.random() < 0.5
            pair = common.retrying(
                lambda q=query, b=body, f=layer_first: time_pair(backend, q, b, f), backend.client, interruptions
            )
            for key, value in zip(("layer", "raw", "took_ms", "totals"), pair, strict=True):
                samples[key].append(value)
    return samples


def build_cost(prepared: list[tuple[Any, dict[str, Any]]]) -> float:
    """Mean seconds to build one request body (pure Python part of the layer)."""
    from search.elastic_queries import opportunity_search_body

    started = time.perf_counter()
    for query, _ in prepared:
        opportunity_search_body(query)
    return (time.perf_counter() - started) / len(prepared)


def slowest(specs: list[QuerySpec], samples: list[float], count: int = 5) -> list[dict[str, Any]]:
    per_spec = [(samples[i], specs[i % len(specs)]) for i in range(len(samples))]
    per_spec.sort(key=lambda pair: pair[0], reverse=True)
    return [{"ms": round(s * 1000, 1), "path": spec.to_path()} for s, spec in per_spec[:count]]


def run(scale: int, rounds: int, size: int, seed: int, budget_s: float) -> dict[str, Any]:
    app = common.make_app()
    with app.app_context():
        backend = app.extensions["search"]
        common.wait_for_elasticsearch(backend.client)
        machine, counts = common.machine_info(app), common.opportunity_counts(app)
        places = load_places()
        specs = build_mix(places, size, seed)
        prepared = prepare(specs, {p.code: p for p in places})
        interruptions: list[str] = []
        measure(backend, prepared, 1, seed, interruptions)  # warm-up: caches, JIT, connection pool
        probe = common.NoiseProbe()
        samples = measure(backend, prepared, rounds, seed + 1, interruptions, budget_s)
        noise = probe.finish()
        build_s = build_cost(prepared)
    layer, raw = common.summary_ms(samples["layer"]), common.summary_ms(samples["raw"])
    ratio_p50 = round(layer["p50"] / raw["p50"], 3)
    ratio_p95 = round(layer["p95"] / raw["p95"], 3)
    totals = samples["totals"][: len(specs)]
    return {
        "machine": machine,
        "dataset": counts,
        "mix": {
            "searches": len(specs),
            "seed": seed,
            "rounds": len(samples["layer"]) // len(specs),
            "with_text": sum(1 for s in specs if s.text),
            "near": sum(1 for s in specs if s.km),
            "zero_hits": sum(1 for t in totals if t == 0),
            "median_total_hits": sorted(totals)[len(totals) // 2],
        },
        "layer_ms": layer,
        "raw_ms": raw,
        "elasticsearch_took_ms": common.summary_ms([t / 1000 for t in samples["took_ms"]]),
        "body_build_ms_mean": round(build_s * 1000, 3),
        "ratio_layer_to_raw": {"p50": ratio_p50, "p95": ratio_p95},
        "targets": {
            "layer_at_most_1_3x_raw": {"met": ratio_p50 <= RATIO_TARGET and ratio_p95 <= RATIO_TARGET},
            "layer_p95_under_50ms": {"met": layer["p95"] < P95_TARGET_MS, "applies_at_scale": 100_000},
        },
        "slowest_layer": slowest(specs, samples["layer"]),
        "noise": {**noise, "elasticsearch_interruptions": interruptions},
    }


def main() -> None:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the mix")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="searches in the mix")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--budget", type=float, default=360.0, help="seconds for the timed rounds (whole rounds)")
    args = parser.parse_args()
    result = run(args.scale, args.rounds, args.size, args.seed, args.budget)
    path = common.write_result("search_latency", args.scale, result)
    layer, raw, ratio = result["layer_ms"], result["raw_ms"], result["ratio_layer_to_raw"]
    print(f"search_latency @ {args.scale}: {result['mix']['searches']} searches × {result['mix']['rounds']} rounds")
    print(f"  layer  p50 {layer['p50']:7.2f}  p95 {layer['p95']:7.2f}  p99 {layer['p99']:7.2f} ms")
    print(f"  raw    p50 {raw['p50']:7.2f}  p95 {raw['p95']:7.2f}  p99 {raw['p99']:7.2f} ms")
    print(
        f"  ES took p50 {result['elasticsearch_took_ms']['p50']:.1f} ms; body build {result['body_build_ms_mean']} ms"
    )
    met = result["targets"]
    print(
        f"  ratio p50 {ratio['p50']:.2f} p95 {ratio['p95']:.2f} "
        f"(≤ {RATIO_TARGET}×: {common.verdict(met['layer_at_most_1_3x_raw']['met'])}); "
        f"p95 < {P95_TARGET_MS:.0f} ms: {common.verdict(met['layer_p95_under_50ms']['met'])}"
    )
    print(f"  -> {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
