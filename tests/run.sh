#!/usr/bin/env bash
# The test command: installs what the tests need, makes sure a Docker engine runs, builds the test
# images (cached by content hash; in the background beside the Release build), then
#   1. Release build (what install.sh builds): every unit test and every end-to-end test but those
#      of ASAN_E2E, which run on Engine 20.10 once, under the sanitizers;
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build, compiled in the background (niced) while
#      the Release end-to-end tests wait on the engine, then every unit test under it (background
#      too), and the end-to-end tests that drive the memory-heavy paths (ASAN_E2E below);
#   3. libFuzzer on the parsers of untrusted backup input (built and run in that background job),
#      60 s per target, one per core at a time.
# And a modern test bed beside the machine's Engine 20.10 + compose v1: Engine 26 (Debian trixie's
# docker.io) with compose v2 and MariaDB 11.8 / Redis 8.0 / Valkey 8.1 images, on which the matrix
# MODERN_E2E runs (the Release build) beside the sanitizer end-to-end tests; ModernMigrate and
# PostgresMigrate move a stack from 20.10 onto it (in the 20.10 phase).
# Prints each phase's time and the slowest tests at the end (also when a phase fails).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
source tests/phases.sh

# The end-to-end tests that run under the sanitizers (on Engine 20.10 instead of in Release): the
# ones whose data goes through our stream code (exec and archive streams, hijacked stdin), the tar
# guard and host restore, zstd parts, age, S3 multipart uploads and resumed downloads, and hooks (an
# exec with a deadline). The other end-to-end tests orchestrate containers through the same code,
# covered in Release and by every unit test under the sanitizers (the encrypted chunk store's sealed
# blobs, catalogs and bundles among them: EncryptedStore.*).
ASAN_E2E=(
  'EngineApi\.'
  'MysqlDumpLive\.'
  'RedisSnapshotLive\.'
  'S3Client\.'
  'Backup\.OnlineBackupHoldsTheDataAndListVerifyPruneWork'
  'RestoreRoundTrip\.'
  'Encryption\.'
  'S3Repository\.AnOffSiteCopyAloneBringsTheStackBackAndEveryCommandWorksOnTheBucket'
  'S3Dedup\.'
  'Unattended\.'
  'Dedup\.AnUnchanged'
)

# On Engine 26 with compose v2 and the trixie images (issue #15): restore round trips with MariaDB
# 11.8 + Redis 8 and with Valkey 8.1 (online and stop), compat of those against 10.11/7.0, status,
# inspect, verify --deep, export/import, a scheduled run, restore with an app's health check, the
# engine contract the tests' FakeEngine is held to, hooks, pings, metrics and sanity checks, SQLite
# databases written in a loop (10 rounds here, 20 on Engine 20.10), and volume streams torn by a file
# shrinking as it is read (#20), a PostgreSQL 17 round trip (#18), and the deduplicated repository (#17).
MODERN_E2E=(
  'RestoreRoundTrip\..*/(Mariadb11|Valkey)'
  'ModernCompat\.'
  'StackStatus\.RunningStackIsOkWithDatabaseFigures'
  'StackInspect\.RunningStackWithProductionOverlay'
  'Backup\.OnlineBackupHoldsTheDataAndListVerifyPruneWork'
  'Restore\.BadBackupsAndBadInputAreRefusedBeforeAnythingChanges'
  'Schedule\.CronEntryRunsTheBackupRecordsFailuresNotifiesAndIsRemoved'
  'RestoreHealth\.AnAppUnhealthyAfterTheRestore'
  'EngineContractOnEngine\.'
  'Unattended\.'
  'SqliteBackup\.'
  'TornStream\.'
  'Objects\.'
  'PostgresBackup\.BackupDownVUp'
  'Dedup\.AnUnchanged'
)
# Only there: the Valkey round trips and the compat of trixie's servers against bookworm's.
MODERN_ONLY='RestoreRoundTrip\..*/Valkey|ModernCompat\.'
MODERN_DIR=/var/tmp/agentchat-e26
MODERN_IMAGES=(agentchat-test/{trixie-mariadb11,trixie-redis,trixie-valkey,trixie-app,trixie-app-nosqlite,trixie-postgres17,mysql,redis,app}:e2e)

# A process and everything it started (the background build's compilers).
kill_tree() {
  local child
  for child in $(pgrep -P "$1" || true); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

# The summary must not change the run's status (errexit holds in this trap too), and what the run
# started is stopped whatever happens.
on_exit() {
  local status=$?
  set +e
  [ -z "${IMAGES_PID:-}" ] || kill_tree "$IMAGES_PID"
  [ -z "${SANITIZER_PID:-}" ] || kill_tree "$SANITIZER_PID"
  [ -z "${MODERN_E2E_PID:-}" ] || kill_tree "$MODERN_E2E_PID"
  phase_summary
  [ -z "${MODERN_STARTED:-}" ] || tests/modern/engine26.sh remove "$MODERN_DIR"
  stop_started_engine
  exit $status
}

install_packages() {
  source scripts/packages.sh
  ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  command -v npm >/dev/null || ensure_packages "${S3_TEST_PACKAGES[@]}"
  tests/s3/s3rver.sh install # the S3 server of the S3 client tests, cached in /var/tmp
}

configure_and_build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DAGENTCHAT_TESTS=ON "$@" >/dev/null
  cmake --build "$dir"
}

source tests/engine.sh
trap on_exit EXIT
phase "packages" install_packages
phase "engine" ensure_engine
trap on_exit EXIT # ensure_engine set its own trap: on_exit stops that engine too

# Both image sets and Engine 26's root file system (all cached by content hash) at once, in the
# background beside the Release build: mostly waiting on the mirror, which on a fresh machine is
# minutes the build's cores need not wait for.
test_images() {
  local pids=() pid failed=0
  tests/images/build.sh & pids+=($!)
  tests/images/build.sh trixie & pids+=($!)
  tests/images/build.sh bookworm-postgres & pids+=($!)
  tests/images/build.sh trixie-postgres & pids+=($!)
  tests/modern/engine26.sh compose >/dev/null & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  return $failed
}
images_job() {
  local start status=0
  start=$(date +%s)
  test_images >build/test-images.log 2>&1 || status=$?
  echo "$(($(date +%s) - start))" >"$BG/images.seconds"
  return $status
}
BG=build/bg
rm -rf "$BG"
mkdir -p "$BG"
images_job &
IMAGES_PID=$!

phase "build release" configure_and_build build/test-release -DCMAKE_BUILD_TYPE=Release
phase "unit tests, release" ctest_logged build/test-release/unit.log --test-dir build/test-release \
  -L unit -j"$(nproc)" --output-on-failure --timeout 300

# The sanitizer build, then the unit tests under the sanitizers and the fuzzers, run in the
# background, niced: they use the cores the end-to-end tests leave idle (they mostly wait on the
# engine). Each step leaves its seconds and exit status in build/bg/; the end-to-end tests under the
# sanitizers wait for build/bg/asan-built.
bg_step() { # bg_step NAME LOG COMMAND...
  local name=$1 log=$2 start status=0
  shift 2
  start=$(date +%s)
  "$@" >"$log" 2>&1 || status=$?
  echo "$(($(date +%s) - start))" >"$BG/$name.seconds"
  echo "$status" >"$BG/$name.status"
  return $status
}
sanitizer_job() {
  renice -n 19 -p "$BASHPID" >/dev/null
  # -g1: line tables for the sanitizers' reports, without the full debug info that slows this
  # build (the one the end-to-end tests under the sanitizers wait for) by about a third.
  bg_step asan-build build/test-asan.build.log bash -c "set -e; $(declare -f configure_and_build)
    configure_and_build build/test-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
      -DAGENTCHAT_SANITIZE=ON" || return 1
  touch "$BG/asan-built"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    bg_step asan-unit build/test-asan/unit.log ctest --test-dir build/test-asan -L unit -j"$(nproc)" \
    --output-on-failure --timeout 600 || true
  # The fuzzers' own build (clang) comes here, after the sanitizer build, so nothing waits for it.
  bg_step fuzz build/fuzz.log tests/fuzz/run.sh 60 || true
}
sanitizer_job &
SANITIZER_PID=$!

# The images' end (they started before the Release build): their log, and their failure as this run's.
wait_images() {
  local status=0
  wait "$IMAGES_PID" || status=$?
  IMAGES_PID=
  cat build/test-images.log
  return $status
}
phase "test images, Engine 26 root (rest of it)" wait_images
phase_record "  (test images, Engine 26 root, in the background)" "$(cat "$BG/images.seconds")"

# Engine 26 in its own namespaces, with the images both image sets' tests use; this run removes it.
start_modern_engine() {
  MODERN_STARTED=1
  # The shared test stack bind-mounts from this checkout: the engine must see it at the same path.
  MODERN_HOST=$(ENGINE26_BINDS=$PWD tests/modern/engine26.sh start "$MODERN_DIR")
  docker save "${MODERN_IMAGES[@]}" | DOCKER_HOST=$MODERN_HOST docker load -q >/dev/null
  echo "Engine $(DOCKER_HOST=$MODERN_HOST docker version -f '{{.Server.Version}} (API {{.Server.APIVersion}})') at $MODERN_HOST"
}
phase "modern engine: start, load images" start_modern_engine
export AGENTCHAT_E2E_ENGINE26=$MODERN_HOST
AGENTCHAT_E2E_COMPOSE_V2=$(tests/modern/engine26.sh compose)
export AGENTCHAT_E2E_COMPOSE_V2

# End-to-end tests share one engine and one stack: run them one at a time. Those of ASAN_E2E run
# on this engine once, under the sanitizers (below): the same code, checked harder; the Release
# binary runs the round trips, online backup and hooks on Engine 26 too.
asan_filter=$(IFS='|'; echo "${ASAN_E2E[*]}")
phase "e2e tests, release (Engine 20.10, compose v1)" ctest_logged build/test-release/e2e.log \
  --test-dir build/test-release -L e2e -E "$MODERN_ONLY|$asan_filter" --output-on-failure --timeout 900

# Engine 26's matrix runs in the background beside the sanitizer end-to-end tests (another engine,
# another build directory and its own stack): its output is printed when it ends.
modern_filter=$(IFS='|'; echo "${MODERN_E2E[*]}")
modern_e2e() {
  local start status=0
  start=$(date +%s)
  env DOCKER_HOST="$MODERN_HOST" AGENTCHAT_TEST_COMPOSE="$AGENTCHAT_E2E_COMPOSE_V2" \
    AGENTCHAT_MYSQL_IMAGE=agentchat-test/trixie-mariadb11:e2e AGENTCHAT_MARIADB_IMAGE=agentchat-test/trixie-mariadb11:e2e \
    AGENTCHAT_REDIS_IMAGE=agentchat-test/trixie-redis:e2e AGENTCHAT_VALKEY_IMAGE=agentchat-test/trixie-valkey:e2e \
    AGENTCHAT_APP_IMAGE=agentchat-test/trixie-app:e2e AGENTCHAT_APP_NOSQLITE_IMAGE=agentchat-test/trixie-app-nosqlite:e2e \
    AGENTCHAT_POSTGRES_IMAGE=agentchat-test/trixie-postgres17:e2e AGENTCHAT_SQLITE_RUNS=10 \
    ctest --test-dir build/test-release -L e2e -R "$modern_filter" --output-on-failure --timeout 900 \
    >build/test-release/e2e-modern.log 2>&1 || status=$?
  echo "$(($(date +%s) - start))" >"$BG/modern-e2e.seconds"
  return $status
}
CTEST_LOGS+=(build/test-release/e2e-modern.log build/test-asan/unit.log)
modern_e2e &
MODERN_E2E_PID=$!

# The sanitizer build's end (it started after the Release build): its job says so, or dies.
wait_asan_build() {
  until [ -e "$BG/asan-built" ]; do
    if ! kill -0 "$SANITIZER_PID" 2>/dev/null; then
      echo "the sanitizer build failed; last lines of build/test-asan.build.log:" >&2
      tail -n 40 build/test-asan.build.log >&2
      return 1
    fi
    sleep 2
  done
}
phase "build asan (rest of it)" wait_asan_build
phase_record "  (build asan, in the background)" "$(cat "$BG/asan-build.seconds")"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
phase "e2e tests, asan (memory-heavy paths)" ctest_logged build/test-asan/e2e.log --test-dir build/test-asan \
  -L e2e -R "$asan_filter" --output-on-failure --timeout 900

# A background step's output, and its failure as this run's.
finish_background() {
  local pid=$1 log=$2 status=0
  wait "$pid" || status=$?
  cat "$log"
  return $status
}
engine26_e2e() {
  finish_background "$MODERN_E2E_PID" build/test-release/e2e-modern.log || return 1
  MODERN_E2E_PID=
}
phase "e2e tests, release (Engine 26, compose v2) (rest of it)" engine26_e2e
phase_record "  (e2e tests, release (Engine 26, compose v2), in the background)" "$(cat "$BG/modern-e2e.seconds")"

# The unit tests under the sanitizers, then the parsers of untrusted backup input (manifest, tar,
# zstd parts, config restore) fuzzed with libFuzzer for a bounded time each: a finding fails the run
# and names the input.
sanitizer_steps() {
  wait "$SANITIZER_PID" || true
  SANITIZER_PID=
  local step failed=0
  for step in asan-unit:build/test-asan/unit.log fuzz:build/fuzz.log; do
    cat "${step#*:}"
    [ "$(cat "$BG/${step%%:*}.status" 2>/dev/null || echo 1)" = 0 ] || failed=1
  done
  return $failed
}
phase "unit tests asan, fuzz (rest of it)" sanitizer_steps
phase_record "  (unit tests, asan, in the background)" "$(cat "$BG/asan-unit.seconds")"
phase_record "  (fuzz, in the background)" "$(cat "$BG/fuzz.seconds")"

echo "tests/run.sh: all tests passed in $(($(date +%s) - PHASE_STARTED)) s"
