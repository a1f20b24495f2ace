#!/usr/bin/env bash
# PostgreSQL (issue #18) against the issue's baselines, side by side on the same database in one run:
#   dump: ours (backup --only postgres: pg_dump -Fc uncompressed through exec, zstd -3 on two
#         threads, sha256, into the repository) vs `docker exec pg_dump -Fc DB > file` (pg_dump's own
#         compression, into a file on this host)
#   load: the load step of our restore (restore --only postgres --no-safety-snapshot: the step that
#         drops the database and streams the part into `pg_restore --create` through exec stdin, as the
#         restore's report times it, without the check pass) vs `pg_restore --jobs 2 --clean --create`
#         of the same -Fc file, already inside the container
#   peak RSS of the plugin in either (/usr/bin/time).
# The database: pgbench's tables at scale SCALE (70: about 1 GB with its indexes) in database `bench`
# of the test stack's PostgreSQL 15 service. Prints each run, then medians and ratios (ours/baseline:
# lower is better).
#   bench/postgres.sh [RUNS=3] [SCALE=70]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
runs=${1:-3}
scale=${2:-70}
source scripts/packages.sh
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" time bc
source tests/engine.sh
ensure_engine
tests/images/build.sh >/dev/null
tests/images/build.sh bookworm-postgres >/dev/null

cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DAGENTCHAT_TESTS=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" --target docker-agentchat >/dev/null
plugin=$PWD/build/bench/plugin/docker-agentchat

work=$(mktemp -d /tmp/agentchat-bench-pg.XXXXXX)
project=benchpg$$
cp -r tests/stack "$work/stack"
compose=(docker-compose -p "$project" --project-directory "$work/stack" -f "$work/stack/docker-compose.yml"
  -f "$work/stack/docker-compose.secrets.yml" -f "$work/stack/docker-compose.postgres.yml")
ours=("$plugin" --repo "$work/repo" -p "$project" --project-directory "$work/stack"
  -f "$work/stack/docker-compose.yml" -f "$work/stack/docker-compose.secrets.yml"
  -f "$work/stack/docker-compose.postgres.yml")
cleanup() {
  "${compose[@]}" down -v >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"${compose[@]}" up -d >/dev/null 2>&1
pg=$("${compose[@]}" ps -q postgres)
psql() { docker exec -i "$pg" psql -X -q -At -v ON_ERROR_STOP=1 -U agentchat "$@"; }
for _ in $(seq 240); do
  docker exec "$pg" pg_isready -h 127.0.0.1 -U agentchat >/dev/null 2>&1 && psql -d agentchat -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.5
done

echo "== data: pgbench scale $scale in database bench"
psql -d agentchat -c 'CREATE DATABASE bench'
docker exec "$pg" pgbench -i -q -s "$scale" -U agentchat bench 2>&1 | tail -1
psql -d bench -c 'VACUUM ANALYZE'
echo "database bench: $(psql -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")"

secs() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$1" "$2"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
dump_ours=() dump_base=() load_ours=() load_base=() rss=()
for run in $(seq "$runs"); do
  # Dumps, ours first one run and the baseline first the next (the page cache favours the second).
  dump_baseline() {
    local a b
    a=$(date +%s.%N)
    docker exec "$pg" pg_dump -Fc -U agentchat -d bench >"$work/bench.dump"
    b=$(date +%s.%N)
    dump_base+=("$(secs "$a" "$b")")
  }
  dump_ours() {
    local a b
    a=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$work/dump.rss" "${ours[@]}" backup --only postgres --json >"$work/backup.json" 2>"$work/backup.err"
    b=$(date +%s.%N)
    dump_ours+=("$(secs "$a" "$b")")
    rss+=("$(cat "$work/dump.rss")")
  }
  if [ $((run % 2)) = 1 ]; then dump_ours; dump_baseline; else dump_baseline; dump_ours; fi
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/backup.json")

  # Loads: the same -Fc file by pg_restore --jobs 2 (it needs a seekable file: in the container),
  # then ours from the backup.
  docker cp -q "$work/bench.dump" "$pg:/tmp/bench.dump"
  a=$(date +%s.%N)
  docker exec "$pg" pg_restore -U agentchat --jobs 2 --clean --create --exit-on-error -d template1 /tmp/bench.dump
  b=$(date +%s.%N)
  load_base+=("$(secs "$a" "$b")")
  docker exec "$pg" rm -f /tmp/bench.dump
  /usr/bin/time -f '%M' -o "$work/load.rss" "${ours[@]}" restore "$id" --only postgres --yes --no-safety-snapshot \
    --json >"$work/restore.json" 2>"$work/restore.err"
  load_ours+=("$(python3 -c '
import json, sys
steps = json.load(open(sys.argv[1]))["steps"]
print(sum(s["seconds"] for s in steps if s["step"].startswith("postgres database bench ")))' "$work/restore.json")")
  rss+=("$(cat "$work/load.rss")")
  printf 'run %d: dump ours %s s, pg_dump -Fc %s s; load ours %s s, pg_restore --jobs 2 %s s\n' "$run" \
    "${dump_ours[-1]}" "${dump_base[-1]}" "${load_ours[-1]}" "${load_base[-1]}"
done

m() { printf '%s\n' "$@" | median; }
md=$(m "${dump_ours[@]}") mb=$(m "${dump_base[@]}") ml=$(m "${load_ours[@]}") mr=$(m "${load_base[@]}")
stored=$(du -sb "$work/repo/$project/$id" | cut -f1)
echo "== medians of $runs runs (ratio ours/baseline, goal <= 1.1)"
printf 'dump: ours %s s vs pg_dump -Fc > file %s s: %.2f (stored %d MiB, pg_dump -Fc file %d MiB)\n' "$md" "$mb" \
  "$(echo "$md / $mb" | bc -l)" $((stored / 1048576)) $(($(stat -c %s "$work/bench.dump") / 1048576))
printf 'load: ours %s s vs pg_restore --jobs 2 %s s: %.2f\n' "$ml" "$mr" "$(echo "$ml / $mr" | bc -l)"
peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "peak RSS of our backups and restores: $((peak / 1024)) MiB (goal <= 64 MiB)"
