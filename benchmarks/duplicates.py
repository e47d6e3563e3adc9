"""Duplicate candidates at 50k organisations: recall on seeded look-alikes, the comparison, the page cold and warm.

Dataset: the organisation-list benchmark's database (50,000 demo organisations; prepared here
when missing, or with --prepare), plus `--twins` look-alikes added for the run and removed at
its end: each copies a random live organisation's comune with its name changed by one letter
(replaced, dropped or swapped with the next), without identifiers. Measured:

- recall: seeded pairs among the candidates, out of those whose normalised names stay at
  least 0.9 similar (the rule; a one-letter change in a very short name may fall below it);
- the comparison itself (`find_candidates`, median of `--rounds`) and the state key the
  cache is read under;
- the `/banca-dati/duplicati` page through the Flask test client, signed in as the demo
  partner_admin: cold (a new state: compared, then cached), warm (read from the cache), and
  again after a "not a duplicate" decision (no organisation changed: still warm).

    .venv/bin/python -m benchmarks.duplicates [--organizations 50000] [--twins 500] [--rounds 3] [--prepare]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from benchmarks import common
from benchmarks import organization_list as dataset

PAGE = "/banca-dati/duplicati"
SEED = 7


def misspelt(name: str, rng: random.Random) -> str:
    """The name with one letter of one of its longer words replaced, dropped or swapped with the next."""
    words = name.split(" ")
    longer = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()] or [0]
    index = rng.choice(longer)
    word = words[index]
    at = rng.randrange(1, max(2, len(word) - 1))
    change = rng.choice(("replace", "drop", "swap"))
    if change == "replace":
        letter = rng.choice([c for c in "aeioulnrst" if c != word[at : at + 1].lower()])
        word = word[:at] + letter + word[at + 1 :]
    elif change == "drop":
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at + 1 : at + 2] + word[at : at + 1] + word[at + 2 :]
    words[index] = word
    return " ".join(words)


def add_twins(count: int) -> list[tuple[int, int]]:
    """Insert the look-alikes with plain SQL (no audit, no search outbox: they leave with the run)."""
    from sqlalchemy import insert, select

    from marketplace.extensions import db
    from marketplace.organizations.models import Organization

    rng = random.Random(SEED)
    live = db.session.execute(
        select(Organization.id, Organization.name, Organization.kind, Organization.municipality_code)
        .where(Organization.archived_at.is_(None), Organization.merged_into_id.is_(None),
               Organization.municipality_code.is_not(None))
        .order_by(Organization.id)
    ).all()  # fmt: skip
    originals = rng.sample(live, count)
    rows = [{"name": misspelt(o.name, rng), "kind": o.kind, "municipality_code": o.municipality_code}
            for o in originals]  # fmt: skip
    new_ids = db.session.scalars(insert(Organization).returning(Organization.id), rows).all()
    db.session.commit()
    return [(min(o.id, new), max(o.id, new)) for o, new in zip(originals, new_ids, strict=True)]


def remove_twins(pairs: list[tuple[int, int]]) -> None:
    from sqlalchemy import delete, or_

    from marketplace.extensions import db
    from marketplace.organizations.models import DistinctPair, Organization

    twins = [second for _first, second in pairs]
    db.session.execute(delete(DistinctPair).where(or_(DistinctPair.first_id.in_(twins),
                                                      DistinctPair.second_id.in_(twins))))  # fmt: skip
    db.session.execute(delete(Organization).where(Organization.id.in_(twins)))
    db.session.commit()


def eligible(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    from marketplace.organizations import merge

    found = merge.organizations_by_id(i for pair in pairs for i in pair)
    names = {org_id: merge.normalize_name(org.name) for org_id, org in found.items()}
    rule = merge.NAME_SIMILARITY
    return [pair for pair in pairs if merge.name_similarity(names[pair[0]], names[pair[1]]) >= rule]


def timed(call: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def measure_page(client: Any) -> float:
    response, elapsed = timed(lambda: client.get(PAGE))
    assert response.status_code == 200, response.status_code
    return elapsed


def run(organizations: int, twins: int, rounds: int, prepare: bool) -> dict[str, Any]:
    dataset.apply_env()
    dataset.ensure_database()
    from sqlalchemy import func, select

    from marketplace import create_app
    from marketplace.demo.accounts import PARTNER_ADMIN_EMAIL
    from marketplace.extensions import db
    from marketplace.organizations import candidates, merge
    from marketplace.organizations.models import Organization

    app = create_app()
    with app.app_context():
        common.wait_for_elasticsearch(app.extensions["search"].client)
        present = db.session.scalar(select(func.count()).select_from(Organization)) or 0
        if prepare or present < organizations:
            dataset.prepare(organizations)
        machine = common.machine_info(app)
        pairs = add_twins(twins)
    try:
        with app.app_context():
            probe = common.NoiseProbe()
            comparisons = []
            for _ in range(rounds):
                found, elapsed = timed(merge.find_candidates)
                comparisons.append(elapsed)
            _key, key_s = timed(candidates.state_key)
            counted = db.session.scalar(select(func.count()).select_from(Organization))
            keys = {c.key for c in found}
            ruled = eligible(pairs)
            recalled = [pair for pair in ruled if pair in keys]
            db.session.remove()
        client = dataset.signed_in_client(app, PARTNER_ADMIN_EMAIL)
        cold = measure_page(client)
        warm = [measure_page(client) for _ in range(rounds)]
        first, second = sorted(pairs)[0]
        token = dataset.CSRF.search(client.get(PAGE).get_data(as_text=True)).group(1)
        decided = client.post(f"{PAGE}/{first}/{second}/diverse", data={"csrf_token": token})
        assert decided.status_code == 302, decided.status_code
        after_decision = measure_page(client)
        noise = probe.finish()
    finally:
        with app.app_context():
            remove_twins(pairs)
    return {
        "machine": machine,
        "dataset": {"organizations": counted, "seeded_twins": twins},
        "recall": {
            "seeded": len(pairs),
            "eligible": len(ruled),
            "found": len(recalled),
            "missed": sorted(set(ruled) - set(recalled))[:20],
        },
        "candidates": len(found),
        "comparison_s": {"median": round(statistics.median(comparisons), 2), "all": [round(x, 2) for x in comparisons]},
        "state_key_ms": round(key_s * 1000, 1),
        "page_s": {
            "cold": round(cold, 2),
            "warm_median": round(statistics.median(warm), 3),
            "after_a_decision": round(after_decision, 3),
        },
        "noise": noise,
    }


def main() -> None:
    common.exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=50_000)
    parser.add_argument("--twins", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prepare", action="store_true", help="seed the organisations again first")
    args = parser.parse_args()
    result = run(args.organizations, args.twins, args.rounds, args.prepare)
    path = common.write_result("duplicates", args.organizations, result)
    recall = result["recall"]
    print(f"duplicates @ {result['dataset']['organizations']} organisations ({args.twins} seeded look-alikes)")
    print(f"  recall {recall['found']} / {recall['eligible']} eligible ({recall['seeded']} seeded); "
          f"{result['candidates']} candidates")  # fmt: skip
    print(f"  comparison median {result['comparison_s']['median']} s; state key {result['state_key_ms']} ms")
    page = result["page_s"]
    print(f"  page cold {page['cold']} s, warm {page['warm_median']} s, after a decision {page['after_a_decision']} s")
    print(f"  -> {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
