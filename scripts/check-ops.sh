#!/usr/bin/env bash
# Validates the operations files without starting anything: Prometheus config and alert rules
# (with their unit tests), the Alertmanager configs, the compose files (development as it is,
# production with and without its secrets), the Grafana dashboards, the OpenAPI documents and the
# Kubernetes manifests (deploy/kubernetes/: rendered with kubectl kustomize and validated offline).
# Prints one "check-ops: <what> ok" line per check; on a failure prints the tool's output and stops.
#
#   scripts/check-ops.sh
#
# Missing tools (promtool, amtool, docker-compose, python3, npm) are installed with apt-get when run
# as root; otherwise the script says which packages to install. kubectl is not a Debian package: the
# script says where to get it and stops.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "check-ops: $*"; }

# Runs a check quietly; shows its output only when it fails.
check() {
  local what="$1" output
  shift
  if output="$("$@" 2>&1)"; then
    log "$what ok"
  else
    echo "$output" >&2
    log "$what FAILED" >&2
    exit 1
  fi
}

apt_updated=""
require() {
  local tool="$1" package="$2"
  command -v "$tool" >/dev/null 2>&1 && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "$tool not found: install the $package package (apt-get install $package) or run as root" >&2
    exit 1
  fi
  if [[ -z "$apt_updated" ]]; then
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "installing $package for $tool"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
  command -v "$tool" >/dev/null 2>&1 || { log "$tool still not found after installing $package" >&2; exit 1; }
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

require promtool prometheus
check "prometheus config" promtool check config prometheus/prometheus.yml
check "prometheus alert rules" promtool check rules prometheus/alerts.yml
check "prometheus alert unit tests" promtool test rules prometheus/alerts-test.yml

# The PagerDuty routing key is a secret that only exists in deployments: check a copy of the
# config that points at a dummy key instead.
require amtool prometheus-alertmanager
echo dummy-routing-key > "$tmp/pagerduty_routing_key"
sed "s#/run/secrets/pagerduty_routing_key#$tmp/pagerduty_routing_key#g" alertmanager/alertmanager.yml > "$tmp/alertmanager.yml"
check "alertmanager config" amtool check-config "$tmp/alertmanager.yml"

# The PagerDuty config of the production stack and the development one (alerts go nowhere).
check "alertmanager development config" amtool check-config alertmanager/alertmanager-development.yml

# Compose, as a newcomer and as an operator would run it, with nothing from this shell's
# environment or a local .env (env -i, an empty --env-file):
# - compose.yaml alone renders with no .env at all, every published port on 127.0.0.1;
# - with compose.production.yaml it refuses to render without the secrets;
# - with them it renders, and its preflight service (run here with sh, as compose would run it)
#   refuses the development secrets and short ones, and accepts real ones.
require docker-compose docker-compose
compose() { env -i PATH="$PATH" docker-compose --project-directory "$PWD" --env-file "$1" "${@:2}"; }
: > "$tmp/empty.env"
check "compose.yaml with no .env" compose "$tmp/empty.env" -f compose.yaml config -q
compose "$tmp/empty.env" -f compose.yaml config > "$tmp/development.yaml"
check "compose.yaml publishes on 127.0.0.1 only" python3 - "$tmp/development.yaml" <<'PY'
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
published = {name: service.get("ports", []) for name, service in services.items() if service.get("ports")}
assert set(published) == {"gateway", "prometheus", "grafana"}, published
for name, ports in published.items():
    for port in ports:
        assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond 127.0.0.1"
PY
check "compose.yaml confines every container" python3 - "$tmp/development.yaml" <<'PY'
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
for name, service in services.items():
    assert "no-new-privileges:true" in service.get("security_opt", []), f"{name} may gain privileges"
    assert service.get("pids_limit"), f"{name} has no pids_limit"
# read-only, every capability dropped (the gateway's master keeps the three it needs to switch user)
for name in ("project-service", "commit-service", "gateway", "prometheus", "alertmanager", "grafana"):
    service = services[name]
    assert service.get("read_only") is True, f"{name} is not read-only"
    assert service.get("cap_drop") == ["ALL"], f"{name} keeps capabilities"
assert sorted(services["gateway"].get("cap_add", [])) == ["CHOWN", "SETGID", "SETUID"], services["gateway"].get("cap_add")
# the services never use the database superusers
project, commit = services["project-service"]["environment"], services["commit-service"]["environment"]
assert project["SPRING_DATASOURCE_USERNAME"] != services["postgres"]["environment"]["POSTGRES_USER"]
assert project["SPRING_DATASOURCE_PASSWORD"] != services["postgres"]["environment"]["POSTGRES_PASSWORD"]
root = services["mongo"]["environment"]["MONGO_INITDB_ROOT_USERNAME"]
assert f"//{root}:" not in commit["SPRING_MONGODB_URI"] and "authSource=commitviewer" in commit["SPRING_MONGODB_URI"]
PY
if output="$(compose "$tmp/empty.env" -f compose.yaml -f compose.production.yaml config -q 2>&1)"; then
  log "compose.production.yaml renders without its secrets" >&2
  exit 1
fi
grep -q "PASSWORD" <<<"$output" || { echo "$output" >&2; log "compose.production.yaml: unexpected error without secrets" >&2; exit 1; }
log "compose.production.yaml refuses to render without its secrets ok"
# production.env.example as an operator fills it in: it names both files through COMPOSE_FILE
sed -e 's/^\([A-Z_]*PASSWORD\)=$/\1=Production-Secret-0123456789/' \
    -e "s|^PAGERDUTY_ROUTING_KEY_FILE=.*|PAGERDUTY_ROUTING_KEY_FILE=$tmp/pagerduty_routing_key|" \
    -e "s|^API_KEYS_FILE=.*|API_KEYS_FILE=$tmp/api_keys|" \
    production.env.example > "$tmp/production.env"
scripts/api-key.sh ops admin | sed -n 's/^entry[^:]*: //p' > "$tmp/api_keys"
printf '# no key yet\n' > "$tmp/api_keys_empty"
check "compose.production.yaml with its secrets" compose "$tmp/production.env" config -q
compose "$tmp/production.env" config > "$tmp/production.yaml"
check "compose.production.yaml preflight refuses development secrets" python3 - "$tmp/production.yaml" <<'PY'
import os, subprocess, sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
preflight = services["preflight"]
for name, service in services.items():
    if name != "preflight" and name not in ("project-service", "commit-service", "gateway", "prometheus", "grafana"):
        assert "preflight" in service.get("depends_on", {}), f"{name} does not wait for the preflight"
command = [part.replace("$$", "$") for part in preflight["command"]]  # as compose runs it
keys = os.path.join(os.path.dirname(sys.argv[1]), "api_keys")
def run(**secrets):
    env = dict(preflight["environment"], PATH=os.environ["PATH"], API_KEYS_PATH=keys)
    env.update(secrets)
    return subprocess.run(command, env=env, capture_output=True, text=True)
assert run().returncode == 0, run().stdout
assert "api_keys" in services["project-service"].get("secrets", [{}])[0].get("source", ""), "project-service gets no keys file"
result = run(API_KEYS_PATH=keys + "_empty")
assert result.returncode != 0 and "API keys file holds no key" in result.stdout, result.stdout
for refused in ({"POSTGRES_PASSWORD": "dev-only-postgres"}, {"MONGO_PASSWORD": "dev-only-mongo"},
                {"POSTGRES_APP_PASSWORD": "dev-only-postgres-app"}, {"MONGO_APP_PASSWORD": "dev-only-mongo-app"},
                {"RABBITMQ_PASSWORD": "dev-only-rabbitmq"}, {"GRAFANA_ADMIN_PASSWORD": "dev-only-grafana"},
                {"RABBITMQ_PASSWORD": "short-secret"}, {"MONGO_APP_PASSWORD": "Production/Secret@0123456789"}):
    result = run(**refused)
    assert result.returncode != 0, f"preflight accepted {refused}"
    assert "preflight:" in result.stdout, result.stdout
PY

shopt -s nullglob
dashboards=(grafana/dashboards/*.json)
if [[ ${#dashboards[@]} -gt 0 ]]; then
  require python3 python3
  for dashboard in "${dashboards[@]}"; do
    check "$dashboard JSON" python3 -m json.tool "$dashboard" /dev/null
  done
else
  log "no grafana/dashboards/*.json, skipped"
fi

# The services' OpenAPI documents (docs/openapi/, the ones the services serve: their ITs check it)
# as a new user's client generator would read them: Redocly's recommended rules, zero problems.
# Redocly CLI comes from the npm registry at the version of tools/openapi/package-lock.json.
require npm npm
if [[ ! -x tools/openapi/node_modules/.bin/redocly ]]; then
  check "redocly install (npm ci)" npm ci --prefix tools/openapi --no-audit --no-fund --loglevel=error
fi
for document in docs/openapi/*.json; do
  check "$document lint (redocly recommended, no warnings)" \
    tools/openapi/node_modules/.bin/redocly lint --config tools/openapi/redocly.yaml --max-problems 50 "$document"
done

# The Kubernetes manifests (deploy/kubernetes/, docs/deploy-kubernetes.md): the generated files
# match prometheus/alerts.yml, the dashboard and the databases' init scripts (whose list in
# overlays/local/kustomization.yaml must name exactly the copies), and each way of deploying
# renders with kubectl kustomize (offline) and passes tools/kubernetes/validate.mjs: the API
# schemas (strictly: unknown fields fail), probes, resources, security contexts, disruption
# budgets, image tags, and exactly the expected NetworkPolicy edges. The validator's models come
# from the npm registry at the versions of tools/kubernetes/package-lock.json.
check "kubernetes generated files (monitoring, local initdb) up to date" \
  python3 deploy/kubernetes/generate.py --check
# kubectl is not in Debian's archive (apt-get cannot install it): say where to get it, and stop.
# 1.27 or later: its kustomize knows components and `labels`.
kubectl_install="install kubectl 1.27 or later (kustomize components and labels), see https://kubernetes.io/docs/tasks/tools/"
if ! command -v kubectl >/dev/null 2>&1; then
  log "kubectl not found: $kubectl_install" >&2
  exit 1
fi
if [[ "$(kubectl version --client 2>/dev/null)" =~ Client\ Version:\ v1\.([0-9]+) ]] && (( BASH_REMATCH[1] < 27 )); then
  log "kubectl 1.${BASH_REMATCH[1]} is too old: $kubectl_install" >&2
  exit 1
fi
if [[ ! -d tools/kubernetes/node_modules/kubernetes-models ]]; then
  check "kubernetes validator install (npm ci)" npm ci --prefix tools/kubernetes --no-audit --no-fund --loglevel=error
fi
validate_kubernetes() {
  local overlay="$1"
  shift
  local rendered="$tmp/kubernetes-$overlay.yaml"
  : > "$rendered"
  for dir in "$@"; do
    kubectl kustomize "$dir" >> "$rendered" || return 1
    echo "---" >> "$rendered"
  done
  node tools/kubernetes/validate.mjs --overlay "$overlay" "$rendered"
}
check "kubernetes overlays/local renders and validates" \
  validate_kubernetes local deploy/kubernetes/overlays/local
check "kubernetes overlays/production renders and validates" \
  validate_kubernetes production deploy/kubernetes/overlays/production deploy/kubernetes/overlays/production/cluster-secret-store
# production with components/keda, as an operator would add it: a kustomization of their own that
# names both (kustomize wants paths relative to it)
mkdir -p "$tmp/production-keda"
cat > "$tmp/production-keda/kustomization.yaml" <<KUSTOMIZATION
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: commit-viewer
resources:
  - $(realpath --relative-to="$tmp/production-keda" deploy/kubernetes/overlays/production)
components:
  - $(realpath --relative-to="$tmp/production-keda" deploy/kubernetes/components/keda)
KUSTOMIZATION
check "kubernetes overlays/production with components/keda renders and validates" \
  validate_kubernetes production-keda "$tmp/production-keda" deploy/kubernetes/overlays/production/cluster-secret-store
