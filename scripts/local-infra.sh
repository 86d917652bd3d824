#!/usr/bin/env bash
# Starts PostgreSQL and RabbitMQ from the OS packages for tests and local runs on a machine
# without Docker: state in a git-ignored folder, non-default loopback ports, safe as root, from a
# checkout anywhere (a folder only root can enter, a path with spaces, several checkouts).
#
#   scripts/local-infra.sh install  install the OS packages that are missing (apt-get, as root)
#   scripts/local-infra.sh install-stack
#                                   also what scripts/run-local.sh and scripts/check-ops.sh use:
#                                   nginx, Prometheus (promtool), Alertmanager (amtool), docker-compose
#   scripts/local-infra.sh install-browser
#                                   Debian's chromium, which the web page's browser tests drive
#   scripts/local-infra.sh up       install what is missing, start both (a second `up` is harmless);
#                                   a failed `up` stops what it started
#   scripts/local-infra.sh env      print the export lines the services and tests read
#   scripts/local-infra.sh status   say what runs, and who holds a port that is taken
#   scripts/local-infra.sh down     stop what `up` started, by PID
#   scripts/local-infra.sh clean    down, then delete the databases' and broker's data
#   scripts/local-infra.sh rabbitmq-stop-app|rabbitmq-start-app
#                                   take the broker down and back up (node stays), for outage tests
#
# Settings (environment): COMMITVIEWER_STATE_DIR (default .local/ in the repository),
# COMMITVIEWER_PG_PORT (25432), COMMITVIEWER_RABBITMQ_PORT (25672),
# COMMITVIEWER_RABBITMQ_MANAGEMENT_PORT (25673), COMMITVIEWER_RABBITMQ_DIST_PORT (25674),
# COMMITVIEWER_RABBITMQ_PROMETHEUS_PORT (25692), COMMITVIEWER_EPMD_PORT (24369).
# A second checkout on the same machine needs other ports: `up` names the checkout that holds
# a port instead of failing inside pg_ctl or RabbitMQ.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${COMMITVIEWER_STATE_DIR:-$root/.local}"
infra="$state/infra"
# shellcheck source=scripts/lib/processes.sh
source "$root/scripts/lib/processes.sh"

pg_port="${COMMITVIEWER_PG_PORT:-25432}"
pg_bin="${COMMITVIEWER_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
pg_user=commitviewer
pg_password=commitviewer
pg_database=commitviewer

rabbit_port="${COMMITVIEWER_RABBITMQ_PORT:-25672}"
rabbit_management_port="${COMMITVIEWER_RABBITMQ_MANAGEMENT_PORT:-25673}"
rabbit_dist_port="${COMMITVIEWER_RABBITMQ_DIST_PORT:-25674}"
rabbit_prometheus_port="${COMMITVIEWER_RABBITMQ_PROMETHEUS_PORT:-25692}"
epmd_port="${COMMITVIEWER_EPMD_PORT:-24369}"
rabbit_dir="$infra/rabbitmq"
rabbit_user=commitviewer
rabbit_password=commitviewer
rabbit_node="commitviewer-${rabbit_port}@localhost"
# a consumer that holds one delivery longer than this loses its channel and the delivery is
# redelivered: set explicitly (RabbitMQ's default is 30 min), the same in compose and the tests
rabbit_consumer_timeout_ms="${COMMITVIEWER_RABBITMQ_CONSUMER_TIMEOUT_MS:-1800000}"

log() { echo "local-infra: $*" >&2; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# PostgreSQL refuses to run as root: as root the cluster belongs to the postgres user. The
# arguments are passed as they are (no shell string), so any path works.
as_pg() {
  if is_root; then
    su postgres -s /bin/bash -c 'exec "$@"' -- as_pg "$@"
  else
    "$@"
  fi
}

# Where the PostgreSQL cluster lives: in the checkout's state folder, unless the postgres user
# cannot reach it (a checkout under a folder only root can enter, e.g. /root or a mktemp -d
# folder) or its socket path would be too long for a Unix socket; then in a folder of its own
# under /var/tmp, named after the state folder. The same answer for every command, so `status`
# and `down` always find what `up` started.
pg_home() {
  local dir="$infra/postgres"
  if is_root && ! su postgres -s /bin/sh -c 'test -x "$0"' "$infra" 2>/dev/null; then
    dir=""
  fi
  if [[ -z "$dir" || $(( ${#dir} + 20 )) -gt 100 || "$dir" == *"'"* ]]; then
    dir="/var/tmp/commit-viewer-$(printf '%s' "$infra" | sha1sum | cut -c1-12)/postgres"
  fi
  echo "$dir"
}

apt_updated=""
install_packages() {
  local missing=("$@")
  [[ ${#missing[@]} -gt 0 ]] || return 0
  if ! is_root; then
    log "missing packages: ${missing[*]} (run as root or install them: apt-get install ${missing[*]})"
    exit 1
  fi
  if [[ -z "$apt_updated" ]]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_stack_installed() {
  local missing=()
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v prometheus >/dev/null && command -v promtool >/dev/null || missing+=(prometheus)
  command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  install_packages "${missing[@]}"
}

ensure_browser_installed() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  install_packages "${missing[@]}"
}

ensure_installed() {
  local missing=()
  [[ -n "$pg_bin" && -x "$pg_bin/postgres" ]] || missing+=(postgresql)
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
  command -v ss >/dev/null || missing+=(iproute2)
  install_packages "${missing[@]}"
  pg_bin="${COMMITVIEWER_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
}

ports_hint="COMMITVIEWER_PG_PORT, COMMITVIEWER_RABBITMQ_PORT, COMMITVIEWER_RABBITMQ_MANAGEMENT_PORT, \
COMMITVIEWER_RABBITMQ_DIST_PORT, COMMITVIEWER_RABBITMQ_PROMETHEUS_PORT, COMMITVIEWER_EPMD_PORT"

pg_pid() { pidfile_pid "$(pg_home)/data/postmaster.pid"; }

postgres_up() {
  local pg_dir
  pg_dir="$(pg_home)"
  if alive "$(pg_pid)"; then
    log "postgres already running (pid $(pg_pid)) on port $pg_port"
    return
  fi
  require_free_ports PostgreSQL "$ports_hint" "$pg_port"
  mkdir -p "$pg_dir"
  if is_root; then
    chown postgres:postgres "$pg_dir"
    if [[ "$pg_dir" != "$infra/postgres" ]]; then
      # which checkout this folder belongs to, for a person looking at /var/tmp
      chown postgres:postgres "$(dirname "$pg_dir")"
      printf '%s\n' "$state" > "$(dirname "$pg_dir")/owner"
      log "postgres data in $pg_dir (the postgres user cannot reach $infra, or its path is too long)"
    fi
  fi
  if [[ ! -f "$pg_dir/data/PG_VERSION" ]]; then
    printf '%s\n' "$pg_password" > "$pg_dir/pwfile"
    is_root && chown postgres:postgres "$pg_dir/pwfile"
    as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$pg_dir/pwfile" -E UTF8 --locale=C.UTF-8 >"$state/infra/initdb.log" 2>&1
  fi
  started+=(postgres)
  as_pg env COMMITVIEWER_OWNER="$owner_id" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
    -o "-p $pg_port -k '$pg_dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  as_pg "$pg_bin/psql" -h "$pg_dir" -p "$pg_port" -U postgres -d postgres -qtA -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$pg_user') THEN
    CREATE ROLE $pg_user LOGIN PASSWORD '$pg_password' CREATEDB;
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $pg_database OWNER $pg_user' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$pg_database')\gexec
SQL
  log "postgres running (pid $(pg_pid)) on 127.0.0.1:$pg_port"
}

postgres_down() {
  local pid
  pid="$(pg_pid)"
  if alive "$pid"; then
    kill -INT "$pid" # fast shutdown
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid"
    log "postgres stopped (pid $pid)"
  fi
}

rabbit_env() {
  export PATH="/usr/lib/rabbitmq/bin:$PATH"
  export RABBITMQ_NODENAME="$rabbit_node"
  export RABBITMQ_NODE_PORT="$rabbit_port"
  export RABBITMQ_DIST_PORT="$rabbit_dist_port"
  export ERL_EPMD_PORT="$epmd_port"
  export ERL_EPMD_ADDRESS=127.0.0.1
  # Erlang distribution on loopback only, like every other port here
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_MNESIA_BASE="$rabbit_dir/mnesia"
  export RABBITMQ_LOG_BASE="$rabbit_dir/log"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$rabbit_dir/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$rabbit_dir/rabbitmq.conf"
  export RABBITMQ_CONF_ENV_FILE=/dev/null
  export RABBITMQ_PID_FILE="$rabbit_dir/rabbitmq.pid"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$rabbit_dir/advanced.config"
  export HOME="$rabbit_dir/home" # the Erlang cookie lives here
}

rabbit_up() {
  rabbit_env
  if alive "$(pidfile_pid "$rabbit_dir/server.pid")"; then
    log "rabbitmq already running (pid $(pidfile_pid "$rabbit_dir/server.pid")) on port $rabbit_port"
    return
  fi
  local ports=("$rabbit_port" "$rabbit_management_port" "$rabbit_dist_port" "$rabbit_prometheus_port")
  alive "$(pidfile_pid "$rabbit_dir/epmd.pid")" || ports+=("$epmd_port")
  require_free_ports RabbitMQ "$ports_hint" "${ports[@]}"
  mkdir -p "$rabbit_dir/mnesia" "$rabbit_dir/log" "$HOME"
  echo '[rabbitmq_management,rabbitmq_prometheus,rabbitmq_consistent_hash_exchange].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
  cat > "$RABBITMQ_CONFIG_FILE" <<CONF
listeners.tcp.default = 127.0.0.1:$rabbit_port
management.tcp.port = $rabbit_management_port
management.tcp.ip = 127.0.0.1
prometheus.tcp.port = $rabbit_prometheus_port
prometheus.tcp.ip = 127.0.0.1
loopback_users = none
consumer_timeout = $rabbit_consumer_timeout_ms
CONF
  if ! alive "$(pidfile_pid "$rabbit_dir/epmd.pid")"; then
    # our own epmd, on our own port, so that `down` can stop it by PID
    epmd -port "$epmd_port" -address 127.0.0.1 >"$rabbit_dir/log/epmd.log" 2>&1 &
    echo $! > "$rabbit_dir/epmd.pid"
    started+=(epmd)
  fi
  rm -f "$RABBITMQ_PID_FILE"
  nohup rabbitmq-server >"$rabbit_dir/log/server.out" 2>&1 &
  echo $! > "$rabbit_dir/server.pid"
  started+=(rabbitmq)
  for _ in $(seq 1 300); do [[ -s "$RABBITMQ_PID_FILE" ]] && break; sleep 0.2; done
  if ! rabbitmqctl -q wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || ! rabbitmqctl -q await_startup >/dev/null 2>&1; then
    log "rabbitmq did not start; see $rabbit_dir/log"
    grep -m 5 -i -B 2 'error' "$rabbit_dir/log/server.out" >&2 || tail -n 30 "$rabbit_dir/log/server.out" >&2 || true
    exit 1
  fi
  if ! rabbitmqctl -q list_users 2>/dev/null | grep -q "^$rabbit_user"; then
    rabbitmqctl -q add_user "$rabbit_user" "$rabbit_password" >/dev/null
    rabbitmqctl -q set_user_tags "$rabbit_user" administrator >/dev/null
    rabbitmqctl -q set_permissions -p / "$rabbit_user" '.*' '.*' '.*' >/dev/null
  fi
  log "rabbitmq running (pid $(pidfile_pid "$rabbit_dir/server.pid")) on 127.0.0.1:$rabbit_port, management :$rabbit_management_port, metrics :$rabbit_prometheus_port"
}

rabbit_down() {
  rabbit_env
  local server beam epmd
  server="$(pidfile_pid "$rabbit_dir/server.pid")"
  beam="$(pidfile_pid "$RABBITMQ_PID_FILE")"
  if alive "$server" || alive "$beam"; then
    alive "$server" && kill -TERM "$server" 2>/dev/null || true
    alive "$beam" && kill -TERM "$beam" 2>/dev/null || true
    for _ in $(seq 1 150); do alive "$beam" || alive "$server" || break; sleep 0.2; done
    alive "$beam" && kill -KILL "$beam" 2>/dev/null || true
    alive "$server" && kill -KILL "$server" 2>/dev/null || true
    log "rabbitmq stopped (pid $server)"
  fi
  epmd="$(pidfile_pid "$rabbit_dir/epmd.pid")"
  if alive "$epmd"; then
    kill -TERM "$epmd" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$epmd" || break; sleep 0.1; done
    log "epmd stopped (pid $epmd)"
  fi
  rm -f "$rabbit_dir/server.pid" "$rabbit_dir/epmd.pid" "$RABBITMQ_PID_FILE"
}

print_env() {
  cat <<ENV
export SPRING_DATASOURCE_URL=jdbc:postgresql://127.0.0.1:$pg_port/$pg_database
export SPRING_DATASOURCE_USERNAME=$pg_user
export SPRING_DATASOURCE_PASSWORD=$pg_password
export COMMITVIEWER_PG_SUPERUSER=postgres
export COMMITVIEWER_PG_SUPERUSER_PASSWORD=$pg_password
export SPRING_RABBITMQ_HOST=127.0.0.1
export SPRING_RABBITMQ_PORT=$rabbit_port
export SPRING_RABBITMQ_USERNAME=$rabbit_user
export SPRING_RABBITMQ_PASSWORD=$rabbit_password
export COMMITVIEWER_RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:$rabbit_management_port
export COMMITVIEWER_RABBITMQ_PROMETHEUS_URL=http://127.0.0.1:$rabbit_prometheus_port/metrics
export COMMITVIEWER_LOCAL_INFRA=$(printf '%q' "$root/scripts/local-infra.sh")
ENV
}

status() {
  local pg rabbit owner
  pg="$(pg_pid)"
  rabbit="$(pidfile_pid "$rabbit_dir/server.pid")"
  if alive "$pg"; then
    echo "postgres: running (pid $pg) on 127.0.0.1:$pg_port, data in $(pg_home)/data"
  else
    owner="$(port_owner "$pg_port")"
    echo "postgres: stopped${owner:+ (port $pg_port is taken by $owner)}"
  fi
  if alive "$rabbit"; then
    echo "rabbitmq: running (pid $rabbit) on 127.0.0.1:$rabbit_port"
  else
    owner="$(port_owner "$rabbit_port")"
    echo "rabbitmq: stopped${owner:+ (port $rabbit_port is taken by $owner)}"
  fi
}

# What this `up` started, stopped again if it fails, so that nothing half-started is left behind.
started=()
undo_failed_up() {
  local status=$?
  if [[ $status -ne 0 && ${#started[@]} -gt 0 ]]; then
    log "up failed: stopping what it started (${started[*]})"
    [[ " ${started[*]} " == *" rabbitmq "* || " ${started[*]} " == *" epmd "* ]] && rabbit_down
    [[ " ${started[*]} " == *" postgres "* ]] && postgres_down
  fi
  return $status
}

mkdir -p "$infra"
case "${1:-}" in
  up)
    ensure_installed
    trap undo_failed_up EXIT
    postgres_up
    rabbit_up
    trap - EXIT
    ;;
  down)
    rabbit_down
    postgres_down
    ;;
  clean)
    rabbit_down
    postgres_down
    pg_dir="$(pg_home)"
    rm -rf "$rabbit_dir" "$pg_dir"
    [[ "$pg_dir" == "$infra/postgres" ]] || rm -rf "$(dirname "$pg_dir")"
    log "data deleted"
    ;;
  install) ensure_installed ;;
  install-stack) ensure_installed; ensure_stack_installed ;;
  install-browser) ensure_browser_installed ;;
  rabbitmq-stop-app) rabbit_env; rabbitmqctl -q stop_app >/dev/null ;;
  rabbitmq-start-app) rabbit_env; rabbitmqctl -q start_app >/dev/null && rabbitmqctl -q await_startup >/dev/null ;;
  env) print_env ;;
  status) status ;;
  *)
    echo "usage: $0 install|install-stack|install-browser|up|down|clean|env|status|rabbitmq-stop-app|rabbitmq-start-app" >&2
    exit 2
    ;;
esac
