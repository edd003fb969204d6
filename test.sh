#!/usr/bin/env bash
# ./test.sh: everything the tests need, then every test.
#
#   RabbitMQ and PostgreSQL: RABBITMQ_URL / POSTGRES_CONNECTION when given (used, never touched);
#   else Testcontainers when a Docker engine answers; else this script's OWN servers (apt installs
#   rabbitmq-server, and postgresql when no PostgreSQL binaries are there): a RabbitMQ node named
#   headshot-test on 127.0.0.1:5673 and a PostgreSQL cluster on 127.0.0.1:5433, data and logs under
#   $HEADSHOT_TEST_STATE (default /var/tmp/headshotevents-test). Left running for the next run.
#   Chromium (Debian's chromium, for the event-log page tests) is installed with apt when missing.
#
#   The chaos test kill -9s a broker and restarts a database: only this script's own "chaos" node
#   (5674) and cluster (5434), started for it whatever else is given; it drives them through
#   `./test.sh chaos-rabbitmq-kill|chaos-rabbitmq-start|chaos-postgres-restart` (CHAOS_CONTROL).
#
#   The scale-out test runs on a 3-node RabbitMQ cluster of this script's own (nodes headshot-cluster1..3,
#   AMQP 127.0.0.1:5675-5677, distribution 25675-25677, one Erlang cookie, joined to cluster1) and
#   kill -9s one node mid-run: `./test.sh cluster-rabbitmq-kill|cluster-rabbitmq-start N` and
#   `./test.sh cluster-rabbitmq-leader QUEUE` (CLUSTER_CONTROL, CLUSTER_RABBITMQ_URLS).
#
#   ./test.sh [dotnet test arguments]      e.g. ./test.sh --filter "FullyQualifiedName~Reconciler"
#   ./test.sh servers                      start (or reuse) the servers, print the variables
#   ./test.sh stop                         stop this script's own servers (nothing else)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

STATE=${HEADSHOT_TEST_STATE:-/var/tmp/headshotevents-test}
RABBIT_BIN=/usr/lib/rabbitmq/bin
TEST_RABBIT_PORT=5673 TEST_RABBIT_DIST=25673 TEST_PG_PORT=5433
CHAOS_RABBIT_PORT=5674 CHAOS_RABBIT_DIST=25674 CHAOS_PG_PORT=5434
CLUSTER_SIZE=3 CLUSTER_RABBIT_PORT=5675 CLUSTER_RABBIT_DIST=25675 # node N: port+N-1, dist+N-1

log() { printf '\n== %s\n' "$*"; }
fail() { printf '\ntest.sh: %s\n' "$*" >&2; exit 1; }

apt_install() {
  [ "$(id -u)" = 0 ] || fail "installing $* needs root (apt); or set RABBITMQ_URL and POSTGRES_CONNECTION"
  log "Installing $* (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}

# --- RabbitMQ: this script's own nodes ------------------------------------------------------------

ensure_rabbitmq_installed() {
  [ -x "$RABBIT_BIN/rabbitmq-server" ] && return
  apt_install rabbitmq-server
  # apt's postinst starts the package's default node; it is the machine's now, not ours: left alone.
}

# rabbit NAME TOOL ARGS...: a RabbitMQ CLI tool against the script's own node NAME (own cookie).
rabbit() {
  local name=$1 tool=$2; shift 2
  local dir="$STATE/rabbitmq-$name"
  mkdir -p "$dir"
  # From its own directory: a CLI tool that cannot reach the node leaves its erl_crash.dump there.
  (cd "$dir" && HOME="$dir" RABBITMQ_NODENAME="headshot-$name@localhost" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    ERL_CRASH_DUMP="$dir/erl_crash.dump" "$RABBIT_BIN/$tool" "$@")
}

rabbit_running() { rabbit "$1" rabbitmq-diagnostics -q check_running >/dev/null 2>&1; }

rabbit_start() { # NAME AMQP_PORT DIST_PORT
  if rabbit_running "$1"; then
    echo "RabbitMQ node headshot-$1 (127.0.0.1:$2) is up from an earlier run: reused"
    return
  fi
  rabbit_launch "$@"
  rabbit_wait "$1" "$2"
}

rabbit_launch() { # NAME AMQP_PORT DIST_PORT: starts the node detached, does not wait for it
  local name=$1 port=$2 dist=$3
  local dir="$STATE/rabbitmq-$name"
  mkdir -p "$dir/mnesia" "$dir/log"
  : >"$dir/rabbitmq-env.conf"
  echo "[]." >"$dir/enabled_plugins"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nlog.file.level = warning\n' "$port" >"$dir/rabbitmq.conf"
  chmod 700 "$dir"
  # Its own session and no inherited descriptors, so `./test.sh | tee log` returns; enough file
  # handles for the hundreds of durable queues a kill -9 makes it recover.
  (
    cd "$dir"
    ulimit -n 16384
    HOME="$dir" RABBITMQ_NODENAME="headshot-$name@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
      RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$dist" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
      RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_MNESIA_BASE="$dir/mnesia" \
      RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/pid" \
      setsid -f "$RABBIT_BIN/rabbitmq-server" </dev/null >>"$dir/server.out" 2>&1
  )
}

rabbit_wait() { # NAME AMQP_PORT
  local name=$1 port=$2 dir="$STATE/rabbitmq-$1"
  for _ in $(seq 1 90); do
    rabbit_running "$name" && break
    sleep 2
  done
  rabbit_running "$name" ||
    { tail -30 "$dir/server.out" "$dir"/log/*.log 2>/dev/null; fail "RabbitMQ node headshot-$name did not start (logs: $dir)"; }
  echo "RabbitMQ node headshot-$name started on 127.0.0.1:$port (data and logs: $dir)"
}

rabbit_kill() { # NAME: kill -9 the node's Erlang VM (only ever one of this script's own nodes)
  local pid
  pid=$(cat "$STATE/rabbitmq-$1/pid" 2>/dev/null) || fail "no pid file for headshot-$1"
  tr "\0" " " <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-home $STATE/rabbitmq-$1 " || fail "pid $pid is not node headshot-$1"
  kill -9 "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  echo "killed -9 RabbitMQ node headshot-$1 (pid $pid)"
}

rabbit_stop() { rabbit "$1" rabbitmqctl -q stop >/dev/null 2>&1 && echo "stopped RabbitMQ node headshot-$1" || true; }

# --- RabbitMQ: this script's own 3-node cluster (the scale-out test's) --------------------------------

cluster_node() { # N: the name, AMQP port and distribution port of cluster node N
  echo "cluster$1 $((CLUSTER_RABBIT_PORT + $1 - 1)) $((CLUSTER_RABBIT_DIST + $1 - 1))"
}

cluster_index() { # N: only 1..CLUSTER_SIZE: never a node this script did not start for the cluster
  [[ "${1:-}" =~ ^[1-9]$ ]] && [ "$1" -le "$CLUSTER_SIZE" ] || fail "cluster node index must be 1..$CLUSTER_SIZE, not '${1:-}'"
}

cluster_start() {
  local n name port dist pending=()
  # One cookie for the three (Erlang distribution refuses nodes with another), written before the
  # first start; the CLI tools read it from the same HOME.
  [ -f "$STATE/cluster.cookie" ] || { mkdir -p "$STATE"; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$STATE/cluster.cookie"; }
  for n in $(seq 1 "$CLUSTER_SIZE"); do
    read -r name port dist < <(cluster_node "$n")
    mkdir -p "$STATE/rabbitmq-$name"
    install -m 400 "$STATE/cluster.cookie" "$STATE/rabbitmq-$name/.erlang.cookie"
    if rabbit_running "$name"; then
      echo "RabbitMQ node headshot-$name (127.0.0.1:$port) is up from an earlier run: reused"
    else
      # All at once: a clustered node that starts waits for the peers it last saw running.
      rabbit_launch "$name" "$port" "$dist"
      pending+=("$n")
    fi
  done
  for n in "${pending[@]}"; do
    read -r name port dist < <(cluster_node "$n")
    rabbit_wait "$name" "$port"
  done
  for n in $(seq 2 "$CLUSTER_SIZE"); do
    read -r name port dist < <(cluster_node "$n")
    [ -f "$STATE/rabbitmq-$name/joined" ] && continue
    { rabbit "$name" rabbitmqctl -q stop_app && rabbit "$name" rabbitmqctl -q reset &&
      rabbit "$name" rabbitmqctl -q join_cluster headshot-cluster1@localhost &&
      rabbit "$name" rabbitmqctl -q start_app; } >>"$STATE/rabbitmq-$name/join.log" 2>&1 ||
      { tail -20 "$STATE/rabbitmq-$name/join.log"; fail "headshot-$name could not join headshot-cluster1"; }
    touch "$STATE/rabbitmq-$name/joined"
    echo "RabbitMQ node headshot-$name joined headshot-cluster1"
  done
}

cluster_urls() {
  local n urls=""
  for n in $(seq 1 "$CLUSTER_SIZE"); do
    urls+="${urls:+,}amqp://guest:guest@127.0.0.1:$((CLUSTER_RABBIT_PORT + n - 1))/"
  done
  echo "$urls"
}

cluster_leader() { # QUEUE: the index of the node leading this quorum queue (a classic queue: its home node)
  local n name port dist line
  for n in $(seq 1 "$CLUSTER_SIZE"); do
    read -r name port dist < <(cluster_node "$n")
    # A classic queue has no leader column: the first node named is then its process's.
    line=$(rabbit "$name" rabbitmqctl -q list_queues name leader pid --no-table-headers 2>/dev/null | awk -v q="$1" '$1 == q') || continue
    [[ "$line" =~ headshot-cluster([0-9])@ ]] || continue
    echo "${BASH_REMATCH[1]}"
    return
  done
  fail "no running cluster node knows queue $1"
}

# --- PostgreSQL: this script's own clusters -------------------------------------------------------

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
}

ensure_postgres_installed() {
  [ -n "$(pg_bin)" ] && return
  apt_install postgresql
  # The package's own cluster (5432) is the machine's: left alone.
}

as_postgres() { (cd /tmp && runuser -u postgres -- "$@"); }

pg_start() { # NAME PORT
  local name=$1 port=$2 bin
  local dir="$STATE/postgres-$name"
  bin=$(pg_bin)
  if [ -f "$dir/data/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    echo "PostgreSQL cluster $name (127.0.0.1:$port) is up from an earlier run: reused"
    return
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir"
    chown postgres: "$dir"
    chmod 700 "$dir"
    echo postgres >"$dir/password"
    chown postgres: "$dir/password"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/password" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log"; fail "initdb failed for cluster $name"; }
    # Test data: durable enough for a crash of the server process (the chaos test's restart), not of the machine.
    cat >>"$dir/data/postgresql.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 400
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi
  as_postgres setsid "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 start </dev/null >/dev/null 2>&1 ||
    { tail -30 "$dir/server.log"; fail "PostgreSQL cluster $name did not start (logs: $dir)"; }
  echo "PostgreSQL cluster $name started on 127.0.0.1:$port (data and logs: $dir)"
}

pg_restart() { # NAME: an immediate (crash-like) restart of one of this script's own clusters
  local dir="$STATE/postgres-$1"
  [ -f "$dir/data/PG_VERSION" ] || fail "no cluster $1 of this script's"
  as_postgres setsid "$(pg_bin)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m immediate -w -t 120 restart </dev/null >/dev/null 2>&1
  echo "restarted PostgreSQL cluster $1 (immediate)"
}

pg_stop() {
  local dir="$STATE/postgres-$1"
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_postgres "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 && echo "stopped PostgreSQL cluster $1" || true
}

# --- What the tests get ---------------------------------------------------------------------------

docker_answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

provide_servers() {
  if [ -n "${RABBITMQ_URL:-}" ] && [ -n "${POSTGRES_CONNECTION:-}" ]; then
    log "RabbitMQ and PostgreSQL from RABBITMQ_URL and POSTGRES_CONNECTION"
    OWN_TEST_NODE=no
  elif docker_answers && [ -z "${RABBITMQ_URL:-}${POSTGRES_CONNECTION:-}" ]; then
    log "A Docker engine answers: Testcontainers starts RabbitMQ and PostgreSQL"
    OWN_TEST_NODE=no
  else
    log "Starting this script's own RabbitMQ and PostgreSQL"
    if [ -z "${RABBITMQ_URL:-}" ]; then
      ensure_rabbitmq_installed
      rabbit_start test "$TEST_RABBIT_PORT" "$TEST_RABBIT_DIST"
      export RABBITMQ_URL="amqp://guest:guest@127.0.0.1:$TEST_RABBIT_PORT/"
      OWN_TEST_NODE=yes
    else
      OWN_TEST_NODE=no
    fi
    if [ -z "${POSTGRES_CONNECTION:-}" ]; then
      ensure_postgres_installed
      pg_start test "$TEST_PG_PORT"
      export POSTGRES_CONNECTION="Host=127.0.0.1;Port=$TEST_PG_PORT;Username=postgres;Password=postgres"
    fi
  fi

  if [ -z "${CHAOS_CONTROL:-}" ]; then
    log "Starting the chaos test's own RabbitMQ node and PostgreSQL cluster (it kills and restarts them)"
    ensure_rabbitmq_installed
    ensure_postgres_installed
    rabbit_start chaos "$CHAOS_RABBIT_PORT" "$CHAOS_RABBIT_DIST"
    pg_start chaos "$CHAOS_PG_PORT"
    export CHAOS_CONTROL="$ROOT/test.sh"
    export CHAOS_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:$CHAOS_RABBIT_PORT/"
    export CHAOS_POSTGRES_CONNECTION="Host=127.0.0.1;Port=$CHAOS_PG_PORT;Username=postgres;Password=postgres"
  fi

  if [ -z "${CLUSTER_CONTROL:-}" ]; then
    log "Starting the scale-out test's own 3-node RabbitMQ cluster (it kills a node)"
    ensure_rabbitmq_installed
    cluster_start
    export CLUSTER_CONTROL="$ROOT/test.sh"
    CLUSTER_RABBITMQ_URLS=$(cluster_urls)
    export CLUSTER_RABBITMQ_URLS
  fi

  # The event-log page tests drive a real headless Chromium with Playwright: Debian's own package,
  # never a browser Playwright would download (CHROMIUM_PATH names another binary).
  if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi

  # The archiver's tests start s3rver (an S3-compatible server, npm) themselves, unless S3_URL names one.
  if [ -z "${S3_URL:-}" ] && [ ! -d tools/s3rver/node_modules/s3rver ]; then
    log "Installing s3rver (the archiver tests' S3 server) from its lock file"
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    npm ci --prefix tools/s3rver --no-audit --no-fund --silent
  fi
}

broker_counts() { # NODE: "queues exchanges" on one of the script's own nodes
  local queues exchanges
  queues=$(rabbit "$1" rabbitmqctl -q list_queues name --no-table-headers 2>/dev/null | grep -c . || true)
  exchanges=$(rabbit "$1" rabbitmqctl -q list_exchanges name --no-table-headers 2>/dev/null | grep -c . || true)
  echo "$queues $exchanges"
}

broker_hygiene() { # NODE BEFORE: what the run left behind on that node
  local node=$1 before=$2 after
  after=$(broker_counts "$node")
  log "Broker hygiene (node headshot-$node)"
  echo "queues ${before% *} before, ${after% *} after; exchanges ${before#* } before, ${after#* } after"
  if [ "$after" != "$before" ]; then
    echo "left behind:"
    # head closing the pipe early (SIGPIPE under pipefail) must not end the run before its summary.
    { rabbit "$node" rabbitmqctl -q list_queues name --no-table-headers | head -20; } || true
    { rabbit "$node" rabbitmqctl -q list_exchanges name --no-table-headers | grep -v '^amq\.' | grep . | head -20; } || true
  fi
}

run_tests() {
  provide_servers

  log "Building (warnings are errors)"
  dotnet build HeadShotEvents.sln -c Debug -warnaserror -nologo -v q

  local before="" cluster_before="" results="$STATE/results" report
  [ "$OWN_TEST_NODE" = yes ] && before=$(broker_counts test)
  [ "${CLUSTER_CONTROL:-}" = "$ROOT/test.sh" ] && cluster_before=$(broker_counts cluster1)
  rm -rf "$results"
  mkdir -p "$results"
  report="$results/report.txt"
  export HEADSHOT_TEST_REPORT="$report"

  log "Testing"
  set +e
  dotnet test HeadShotEvents.sln --no-build -nologo "$@" 2>&1 | tee "$results/dotnet-test.log"
  local status=${PIPESTATUS[0]}
  set -e

  if [ -s "$report" ]; then
    log "Test reports"
    cat "$report"
  fi
  [ -n "$before" ] && broker_hygiene test "$before"
  [ -n "$cluster_before" ] && broker_hygiene cluster1 "$cluster_before"

  # One "Passed!/Failed! - Failed: a, Passed: b, Skipped: c" line per test assembly.
  local summary assemblies
  summary=$(grep -E '^(Passed|Failed)!' "$results/dotnet-test.log" |
    sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\1 \2 \3/' |
    awk '{f+=$1; p+=$2; s+=$3} END {printf "%d passed, %d failed, %d skipped", p, f, s}')
  assemblies=$(grep -cE '^(Passed|Failed)!' "$results/dotnet-test.log" || true)
  echo
  echo "$summary"
  [ "$assemblies" -gt 0 ] || { echo "no test results were found"; exit 1; }
  exit "$status"
}

case "${1:-}" in
  servers) provide_servers; env | grep -E '^(RABBITMQ_URL|POSTGRES_CONNECTION|CHAOS_[A-Z_]+|CLUSTER_[A-Z_]+)=' | sort ;;
  stop)
    for n in test chaos; do rabbit_stop "$n"; pg_stop "$n"; done
    for n in $(seq "$CLUSTER_SIZE" -1 1); do rabbit_stop "cluster$n"; done ;;
  chaos-rabbitmq-kill) rabbit_kill chaos ;;
  chaos-rabbitmq-start) rabbit_start chaos "$CHAOS_RABBIT_PORT" "$CHAOS_RABBIT_DIST" ;;
  chaos-postgres-restart) pg_restart chaos ;;
  cluster-rabbitmq-kill) cluster_index "${2:-}"; rabbit_kill "cluster$2" ;;
  cluster-rabbitmq-start) cluster_index "${2:-}"; read -r name port dist < <(cluster_node "$2"); rabbit_start "$name" "$port" "$dist" ;;
  cluster-rabbitmq-leader) [ -n "${2:-}" ] || fail "which queue?"; cluster_leader "$2" ;;
  *) run_tests "$@" ;;
esac
