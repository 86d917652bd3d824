#!/usr/bin/env bash
# One POST -> READY at a time on a fresh stack, with nothing else running: the stack of
# scripts/run-local.sh up, the history of bench/run.sh (bench/out/histories/hSIZE, build it with
# bench/run.sh first), a POST, its status polled every 0.2 s, the elapsed time and the CPU seconds
# the MongoDB stand-in and commit-service spent on it; then the project is deleted and the next
# run starts 8 s later, once the deletion has settled. Stops the stack at the end.
#
#   bench/isolated-fetch.sh [SIZE] [RUNS]     defaults: 100000 2
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
size="${1:-100000}"
runs="${2:-2}"
port=18096
[[ -d "bench/out/histories/h$size" ]] || { echo "isolated-fetch: no bench/out/histories/h$size: run bench/run.sh --sizes $size first" >&2; exit 1; }
java -cp test-support/target/classes io.commitviewer.testsupport.FixtureTool serve bench/out/histories "$port" >/dev/null 2>&1 &
server=$!
trap 'scripts/run-local.sh down >/dev/null 2>&1 || true; kill "$server" 2>/dev/null || true' EXIT
COMMITVIEWER_GIT_ALLOWED_ORIGINS="https://github.com,internal:http://127.0.0.1:$port" scripts/run-local.sh up >/dev/null
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
standin="$(cat .local/stack/mongo-stand-in.pid)"
commit="$(cat .local/stack/commit-service.pid)"
for run in $(seq 1 "$runs"); do
  s0="$(cpu "$standin")"; c0="$(cpu "$commit")"
  id="$(curl -sf -X POST localhost:8080/api/projects -H 'Content-Type: application/json' \
        -d "{\"url\":\"http://127.0.0.1:$port/h$size/history\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')"
  start="$(date +%s.%N)"
  until curl -sf "localhost:8080/api/projects/$id" | grep -q '"status":"READY"'; do sleep 0.2; done
  end="$(date +%s.%N)"
  echo "isolated-fetch: $size commits, run $run: $(echo "$end - $start" | bc) s, stand-in $(echo "$(cpu "$standin") - $s0" | bc) CPU s, commit-service $(echo "$(cpu "$commit") - $c0" | bc) CPU s"
  curl -sf -X DELETE "localhost:8080/api/projects/$id" >/dev/null
  sleep 8
done
