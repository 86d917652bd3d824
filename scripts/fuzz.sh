#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of what reads untrusted input: the URL policy and the git log
# parser (common), the commit cursor decoder (commit-service). Each target runs for DURATION
# (default 20s) in its own JVM; the corpus it grows stays in <module>/.cifuzz-corpus (ignored by
# git), and an input that breaks a target is written to src/test/resources/**/<Class>Inputs/
# <target>/, where the plain test run replays it from then on (commit it with the fix).
#
#   scripts/fuzz.sh [DURATION]        e.g. scripts/fuzz.sh 10m for a longer run
#
# Without JAZZER_FUZZ the same tests replay the committed inputs only; that is what scripts/test.sh
# runs. One Maven build at a time: run this after the build, not beside it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration="${1:-20s}"
case "$duration" in
  *s) seconds="${duration%s}" ;;
  *m) seconds=$(( ${duration%m} * 60 )) ;;
  *h) seconds=$(( ${duration%h} * 3600 )) ;;
  *) seconds="$duration" ;;
esac
targets=(
  "common ParserFuzzTests#urlPolicy"
  "common ParserFuzzTests#gitLogParser"
  "commit-service CommitCursorFuzzTests#decode"
)
for target in "${targets[@]}"; do
  read -r module test <<<"$target"
  echo "fuzz: $module $test for $duration"
  # libFuzzer takes the last -max_total_time: this one, after the @FuzzTest's maxDuration
  JAZZER_FUZZ=1 ./mvnw -B -ntp -q test -pl "$module" -am -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
    -DargLine="-Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$seconds"
done
echo "fuzz: no finding in ${#targets[@]} targets"
