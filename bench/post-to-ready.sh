#!/usr/bin/env bash
# POST -> READY through both services next to the raw-git limit, on one synthetic history.
#
#   bench/post-to-ready.sh [COMMITS]          default 100000
#
# limit: git clone --bare --no-tags --filter=tree:0 + git log --branches --no-mailmap --format=<all fields> > /dev/null
# service: POST /api/projects, poll GET /api/projects/{id} every 100 ms until READY; then the
#          commit-service's peak RSS (VmHWM) and the git command and fetch durations it recorded.
# MongoDB: SPRING_MONGODB_URI if set, otherwise the embedded stand-in (COMMITVIEWER_MONGO_EMBEDDED=memory):
# the stand-in lives in the service's own heap and has no secondary indexes, so with it the RSS
# includes every stored commit and the insert rate is the stand-in's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
commits="${1:-100000}"
port=18093
out=bench/out/post-to-ready
mkdir -p "$out"
[[ -f project-service/target/project-service.jar && -f commit-service/target/commit-service.jar ]] \
  || ./mvnw -q -B -ntp install -DskipTests
scripts/local-infra.sh up
eval "$(scripts/local-infra.sh env)"
repos="bench/out/repos-$commits"
[[ -d "$repos/bench/history.git" ]] || java -cp test-support/target/classes io.commitviewer.testsupport.FixtureTool generate "$repos/bench/history.git" "$commits" 6
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$out/raw.git" "$out/mirrors"
  [[ -n "${run:-}" ]] && rm -f "$repos/$run"
}
trap cleanup EXIT
java -cp test-support/target/classes io.commitviewer.testsupport.FixtureTool serve "$repos" "$port" >"$out/serve.log" 2>&1 &
pids+=($!)
export COMMITVIEWER_GIT_ALLOWED_ORIGINS="https://github.com,internal:http://127.0.0.1:$port"
# a new owner per run (a link to the same repository): the project is new to both services every time
run="run-$(date +%s)"
ln -sfn "$(cd "$repos/bench" && pwd)" "$repos/$run"
url="http://127.0.0.1:$port/$run/history"
format='%H%x00%P%x00%an%x00%ae%x00%at%x00%ad%x00%cn%x00%ce%x00%ct%x00%cd%x00%B%x00'
sleep 1

start=$(date +%s.%N)
git clone -q --bare --no-tags --filter=tree:0 "$url.git" "$out/raw.git"
git -C "$out/raw.git" log --branches --no-mailmap --date=raw --format="$format" > /dev/null
limit=$(echo "$(date +%s.%N) - $start" | bc)
rm -rf "$out/raw.git"

java -Xmx512m -jar project-service/target/project-service.jar >"$out/project-service.log" 2>&1 &
pids+=($!)
if [[ -z "${SPRING_MONGODB_URI:-}" ]]; then export COMMITVIEWER_MONGO_EMBEDDED=memory; fi
COMMITVIEWER_CACHE_DIR="$out/mirrors" java -jar commit-service/target/commit-service.jar >"$out/commit-service.log" 2>&1 &
commit_service=$!
pids+=($commit_service)
for _ in $(seq 1 180); do
  curl -sf localhost:9081/actuator/health/readiness >/dev/null && curl -sf localhost:9082/actuator/health/readiness >/dev/null && break
  sleep 0.5
done

start=$(date +%s.%N)
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
id=$(curl -s -X POST localhost:8081/api/projects -H 'Content-Type: application/json' -d "{\"url\":\"$url\"}" | json_field id)
status=QUEUED
while [[ "$status" != READY && "$status" != FAILED ]]; do
  sleep 0.1
  status=$(curl -s "localhost:8081/api/projects/$id" | json_field status)
done
service=$(echo "$(date +%s.%N) - $start" | bc)
rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$commit_service/status")
echo "commits: $commits; status: $status"
echo "limit (treeless clone + git log): ${limit} s"
echo "POST -> READY: ${service} s ($(echo "scale=2; $service / $limit" | bc)x the limit, $(echo "$commits / $service" | bc) commits/s)"
echo "commit-service peak RSS: ${rss} MiB (mongo: ${SPRING_MONGODB_URI:-embedded stand-in})"
curl -s localhost:9082/actuator/prometheus | grep -E '^commitviewer_(git_command|fetch)_duration_seconds_sum' | sed -E 's/\{application="commit-service",/{/'
