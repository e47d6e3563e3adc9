#!/usr/bin/env bash
# Prepare the benchmark dataset at a scale, then run the benchmarks against it.
#
#   benchmarks/run.sh [SCALE]                       # prepare + all four (default scale 10000)
#   BENCHMARKS="reindex search_latency" benchmarks/run.sh 100000
#   PREPARE=0 benchmarks/run.sh 10000               # reuse the dataset already loaded
#
# Isolation: database opportunita_bench (its public schema is dropped and recreated), indexes
# bench-*, Redis db 9. Services must already run (scripts/services.sh status); this script never
# starts or stops them. Every step has a time limit.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE=${1:-10000}
SEED=${SEED:-2026}
PREPARE=${PREPARE:-1}
BENCHMARKS=${BENCHMARKS:-"reindex search_latency page_load commit_to_searchable"}
STEP_TIMEOUT=${STEP_TIMEOUT:-600}

# shellcheck source=benchmarks/env.sh
source benchmarks/env.sh
case "$DATABASE_URL" in */opportunita_bench) ;; *) echo "refusing: DATABASE_URL is not opportunita_bench" >&2; exit 1;; esac
case "$SEARCH_INDEX_PREFIX" in bench-*) ;; *) echo "refusing: index prefix must start with bench-" >&2; exit 1;; esac
case "$REDIS_URL" in */9) ;; *) echo "refusing: REDIS_URL must be db 9" >&2; exit 1;; esac

PSQL_URL=${DATABASE_URL/+psycopg/}
ADMIN_URL=${PSQL_URL%/*}/postgres

log() { printf '\n== %s  %s\n' "$(date +%T)" "$*"; }

delete_bench_indexes() {
    # Only indexes whose name starts with bench-; each deleted by name (no wildcard deletes).
    local index
    for index in $(curl -sf "$ELASTICSEARCH_URL/_cat/indices/bench-*?h=index"); do
        case "$index" in bench-*) curl -sf -o /dev/null -X DELETE "$ELASTICSEARCH_URL/$index" ;; esac
    done
}

prepare() {
    log "prepare dataset: scale $SCALE, seed $SEED"
    if [ -z "$(psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = 'opportunita_bench'")" ]; then
        psql "$ADMIN_URL" -qc "CREATE DATABASE opportunita_bench"
    fi
    psql "$PSQL_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    delete_bench_indexes
    .venv/bin/python -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()"
    timeout 120 .venv/bin/flask db upgrade
    timeout 120 .venv/bin/flask territory load
    local started=$SECONDS
    timeout "$STEP_TIMEOUT" .venv/bin/flask demo seed --scale "$SCALE" --seed "$SEED"
    echo "seeded in $((SECONDS - started)) s"
}

[ "$PREPARE" = 1 ] && prepare

failed=()
for name in $BENCHMARKS; do
    log "benchmarks.$name @ $SCALE"
    if ! timeout "$STEP_TIMEOUT" .venv/bin/python -m "benchmarks.$name" --scale "$SCALE"; then
        failed+=("$name")
    fi
done

log "results in benchmarks/results/*-$SCALE.json"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
