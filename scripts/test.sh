#!/usr/bin/env bash
# The test command: the operations files (scripts/check-ops.sh: Prometheus config, alert rules and
# their promtool unit tests, Alertmanager, compose, dashboards), then every module's unit tests
# (*Tests) and integration tests (*IT) against real PostgreSQL, RabbitMQ, git and a loopback git
# server, and last the end-to-end tests (e2e/: the stack of scripts/run-local.sh through its
# gateway, and the web page in Chromium).
#
# With a Docker engine the integration tests start their own containers (Testcontainers); without
# one this script starts PostgreSQL and RabbitMQ from the OS packages (scripts/local-infra.sh) and
# stops them afterwards. Extra arguments go to Maven, e.g. scripts/test.sh -pl common -am.
# COMMITVIEWER_KEEP_INFRA=1 leaves the local services running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/check-ops.sh
# the web page's browser tests (e2e WebPageIT) drive Debian's chromium; the page builds with Node.js >= 20
scripts/local-infra.sh install-browser

if [[ -z "${COMMITVIEWER_LOCAL_INFRA:-}" ]] && docker info >/dev/null 2>&1; then
  echo "test: Docker answers: integration tests start their own containers"
else
  echo "test: no Docker engine: starting PostgreSQL and RabbitMQ with scripts/local-infra.sh"
  scripts/local-infra.sh up
  if [[ -z "${COMMITVIEWER_KEEP_INFRA:-}" ]]; then
    trap 'scripts/local-infra.sh down' EXIT
  fi
  eval "$(scripts/local-infra.sh env)"
fi

./mvnw -B -ntp verify "$@"
