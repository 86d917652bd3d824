#!/usr/bin/env bash
# The benchmarks, in one run, each figure next to the raw-git limit measured in the same run.
#
#   bench/run.sh                                    everything: 10k, 100k and 1M commits, 3 runs each
#   bench/run.sh --sizes 10000 --runs 3 --wrk-duration 5s       a smoke run
#   bench/run.sh --cases limit,cli --sizes 100000               pick cases
#
# Cases (--cases): limit (treeless clone + git log), seed (full clone + git log: the seed's way),
# cli (commit-viewer list-commits), service (POST -> READY through scripts/run-local.sh's stack,
# commits/s, commit-service RSS and heap), refresh (+100 commits on --refresh-sizes: raw fetch + log
# of the new commits vs the service's refresh), reads (wrk, limit=50, through the gateway, on --reads-size:
# the first page of every branch, one branch, an author, 30 days and a message search, a page 1,000
# deep by cursor and by offset, an unchanged page's 304, one commit by sha, the first page without the gateway), branches (one
# branch's history, ADR 0008: on --branch-size commits with each of --branch-counts branches (6,1000),
# the first fetch next to the limit, a refresh, GET …/branches, the first and the last page of the
# largest and the smallest branch next to the raw `git rev-list NAME`), instances (two projects of
# --instances-size commits POSTed at once: one commit-service instance with two consumers, then two
# instances with one each on the same store and broker; wall time and each process's CPU seconds),
# searches (ADR 0011, on --search-sizes: a message search, two, an author, a short-sha ref and a
# compare — the first request and the warm first page — next to git answering the same in a warm mirror),
# first-page (ADR 0012, on --first-page-sizes: POST -> the first non-empty page, a first look while the
# first fetch runs, and POST -> READY, next to the limit).
# Histories are built once with git fast-import into bench/out/histories and served on loopback
# smart HTTP (--port, 18090). The stack is started and stopped by the run (--keep-stack keeps it);
# it must not be running already. Results: bench/out/results-<time>.md and .json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v python3 >/dev/null || missing+=(python3)
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 ]] || { echo "bench: install ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 1; }
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ ! -f cli/target/commit-viewer-cli.jar || ! -f project-service/target/project-service.jar \
      || ! -f commit-service/target/commit-service.jar || ! -d test-support/target/classes ]]; then
  echo "bench: building the jars (./mvnw package -DskipTests)" >&2
  ./mvnw -q -B -ntp -pl cli,project-service,commit-service,test-support -am package -DskipTests
fi
exec python3 bench/run.py "$@"
