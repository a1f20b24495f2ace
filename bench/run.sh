#!/usr/bin/env bash
# Backup and restore speed and memory against the baselines of issues #4 and #5, side by side on the
# same data in one run:
#   volume: 1 GiB mixed volume  — ours (backup --only volumes) vs (a) the guide's
#           `docker run -v vol:/data IMAGE tar czf` and (b) the engine's raw archive stream | zstd -T0 -3
#   dump:   200k-row MySQL dump — ours (backup --only mysql) vs raw `docker exec mysqldump > file`
#   migrate: the whole stack (the 1 GiB volume, MySQL, Redis) to a second engine — ours (migrate,
#           stop mode: volumes streamed engine to engine) vs the docker save-style two-step copy of
#           the same volumes (tar to a file on this host, then untar on the target), the stack
#           stopped around both as the guide's migration does
#   encryption: the volume backup again with --encrypt-to (age X25519) vs the same without (issue #7)
#   s3:     the volume backup into s3rver on loopback vs into a directory, and `copy` to S3 (issue #8)
#   restore: the same databases back — ours (restore --only mysql: recreate, load through exec stdin,
#           start, verify row counts) vs raw `docker exec -i mysql < dump`
# Prints each run, then medians and ratios (lower is better for ours/baseline) and our peak RSS.
#   bench/run.sh [RUNS=3]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
runs=${1:-3}
source bench/bench_stack.sh
bench_plugin

work=$(mktemp -d /tmp/agentchat-bench.XXXXXX)
state=$work/stack.env
cleanup() {
  tests/stack/down.sh "$state" >/dev/null 2>&1 || true
  tests/engine2.sh remove "$work/engine2" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bench_stack_up "$state"
volume="${PROJECT}_app_data"

echo "== data: 1 GiB mixed volume (1/3 random, 2/3 text and logs, 2000 small files), 200k-row table"
make_mixed_volume "$BACKEND_CONTAINER"
docker exec -i -e MYSQL_PWD="$MYSQL_ROOT_PASSWORD" "$MYSQL_CONTAINER" mariadb -uroot <<'SQL'
CREATE DATABASE IF NOT EXISTS bench;
USE bench;
CREATE TABLE bench.message (id BIGINT PRIMARY KEY, dialog_id CHAR(32), role VARCHAR(16), content TEXT,
  tokens INT, created DATETIME) ENGINE=InnoDB;
INSERT INTO bench.message SELECT seq, MD5(seq), IF(seq % 2, 'user', 'assistant'),
  CONCAT('message ', seq, ': ', REPEAT(SUBSTRING(MD5(seq), 1, 8), 40)), seq % 4000,
  '2026-11-24 02:00:00' - INTERVAL seq SECOND FROM seq_1_to_200000;
SQL

seconds() { local s; s=$(date +%s.%N); "$@"; echo "$(date +%s.%N) - $s" | bc; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
image=agentchat-test/app:e2e

declare -A t
rss=()
s3rss=0
m() { tr ' ' '\n' <<<"${t[$1]}" | grep . | median; }
drop() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }
# Encryption: the same volume backup, unencrypted and encrypted to an age public key, alternating.
age-keygen -o "$work/age.key" 2>/dev/null
recipient=$(grep -o 'age1[0-9a-z]*' "$work/age.key")
if [ "${BENCH_ONLY:-all}" = all ] || [ "${BENCH_ONLY:-all}" = encryption ]; then
for run in $(seq 1 "$runs"); do
  drop; /usr/bin/time -f '%e %M' -o "$work/plain" "$plugin" --repo "$work/repo-plain" "${compose[@]}" backup \
    --only volumes >/dev/null 2>"$work/plain.err" || { cat "$work/plain.err"; exit 1; }
  drop; /usr/bin/time -f '%e %M' -o "$work/enc" "$plugin" --repo "$work/repo-enc" "${compose[@]}" backup \
    --only volumes --encrypt-to "$recipient" >/dev/null 2>"$work/enc.err" || { cat "$work/enc.err"; exit 1; }
  read -r pl _ <"$work/plain"
  read -r en kb <"$work/enc"
  rss+=("$kb")
  t[plain]+="$pl "; t[enc]+="$en "
  printf 'encryption run %d: unencrypted %.2fs | encrypted (age X25519) %.2fs\n' "$run" "$pl" "$en"
  rm -rf "$work"/repo-plain "$work"/repo-enc
done
mpl=$(m plain) men=$(m enc)
printf 'encryption, 1 GiB volume: encrypted %.2fs; unencrypted %.2fs -> %.2fx (target <= 1.15); peak RSS %d MiB\n' \
  "$men" "$mpl" "$(echo "$men / $mpl" | bc -l)" "$((kb / 1024))"
fi

# S3: the same volume backup into a local directory and into s3rver on loopback (the test command's
# S3 server), alternating; then `copy` of the local backup to the bucket. s3rver (node, files on disk)
# sets the pace of the S3 side: the point is that it streams, with memory bounded by the part size.
if [ "${BENCH_ONLY:-all}" = all ] || [ "${BENCH_ONLY:-all}" = s3 ]; then
tests/s3/s3rver.sh install
s3port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
s3pid=$(tests/s3/s3rver.sh start "$s3port" "$work/s3rver" bench "$work/s3rver.log")
s3env=(env AWS_ENDPOINT_URL="http://127.0.0.1:$s3port" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
  AWS_REGION=us-east-1 AGENTCHAT_STATE_DIR="$work/s3state")
for run in $(seq 1 "$runs"); do
  drop; /usr/bin/time -f '%e %M' -o "$work/local" "$plugin" --repo "$work/repo-local" "${compose[@]}" backup \
    --only volumes >/dev/null 2>"$work/local.err" || { cat "$work/local.err"; exit 1; }
  drop; /usr/bin/time -f '%e %M' -o "$work/s3" "${s3env[@]}" "$plugin" --repo "s3://bench/run$run" "${compose[@]}" \
    backup --only volumes >/dev/null 2>"$work/s3.err" || { cat "$work/s3.err"; exit 1; }
  id=$(ls "$work/repo-local/$PROJECT" | grep -E '^[0-9]{8}T[0-9]{6}Z$' | tail -n 1)
  drop; /usr/bin/time -f '%e %M' -o "$work/copy" "${s3env[@]}" "$plugin" --repo "$work/repo-local" "${compose[@]}" \
    copy "$id" --to "s3://bench/copy$run" >/dev/null 2>"$work/copy.err" || { cat "$work/copy.err"; exit 1; }
  read -r lo _ <"$work/local"
  read -r so kb <"$work/s3"
  read -r co ckb <"$work/copy"
  [ "$kb" -gt "$s3rss" ] && s3rss=$kb
  [ "$ckb" -gt "$s3rss" ] && s3rss=$ckb
  t[local]+="$lo "; t[s3]+="$so "; t[copy]+="$co "
  printf 's3 run %d: backup to a directory %.2fs | backup to S3 %.2fs | copy directory -> S3 %.2fs\n' "$run" "$lo" "$so" "$co"
  rm -rf "$work/repo-local"
done
stored=$(du -sm "$work/s3rver" | cut -f1)
tests/s3/s3rver.sh stop "$s3pid" || true
mlo=$(m local) ms3=$(m s3) mco=$(m copy)
printf 's3, 1 GiB volume: backup to S3 %.2fs vs to a directory %.2fs -> %.2fx; copy to S3 %.2fs; peak RSS %d MiB (%d MiB stored in s3rver)\n' \
  "$ms3" "$mlo" "$(echo "$ms3 / $mlo" | bc -l)" "$mco" "$((s3rss / 1024))" "$stored"
fi

# BENCH_ONLY=migrate, =encryption or =s3 skips the backup and restore measurements (the data is made all the same).
if [ "${BENCH_ONLY:-all}" = all ]; then
for run in $(seq 1 "$runs"); do
  rm -rf "$work/repo" "$work"/*.out
  drop; a=$(seconds sh -c "docker run --rm -v $volume:/data $image tar czf - /data > $work/a.out")
  drop; b=$(seconds sh -c "curl -fsS --unix-socket /var/run/docker.sock \
    'http://docker/containers/$BACKEND_CONTAINER/archive?path=/app/data/.' | zstd -q -T0 -3 > $work/b.out")
  drop; /usr/bin/time -f '%e %M' -o "$work/ours" "$plugin" --repo "$work/repo" "${compose[@]}" backup --only volumes \
    >/dev/null 2>"$work/ours.err" || { cat "$work/ours.err"; exit 1; }
  read -r o kb <"$work/ours"
  rss+=("$kb")
  drop; raw=$(seconds sh -c "docker exec -e MYSQL_PWD='$MYSQL_ROOT_PASSWORD' $MYSQL_CONTAINER mariadb-dump -uroot \
    --single-transaction --routines --triggers --events --hex-blob --databases agentchat bench > $work/raw.sql")
  drop; /usr/bin/time -f '%e %M' -o "$work/dump" "$plugin" --repo "$work/repo" "${compose[@]}" backup --only mysql \
    >/dev/null 2>"$work/dump.err" || { cat "$work/dump.err"; exit 1; }
  read -r d kb <"$work/dump"
  rss+=("$kb")
  t[a]+="$a "; t[b]+="$b "; t[ours]+="$o "; t[raw]+="$raw "; t[dump]+="$d "
  printf 'run %d: tar czf %.2fs | archive|zstd %.2fs | ours %.2fs || mysqldump %.2fs | ours %.2fs\n' \
    "$run" "$a" "$b" "$o" "$raw" "$d"
  du -sb "$work/repo" | awk '{print "  ours stored " $1 " bytes (volume + dump parts)"}'
  rm -rf "$work"/repo*
done
ls -l "$work"/*.out "$work/raw.sql" | awk '{print "  " $5 " bytes  " $9}'

ma=$(m a) mb=$(m b) mo=$(m ours) mr=$(m raw) md=$(m dump)
peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "== medians of $runs runs"
printf 'volume 1 GiB: ours %.2fs; tar czf %.2fs -> %.1fx faster (target >= 4x); archive|zstd -T0 -3 %.2fs -> ours/that %.2f (target <= 1.25)\n' \
  "$mo" "$ma" "$(echo "$ma / $mo" | bc -l)" "$mb" "$(echo "$mo / $mb" | bc -l)"
printf 'dump 200k rows: ours %.2fs; docker exec mysqldump %.2fs -> ours/raw %.2f (target <= 1.1)\n' \
  "$md" "$mr" "$(echo "$md / $mr" | bc -l)"
# Restore: the dump of both databases loaded back. Ours without the safety snapshot, which the
# baseline has no counterpart of (its cost is the dump above); then once with it, for the record.
"$plugin" --repo "$work/restore" "${compose[@]}" backup --only mysql --json >"$work/restore.json" 2>/dev/null
rid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/restore.json")
for run in $(seq 1 "$runs"); do
  drop; rr=$(seconds sh -c "docker exec -i -e MYSQL_PWD='$MYSQL_ROOT_PASSWORD' $MYSQL_CONTAINER mariadb -uroot \
    < $work/raw.sql")
  drop; /usr/bin/time -f '%e %M' -o "$work/rest" "$plugin" --repo "$work/restore" "${compose[@]}" restore "$rid" \
    --only mysql --no-safety-snapshot --yes --json >"$work/rest.json" 2>"$work/rest.err" || { cat "$work/rest.err"; exit 1; }
  read -r ro kb <"$work/rest"
  rss+=("$kb")
  # The load step alone: the same work as the baseline, without stopping, starting and verifying.
  rl=$(python3 -c 'import json,sys; print(sum(s["seconds"] for s in json.load(open(sys.argv[1]))["steps"] if s["step"].startswith("mysql")))' "$work/rest.json")
  t[rraw]+="$rr "; t[rours]+="$ro "; t[rload]+="$rl "
  printf 'restore run %d: docker exec -i mysql < dump %.2fs | ours %.2fs (its load step %.2fs)\n' "$run" "$rr" "$ro" "$rl"
done
/usr/bin/time -f '%e' -o "$work/rest" "$plugin" --repo "$work/restore" "${compose[@]}" restore "$rid" --only mysql \
  --yes >/dev/null 2>&1
mrr=$(m rraw) mro=$(m rours) mrl=$(m rload)
printf 'restore 200k rows: ours %.2fs; docker exec -i mysql < dump %.2fs -> ours/raw %.2f (target <= 1.1); load step alone %.2fs -> %.2f; with the safety snapshot %.2fs\n' \
  "$mro" "$mrr" "$(echo "$mro / $mrr" | bc -l)" "$mrl" "$(echo "$mrl / $mrr" | bc -l)" "$(cat "$work/rest")"

# The whole backup runs its parts side by side: it should take little more than its slowest part.
/usr/bin/time -f '%M' -o "$work/full.rss" "$plugin" --repo "$work/full" "${compose[@]}" backup >/dev/null 2>&1
python3 - "$work/full" <<'PY'
import json, glob, sys
m = json.load(open(glob.glob(sys.argv[1] + "/*/*/manifest.json")[0]))
t = m["details"]["timings"]
slowest = max(t["parts"].items(), key=lambda kv: kv[1])
print(f"full backup: {t['totalSeconds']:.2f}s for {len(t['parts'])} parts; slowest part {slowest[0]} {slowest[1]:.2f}s "
      f"-> total/slowest {t['totalSeconds'] / slowest[1]:.2f}; writers paused {m['details']['pause']['seconds']:.3f}s")
PY
echo "peak RSS of the full backup: $(( $(cat "$work/full.rss") / 1024 )) MiB"
fi
# Migration to a second engine (its volumes are removed between runs: a migration needs a clean target).
if [ "${BENCH_ONLY:-all}" = all ] || [ "${BENCH_ONLY:-all}" = migrate ]; then
target=$(tests/engine2.sh start "$work/engine2")
vols=$(docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | tr '\n' ' ')
for run in $(seq 1 "$runs"); do
  for v in $vols; do docker -H "$target" volume rm -f "$v" >/dev/null; done
  rm -rf "$work/moved"
  drop; /usr/bin/time -f '%e %M' -o "$work/mig" "$plugin" --repo "$work/repo" "${compose[@]}" migrate --to-host "$target" \
    --target-dir "$work/moved" --yes --json >"$work/mig.json" 2>"$work/mig.err" || { cat "$work/mig.err"; exit 1; }
  read -r mo kb <"$work/mig"
  rss+=("$kb")
  read -r mbytes mt < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["bytes"], d["seconds"])' "$work/mig.json")
  for v in $vols; do docker -H "$target" volume rm -f "$v" >/dev/null; done
  drop; two=$(seconds sh -c "docker-compose ${compose[*]} stop >/dev/null 2>&1;
    for v in $vols; do
      docker run --rm -v \$v:/data $image tar cf - -C /data . > $work/two.tar;
      docker -H $target run --rm -i -v \$v:/data $image tar xf - -C /data < $work/two.tar;
    done;
    docker-compose ${compose[*]} start >/dev/null 2>&1")
  for _ in $(seq 1 120); do   # the stack must answer again before the next run checks it
    docker exec "$REDIS_CONTAINER" redis-cli ping 2>/dev/null | grep -q PONG &&
      docker exec -e MYSQL_PWD="$MYSQL_ROOT_PASSWORD" "$MYSQL_CONTAINER" mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 1
  done
  rm -f "$work/two.tar"
  t[mig]+="$mo "; t[migt]+="$mt "; t[two]+="$two "
  printf 'migrate run %d: two-step tar file copy %.2fs | ours %.2fs of which the move %.2fs, the rest comparing (%s bytes)\n' \
    "$run" "$two" "$mo" "$mt" "$mbytes"
done
mmo=$(m mig) mmt=$(m migt) mtw=$(m two)
printf 'migrate %s MiB: ours %.2fs, the move alone %.2fs (%.0f MiB/s); two-step copy %.2fs (%.0f MiB/s) -> move/two-step %.2f, with the comparison %.2f\n' \
  "$((mbytes / 1048576))" "$mmo" "$mmt" "$(echo "$mbytes / 1048576 / $mmt" | bc -l)" "$mtw" \
  "$(echo "$mbytes / 1048576 / $mtw" | bc -l)" "$(echo "$mmt / $mtw" | bc -l)" "$(echo "$mmo / $mtw" | bc -l)"

fi
[ "$s3rss" -gt 0 ] && rss+=("$s3rss")
peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
echo "peak RSS of our backups, restores and migrations (volume, dump, restore, migrate): $((peak / 1024)) MiB (target <= 64 MiB)"
