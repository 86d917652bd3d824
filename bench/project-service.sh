#!/usr/bin/env bash
# project-service throughput on this machine: POSTs that create a new project each (insert,
# outbox row, publish with confirm) and GETs of one project, with wrk on loopback.
#
#   bench/project-service.sh [SECONDS] [CONNECTIONS]      defaults: 30 s, 32 connections
#
# Starts PostgreSQL and RabbitMQ with scripts/local-infra.sh (left running), builds the jar if
# missing, runs the service on 8081/9081 with -Xmx512m and stops it afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-30}"
connections="${2:-32}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[[ -f project-service/target/project-service.jar ]] || ./mvnw -q -B -ntp install -DskipTests -pl project-service -am
scripts/local-infra.sh up
eval "$(scripts/local-infra.sh env)"
mkdir -p bench/out
java -XX:+UseSerialGC -Xmx512m -jar project-service/target/project-service.jar > bench/out/project-service.log 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:9081/actuator/health/readiness >/dev/null && break; sleep 0.5; done

published() { curl -s http://127.0.0.1:9081/actuator/prometheus | awk '/^commitviewer_outbox_published_total/ {print $2}'; }
echo "warm-up (15 s)"
wrk -t2 -c"$connections" -d15s -s bench/project-post.lua http://127.0.0.1:8081 >/dev/null
before=$(published)
echo "POST /api/projects, a new repository each time (${seconds} s, ${connections} connections)"
wrk -t2 -c"$connections" -d"${seconds}s" -s bench/project-post.lua http://127.0.0.1:8081 | grep -E "Requests/sec|latency|errors"
echo "events confirmed by the broker during the run: $(awk "BEGIN {print $(published) - $before}")"
id=$(curl -s "http://127.0.0.1:8081/api/projects?limit=1" | sed -E 's/.*"id":"([^"]+)".*/\1/;q')
echo "GET /api/projects/{id} (${seconds} s, ${connections} connections)"
wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:8081/api/projects/$id" | grep -E "Requests/sec|Latency"
