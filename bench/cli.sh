#!/usr/bin/env bash
# CLI against the raw-git limit, in one run, on a synthetic history served over loopback smart HTTP.
#
#   bench/cli.sh [COMMITS] [RUNS] [BRANCHES]   defaults: 100000 commits, 5 runs, 6 branches
#   bench/cli.sh 85356 5 8                      a history of git/git's size (issue 26)
#
# limit: git clone --bare --no-tags --filter=tree:0 + git log --branches --no-mailmap --format=<all fields>
# cli:   bin/commit-viewer list-commits URL > /dev/null (JSON array, temporary mirror removed)
# Needs hyperfine (apt-get install hyperfine); builds the project if the jars are missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
commits="${1:-100000}"
runs="${2:-5}"
branches="${3:-6}"
port="${BENCH_PORT:-18089}"
out="bench/out"
mkdir -p "$out"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
[[ -f cli/target/commit-viewer-cli.jar && -d test-support/target/classes ]] || ./mvnw -q -B -ntp install -DskipTests

repos="$out/repos-$commits$([[ $branches == 6 ]] || echo "-b$branches")"
if [[ ! -d "$repos/bench/history.git" ]]; then
  java -cp test-support/target/classes io.commitviewer.testsupport.FixtureTool generate "$repos/bench/history.git" "$commits" "$branches"
fi
java -cp test-support/target/classes io.commitviewer.testsupport.FixtureTool serve "$repos" "$port" >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$out/raw.git"' EXIT
for _ in $(seq 1 50); do grep -q serving "$out/serve.log" 2>/dev/null && break; sleep 0.1; done

url="http://127.0.0.1:$port/bench/history"
format='%H%x00%P%x00%an%x00%ae%x00%at%x00%ad%x00%cn%x00%ce%x00%ct%x00%cd%x00%B%x00'
export COMMITVIEWER_GIT_ALLOWED_ORIGINS="internal:http://127.0.0.1:$port"
listed=$(bin/commit-viewer list-commits --format ndjson "$url" | wc -l)
expected=$(git -C "$repos/bench/history.git" rev-list --count --branches)
[[ "$listed" == "$expected" ]] || { echo "bench: CLI listed $listed commits, rev-list says $expected" >&2; exit 1; }

hyperfine -N -w 1 -r "$runs" --export-json "$out/cli-$commits.json" --export-markdown "$out/cli-$commits.md" \
  -n "limit: treeless clone + git log" -p "rm -rf $out/raw.git" \
  "bash -c \"git clone -q --bare --no-tags --filter=tree:0 $url.git $out/raw.git && git -C $out/raw.git log --branches --no-mailmap --date=raw --format='$format' > /dev/null\"" \
  -n "cli: commit-viewer list-commits" \
  "bash -c 'bin/commit-viewer list-commits $url > /dev/null'"
echo "commits: $expected; results in $out/cli-$commits.md"
