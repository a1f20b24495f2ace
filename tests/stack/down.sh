#!/usr/bin/env bash
# Takes down a stack brought up by up.sh, with its volumes. Quiet success when there is nothing to do.
set -euo pipefail
state=${1:?usage: down.sh STATE_FILE}
[ -f "$state" ] || exit 0
# shellcheck disable=SC1090
source "$state"
args=(-p "$PROJECT" --project-directory "$PROJECT_DIR")
IFS=: read -ra files <<<"$COMPOSE_FILES"
for f in "${files[@]}"; do args+=(-f "$f"); done
read -r -a compose <<<"${AGENTCHAT_TEST_COMPOSE:-docker-compose}"
"${compose[@]}" "${args[@]}" down -v --remove-orphans >/dev/null 2>&1
rm -f "$state"
echo "stack $PROJECT removed"
