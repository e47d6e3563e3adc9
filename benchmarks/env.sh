# Source me: the isolated benchmark environment (own database, index prefix, Redis db).
# Service URLs come from scripts/services.sh; only the database name is changed.
# shellcheck shell=bash
eval "$(scripts/services.sh env)"
export DATABASE_URL="${DATABASE_URL%/*}/opportunita_bench"
export REDIS_URL=redis://127.0.0.1:6379/9
export SEARCH_INDEX_PREFIX=bench-opportunita
export SECRET_KEY=bench
export FLASK_APP=marketplace
unset TEST_DATABASE_URL
