#!/usr/bin/env bash
# The test command: installs what the tests need, makes sure a Docker engine runs, builds the test
# images (cached by content hash), then builds and runs every unit and end-to-end test through ctest,
# once in the normal configuration and once with AddressSanitizer + UndefinedBehaviorSanitizer,
# then fuzzes the parsers of untrusted backup input for a minute each (tests/fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
started=$(date +%s)

source scripts/packages.sh
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
command -v npm >/dev/null || ensure_packages "${S3_TEST_PACKAGES[@]}"
tests/s3/s3rver.sh install  # the S3 server of the S3 client tests, cached in /var/tmp

source tests/engine.sh
ensure_engine

tests/images/build.sh

jobs=$(nproc)
run_config() {
  local dir=$1
  shift
  echo "=== build $dir ($*)"
  cmake -S . -B "$dir" -DAGENTCHAT_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "=== test $dir"
  # End-to-end tests share one engine and one stack: run them one at a time.
  ctest --test-dir "$dir" --output-on-failure --timeout 900
}

run_config build/test-release -DCMAKE_BUILD_TYPE=Release  # what install.sh builds
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  run_config build/test-asan -DCMAKE_BUILD_TYPE=Debug -DAGENTCHAT_SANITIZE=ON

# The parsers of untrusted backup input (manifest, tar, zstd parts, config restore), fuzzed with
# libFuzzer for a bounded time each; a finding fails the run and names the input.
tests/fuzz/run.sh 60

echo "tests/run.sh: all tests passed in $(( $(date +%s) - started )) s"
