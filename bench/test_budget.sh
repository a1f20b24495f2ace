#!/usr/bin/env bash
# The test command's budget (issue #14): runs it as CI does (`CI=true tests/run.sh`) and says whether
# it stayed within 45 minutes on this machine (CI stops a run at 90). The command's own summary above
# this line gives each phase's time and the slowest tests.
#   bench/test_budget.sh
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
budget=$((45 * 60))
start=$(date +%s)
CI=true ./tests/run.sh
status=$?
took=$(($(date +%s) - start))
verdict=within
[ "$took" -le "$budget" ] || verdict=OVER
printf '== test command: %d s (%.1f min), %s the %d s budget; exit %d\n' "$took" "$(echo "$took / 60" | bc -l)" \
  "$verdict" "$budget" "$status"
[ "$verdict" = within ] && exit "$status"
exit 1
