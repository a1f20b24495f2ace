#!/usr/bin/env bash
# Builds the libFuzzer targets (clang++, ASan + UBSan) in build/fuzz and runs each for a bounded
# time: tests/fuzz/run.sh [seconds per target, default 60] [target...]. The seed corpora are
# copied to a scratch directory first, so the repository is not modified. Exits non-zero and
# names the input that crashed on any finding (kept under build/fuzz/findings/). Targets run one
# per core at a time. `tests/fuzz/run.sh build` only builds them.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_manifest fuzz_tar fuzz_zstd_part fuzz_host_restore fuzz_listing fuzz_objects)

echo "=== build build/fuzz (clang++, libFuzzer + ASan + UBSan)"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
CXX=clang++ cmake -S tests/fuzz -B build/fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j"$(nproc)"
[ "$seconds" != build ] || exit 0

# On tmpfs where there is one: fuzz_host_restore unpacks every input into $TMPDIR.
scratch=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$scratch"' EXIT
findings=$PWD/build/fuzz/findings
mkdir -p "$findings"
# One target per core at a time: each fuzzer is single-threaded.
fuzz_one() {
  local target=$1 log=$findings/$1.log status=0
  mkdir -p "$scratch/$target"
  cp -r "tests/fuzz/corpus/$target/." "$scratch/$target/"
  (cd "$findings" && TMPDIR=$scratch ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=print_stacktrace=1 "$OLDPWD/build/fuzz/$target" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/$target-" \
    "$scratch/$target" >"$log" 2>&1) || status=$?
  echo "$status" >"$findings/$target.status"
}
report_one() {
  local target=$1 log=$findings/$1.log status
  status=$(cat "$findings/$target.status")
  echo "=== fuzz $target for ${seconds} s"
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" |
    sed 's/^/  /' || true
  if [ "$status" -ne 0 ]; then
    grep -m 5 -E '^(fuzz_[a-z_]+: |==[0-9]+==ERROR|SUMMARY)' "$log" || tail -n 40 "$log"
    crash=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | cut -d' ' -f5 || true)
    echo "tests/fuzz/run.sh: $target found a failure (exit $status); input: ${crash:-see $log}; log: $log"
    failed+=("$target")
  fi
}
failed=()
cores=$(nproc)
for ((i = 0; i < ${#targets[@]}; i += cores)); do
  batch=("${targets[@]:i:cores}")
  for target in "${batch[@]}"; do fuzz_one "$target" & done
  wait
  for target in "${batch[@]}"; do report_one "$target"; done
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "tests/fuzz/run.sh: findings in ${failed[*]}"
  exit 1
fi
echo "tests/fuzz/run.sh: no findings (${seconds} s per target)"
