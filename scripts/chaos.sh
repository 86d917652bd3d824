#!/usr/bin/env bash
# The chaos test (e2e ChaosIT, ADR 0010) for longer than the 120 s CI runs: two project-service and
# three commit-service instances behind the gateway, SIGKILLs every few seconds, pauses past the lease,
# one-sided partitions of one instance from RabbitMQ and from MongoDB, a RabbitMQ restart,
# force-pushes upstream; then every live project must serve exactly `git rev-list --branches`, every
# deleted one must have left nothing, and no request, event or message may be left over.
#
#   scripts/chaos.sh [DURATION] [SEED]   e.g. scripts/chaos.sh 20m; DURATION 150s, 20m, 1h (default 20m)
#
# Its counts are in e2e/target/chaos-report.md, the services' logs in e2e/target/chaos-logs/. Builds
# the modules it needs; starts and stops everything itself (PostgreSQL and RabbitMQ on ports of
# their own, base 30000; the MongoDB stand-in on 30017); needs ports 8080-8282 and 9081-9282 free.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration="${1:-20m}"
seed=()
[[ $# -ge 2 ]] && seed=("-Dcommitviewer.chaos.seed=$2")
scripts/local-infra.sh install-stack
./mvnw -B -ntp verify -pl e2e -am -Djazzer.skip -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ChaosIT -Dfailsafe.failIfNoSpecifiedTests=false "-Dcommitviewer.chaos.duration=$duration" "${seed[@]}"
echo "chaos: report in e2e/target/chaos-report.md"
cat e2e/target/chaos-report.md
