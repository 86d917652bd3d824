#!/usr/bin/env bash
# 1,000 refreshes of one mirror (one new commit upstream each), with commit-service's mirror upkeep
# (packs combined geometrically past 16) and without (before issue 24): fetch, incremental log and
# full log times, packs and files, every 100 refreshes. Through common's Git and Mirror over
# loopback smart HTTP; builds the classes if missing.
#
#   bench/mirror-refreshes.sh [REFRESHES] [COMMITS]     defaults: 1000 100000
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
refreshes="${1:-1000}"
commits="${2:-100000}"
[[ -d common/target/classes && -d test-support/target/classes ]] || ./mvnw -q -B -ntp install -DskipTests -pl common,test-support -am
for max_packs in 16 0; do
  java -cp common/target/classes:test-support/target/classes bench/MirrorRefreshes.java "$refreshes" "$commits" "$max_packs" 100
  echo
done
