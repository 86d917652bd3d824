#!/usr/bin/env bash
# Validates the operations files without starting anything: Prometheus config and alert rules
# (with their unit tests), the Alertmanager config, the compose file and the Grafana dashboards.
# Prints one "check-ops: <what> ok" line per check; on a failure prints the tool's output and stops.
#
#   scripts/check-ops.sh
#
# Missing tools (promtool, amtool, docker-compose, python3) are installed with apt-get when run
# as root; otherwise the script says which packages to install.
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

if [[ -f docker-compose.yaml ]]; then
  require docker-compose docker-compose
  # .env.example leaves the passwords empty (compose refuses to start without them): fill them
  # with placeholders for the check, and check that an empty one is refused
  sed -E 's/^([A-Z_]*PASSWORD)=$/\1=placeholder/' .env.example > "$tmp/complete.env"
  check "docker-compose.yaml" docker-compose --env-file "$tmp/complete.env" -f docker-compose.yaml config -q
  if docker-compose --env-file .env.example -f docker-compose.yaml config -q >/dev/null 2>&1; then
    log "docker-compose.yaml accepts empty passwords" >&2
    exit 1
  fi
  log "docker-compose.yaml refuses empty passwords ok"
else
  log "docker-compose.yaml absent, skipped"
fi

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
