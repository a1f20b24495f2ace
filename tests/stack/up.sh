#!/usr/bin/env bash
# Brings up the AgentChat-shaped stack under a unique project name and waits until MySQL answers
# queries (with its init tables) and Redis answers PONG. Writes STATE_FILE (shell-sourceable):
# PROJECT, PROJECT_DIR, COMPOSE_FILES, MYSQL_CONTAINER, REDIS_CONTAINER, BACKEND_CONTAINER, MYSQL_ROOT_PASSWORD.
#   up.sh STATE_FILE [extra compose file ...]
set -euo pipefail
# AGENTCHAT_TEST_COMPOSE: the compose to use (default docker-compose; e.g. compose v2's binary).
read -r -a compose <<<"${AGENTCHAT_TEST_COMPOSE:-docker-compose}"
state=${1:?usage: up.sh STATE_FILE [extra compose files...]}
shift
here=$(dirname "$(readlink -f "$0")")
project="agentchat-e2e-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
files=("$here/docker-compose.yml")
for extra in "$@"; do files+=("$(readlink -f "$extra")"); done
compose_args=(-p "$project" --project-directory "$here")
for f in "${files[@]}"; do compose_args+=(-f "$f"); done

fail() {
  echo "up.sh: $*" >&2
  "${compose[@]}" "${compose_args[@]}" logs --no-color --tail 40 >&2 || true
  "${compose[@]}" "${compose_args[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  exit 1
}

started=$(date +%s)
"${compose[@]}" "${compose_args[@]}" up -d --quiet-pull >/dev/null 2>&1 ||
  fail "${compose[*]} up failed: $("${compose[@]}" "${compose_args[@]}" up -d 2>&1 | tail -5)"

container() { "${compose[@]}" "${compose_args[@]}" ps -q "$1"; }
mysql_id=$(container mysql)
redis_id=$(container redis)
backend_id=$(container backend)
root_password=$(sed -n 's/^MYSQL_ROOT_PASSWORD=//p' "$here/.env")

# The password reaches the client through the exec's environment, not its arguments.
mysql_ready() {
  docker exec -e MYSQL_PWD="$root_password" "$mysql_id" sh -c \
    'c=$(command -v mariadb || command -v mysql); "$c" -uroot -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema=\"agentchat\" AND table_name=\"usage_stats\" AND @@skip_networking=0"' \
    2>/dev/null | grep -qx 1
}
deadline=$((started + 180))
until mysql_ready; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "MySQL did not become ready within 180 s"
  sleep 1
done
# Valkey images may have only valkey-cli.
until [ "$(docker exec "$redis_id" sh -c '$(command -v redis-cli || command -v valkey-cli) ping' 2>/dev/null)" = PONG ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "Redis did not answer PONG within 180 s"
  sleep 0.5
done

{
  echo "PROJECT=$project"
  echo "PROJECT_DIR=$here"
  echo "COMPOSE_FILES=$(IFS=:; echo "${files[*]}")"
  echo "MYSQL_CONTAINER=$mysql_id"
  echo "REDIS_CONTAINER=$redis_id"
  echo "BACKEND_CONTAINER=$backend_id"
  echo "MYSQL_ROOT_PASSWORD='$root_password'"
} >"$state"
echo "stack $project up in $(($(date +%s) - started)) s"
