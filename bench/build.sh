#!/usr/bin/env bash
# The build-time budget of issue #14, side by side in one run on this machine:
#   cold:   what ./install.sh compiles, from an empty build directory (goal: <= 180 s on 2 cores) —
#           today's build (Ninja, unity batches, one shared precompiled header, -O2) against the
#           build it replaced (Makefiles, one unit per file, no precompiled header, -O3)
#   re-run: the same build again with nothing changed (goal: a few seconds)
# Each pair runs in turn, RUNS times; prints every run, then medians and the ratio ours/baseline.
#   bench/build.sh [RUNS=1]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
runs=${1:-1}
source scripts/packages.sh
ensure_packages "${BUILD_PACKAGES[@]}"

work=$(mktemp -d /tmp/agentchat-bench-build.XXXXXX)
trap 'rm -rf "$work"' EXIT

# seconds COMMAND...: wall seconds of COMMAND (its output kept in $work/last.log).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/last.log" 2>&1 || { tail -n 30 "$work/last.log" >&2; return 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
ours() {
  rm -rf "$work/ours"
  cmake -S . -B "$work/ours" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAGENTCHAT_TESTS=OFF &&
    cmake --build "$work/ours"
}
baseline() {
  rm -rf "$work/base"
  cmake -S . -B "$work/base" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release -DAGENTCHAT_TESTS=OFF \
    -DAGENTCHAT_FAST_BUILD=OFF -DAGENTCHAT_OPTIMIZE=-O3 &&
    cmake --build "$work/base" -j"$(nproc)"
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

: >"$work/ours.txt"
: >"$work/base.txt"
: >"$work/rerun.txt"
echo "== cold build of docker-agentchat (Release), $(nproc) cores, $runs run(s) each, in turn"
for i in $(seq 1 "$runs"); do
  o=$(seconds ours)
  r=$(seconds cmake --build "$work/ours")
  b=$(seconds baseline)
  echo "$o" >>"$work/ours.txt"
  echo "$r" >>"$work/rerun.txt"
  echo "$b" >>"$work/base.txt"
  printf 'run %d: ours %.1f s (re-run %.1f s), baseline %.1f s\n' "$i" "$o" "$r" "$b"
done
o=$(median <"$work/ours.txt")
b=$(median <"$work/base.txt")
r=$(median <"$work/rerun.txt")
printf '== medians: cold build ours %.1f s, baseline %.1f s, ratio %.2f (goal: ours <= 180 s)\n' \
  "$o" "$b" "$(echo "$o / $b" | bc -l)"
printf '== re-run with nothing changed: %.1f s (goal: a few seconds)\n' "$r"
