#!/usr/bin/env bash
# The whole stack on a machine without Docker: what `docker compose up` runs, from the OS packages
# and the service jars.
#
#   scripts/run-local.sh up      start everything, return once all of it is healthy, print the URLs
#   scripts/run-local.sh status  say what runs
#   scripts/run-local.sh down    stop what `up` started, by PID
#
# PostgreSQL and RabbitMQ come from scripts/local-infra.sh (left running by `down` if they were
# running before `up`); MongoDB is SPRING_MONGODB_URI if set, else the stand-in
# (mongo-java-server, in memory) in a process of its own on COMMITVIEWER_MONGO_STANDIN_PORT (27018),
# or in commit-service's process with COMMITVIEWER_MONGO_EMBEDDED=memory|h2; both services run
# from their jars (built when missing);
# nginx serves the gateway with gateway/routes.conf, the routes compose uses, and the web page from
# web/dist (built when missing, with scripts/build-web.sh); Prometheus scrapes
# with prometheus/prometheus.yml's jobs and prometheus/alerts.yml's rules.
# The caller's COMMITVIEWER_* and SPRING_* variables reach the services (but for the database and
# broker settings, which are local-infra.sh's, and PORT/MANAGEMENT_PORT, fixed per service), e.g.
#   COMMITVIEWER_GIT_ALLOWED_ORIGINS=https://github.com,internal:http://127.0.0.1:9418 scripts/run-local.sh up
#
# Settings: COMMITVIEWER_GATEWAY_PORT (8080), COMMITVIEWER_PROMETHEUS_PORT (9090),
# COMMITVIEWER_SCRAPE_INTERVAL (15s), COMMITVIEWER_JAVA_OPTS (-Xmx512m), COMMITVIEWER_STATE_DIR (.local/),
# COMMITVIEWER_LOG_FORMAT (json: the services log JSON lines as in the images; text: plain text),
# COMMITVIEWER_GATEWAY_READS_PER_SECOND (50), _READS_BURST (100), _WRITES_PER_SECOND (5),
# _WRITES_BURST (10): the gateway's rate limits per client address; _STREAMS_PER_ADDRESS (20): the
# event streams one address may hold open at once.
# COMMITVIEWER_PROJECT_SERVICE_INSTANCES, COMMITVIEWER_COMMIT_SERVICE_INSTANCES (1 each): more
# instances of a service behind the gateway (one nginx upstream with a server each) and scraped by
# Prometheus; instance k > 1 is named SERVICE-k, on the service's ports + 100 × (k - 1) (e.g.
# commit-service-2 on 8182/9182), with a mirror cache of its own. `up` starts the instances that
# are not running (one killed is started again); `down` stops every instance it finds.
# COMMITVIEWER_ENV_<INSTANCE> (e.g. COMMITVIEWER_ENV_COMMIT_SERVICE_3): space-separated NAME=value
# settings for that instance alone (the chaos test points one instance at proxies of its own).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${COMMITVIEWER_STATE_DIR:-$root/.local}"
stack="$state/stack"
gateway_port="${COMMITVIEWER_GATEWAY_PORT:-8080}"
prometheus_port="${COMMITVIEWER_PROMETHEUS_PORT:-9090}"
scrape_interval="${COMMITVIEWER_SCRAPE_INTERVAL:-15s}"
java_opts="${COMMITVIEWER_JAVA_OPTS:--Xmx512m}"
mongo_port="${COMMITVIEWER_MONGO_STANDIN_PORT:-27018}"
# the services' ports are theirs: 8081/9081 and 8082/9082, as in compose and the gateway's routes;
# instance k > 1 of a service adds 100 × (k - 1)
services=(project-service commit-service)
declare -A app_port=([project-service]=8081 [commit-service]=8082)
declare -A management_port=([project-service]=9081 [commit-service]=9082)
declare -A instance_count=([project-service]="${COMMITVIEWER_PROJECT_SERVICE_INSTANCES:-1}"
  [commit-service]="${COMMITVIEWER_COMMIT_SERVICE_INSTANCES:-1}")
declare -A service_of=()
instances=() # every instance to run, in start order
for service in "${services[@]}"; do
  count="${instance_count[$service]}"
  if [[ ! "$count" =~ ^[1-9]$ ]]; then
    echo "run-local: the number of $service instances must be 1 to 9, not '$count'" >&2
    exit 2
  fi
  for k in $(seq 1 "$count"); do
    name="$service"
    [[ $k -gt 1 ]] && name="$service-$k"
    app_port[$name]=$((app_port[$service] + 100 * (k - 1)))
    management_port[$name]=$((management_port[$service] + 100 * (k - 1)))
    service_of[$name]="$service"
    instances+=("$name")
  done
done

log() { echo "run-local: $*" >&2; }
# shellcheck source=scripts/lib/processes.sh
source "$root/scripts/lib/processes.sh"
# The PID recorded for a part, if that process still runs the command it was started with (a
# reused PID after a reboot is never taken for it); the marker is a path only that command has.
declare -A marker=([project-service]=project-service.jar [commit-service]=commit-service.jar
  [mongo-stand-in]=MongoStandIn [gateway]="$stack/nginx/nginx.conf" [prometheus]="$stack/prometheus/prometheus.yml")
marker_of() { # name: an instance SERVICE-k is marked by its service's jar
  if [[ -n "${marker[$1]:-}" ]]; then echo "${marker[$1]}"; else echo "${1%-[0-9]}.jar"; fi
}
pid_of() {
  local pid
  [[ -f "$stack/$1.pid" ]] || return 0
  pid="$(head -n 1 "$stack/$1.pid")"
  if [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$(marker_of "$1")"; then
    echo "$pid"
  fi
}
# every service instance with a pid file, whatever the instance counts now (for `down` and `status`)
recorded_instances() {
  local file name
  for file in "$stack"/project-service*.pid "$stack"/commit-service*.pid; do
    [[ -f "$file" ]] || continue
    name="$(basename "$file" .pid)"
    [[ "$name" =~ ^(project|commit)-service(-[2-9])?$ ]] && echo "$name"
  done
}
started=() # what this `up` started, stopped again if it fails
infra_started_here= # set when this `up` (not an earlier one) starts PostgreSQL and RabbitMQ

stop_pid() { # name: TERM, wait up to 30 s, then KILL
  local name="$1" pid
  pid="$(pid_of "$name")"
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      log "$name (pid $pid) did not stop in 30 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$stack/$name.pid"
}

wait_http() { # name url seconds pid
  local name="$1" url="$2" seconds="$3" pid="$4"
  for _ in $(seq 1 $((seconds * 5))); do
    if curl -sf -o /dev/null "$url"; then return 0; fi
    if ! alive "$pid"; then
      log "$name exited; the end of its log:"
      tail -n 40 "$stack/$name.log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
  log "$name not healthy after $seconds s ($url); the end of its log:"
  tail -n 40 "$stack/$name.log" >&2 || true
  return 1
}

build_jars() {
  local missing=()
  for service in "${services[@]}"; do
    [[ -f "$root/$service/target/$service.jar" ]] || missing+=("$service")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "building ${missing[*]} (./mvnw package -DskipTests)"
    (cd "$root" && ./mvnw -q -B -ntp -pl "$(IFS=,; echo "${missing[*]}")" -am package -DskipTests)
  fi
}

start_service() {
  local name="$1" service="${service_of[$1]}" pid
  pid="$(pid_of "$name")"
  if alive "$pid"; then
    log "$name already running (pid $pid)"
    return
  fi
  require_free_ports "$name" "the services' ports are fixed (8081/9081, 8082/9082; instance k adds 100 × (k - 1))" \
    "${app_port[$name]}" "${management_port[$name]}"
  # commit-service asks project-service about projects its store does not hold (ADR 0006): the one
  # instance, or through the gateway when there are several
  local projects_url="http://127.0.0.1:${app_port[project-service]}"
  [[ "${instance_count[project-service]}" -gt 1 ]] && projects_url="http://127.0.0.1:$gateway_port"
  # each commit-service instance keeps its mirrors in a folder of its own
  local cache=() suffix="${name#"$service"}"
  # and its name among the instances (ADR 0010): the same after a restart, so it takes back the
  # shards of the project work whose mirrors are in its folder
  [[ "$service" == commit-service ]] && cache=(COMMITVIEWER_CACHE_DIR="${COMMITVIEWER_CACHE_DIR:-$stack/mirrors}$suffix"
    COMMITVIEWER_INSTANCE_ID="${COMMITVIEWER_INSTANCE_ID:-$name}")
  # settings of this instance alone, e.g. COMMITVIEWER_ENV_COMMIT_SERVICE_3="SPRING_RABBITMQ_PORT=…": the chaos
  # test puts a proxy of its own between one instance and its broker or store
  local overrides_name overrides=()
  overrides_name="COMMITVIEWER_ENV_$(tr 'a-z-' 'A-Z_' <<<"$name")"
  read -r -a overrides <<<"${!overrides_name:-}"
  # JSON logs (ECS), as in the images, unless COMMITVIEWER_LOG_FORMAT=text
  local log_format=(LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs)
  [[ "${COMMITVIEWER_LOG_FORMAT:-json}" == text ]] && log_format=()
  # shellcheck disable=SC2086 # word splitting of the JVM options is wanted
  PORT="${app_port[$name]}" MANAGEMENT_PORT="${management_port[$name]}" \
    COMMITVIEWER_PROJECTS_URL="${COMMITVIEWER_PROJECTS_URL:-$projects_url}" \
    nohup env "${log_format[@]}" "${cache[@]}" "${overrides[@]}" java $java_opts -jar "$root/$service/target/$service.jar" \
    >>"$stack/$name.log" 2>&1 &
  echo $! > "$stack/$name.pid"
  started+=("$name")
}

# nginx's servers, or Prometheus's targets, of every instance of a service
upstream_servers() {
  local name
  for name in "${instances[@]}"; do
    # an instance that refuses a connection (stopped, starting) is skipped for a second, not nginx's default ten
    [[ "${service_of[$name]}" == "$1" ]] && printf 'server 127.0.0.1:%s max_fails=1 fail_timeout=1s; ' "${app_port[$name]}"
  done
  return 0
}
scrape_targets() {
  local name targets=()
  for name in "${instances[@]}"; do
    [[ "${service_of[$name]}" == "$1" ]] && targets+=("127.0.0.1:${management_port[$name]}")
  done
  local IFS=,
  echo "${targets[*]}" | sed "s/,/', '/g"
}

mongo_standin_up() {
  local pid
  pid="$(pid_of mongo-stand-in)"
  if ! alive "$pid"; then
    require_free_ports "The MongoDB stand-in" COMMITVIEWER_MONGO_STANDIN_PORT "$mongo_port"
    # from the commit-service jar, which holds mongo-java-server, through Boot's PropertiesLauncher
    nohup java -Xmx${COMMITVIEWER_MONGO_STANDIN_HEAP:-4g} -cp "$root/commit-service/target/commit-service.jar" \
      -Dloader.main=io.commitviewer.commit.config.MongoStandIn org.springframework.boot.loader.launch.PropertiesLauncher \
      "$mongo_port" >"$stack/mongo-stand-in.log" 2>&1 &
    pid=$!
    echo "$pid" > "$stack/mongo-stand-in.pid"
    started+=(mongo-stand-in)
  fi
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$mongo_port") 2>/dev/null && return 0
    alive "$pid" || break
    sleep 0.2
  done
  log "the MongoDB stand-in did not start; the end of its log:"
  tail -n 20 "$stack/mongo-stand-in.log" >&2 || true
  exit 1
}

# The gateway's copy of the web page, made when nginx's workers cannot read the checkout: removed
# by the path `up` recorded (a folder mktemp made, never one found by its name).
remove_web_copy() {
  local copy
  copy="$(cat "$stack/web-copy" 2>/dev/null || true)"
  if [[ "$copy" == /var/tmp/commit-viewer-web.* && -d "$copy" && ! -L "$copy" ]]; then
    rm -rf -- "$copy"
  fi
  rm -f "$stack/web-copy"
}

gateway_up() {
  local pid
  pid="$(pid_of gateway)"
  if alive "$pid"; then
    log "gateway already running (pid $pid)"
    return
  fi
  require_free_ports gateway COMMITVIEWER_GATEWAY_PORT "$gateway_port"
  mkdir -p "$stack/nginx/temp"
  # the web page, built when missing (scripts/build-web.sh: Node.js >= 20); without it the
  # gateway still serves the API
  if [[ ! -f "$root/web/dist/index.html" ]]; then
    if [[ ! -f "$root/web/package.json" ]] || ! "$root/scripts/build-web.sh"; then
      log "the web page is not built (scripts/build-web.sh): the gateway serves the API only"
    fi
  fi
  local web_root="$root/web/dist" user_line=""
  if [[ $EUID -eq 0 ]]; then
    # nginx started as root runs its workers as nobody, who cannot read a checkout under a folder
    # only root can enter: the gateway then serves a copy of the page from under /var/tmp
    user_line="user nobody nogroup;"
    if [[ -f "$web_root/index.html" ]] && ! su nobody -s /bin/sh -c 'test -r "$0/index.html"' "$web_root" 2>/dev/null; then
      remove_web_copy
      # a new folder of a name nobody can guess or create first (mktemp), root's, recorded in
      # the stack's state so that `down` removes exactly it; copied afresh at each `up`
      web_root="$(mktemp -d /var/tmp/commit-viewer-web.XXXXXXXXXX)"
      printf '%s\n' "$web_root" > "$stack/web-copy"
      cp -R "$root/web/dist/." "$web_root/"
      chmod -R u=rwX,go=rX "$web_root"
      log "the gateway serves the web page from $web_root (nobody cannot read $root)"
    fi
  fi
  # the per-client rate limits, from the template compose renders too
  sed -e "s/\${GATEWAY_READS_PER_SECOND}/${COMMITVIEWER_GATEWAY_READS_PER_SECOND:-50}/" \
      -e "s/\${GATEWAY_READS_BURST}/${COMMITVIEWER_GATEWAY_READS_BURST:-100}/" \
      -e "s/\${GATEWAY_WRITES_PER_SECOND}/${COMMITVIEWER_GATEWAY_WRITES_PER_SECOND:-5}/" \
      -e "s/\${GATEWAY_WRITES_BURST}/${COMMITVIEWER_GATEWAY_WRITES_BURST:-10}/" \
      -e "s/\${GATEWAY_STREAMS_PER_ADDRESS}/${COMMITVIEWER_GATEWAY_STREAMS_PER_ADDRESS:-20}/" \
      "$root/gateway/templates/limits.conf.template" > "$stack/nginx/limits.conf"
  # the routes are gateway/routes.conf, as in compose; only the upstreams' addresses differ
  cat > "$stack/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid "$stack/nginx/nginx.pid";
error_log "$stack/gateway.log" warn;
events { worker_connections 1024; }
http {
  access_log "$stack/nginx/access.log";
  client_body_temp_path "$stack/nginx/temp/body";
  proxy_temp_path "$stack/nginx/temp/proxy";
  fastcgi_temp_path "$stack/nginx/temp/fastcgi";
  uwsgi_temp_path "$stack/nginx/temp/uwsgi";
  scgi_temp_path "$stack/nginx/temp/scgi";
  include "$stack/nginx/limits.conf";
  upstream project_service { $(upstream_servers project-service)keepalive 64; }
  upstream commit_service { $(upstream_servers commit-service)keepalive 64; }
  server {
    listen 127.0.0.1:$gateway_port;
    root "$web_root";
    include "$root/gateway/routes.conf";
  }
}
CONF
  nginx -t -q -c "$stack/nginx/nginx.conf" -p "$stack/nginx"
  nohup nginx -c "$stack/nginx/nginx.conf" -p "$stack/nginx" >>"$stack/gateway.log" 2>&1 &
  echo $! > "$stack/gateway.pid"
  started+=(gateway)
}

prometheus_up() {
  local pid
  pid="$(pid_of prometheus)"
  if alive "$pid"; then
    log "prometheus already running (pid $pid)"
    return
  fi
  require_free_ports Prometheus COMMITVIEWER_PROMETHEUS_PORT "$prometheus_port"
  mkdir -p "$stack/prometheus/data"
  # compose's scrape jobs and rules; only the targets' addresses differ, and there is no Alertmanager
  # here (alerts show on Prometheus's /alerts page)
  local infra_env rabbit_metrics
  infra_env="$("$root/scripts/local-infra.sh" env)"
  rabbit_metrics="$(sed -n 's|^export COMMITVIEWER_RABBITMQ_PROMETHEUS_URL=http://\([^/]*\)/.*|\1|p' <<<"$infra_env")"
  sed -e "s|project-service:9081|$(scrape_targets project-service)|" \
      -e "s|commit-service:9082|$(scrape_targets commit-service)|" \
      -e "s|rabbitmq:15692|$rabbit_metrics|" \
      -e "s|^\(  *scrape_interval:\).*|\1 $scrape_interval|" \
      -e "s|^\(  *evaluation_interval:\).*|\1 $scrape_interval|" \
      -e '/^alerting:/,/^[^ ]/{/^alerting:/d;/^ /d}' \
      "$root/prometheus/prometheus.yml" > "$stack/prometheus/prometheus.yml"
  cp "$root/prometheus/alerts.yml" "$stack/prometheus/alerts.yml"
  promtool check config "$stack/prometheus/prometheus.yml" >/dev/null
  nohup prometheus --config.file="$stack/prometheus/prometheus.yml" --storage.tsdb.path="$stack/prometheus/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" --web.enable-lifecycle >"$stack/prometheus.log" 2>&1 &
  echo $! > "$stack/prometheus.pid"
  started+=(prometheus)
}

up() {
  mkdir -p "$stack"
  "$root/scripts/local-infra.sh" install-stack
  if [[ ! -f "$stack/infra-owner" ]]; then
    # remember whether the databases ran before, so that `down` leaves them as it found them
    local infra_status
    infra_status="$("$root/scripts/local-infra.sh" status)"
    if [[ "$infra_status" == *running* ]]; then
      echo caller > "$stack/infra-owner"
    else
      echo run-local > "$stack/infra-owner"
      infra_started_here=1
    fi
  fi
  trap 'undo_failed_up' EXIT
  "$root/scripts/local-infra.sh" up
  eval "$("$root/scripts/local-infra.sh" env)"
  export COMMITVIEWER_CACHE_DIR="${COMMITVIEWER_CACHE_DIR:-$stack/mirrors}"
  build_jars
  local mongo
  if [[ -n "${SPRING_MONGODB_URI:-}" ]]; then
    mongo="$SPRING_MONGODB_URI"
  elif [[ -n "${COMMITVIEWER_MONGO_EMBEDDED:-}" && "$COMMITVIEWER_MONGO_EMBEDDED" != none ]]; then
    mongo="stand-in inside commit-service (COMMITVIEWER_MONGO_EMBEDDED=$COMMITVIEWER_MONGO_EMBEDDED)"
  else
    mongo_standin_up
    export SPRING_MONGODB_URI="mongodb://127.0.0.1:$mongo_port/commitviewer"
    mongo="stand-in (mongo-java-server, in memory, pid $(pid_of mongo-stand-in)) on $SPRING_MONGODB_URI"
  fi
  local name
  for name in "${instances[@]}"; do start_service "$name"; done
  gateway_up
  prometheus_up
  for name in "${instances[@]}"; do
    wait_http "$name" "http://127.0.0.1:${management_port[$name]}/actuator/health/readiness" 120 "$(pid_of "$name")"
  done
  wait_http gateway "http://127.0.0.1:$gateway_port/healthz" 30 "$(pid_of gateway)"
  wait_http prometheus "http://127.0.0.1:$prometheus_port/-/ready" 60 "$(pid_of prometheus)"
  trap - EXIT
  cat <<URLS
run-local: the stack is up (logs in $stack)
  web page        http://127.0.0.1:$gateway_port/
  API (gateway)   http://127.0.0.1:$gateway_port/api/projects
  project-service http://127.0.0.1:${app_port[project-service]}  (management http://127.0.0.1:${management_port[project-service]}/actuator)
  commit-service  http://127.0.0.1:${app_port[commit-service]}  (management http://127.0.0.1:${management_port[commit-service]}/actuator)
  Swagger UI      http://127.0.0.1:${app_port[project-service]}/swagger-ui.html, http://127.0.0.1:${app_port[commit-service]}/swagger-ui.html
  Prometheus      http://127.0.0.1:$prometheus_port  (alerts: /alerts)
  MongoDB         $mongo
URLS
}

# A failed `up` stops what it started, the databases too if this `up` started them (not if an
# earlier one did: a second `up`, starting an instance that was killed, leaves them running), so
# that nothing half-started is left behind.
undo_failed_up() {
  local status=$? name
  if [[ $status -ne 0 ]]; then
    if [[ ${#started[@]} -gt 0 ]]; then
      log "up failed: stopping what it started (${started[*]})"
      for name in "${started[@]}"; do stop_pid "$name"; done
    fi
    if [[ -n "$infra_started_here" ]]; then
      "$root/scripts/local-infra.sh" down || true
      rm -f "$stack/infra-owner"
    fi
  fi
}

down() {
  stop_pid prometheus
  stop_pid gateway
  remove_web_copy
  local name
  for name in $(recorded_instances | sort -r); do stop_pid "$name"; done
  stop_pid mongo-stand-in
  # without a record of who started them (a second `down`), the databases are left alone
  if [[ "$(cat "$stack/infra-owner" 2>/dev/null || echo caller)" == run-local ]]; then
    "$root/scripts/local-infra.sh" down
  else
    log "PostgreSQL and RabbitMQ ran before 'up': left running"
  fi
  rm -f "$stack/infra-owner"
}

status() {
  local pid
  for name in $( (printf '%s\n' "${instances[@]}"; recorded_instances) | sort -u) mongo-stand-in gateway prometheus; do
    pid="$(pid_of "$name")"
    if alive "$pid"; then echo "$name: running (pid $pid)"; else echo "$name: stopped"; fi
  done
  "$root/scripts/local-infra.sh" status
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
