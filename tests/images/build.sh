#!/usr/bin/env bash
# Builds the end-to-end test images from Debian packages (no registry is needed), tagged by a hash of
# this folder's content so that an unchanged folder costs nothing and any change rebuilds.
#   build.sh           bookworm (MariaDB 10.11, Redis 7.0):
#     agentchat-test/mysql      official mysql image's contract (MYSQL_*, initdb.d, mysql* and mariadb* tools)
#     agentchat-test/mariadb11  MariaDB 11 image's contract (MARIADB_*, only mariadb-* tools)
#     agentchat-test/redis      official redis image's contract (/data, runs as redis)
#     agentchat-test/app        a stand-in for AgentChat's backend (writes /app/logs)
#     agentchat-test/app-nosqlite  the same without the sqlite3 shell (SQLite apps as they ship)
#   build.sh trixie    the modern set (MariaDB 11.8, Redis 8.0, Valkey 8.1), named agentchat-test/trixie-*:
#     mariadb11, redis, app and app-nosqlite as above, and valkey (official valkey image's contract,
#     valkey-* names only)
#   build.sh bookworm-postgres   agentchat-test/postgres15 (PostgreSQL 15)
#   build.sh trixie-postgres     agentchat-test/trixie-postgres17 (PostgreSQL 17)
#     official postgres image's contract (POSTGRES_*, PGDATA, initdb.d, tools on PATH); their own
#     package lists and bases, so the suites above keep theirs
# Each is tagged :<hash> and :e2e; the tests use :e2e.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
cd "$here"
started=$(date +%s)
suite=${1:-bookworm}
dist=$suite pg_major=
case "$suite" in
  bookworm) images=(mysql mariadb11 redis app app-nosqlite) prefix=agentchat-test/ packages=packages.txt ;;
  trixie) images=(mariadb11 redis valkey app app-nosqlite) prefix=agentchat-test/trixie- packages=packages-trixie.txt ;;
  bookworm-postgres) images=(postgres15) prefix=agentchat-test/ packages=packages-postgres.txt dist=bookworm pg_major=15 ;;
  trixie-postgres) images=(postgres17) prefix=agentchat-test/trixie- packages=packages-trixie-postgres.txt dist=trixie pg_major=17 ;;
  *) echo "usage: build.sh [bookworm|trixie|bookworm-postgres|trixie-postgres]" >&2; exit 2 ;;
esac
hash=$( (find . -type f | LC_ALL=C sort | xargs sha256sum; echo "$suite") | sha256sum | cut -c1-12)

have_all() {
  local image
  for image in "${images[@]}"; do
    docker image inspect "$prefix$image:$hash" >/dev/null 2>&1 || return 1
  done
}

tag_e2e() {
  local image
  for image in "${images[@]}"; do docker tag "$prefix$image:$hash" "$prefix$image:e2e"; done
}

if have_all; then
  tag_e2e
  echo "$suite test images cached ($hash)"
  exit 0
fi

# shellcheck source=../../scripts/apt_mirror.sh
source ../../scripts/apt_mirror.sh

# The base (a debootstrap, the slow part) is keyed by its package list alone: editing a Dockerfile
# or an entrypoint rebuilds only the images.
base="${prefix}base:$( (cat "$packages"; echo "$suite") | sha256sum | cut -c1-12)"
if ! docker image inspect "$base" >/dev/null 2>&1; then
  mirror=$(apt_mirror)
  rootfs=$(mktemp -d /var/tmp/agentchat-rootfs.XXXXXX)
  log=/var/tmp/agentchat-debootstrap-$suite.log
  trap 'rm -rf "$rootfs"' EXIT
  echo "debootstrap $dist ($(paste -sd' ' "$packages")) from $mirror ..."
  if ! unshare -m --propagation private debootstrap --variant=minbase --include="$(paste -sd, "$packages")" \
    "$dist" "$rootfs" "$mirror" >"$log" 2>&1; then
    echo "build.sh: debootstrap failed; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  # What an image does not need; keeps the import small.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/usr/share/doc/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
  tar -C "$rootfs" -c . | docker import - "$base" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
fi

for image in "${images[@]}"; do
  echo "building $prefix$image:$hash"
  file=$image.Dockerfile args=(--build-arg "BASE=$base")
  # postgres15 and postgres17 share one Dockerfile; the suite gives the major version.
  if [ -n "$pg_major" ]; then file=postgres.Dockerfile args+=(--build-arg "PG_MAJOR=$pg_major"); fi
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q "${args[@]}" -f "$file" \
    -t "$prefix$image:$hash" . 2>&1); then
    echo "build.sh: building $prefix$image failed:" >&2
    echo "$out" >&2
    exit 1
  fi
done
tag_e2e
echo "$suite test images built ($hash) in $(($(date +%s) - started)) s"
