"""Full reindex throughput: the app's `reindex("opportunities")` vs a raw bulk of the same documents.

The raw baseline is the ceiling the app can reach on this machine: the very documents the app
would index, built and JSON-serialised beforehand, sent with `streaming_bulk` (same chunk size)
into a fresh index with the same mappings and settings (refresh off, no replicas, as the app's
rebuild does). Only the bulk, the settings reset and the final refresh are timed. The app's run
is timed end to end: reading the database in windows, building documents, bulk, alias swap.

    .venv/bin/python -m benchmarks.reindex --scale 10000 [--repeat N]
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks import common

INDEX = "opportunities"
Document = tuple[int, int, dict[str, Any]]


def documents_function() -> Callable[[], Iterator[Document]]:
    """`documents(index)` (current name) or `opportunity_documents()` (older name)."""
    from marketplace.indexing import services

    current = getattr(services, "documents", None)
    if current is not None:
        return lambda: current(INDEX)
    return services.opportunity_documents


def bulk_chunk_size() -> int:
    from search import elastic

    return int(getattr(elastic, "BULK_CHUNK", 500))


def time_app_reindex() -> tuple[int, float]:
    from marketplace.indexing.services import reindex

    started = time.perf_counter()
    count = reindex(INDEX)
    return count, time.perf_counter() - started


def materialise() -> tuple[list[Document], float]:
    """Read every searchable row and build its document, as the app does (timed for attribution)."""
    started = time.perf_counter()
    docs = list(documents_function()())
    return docs, time.perf_counter() - started


def serialise(docs: list[Document]) -> tuple[list[tuple[int, int, bytes]], float]:
    """The documents as the bytes the app's reindex sends (its own serialiser)."""
    from marketplace.indexing.builder_process import dumps

    started = time.perf_counter()
    ready = [(doc_id, version, dumps(doc)) for doc_id, version, doc in docs]
    return ready, time.perf_counter() - started


def time_raw_bulk(client: Any, ready: list[tuple[int, int, bytes]], chunk: int) -> tuple[int, float, float]:
    """(documents, bulk seconds, index-creation seconds) into a fresh `bench-` index, deleted afterwards.

    Creating the index is timed apart, for attribution: the baseline is the bulk, the settings
    reset and the refresh only.
    """
    from elasticsearch.helpers import streaming_bulk

    from search.indexes import INDEXES

    definition = INDEXES[INDEX]
    name = f"bench-rawbulk-{INDEX}-{time.time_ns()}"
    settings = {**definition["settings"], "refresh_interval": "-1", "number_of_replicas": 0}
    created = time.perf_counter()
    client.indices.create(index=name, settings=settings, mappings=definition["mappings"])
    create_s = time.perf_counter() - created
    try:
        actions = (
            {"_index": name, "_id": str(doc_id), "version": version, "version_type": "external", "_source": source}
            for doc_id, version, source in ready
        )
        started = time.perf_counter()
        count = sum(int(ok) for ok, _ in streaming_bulk(client, actions, chunk_size=chunk, raise_on_error=True))
        client.indices.put_settings(index=name, settings={"refresh_interval": None})
        client.indices.refresh(index=name)
        return count, time.perf_counter() - started, create_s
    finally:
        with contextlib.suppress(Exception):  # the node may be down; run.sh deletes leftovers
            client.indices.delete(index=name, ignore_unavailable=True)


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds else 0.0


def run(scale: int, repeat: int) -> dict[str, Any]:
    app = common.make_app()
    with app.app_context():
        backend = app.extensions["search"]
        common.wait_for_elasticsearch(backend.client)
        machine, counts = common.machine_info(app), common.opportunity_counts(app)
        probe = common.NoiseProbe()
        docs, build_s = materialise()
        ready, serialise_s = serialise(docs)
        del docs
        chunk = bulk_chunk_size()
        app_runs, raw_runs, interruptions = [], [], []
        # Interleaved so that both sides share whatever the neighbours are doing.
        for _ in range(repeat):
            app_runs.append(common.retrying(time_app_reindex, backend.client, interruptions))
            raw_runs.append(
                common.retrying(lambda: time_raw_bulk(backend.client, ready, chunk), backend.client, interruptions)
            )
        noise = probe.finish()
    app_rates = [rate(c, s) for c, s in app_runs]
    raw_rates = [rate(c, s) for c, s, _ in raw_runs]
    app_rate, raw_rate = statistics.median(app_rates), statistics.median(raw_rates)
    ratio = round(app_rate / raw_rate, 3) if raw_rate else 0.0
    return {
        "machine": machine,
        "dataset": counts,
        "documents": len(ready),
        "bulk_chunk_size": chunk,
        "repeat": repeat,
        "app_reindex": {
            "docs_per_s_median": app_rate,
            "runs": [{"docs": c, "seconds": round(s, 3)} for c, s in app_runs],
        },
        "raw_streaming_bulk": {
            "docs_per_s_median": raw_rate,
            "runs": [{"docs": c, "seconds": round(s, 3), "index_create_seconds": round(k, 3)} for c, s, k in raw_runs],
        },
        "ratio_app_to_raw": ratio,
        "target": {"ratio_at_least": 0.8, "met": ratio >= 0.8},
        "attribution": {
            "db_read_and_build_seconds": round(build_s, 3),
            "db_read_and_build_docs_per_s": rate(len(ready), build_s),
            "json_serialise_seconds": round(serialise_s, 3),
            "index_create_seconds_median": round(statistics.median(k for _, _, k in raw_runs), 3),
            "note": "the app's run also creates its index, swaps the alias and deletes the old index",
        },
        "noise": {**noise, "elasticsearch_interruptions": interruptions},
    }


def main() -> None:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=None, help="interleaved runs (default: 5, or 2 above 20k)")
    args = parser.parse_args()
    repeat = args.repeat or (5 if args.scale <= 20_000 else 2)
    result = run(args.scale, repeat)
    path = common.write_result("reindex", args.scale, result)
    print(f"reindex @ {args.scale}: {result['documents']} documents")
    print(f"  app reindex        {result['app_reindex']['docs_per_s_median']:>10.1f} docs/s")
    print(f"  raw streaming_bulk {result['raw_streaming_bulk']['docs_per_s_median']:>10.1f} docs/s")
    print(f"  ratio {result['ratio_app_to_raw']:.2f} (target >= 0.8: {common.verdict(result['target']['met'])})")
    print(f"  db read + build alone: {result['attribution']['db_read_and_build_docs_per_s']:.1f} docs/s")
    print(f"  -> {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
