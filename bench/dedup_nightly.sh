#!/usr/bin/env bash
# Issue #17's retention goal: NIGHTS nightly backups of the 1.1 GiB mixed volume (bench/bench_stack.sh)
# with about 1 % of it changed each night, into one deduplicated repository; the repository must stay
# <= 1.5 x (the first backup + the bytes the nights changed). Each night: 6 MiB of new photos (random),
# 100 of the 2000 small files rewritten (2.7 MiB of new text), 2 MiB of log lines appended to one log.
# Prints each night's backup time and bytes added, then the totals and the ratio.
#   bench/dedup_nightly.sh [NIGHTS=30]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
nights=${1:-30}
source bench/bench_stack.sh
bench_plugin

work=$(mktemp -d /var/tmp/agentchat-bench-nightly.XXXXXX)
state=$work/stack.env
cleanup() {
  tests/stack/down.sh "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bench_stack_up "$state"
make_mixed_volume "$BACKEND_CONTAINER" >/dev/null
bytes() { du -sb "$1" | cut -f1; }
backup() { # backup [ARGS]: seconds of one backup of the volumes
  local s
  s=$(date +%s.%N)
  "$plugin" --repo "$work/repo" "${compose[@]}" backup --only volumes "$@" >/dev/null 2>"$work/err" ||
    { cat "$work/err"; exit 1; }
  echo "$(date +%s.%N) - $s" | bc
}
sleep 1.1 # outside the catalog's racy second
t=$(backup --dedup)
first=$(bytes "$work/repo")
printf 'first: %.2fs, %d MiB\n' "$t" "$((first >> 20))"
changed=0 before=$first
for night in $(seq 1 "$nights"); do
  docker exec "$BACKEND_CONTAINER" sh -c "
    d=/app/data/bench; head -c 6291456 /dev/urandom > \$d/photo-night-$night.bin
    i=0; while [ \$i -lt 100 ]; do n=\$(( ($night * 100 + \$i) % 2000 )); head -c 20000 /dev/urandom | base64 > \$d/small/f\$n; i=\$((i+1)); done
    seq 1 30000 | sed 's/^/2026-12-0${night}T02:00:00Z INFO night $night line /' >> \$d/log-$((night % 20)).txt"
  # 6 MiB + 100 x 27 KiB + the appended lines
  added_raw=$((6291456 + 100 * 27028 + $(seq 1 30000 | sed "s/^/2026-12-0${night}T02:00:00Z INFO night $night line /" | wc -c)))
  changed=$((changed + added_raw))
  sleep 1.1
  t=$(backup)
  now=$(bytes "$work/repo")
  printf 'night %2d: %.2fs, changed %.1f MiB, added %.1f MiB\n' "$night" "$t" \
    "$(echo "$added_raw / 1048576" | bc -l)" "$(echo "($now - $before) / 1048576" | bc -l)"
  before=$now
done
total=$(bytes "$work/repo")
printf '== %d nights: repository %d MiB; first %d MiB + changed %d MiB = %d MiB -> %.3fx (target <= 1.5)\n' \
  "$nights" "$((total >> 20))" "$((first >> 20))" "$((changed >> 20))" "$(((first + changed) >> 20))" \
  "$(echo "$total / ($first + $changed)" | bc -l)"
