"""The company-database list at 50k organisations: list queries through the query layer, the page, the export.

Dataset: the demo seeder with 50,000 organisations (sites, contacts, inclusion profiles,
agreements, last contacts) and a small rest (2,000 opportunities), then a full reindex of
the organisations index. Measured:

- list queries through the query layer (`backend.search_organizations(query)`) on
  Elasticsearch, by category: plain list, text, each filter, combined filters, distance,
  other sorts, deep pages; one untimed warm-up pass, then `--rounds` timed passes;
- the ids of a whole list as the export asks for them (`search_organization_ids`);
- the list page and the CSV/XLSX exports end to end through the Flask test client, signed
  in as the demo operator (form validation, comuni and sectors from PostgreSQL, the search,
  Jinja; for exports, rows read from PostgreSQL in windows and the file written);
- the whole list asked for as a background export (the POST) and written by its job, run
  in-process here: the time to ask, and the time until the file is ready (progress included).

Isolation: its own database `opportunita_bench_orgs` (created if missing; schema rebuilt when
preparing), index prefix bench-orgs, Redis db 11. No worker runs.

    .venv/bin/python -m benchmarks.organization_list [--organizations 50000] [--rounds 5] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections import defaultdict
from datetime import date
from typing import Any

from benchmarks import common

DATABASE = "opportunita_bench_orgs"
REDIS_URL = "redis://127.0.0.1:6379/11"
INDEX_PREFIX = "bench-orgs"
P95_TARGET_MS = 100.0  # a list answer that feels instant, Elasticsearch and parsing included
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def apply_env() -> None:
    common.apply_bench_env()
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{DATABASE}"
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["SEARCH_INDEX_PREFIX"] = INDEX_PREFIX


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            conn.execute(f"CREATE DATABASE {DATABASE}")


def prepare(organizations: int) -> dict[str, Any]:
    """Rebuild the schema, seed, reindex the organisations; returns how long each step took."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from marketplace.demo import seed_demo
    from marketplace.extensions import db
    from marketplace.indexing import services as indexing
    from marketplace.territory.services import load_all

    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade()
    load_all()
    db.session.commit()
    started = time.perf_counter()
    summary = seed_demo(db.session, scale=2000, seed=2026, organization_count=organizations)
    db.session.commit()
    seeded = time.perf_counter() - started
    backend = indexing.backend()
    backend.drop_indexes()
    started = time.perf_counter()
    count = indexing.reindex("organizations")
    reindexed = time.perf_counter() - started
    return {
        "seed_s": round(seeded, 1),
        "seed_counts": summary.counts,
        "reindex_organizations_s": round(reindexed, 1),
        "reindex_docs_per_s": round(count / reindexed),
    }


def previous_preparation(organizations: int) -> dict[str, Any] | None:
    """With --reuse, the seeding and reindex times of the run that prepared the dataset."""
    import json

    path = common.RESULTS / f"organization_list-{organizations}.json"
    if not path.exists():
        return None
    previous = json.loads(path.read_text()).get("preparation")
    return {**previous, "measured": "by an earlier run (--reuse)"} if previous else None


# -- the query mix ------------------------------------------------------------------------


def _facts() -> dict[str, Any]:
    """Real values from the dataset for the mix: a P.IVA, comuni, words of names."""
    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.organizations.models import Organization
    from marketplace.territory.models import Municipality

    vat = db.session.scalar(select(Organization.vat_number).where(Organization.vat_number.is_not(None)).limit(1))
    comuni = db.session.execute(
        select(Municipality.istat_code, Municipality.latitude, Municipality.longitude)
        .join(Organization, Organization.municipality_code == Municipality.istat_code)
        .group_by(Municipality.istat_code)
        .order_by(func.count().desc())
        .limit(6)
    ).all()
    return {"vat": vat, "comuni": comuni}


def query_mix(facts: dict[str, Any], today: date) -> list[tuple[str, str, Any]]:
    """(category, label, OrganizationQuery) for every measured list query."""
    from search.queries import GeoFilter, OrganizationQuery

    def q(**fields: Any) -> Any:
        return OrganizationQuery(today=today, **fields)

    comuni = facts["comuni"]
    near = [GeoFilter(lat, lon, km) for (_code, lat, lon), km in zip(comuni, (5, 10, 20, 8, 15, 30), strict=True)]
    mix: list[tuple[str, str, Any]] = [
        ("plain", "first page", q()),
        ("plain", "by name", q(sort="name")),
        ("plain", "second page", q(page=2)),
        ("sort", "newest", q(sort="newest")),
        ("sort", "last contact", q(sort="last_contact")),
        ("text", "cooperativa", q(text="cooperativa")),
        ("text", "logistica", q(text="logistica")),
        ("text", "servizi martesana", q(text="servizi martesana")),
        ("text", "typo: cooperatva", q(text="cooperatva")),
        ("text", "associazione", q(text="associazione")),
        ("text", "P.IVA", q(text=facts["vat"])),
        ("text", "comune name", q(text="Cassano d'Adda")),
        ("deep", "page 100", q(page=100)),
        ("deep", "page 300 by name", q(page=300, sort="name")),
        ("deep", "page 500", q(page=500)),
    ]
    filters = [
        ("district melzo", {"district": "melzo"}), ("district trezzo", {"district": "trezzo"}),
        ("comune", {"municipality_code": comuni[0][0]}), ("ateco section C", {"ateco_section": "C"}),
        ("ateco division 56", {"ateco_division": "56"}), ("kind srl", {"kinds": ("srl",)}),
        ("kinds coops", {"kinds": ("social_coop_a", "social_coop_b")}), ("size small", {"size_classes": ("small",)}),
        ("status prospect", {"statuses": ("prospect",)}), ("scheme pcto", {"schemes": ("pcto",)}),
        ("schemes inclusion", {"schemes": ("inclusion_internship", "work_grant")}),
        ("agreement valid", {"agreement_valid": True}), ("L.68 uncovered", {"quota_68_uncovered": True}),
        ("obligated 68", {"obligated_68": True}), ("no contact 6 months", {"not_contacted_months": 6}),
        ("no contact 24 months", {"not_contacted_months": 24}), ("with archived", {"include_archived": True}),
    ]  # fmt: skip
    mix += [("filter", label, q(**fields)) for label, fields in filters]
    mix += [("distance", f"within {g.radius_km:g} km, closest", q(near=g, sort="closest")) for g in near[:3]]
    mix += [("distance", f"within {g.radius_km:g} km, by name", q(near=g, sort="name")) for g in near[3:]]
    combined = [
        ("pcto + agreement + melzo", {"schemes": ("pcto",), "agreement_valid": True, "district": "melzo"}),
        ("L.68 + no contact 12m + size",
         {"quota_68_uncovered": True, "not_contacted_months": 12, "size_classes": ("medium", "large")}),
        ("text + kind + near", {"text": "servizi", "kinds": ("srl", "spa"), "near": near[2]}),
        ("coops + schemes + section + status",
         {"kinds": ("social_coop_b",), "schemes": ("inclusion_internship", "work_grant"), "ateco_section": "N",
          "statuses": ("active", "prospect")}),
        ("everything", {"text": "cooperativa", "district": "cernusco", "schemes": ("work_grant",),
                        "agreement_valid": True, "not_contacted_months": 6, "sort": "last_contact"}),
    ]  # fmt: skip
    mix += [("combined", label, q(**fields)) for label, fields in combined]
    return mix


def measure_queries(backend: Any, mix: list[tuple[str, str, Any]], rounds: int, interruptions: list[str]) -> dict:
    samples: dict[str, list[float]] = defaultdict(list)
    totals: dict[str, int] = {}
    for round_number in range(rounds + 1):  # the first pass warms caches and is not kept
        for category, label, query in mix:
            started = time.perf_counter()
            result = common.retrying(lambda q=query: backend.search_organizations(q), backend.client, interruptions)
            elapsed = time.perf_counter() - started
            if round_number:
                samples[category].append(elapsed)
                samples[f"{category}: {label}"].append(elapsed)
                samples["all"].append(elapsed)
                if category != "deep":
                    samples["shallow"].append(elapsed)
            totals[f"{category}: {label}"] = result.total
    return {"samples": samples, "totals": totals}


def measure_export_ids(backend: Any, today: date, rounds: int) -> dict[str, Any]:
    from search.queries import OrganizationQuery

    found = {}
    lists = [
        ("whole list", OrganizationQuery(today=today, include_inactive=True, include_archived=True)),
        ("agreement valid", OrganizationQuery(today=today, agreement_valid=True)),
        ("district melzo", OrganizationQuery(today=today, district="melzo", sort="name")),
    ]
    for label, query in lists:
        timings, count = [], 0
        for _ in range(rounds):
            started = time.perf_counter()
            ids, count = backend.search_organization_ids(query, 50_000)
            timings.append(time.perf_counter() - started)
        found[label] = {"ids": len(ids), "total": count, "ms": common.summary_ms(timings)}
    return found


# -- the page and the exports -------------------------------------------------------------------


def signed_in_client(app: Any, email: str) -> Any:
    """A Flask test client signed in as a demo account."""
    from marketplace.demo import DEMO_PASSWORD

    client = app.test_client()
    token = CSRF.search(client.get("/accedi").get_data(as_text=True)).group(1)
    response = client.post("/accedi", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"the demo account {email} could not sign in"
    return client


PAGE_PATHS = [
    "", "?sort=name", "?page=2", "?q=cooperativa", "?q=cooperatva", "?q=logistica&sort=name",
    "?district=melzo", "?comune=015108&km=10&sort=closest", "?ateco=C", "?division=56", "?kind=srl&kind=spa",
    "?size=medium", "?scheme=pcto", "?agreement=1", "?l68=1", "?months=12", "?archived=1&status=inactive",
    "?scheme=inclusion_internship&agreement=1&district=cernusco", "?q=servizi&comune=015142&km=15&sort=name",
    "?page=250", "?sort=last_contact&months=6",
]  # fmt: skip
EXPORTS = [
    ("csv", "?status=active&status=prospect&status=inactive&archived=1"),  # the whole database
    ("xlsx", "?status=active&status=prospect&status=inactive&archived=1"),
    ("csv", "?agreement=1"),
    ("xlsx", "?district=melzo"),
]


def measure_pages(client: Any, rounds: int) -> dict[str, Any]:
    timings, statuses = [], defaultdict(int)
    for round_number in range(rounds + 1):
        for path in PAGE_PATHS:
            started = time.perf_counter()
            response = client.get("/banca-dati/organizzazioni" + path)
            elapsed = time.perf_counter() - started
            statuses[str(response.status_code)] += 1
            if round_number:
                timings.append(elapsed)
    return {"pages": len(PAGE_PATHS), "statuses": dict(statuses), "ms": common.summary_ms(timings)}


def measure_exports(client: Any) -> list[dict[str, Any]]:
    found = []
    for kind, query in EXPORTS:
        started = time.perf_counter()
        response = client.get(f"/banca-dati/organizzazioni/export.{kind}{query}")
        body = response.get_data()
        elapsed = time.perf_counter() - started
        rows = body.count(b"\r\n") - 1 if kind == "csv" else _xlsx_rows(body)
        found.append({
            "format": kind, "query": query, "status": response.status_code, "rows": rows, "bytes": len(body),
            "seconds": round(elapsed, 2), "rows_per_s": round(rows / elapsed) if elapsed else None,
        })  # fmt: skip
    return found


BACKGROUND_EXPORTS = [(kind, EXPORTS[0][1]) for kind in ("csv", "xlsx")]  # the whole database


def measure_background_exports(app: Any, client: Any) -> list[dict[str, Any]]:
    """The same whole-list exports asked for on the list (POST) and written by the job, run here in-process."""
    from jobs.dispatch import RQDispatcher
    from marketplace.common import uploads
    from marketplace.exports import services as exports

    found = []
    for kind, query in BACKGROUND_EXPORTS:
        token = CSRF.search(client.get(f"/banca-dati/organizzazioni{query}").get_data(as_text=True)).group(1)
        started = time.perf_counter()
        response = client.post("/banca-dati/organizzazioni/esporta",
                               data={"csrf_token": token, "file_format": kind, "query_string": query[1:]})  # fmt: skip
        asked = time.perf_counter() - started
        run_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            run = exports.execute(run_id)  # what the worker runs
            ready = time.perf_counter() - started
            found.append({
                "format": kind, "query": query, "status": run.status.value, "rows": run.processed_rows,
                "bytes": os.path.getsize(exports.stored_file(run)), "request_ms": round(asked * 1000, 1),
                "seconds_to_ready": round(ready, 2),
            })  # fmt: skip
            uploads.delete_stored(exports.UPLOAD_KIND, run.file_key)
    RQDispatcher(REDIS_URL).queue("exports").empty()  # no worker here: the job was run above
    return found


def _xlsx_rows(body: bytes) -> int:
    import io

    from openpyxl import load_workbook

    # A write-only workbook records no dimensions: count the rows.
    return sum(1 for _row in load_workbook(io.BytesIO(body), read_only=True).active.iter_rows()) - 1


def counts(app: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.organizations.models import Organization

    backend = app.extensions["search"]
    backend.refresh("organizations")
    return {
        "organizations_in_db": db.session.scalar(select(func.count()).select_from(Organization)) or 0,
        "organizations_indexed": backend.client.count(index=backend.alias("organizations"))["count"],
    }


def by_category(samples: dict[str, list[float]]) -> dict[str, Any]:
    return {name: common.summary_ms(values) for name, values in samples.items() if ": " not in name}


def per_query(samples: dict[str, list[float]], totals: dict[str, int]) -> list[dict[str, Any]]:
    rows = [{"query": name, "hits": totals[name], **common.summary_ms(values)}
            for name, values in samples.items() if ": " in name]  # fmt: skip
    return sorted(rows, key=lambda row: row["p50"], reverse=True)


def run(organizations: int, rounds: int, reuse: bool) -> dict[str, Any]:
    apply_env()
    ensure_database()
    from marketplace import create_app

    app = create_app()
    with app.app_context():
        backend = app.extensions["search"]
        common.wait_for_elasticsearch(backend.client)
        preparation = previous_preparation(organizations) if reuse else prepare(organizations)
        machine, dataset = common.machine_info(app), counts(app)
        interruptions: list[str] = []
        today = date.today()
        probe = common.NoiseProbe()
        queries = measure_queries(backend, query_mix(_facts(), today), rounds, interruptions)
        export_ids = measure_export_ids(backend, today, rounds)
        query_noise = probe.finish()
    from marketplace.demo.accounts import OPERATOR_EMAIL

    client = signed_in_client(app, OPERATOR_EMAIL)
    probe = common.NoiseProbe()
    pages = measure_pages(client, max(1, rounds // 2))
    exports = measure_exports(client)
    background_exports = measure_background_exports(app, client)
    page_noise = probe.finish()
    categories = by_category(queries["samples"])
    return {
        "machine": machine,
        "dataset": dataset,
        "preparation": preparation,
        "rounds": rounds,
        "queries_ms": categories,
        "per_query_ms": per_query(queries["samples"], queries["totals"]),
        "export_ids": export_ids,
        "page_ms": pages,
        "exports": exports,
        "background_exports": background_exports,
        "targets": {
            "shallow_list_queries_p95_under_100ms": {"met": categories["shallow"]["p95"] < P95_TARGET_MS},
            "deep_pages": {"target": None, "note": "pages 100-500 (offset 2,000-10,000): reported, no target"},
        },
        "noise": {"queries": {**query_noise, "elasticsearch_interruptions": interruptions}, "pages": page_noise},
    }


def main() -> None:
    common.exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the query mix")
    parser.add_argument("--reuse", action="store_true", help="keep the dataset already loaded")
    args = parser.parse_args()
    result = run(args.organizations, args.rounds, args.reuse)
    path = common.write_result("organization_list", args.organizations, result)
    print(f"organization_list @ {result['dataset']['organizations_indexed']} organisations")
    if result["preparation"]:
        prep = result["preparation"]
        print(f"  seeded in {prep['seed_s']} s, reindexed in {prep['reindex_organizations_s']} s "
              f"({prep['reindex_docs_per_s']} docs/s)")  # fmt: skip
    for name, summary in result["queries_ms"].items():
        print(f"  {name:<10} p50 {summary['p50']:7.2f}  p95 {summary['p95']:7.2f}  max {summary['max']:7.2f} ms")
    for label, found in result["export_ids"].items():
        print(f"  export ids, {label}: {found['ids']} in p50 {found['ms']['p50']:.0f} ms")
    page = result["page_ms"]["ms"]
    print(f"  list page p50 {page['p50']:.1f} p95 {page['p95']:.1f} ms; statuses {result['page_ms']['statuses']}")
    for export in result["exports"]:
        print(f"  export {export['format']} {export['query'] or '(all)'}: {export['rows']} rows in "
              f"{export['seconds']} s ({export['rows_per_s']} rows/s)")  # fmt: skip
    for export in result.get("background_exports", ()):
        print(f"  background export {export['format']} (all): asked in {export['request_ms']} ms, "
              f"{export['rows']} rows ready in {export['seconds_to_ready']} s")  # fmt: skip
    met = result["targets"]["shallow_list_queries_p95_under_100ms"]["met"]
    print(f"  list queries but deep pages, p95 < {P95_TARGET_MS:.0f} ms: {common.verdict(met)}")
    print(f"  -> {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
