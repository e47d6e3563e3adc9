#!/usr/bin/env bash
# Provision and run the local services Opportunità needs for full-stack mode
# and for the test suite: PostgreSQL, Redis and Elasticsearch, on loopback only.
#
# Usage:
#   scripts/services.sh up                 install what is missing, start all, wait until healthy
#   scripts/services.sh down               stop all
#   scripts/services.sh status             one line per service; exit 0 only if all are up
#   scripts/services.sh start SERVICE      start one service and wait until healthy
#   scripts/services.sh stop SERVICE       stop one service
#   scripts/services.sh env                print `export` lines for the app and the tests
#   SERVICE is one of: postgres, redis, elasticsearch
#
# Environment:
#   OPPORTUNITA_SERVICES_DIR  state dir (default /var/lib/opportunita-services); it must
#                             be traversable by the non-root service users, so not /root
#   ES_VERSION                Elasticsearch version (default 8.19.9)
#   ES_JAVA_HOME              JDK/JRE 17+ to run Elasticsearch (default: picked in /usr/lib/jvm)
#   PG_START_TIMEOUT, REDIS_START_TIMEOUT, ES_START_TIMEOUT  seconds to wait for health
#
# Everything here is a throwaway development/test setup: no persistence guarantees,
# no authentication on Redis and Elasticsearch. Never point it at data you care about.
#
# Written for a fresh Debian 12 machine where we are root and only the Debian,
# PyPI, npm and Maven Central registries are reachable. Safe to run repeatedly:
# it only installs/initialises what is missing and only starts what is down.

set -euo pipefail

STATE_DIR="${OPPORTUNITA_SERVICES_DIR:-/var/lib/opportunita-services}"
ES_VERSION="${ES_VERSION:-8.19.9}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-180}"

HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379
ES_PORT=9200
DB_USER=opportunita
DB_PASSWORD=opportunita
DATABASES=(opportunita opportunita_test)
ES_CLUSTER_NAME=opportunita-dev
ES_USER=elasticsearch

PG_DIR="$STATE_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
PG_SOCKET_DIR="$PG_DIR/run"

REDIS_DIR="$STATE_DIR/redis"
REDIS_CONF="$REDIS_DIR/redis.conf"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

DOWNLOADS="$STATE_DIR/downloads"
ES_HOME="$STATE_DIR/elasticsearch-$ES_VERSION"
ES_DIR="$STATE_DIR/elasticsearch"
ES_PID="$ES_DIR/elasticsearch.pid"
ES_LOG="$ES_DIR/logs/$ES_CLUSTER_NAME.log"
ES_LAUNCHER_LOG="$ES_DIR/logs/launcher.log"

APT_LOG="$STATE_DIR/apt.log"
# A minimal, predictable environment for the service processes, so that whatever
# the caller has exported (CI, pyenv, JAVA_HOME, ...) does not leak into them.
SERVICE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# ---------------------------------------------------------------------------
# Generic helpers
# ---------------------------------------------------------------------------

log() { printf '[services] %s\n' "$*" >&2; }

die() {
    printf '[services] ERROR: %s\n' "$*" >&2
    exit 1
}

# Print the end of a log file to stderr, to make failures diagnosable from CI output.
show_tail() {
    local file=$1 lines=${2:-40}
    if [[ -s $file ]]; then
        printf '[services] ---- last %s lines of %s ----\n' "$lines" "$file" >&2
        tail -n "$lines" "$file" >&2 || true
        printf '[services] ---- end of %s ----\n' "$file" >&2
    else
        printf '[services] (no log at %s)\n' "$file" >&2
    fi
}

# True if something accepts TCP connections on HOST:port (bash built-in, no extra tools).
port_open() {
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# wait_for TIMEOUT CHECK [ALIVE]: poll CHECK until it succeeds. Gives up after TIMEOUT
# seconds, or as soon as the optional ALIVE check fails (the process died: no point waiting).
wait_for() {
    local timeout=$1 check=$2 alive=${3:-}
    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        "$check" && return 0
        if [[ -n $alive ]] && ! "$alive"; then
            sleep 1 # let a dying process finish writing its log
            "$check" && return 0
            return 1
        fi
        sleep 0.2
    done
    "$check"
}

# True if pid is a live process. A zombie counts as dead: on this kind of machine the
# init process reaps orphans only about once a second, and a daemon that has exited
# lingers as a zombie meanwhile.
proc_alive() {
    local state
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    state=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != [ZX] ]]
}

# True if pid is alive and its command line contains the given string; guards
# against stale pid files whose pid now belongs to an unrelated process.
pid_matches() {
    local pid=$1 needle=$2
    proc_alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$needle"
}

# Run a command as a service user, from a directory that user can enter, with a clean
# environment (extra NAME=VALUE pairs may precede the command). fd 9 holds our lock:
# close it so that daemons do not inherit it and keep the lock forever.
as_user() {
    local user=$1
    shift
    (
        cd "$STATE_DIR"
        exec runuser -u "$user" -- env -i PATH="$SERVICE_PATH" LANG=C.UTF-8 HOME="$STATE_DIR" "$@"
    ) 9>&-
}

require_root() {
    ((EUID == 0)) || die "must run as root (installs packages, runs services as their own users)"
}

APT_UPDATED=0
apt_install() {
    require_root
    mkdir -p "$STATE_DIR"
    local -a apt_env=(env DEBIAN_FRONTEND=noninteractive)
    if ((APT_UPDATED == 0)); then
        log "apt-get update"
        "${apt_env[@]}" apt-get update -qq >>"$APT_LOG" 2>&1 9>&- ||
            { show_tail "$APT_LOG"; die "apt-get update failed"; }
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    "${apt_env[@]}" apt-get install -y -qq --no-install-recommends "$@" >>"$APT_LOG" 2>&1 9>&- ||
        { show_tail "$APT_LOG"; die "apt-get install $* failed"; }
}

# need_cmd COMMAND PACKAGE: install PACKAGE if COMMAND is not on PATH.
need_cmd() {
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
    command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}

ensure_state_dir() {
    require_root
    mkdir -p "$STATE_DIR"
    chmod 755 "$STATE_DIR"
    # The services run as postgres/redis/elasticsearch: every parent directory must be
    # traversable by others (/root, for instance, is not).
    runuser -u nobody -- test -x "$STATE_DIR" 2>/dev/null ||
        die "$STATE_DIR is not reachable by non-root users; set OPPORTUNITA_SERVICES_DIR to a path outside /root"
}

# Serialise concurrent invocations (e.g. two `up` at once) on a lock file.
take_lock() {
    ensure_state_dir
    exec 9>"$STATE_DIR/.lock"
    flock -w 600 9 || die "timed out waiting for the lock on $STATE_DIR/.lock"
}

# ---------------------------------------------------------------------------
# PostgreSQL: our own cluster in the state dir, run by the Debian `postgres` user.
# ---------------------------------------------------------------------------

# Directory of the PostgreSQL server binaries. Prefer the major version the cluster
# was created with (a data dir only works with that one), else the newest installed.
pg_bindir() {
    local want="" dir
    [[ -r $PG_DATA/PG_VERSION ]] && want=$(<"$PG_DATA/PG_VERSION")
    if [[ -n $want ]]; then
        dir=/usr/lib/postgresql/$want/bin
        [[ -x $dir/pg_ctl ]] && { echo "$dir"; return 0; }
        return 1
    fi
    while read -r dir; do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] && { echo "$dir"; return 0; }
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
    return 1
}

pg_install() {
    pg_bindir >/dev/null || apt_install postgresql
    if ! PG_BIN=$(pg_bindir); then
        [[ -r $PG_DATA/PG_VERSION ]] &&
            die "cluster in $PG_DATA needs PostgreSQL $(<"$PG_DATA/PG_VERSION") binaries; remove $PG_DATA to re-create it"
        die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
    fi
    id -u postgres >/dev/null 2>&1 || die "system user 'postgres' missing (should come with the postgresql package)"
}

pg_init() {
    mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
    chown postgres:postgres "$PG_DIR" "$PG_SOCKET_DIR"
    chmod 755 "$PG_DIR"
    if [[ ! -s $PG_DATA/PG_VERSION ]]; then
        log "postgres: initdb $PG_DATA"
        rm -rf "$PG_DATA" # leftovers of an interrupted initdb
        as_user postgres "$PG_BIN/initdb" -D "$PG_DATA" --username=postgres \
            --encoding=UTF8 --locale=C.UTF-8 \
            --auth-local=peer --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
            { show_tail "$PG_DIR/initdb.log"; die "initdb failed"; }
    fi
    # Our settings live in their own file, rewritten on every run, included once
    # from the postgresql.conf that initdb generated.
    cat >"$PG_DATA/opportunita.conf" <<EOF
# Written by scripts/services.sh; changes here are overwritten.
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 100
# This is a development/test cluster: trade durability for speed.
# A crash may corrupt it (then remove $PG_DATA and run 'up' again).
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    chown postgres:postgres "$PG_DATA/opportunita.conf"
    grep -q "^include_if_exists = 'opportunita.conf'" "$PG_DATA/postgresql.conf" ||
        echo "include_if_exists = 'opportunita.conf'" >>"$PG_DATA/postgresql.conf"
}

# Pid of our postmaster, if it is running.
pg_pid() {
    local pid
    [[ -r $PG_DATA/postmaster.pid ]] || return 1
    pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 1
    pid_matches "$pid" "$PG_DATA" || return 1
    echo "$pid"
}

pg_running() { pg_pid >/dev/null; }

pg_ready() {
    local bin
    bin=${PG_BIN:-$(pg_bindir 2>/dev/null)} || return 1
    "$bin/pg_isready" -q -h "$HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1
}

pg_healthy() { pg_running && pg_ready; }

# Something else answers on our port: most likely Debian's default cluster, which the
# postgresql package creates and starts. Stop it rather than fail.
pg_free_port() {
    port_open "$PG_PORT" || return 0
    if command -v pg_lsclusters >/dev/null 2>&1; then
        local ver name port status _rest
        while read -r ver name port status _rest; do
            if [[ $port == "$PG_PORT" && $status == online* ]]; then
                log "postgres: stopping Debian cluster $ver/$name, which occupies port $PG_PORT"
                pg_ctlcluster "$ver" "$name" stop 9>&- || true
            fi
        done < <(pg_lsclusters --no-header 2>/dev/null)
    fi
    local i
    for ((i = 0; i < 20; i++)); do
        port_open "$PG_PORT" || return 0
        sleep 0.5
    done
    die "port $PG_PORT is in use by a process that is not our cluster; stop it and retry"
}

pg_provision() {
    local sql
    sql=$(
        cat <<EOF
SELECT 'CREATE ROLE $DB_USER' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER')\gexec
ALTER ROLE $DB_USER WITH LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
EOF
    )
    local db
    for db in "${DATABASES[@]}"; do
        sql+=$'\n'"SELECT 'CREATE DATABASE $db OWNER $DB_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')\\gexec"
        sql+=$'\n'"ALTER DATABASE $db OWNER TO $DB_USER;"
    done
    as_user postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" \
        -d postgres -f - <<<"$sql" >/dev/null ||
        die "postgres: could not create role/databases"
    # Prove the app's credentials work over TCP, the way the app connects.
    PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -At -h "$HOST" -p "$PG_PORT" \
        -U "$DB_USER" -d "${DATABASES[-1]}" -c 'SELECT 1' >/dev/null ||
        die "postgres: cannot log in as $DB_USER over TCP"
}

pg_start() {
    pg_install
    pg_init
    if pg_healthy; then
        log "postgres: already running"
    else
        local attempt
        for attempt in 1 2 3; do
            if ! pg_running; then
                pg_free_port
                # Lock files left by a killed server name a pid that may still exist (as a
                # zombie, or reused by another process): PostgreSQL would then refuse to
                # start. No server of ours is running, so they are stale.
                rm -f "$PG_DATA/postmaster.pid" "$PG_SOCKET_DIR"/.s.PGSQL.*
                log "postgres: starting"
                as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_START_TIMEOUT" \
                    start >/dev/null 2>&1 || true
            fi
            wait_for "$PG_START_TIMEOUT" pg_healthy pg_running && break
            # Right after a crash the old server's children may still hold its shared
            # memory for a moment; give them time to exit and try again.
            if ((attempt < 3)); then
                log "postgres: start attempt $attempt failed, retrying"
                sleep 2
            fi
        done
        pg_healthy || { show_tail "$PG_LOG" 25; die "postgres did not become ready on $HOST:$PG_PORT"; }
    fi
    pg_provision
    log "postgres: up on $HOST:$PG_PORT"
}

pg_stop() {
    if ! pg_running; then
        log "postgres: not running"
        return 0
    fi
    PG_BIN=$(pg_bindir) || die "PostgreSQL binaries not found"
    log "postgres: stopping"
    as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        as_user postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
        die "postgres: could not stop the server (see $PG_LOG)"
}

# ---------------------------------------------------------------------------
# Redis: our own instance from Debian's redis-server binary.
# ---------------------------------------------------------------------------

redis_cli() {
    timeout 5 redis-cli -h "$HOST" -p "$REDIS_PORT" "$@" 2>/dev/null
}

redis_user() {
    if id -u redis >/dev/null 2>&1; then echo redis; else echo root; fi
}

redis_install() {
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        apt_install redis-server redis-tools
    fi
    command -v redis-server >/dev/null 2>&1 || die "redis-server still missing"
}

redis_configure() {
    mkdir -p "$REDIS_DIR/data"
    chown -R "$(redis_user):" "$REDIS_DIR"
    cat >"$REDIS_CONF" <<EOF
# Written by scripts/services.sh; changes here are overwritten.
bind $HOST
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $REDIS_PID
logfile $REDIS_LOG
dir $REDIS_DIR/data
# Cache/queue for development and tests only: no persistence.
save ""
appendonly no
EOF
}

# The instance on our port is ours if its working dir is our data dir.
redis_ours() {
    local dir
    dir=$(redis_cli config get dir | sed -n 2p)
    [[ -n $dir && $dir == "$(readlink -f "$REDIS_DIR/data")" ]]
}

redis_healthy() {
    [[ $(redis_cli ping) == PONG ]] && redis_ours
}

redis_pid() {
    local pid
    [[ -r $REDIS_PID ]] || return 1
    pid=$(<"$REDIS_PID")
    proc_alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server* ]] || return 1
    echo "$pid"
}

redis_alive() { redis_pid >/dev/null; }

# Something else answers on our port: most likely the instance Debian's package
# starts. Stop that one; refuse to touch anything else.
redis_free_port() {
    port_open "$REDIS_PORT" || return 0
    local dir
    dir=$(redis_cli config get dir | sed -n 2p)
    if [[ $dir == /var/lib/redis ]]; then
        log "redis: stopping Debian's default redis-server, which occupies port $REDIS_PORT"
        if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
            systemctl stop redis-server 9>&- || true
        elif [[ -x /etc/init.d/redis-server ]]; then
            /etc/init.d/redis-server stop >/dev/null 2>&1 9>&- || true
        fi
        if port_open "$REDIS_PORT"; then redis_cli shutdown nosave >/dev/null || true; fi
    fi
    local i
    for ((i = 0; i < 20; i++)); do
        port_open "$REDIS_PORT" || return 0
        sleep 0.5
    done
    die "port $REDIS_PORT is in use by a process that is not our Redis (dir: ${dir:-unknown}); stop it and retry"
}

redis_start() {
    redis_install
    redis_configure
    if redis_healthy; then
        log "redis: already running"
        return 0
    fi
    redis_free_port
    log "redis: starting"
    as_user "$(redis_user)" "$(command -v redis-server)" "$REDIS_CONF" ||
        { show_tail "$REDIS_LOG"; die "redis-server failed to start"; }
    wait_for "$REDIS_START_TIMEOUT" redis_healthy ||
        { show_tail "$REDIS_LOG"; die "redis did not answer PONG on $HOST:$REDIS_PORT"; }
    log "redis: up on $HOST:$REDIS_PORT"
}

redis_stop() {
    local pid=""
    pid=$(redis_pid) || pid=""
    if redis_healthy; then
        log "redis: stopping"
        redis_cli shutdown nosave >/dev/null || true
    elif [[ -n $pid ]]; then
        log "redis: not answering, killing pid $pid"
        kill -TERM "$pid" 2>/dev/null || true
    else
        log "redis: not running"
        return 0
    fi
    local i
    for ((i = 0; i < 100; i++)); do
        { [[ -n $pid ]] && proc_alive "$pid"; } || port_open "$REDIS_PORT" || break
        sleep 0.1
    done
    if [[ -n $pid ]] && proc_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$REDIS_PID"
}

# ---------------------------------------------------------------------------
# Elasticsearch: the integ-test-zip distribution from Maven Central (the only
# Elasticsearch build reachable from here), run under a dedicated user.
# ---------------------------------------------------------------------------

# Major version of the Java runtime in a JAVA_HOME-style directory.
java_major() {
    local home=$1 version
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" 2>/dev/null)
    [[ -n $version ]] || version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    version=${version#1.} # "1.8.0" style
    echo "${version%%[.+-]*}"
}

# This distribution bundles no JDK. Elasticsearch 8.x needs Java 17+; prefer the LTS
# releases it is tested on (21, 17) over newer ones.
find_es_java_home() {
    if [[ -n ${ES_JAVA_HOME:-} ]]; then
        [[ -x $ES_JAVA_HOME/bin/java ]] || die "ES_JAVA_HOME=$ES_JAVA_HOME has no bin/java"
        echo "$ES_JAVA_HOME"
        return 0
    fi
    local home major best="" best_rank=0 rank
    for home in /usr/lib/jvm/*; do
        [[ -x $home/bin/java ]] || continue
        major=$(java_major "$home")
        [[ $major =~ ^[0-9]+$ ]] || continue
        ((major >= 17)) || continue
        case $major in
        21) rank=3 ;;
        17) rank=2 ;;
        *) rank=1 ;;
        esac
        if ((rank > best_rank)); then
            best=$home
            best_rank=$rank
        fi
    done
    [[ -n $best ]] || return 1
    readlink -f "$best"
}

es_fetch() {
    local zip="$DOWNLOADS/elasticsearch-$ES_VERSION.zip"
    if [[ ! -s $zip ]] || ! unzip -tqq "$zip" >/dev/null 2>&1; then
        need_cmd mvn maven
        rm -f "$zip"
        mkdir -p "$DOWNLOADS"
        log "elasticsearch: downloading $ES_VERSION from Maven Central"
        # Run from the state dir: dependency:copy needs no pom.xml, but must not pick up one.
        (cd "$STATE_DIR" && mvn -q -B dependency:copy \
            "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
            "-DoutputDirectory=$DOWNLOADS") >"$STATE_DIR/mvn.log" 2>&1 9>&- ||
            { show_tail "$STATE_DIR/mvn.log"; die "could not download Elasticsearch $ES_VERSION"; }
        [[ -s $zip ]] || die "Maven did not produce $zip"
    fi
    echo "$zip"
}

es_install() {
    need_cmd curl curl
    need_cmd unzip unzip
    need_cmd pgrep procps
    ES_JAVA=$(find_es_java_home) || {
        apt_install openjdk-17-jre-headless
        ES_JAVA=$(find_es_java_home) || die "no Java 17+ runtime found under /usr/lib/jvm"
    }
    if ! id -u "$ES_USER" >/dev/null 2>&1; then
        log "elasticsearch: creating system user $ES_USER"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$ES_USER"
    fi
    if [[ ! -x $ES_HOME/bin/elasticsearch ]]; then
        local zip tmp="$STATE_DIR/.unpack.$$"
        zip=$(es_fetch)
        log "elasticsearch: unpacking into $ES_HOME"
        rm -rf "$tmp"
        unzip -q "$zip" -d "$tmp"
        # Move into place only when complete, so an interrupted unzip is redone next time.
        mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
        rm -rf "$tmp"
    fi
}

# Hunspell dictionaries are read as UTF-8 unless their SET line says otherwise; convert
# legacy-encoded ones so that Lucene and the dictionary agree on the encoding.
install_hunspell_dict() {
    local locale=$1 dest="$ES_HOME/config/hunspell/$1" src=/usr/share/hunspell enc
    [[ -r $src/$locale.aff && -r $src/$locale.dic ]] || apt_install hunspell-it
    [[ -r $src/$locale.aff ]] || die "hunspell dictionary $src/$locale.aff missing"
    mkdir -p "$dest"
    enc=$(sed -n 's/^SET[[:space:]]\+\([^[:space:]]*\).*/\1/p' "$src/$locale.aff" | head -n 1 | tr -d '\r')
    if [[ -z $enc || ${enc^^} == UTF-8 ]]; then
        cp -f "$src/$locale.aff" "$src/$locale.dic" "$dest/"
    else
        iconv -f "$enc" -t UTF-8 "$src/$locale.aff" | sed "s/^SET[[:space:]].*/SET UTF-8/" >"$dest/$locale.aff"
        iconv -f "$enc" -t UTF-8 "$src/$locale.dic" >"$dest/$locale.dic"
    fi
}

es_configure() {
    mkdir -p "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp"
    local conf="$ES_HOME/config"
    {
        cat <<EOF
# Written by scripts/services.sh; changes here are overwritten.
cluster.name: $ES_CLUSTER_NAME
node.name: node-1
discovery.type: single-node
network.host: $HOST
http.port: $ES_PORT
# Local development and tests only: no TLS, no authentication.
xpack.security.enabled: false
path.data: $ES_DIR/data
path.logs: $ES_DIR/logs
# Test machines often have little free disk; never block writes because of it.
cluster.routing.allocation.disk.threshold_enabled: false
# Let tests delete indices by wildcard.
action.destructive_requires_name: false
EOF
        # Elasticsearch refuses unknown settings, and this one only exists with the
        # ingest-geoip module, which the integ-test distribution does not ship.
        if [[ -d $ES_HOME/modules/ingest-geoip ]]; then
            echo "ingest.geoip.downloader.enabled: false"
        fi
    } >"$conf/elasticsearch.yml"
    mkdir -p "$conf/jvm.options.d"
    printf '%s\n' '-Xms512m' '-Xmx512m' >"$conf/jvm.options.d/opportunita.options"
    install_hunspell_dict it_IT
    # Elasticsearch creates its keystore in the config dir on first start.
    chown -R "$ES_USER:" "$conf" "$ES_DIR"

    # Below 262144 Elasticsearch only warns (loopback + single-node = development mode,
    # bootstrap checks not enforced); raise it where the kernel lets us, e.g. not in a container.
    local mmc
    mmc=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 0)
    if ((mmc < 262144)); then
        sysctl -q -w vm.max_map_count=262144 >/dev/null 2>&1 || true
    fi
}

# Pids of Elasticsearch processes run by our dedicated user (the node, and the launcher
# while it starts). Only this script runs Elasticsearch as that user.
es_pids() {
    id -u "$ES_USER" >/dev/null 2>&1 || return 1
    pgrep -u "$ES_USER" -f 'org\.elasticsearch\.' 2>/dev/null
}

es_alive() { es_pids >/dev/null; }

es_healthy() {
    curl -fsS --max-time 5 "http://$HOST:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null |
        grep -q "\"cluster_name\":\"$ES_CLUSTER_NAME\".*\"status\":\"\(yellow\|green\)\""
}

# Check the Italian hunspell dictionary really loads: print the tokens it produces.
es_verify_hunspell() {
    local body resp tokens
    body='{"tokenizer":"standard","filter":["lowercase",{"type":"hunspell","locale":"it_IT"}],"text":"tirocini magazzinieri"}'
    resp=$(curl -sS --max-time 60 -H 'Content-Type: application/json' -X POST \
        "http://$HOST:$ES_PORT/_analyze" -d "$body" 2>&1) || true
    tokens=$(grep -o '"token":"[^"]*"' <<<"$resp" | cut -d'"' -f4 | tr '\n' ' ') || true
    if [[ -z $tokens ]]; then
        log "elasticsearch: _analyze answered: $resp"
        show_tail "$ES_LOG"
        die "elasticsearch: hunspell it_IT dictionary does not work"
    fi
    log "elasticsearch: hunspell it_IT ok (tirocini magazzinieri -> ${tokens% })"
}

es_start() {
    es_install
    es_configure
    if ! es_healthy; then
        if es_alive; then
            log "elasticsearch: process running but not healthy yet, waiting"
        else
            port_open "$ES_PORT" &&
                die "port $ES_PORT is in use by something that is not our Elasticsearch; stop it and retry"
            log "elasticsearch: starting (java: $ES_JAVA)"
            rm -f "$ES_PID"
            # -d: daemonize; -p: pid file. The launcher returns once the node has started.
            (
                # Elasticsearch wants 65535 open files; raise the limit where we may
                # (below that it only warns in development mode).
                ulimit -n 65535 2>/dev/null || true
                as_user "$ES_USER" ES_JAVA_HOME="$ES_JAVA" ES_PATH_CONF="$ES_HOME/config" \
                    ES_TMPDIR="$ES_DIR/tmp" \
                    "$ES_HOME/bin/elasticsearch" -d -p "$ES_PID" >"$ES_LAUNCHER_LOG" 2>&1 </dev/null
            ) || {
                show_tail "$ES_LAUNCHER_LOG"
                show_tail "$ES_LOG"
                die "elasticsearch failed to start"
            }
        fi
        wait_for "$ES_START_TIMEOUT" es_healthy es_alive || {
            show_tail "$ES_LAUNCHER_LOG"
            show_tail "$ES_LOG"
            die "elasticsearch did not become yellow/green on $HOST:$ES_PORT within ${ES_START_TIMEOUT}s"
        }
    else
        log "elasticsearch: already running"
    fi
    es_verify_hunspell
    log "elasticsearch: up on $HOST:$ES_PORT"
}

es_stop() {
    local pids
    pids=$(es_pids) || pids=""
    if [[ -z $pids ]]; then
        log "elasticsearch: not running"
        rm -f "$ES_PID"
        return 0
    fi
    log "elasticsearch: stopping"
    # shellcheck disable=SC2086 # one pid per word
    kill -TERM $pids 2>/dev/null || true
    local i
    for ((i = 0; i < 300; i++)); do
        es_alive || break
        sleep 0.1
    done
    if pids=$(es_pids); then
        log "elasticsearch: did not stop within 30s, killing"
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$ES_PID"
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

service_fn() {
    case $1 in
    postgres | postgresql | pg) echo pg ;;
    redis) echo redis ;;
    elasticsearch | es) echo es ;;
    *) die "unknown service '$1' (expected postgres, redis or elasticsearch)" ;;
    esac
}

cmd_status() {
    local rc=0
    if pg_healthy; then
        echo "postgres       up    $HOST:$PG_PORT"
    else
        echo "postgres       down"
        rc=1
    fi
    if redis_healthy; then
        echo "redis          up    $HOST:$REDIS_PORT"
    else
        echo "redis          down"
        rc=1
    fi
    if es_healthy; then
        echo "elasticsearch  up    $HOST:$ES_PORT"
    else
        echo "elasticsearch  down"
        rc=1
    fi
    return "$rc"
}

cmd_env() {
    cat <<EOF
export DATABASE_URL=postgresql+psycopg://$DB_USER:$DB_PASSWORD@$HOST:$PG_PORT/${DATABASES[0]}
export TEST_DATABASE_URL=postgresql+psycopg://$DB_USER:$DB_PASSWORD@$HOST:$PG_PORT/${DATABASES[1]}
export REDIS_URL=redis://$HOST:$REDIS_PORT/0
export ELASTICSEARCH_URL=http://$HOST:$ES_PORT
EOF
}

usage() {
    # The header comment of this file is the help text.
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" >&2
    exit "${1:-2}"
}

main() {
    local cmd=${1:-}
    case $cmd in
    up)
        take_lock
        pg_start
        redis_start
        es_start
        cmd_status
        ;;
    down)
        take_lock
        es_stop
        redis_stop
        pg_stop
        ;;
    status) cmd_status ;;
    env) cmd_env ;;
    start | stop)
        [[ $# -eq 2 ]] || usage
        local fn
        fn=$(service_fn "$2")
        take_lock
        "${fn}_$cmd"
        ;;
    -h | --help | help) usage 0 ;;
    *) usage ;;
    esac
}

main "$@"
