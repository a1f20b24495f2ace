#!/usr/bin/env bash
# Restore and the apps' health checks (issue #15, failure 2), against its goals, on the test stack
# with a backend whose health check runs every INTERVAL seconds (upstream AgentChat: 30 s, 60 s in
# its prod overlay; 10 s by default here to keep the run short; the goals scale with it):
#   tail:  from the last data step to "complete" (start + verify + apps) <= INTERVAL + 5 s
#   whole: the restore <= 1.5 x (safety snapshot + check pass + dump load + restarts + INTERVAL)
# Runs the restore RUNS times and prints each run's steps, then medians, ratios and PASS/FAIL.
# PLUGIN=path compares another build of the plugin (e.g. the one before the fix) on the same stack.
#   bench/restore_health.sh [RUNS=3] [INTERVAL=10]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
runs=${1:-3}
interval=${2:-10}
source scripts/packages.sh
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" jq
source tests/engine.sh
ensure_engine
tests/images/build.sh >/dev/null
if [ -z "${PLUGIN:-}" ]; then
  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DAGENTCHAT_TESTS=OFF >/dev/null
  cmake --build build/bench --target docker-agentchat >/dev/null
  PLUGIN=$PWD/build/bench/plugin/docker-agentchat
fi

work=$(mktemp -d /tmp/agentchat-bench-health.XXXXXX)
cp -r tests/stack "$work/stack"
state=$work/stack.env
cleanup() {
  tests/stack/down.sh "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/stack/docker-compose.bench-health.yml" <<YAML
services:
  backend:
    healthcheck:
      test: ["CMD", "sh", "-c", "test ! -e /app/data/unhealthy"]
      interval: ${interval}s
      timeout: 5s
      retries: 3
YAML
overlays=(docker-compose.prod.yml docker-compose.secrets.yml docker-compose.bench-health.yml)
"$work/stack/up.sh" "$state" "${overlays[@]/#/$work/stack/}"
# shellcheck disable=SC1090
source "$state"
args=(--repo "$work/repo" -p "$PROJECT" --project-directory "$PROJECT_DIR" -f "$PROJECT_DIR/docker-compose.yml")
for o in "${overlays[@]}"; do args+=(-f "$PROJECT_DIR/$o"); done
id=$("$PLUGIN" "${args[@]}" backup --json 2>/dev/null | jq -r .id)

tails=() wholes=() bounds=()
for run in $(seq 1 "$runs"); do
  out=$work/restore-$run.json
  status=0
  "$PLUGIN" "${args[@]}" restore "$id" --yes --json >"$out" 2>"$work/restore-$run.err" || status=$?
  [ "$status" -eq 0 ] || { echo "run $run: restore exited $status"; tail -5 "$work/restore-$run.err"; exit 1; }
  step() { jq -r --arg s "$1" '[.steps[] | select(.step | startswith($s)) | .seconds] | add // 0 | . * 1000 | round / 1000' "$out"; }
  safety=$(step "safety snapshot") check=$(step "check parts") dump=$(step "mysql") start=$(step "start")
  tail_s=$(echo "$(step start) + $(step verify) + $(step apps)" | bc -l)
  whole=$(echo "$(jq .seconds "$out") + $check" | bc -l)
  bound=$(echo "1.5 * ($safety + $check + $dump + $start + $interval)" | bc -l)
  printf 'run %d: ' "$run"
  jq -r '[.steps[] | "\(.step | split(" (")[0]) \(.seconds * 10 | round / 10)s"] | join(", ")' "$out"
  tails+=("$tail_s") wholes+=("$whole") bounds+=("$bound")
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
verdict() { if [ "$(echo "$1 <= $2" | bc -l)" = 1 ]; then echo PASS; else echo FAIL; fi; }
t=$(median "${tails[@]}") w=$(median "${wholes[@]}") b=$(median "${bounds[@]}")
printf '\nmedians of %d runs, health-check interval %d s (%s)\n' "$runs" "$interval" "$PLUGIN"
printf '  last data step -> complete: %6.1f s   goal <= %d s   ratio %.2f  %s\n' "$t" $((interval + 5)) \
  "$(echo "$t / ($interval + 5)" | bc -l)" "$(verdict "$t" $((interval + 5)))"
printf '  whole restore:              %6.1f s   goal <= %.1f s ratio %.2f  %s\n' "$w" "$b" \
  "$(echo "$w / $b" | bc -l)" "$(verdict "$w" "$b")"
