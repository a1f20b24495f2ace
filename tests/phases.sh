# Named, timed phases of the test command and the summary it ends with. Sourced by tests/run.sh.
#   phase NAME COMMAND...   runs COMMAND in this shell; its wall time is kept under NAME
#   phase_summary           each phase's time, the total, and the slowest tests of every ctest log
# The summary is printed on failure too (run.sh calls it from its EXIT trap).

PHASE_NAMES=()
PHASE_SECONDS=()
PHASE_STARTED=$(date +%s)
CTEST_LOGS=()

PHASE_RUNNING=
PHASE_RUNNING_SINCE=

phase() {
  PHASE_RUNNING=$1
  PHASE_RUNNING_SINCE=$(date +%s)
  shift
  echo "=== $PHASE_RUNNING"
  "$@"
  local took=$(($(date +%s) - PHASE_RUNNING_SINCE))
  PHASE_NAMES+=("$PHASE_RUNNING")
  PHASE_SECONDS+=("$took")
  echo "=== $PHASE_RUNNING: $took s"
  PHASE_RUNNING=
}

# Records a phase that ran elsewhere (in the background) and took `seconds`.
phase_record() {
  PHASE_NAMES+=("$1")
  PHASE_SECONDS+=("$2")
}

# ctest ARGS... with its output also kept in LOG, for the slowest-tests list.
ctest_logged() {
  local log=$1
  shift
  CTEST_LOGS+=("$log")
  ctest "$@" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

phase_summary() {
  local i
  if [ -n "$PHASE_RUNNING" ]; then # it failed (or the run was interrupted) there
    PHASE_NAMES+=("$PHASE_RUNNING (did not finish)")
    PHASE_SECONDS+=("$(($(date +%s) - PHASE_RUNNING_SINCE))")
    PHASE_RUNNING=
  fi
  echo
  echo "=== phase times"
  for i in "${!PHASE_NAMES[@]}"; do
    printf '  %-46s %6d s\n' "${PHASE_NAMES[$i]}" "${PHASE_SECONDS[$i]}"
  done
  printf '  %-46s %6d s\n' "total (wall)" "$(($(date +%s) - PHASE_STARTED))"
  local logs=()
  for i in "${CTEST_LOGS[@]}"; do [ -f "$i" ] && logs+=("$i"); done
  [ ${#logs[@]} -gt 0 ] || return 0
  echo "=== slowest tests"
  # ctest: "12/488 Test #12: Suite.Name ......   Passed   12.34 sec"
  awk '/ Test +#[0-9]+: / {
         for (i = 1; i <= NF; i++) if ($i == "sec") { t = $(i - 1) }
         name = $0; sub(/^.*Test +#[0-9]+: /, "", name); sub(/ .*$/, "", name)
         run = FILENAME; sub(/\.log$/, "", run); sub(/^.*build\/test-/, "", run); sub(/\//, " ", run)
         printf "%8.1f s  %-13s %s\n", t, run, name
       }' "${logs[@]}" | sort -rn | head -n 12 || true # head leaves early: sort's SIGPIPE is no failure
}
