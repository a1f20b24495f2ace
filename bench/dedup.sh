#!/usr/bin/env bash
# The deduplicated repository (issue #17) side by side with its baselines in one run, on the 1.1 GiB
# mixed volume (bench/bench_stack.sh), RUNS times, each run into fresh repositories:
#   first backup      ours (backup --only volumes --dedup) vs the bare pipeline `GET /archive | zstd
#                     -T0 -3 > file` (target <= 1.25x its time) and vs restic 0.14 reading the volume's
#                     files on the host (repository v2, compressed; target <= 1.05x its size)
#   second, unchanged ours vs restic: time (target <= 2x restic's) and bytes added (target <= 1 % of the first)
#   third             after 12 MiB of new data and one appended line: bytes added (target <= 18 MiB)
#   peak RSS of ours  (target <= 64 MiB without a passphrase)
# And ours into an encrypted store (--encrypt-to a key, --identity to open the store: chunks sealed
# with age, names by HMAC), the same three backups: restic encrypts too. And ours into an S3 prefix on
# s3rver (loopback), first and unchanged: the unchanged backup's requests, counted by s3rver's request
# log (target: a handful, no pack read or written), and its time against restic's.
# Prints each run, then medians and ratios.   bench/dedup.sh [RUNS=3]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
runs=${1:-3}
source bench/bench_stack.sh
bench_plugin restic

work=$(mktemp -d /var/tmp/agentchat-bench-dedup.XXXXXX)
state=$work/stack.env
s3pid=
cleanup() {
  [ -z "$s3pid" ] || tests/s3/s3rver.sh stop "$s3pid"
  tests/stack/down.sh "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bench_stack_up "$state"
echo "== data: 1.1 GiB mixed volume (1/3 random, 2/3 text and logs, 2000 small files)"
make_mixed_volume "$BACKEND_CONTAINER"
mount=$(docker volume inspect -f '{{.Mountpoint}}' "${PROJECT}_app_data")
export RESTIC_PASSWORD=bench

seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err"; exit 1; }; echo "$(date +%s.%N) - $s" | bc; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
drop() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }
bytes() { du -sb "$1" | cut -f1; }
declare -A t
m() { tr ' ' '\n' <<<"${t[$1]}" | grep . | median; }
age-keygen -o "$work/key.txt" 2>/dev/null
sealed=(--encrypt-to "$(age-keygen -y "$work/key.txt")" --identity "$work/key.txt")
ours() { # ours REPO [ARGS]: one backup of the volumes, timed; its peak RSS kept in $work/rss
  local repo=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$plugin" --repo "$repo" "${compose[@]}" backup --only volumes --dedup \
    "$@" >/dev/null 2>"$work/ours.err" || { cat "$work/ours.err"; exit 1; }
  local s kb
  read -r s kb <"$work/time"
  echo "$kb" >>"$work/rss"
  echo "$s"
}

# s3rver with a request log; the plugin talks to it as to any S3 endpoint.
s3port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export S3RVER_REQUEST_LOG=$work/requests.log
s3pid=$(tests/s3/s3rver.sh start "$s3port" "$work/s3rver" bench "$work/s3rver.log")
unset S3RVER_REQUEST_LOG
s3env=(env AWS_ENDPOINT_URL="http://127.0.0.1:$s3port" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
  AWS_REGION=us-east-1 AGENTCHAT_STATE_DIR="$work/s3state")
s3ours() { # s3ours PREFIX: one backup of the volumes into s3://bench/PREFIX, timed
  /usr/bin/time -f '%e %M' -o "$work/time" "${s3env[@]}" "$plugin" --repo "s3://bench/$1" "${compose[@]}" backup \
    --only volumes >/dev/null 2>"$work/ours.err" || { cat "$work/ours.err"; exit 1; }
  local s kb
  read -r s kb <"$work/time"
  echo "$kb" >>"$work/rss_s3"
  echo "$s"
}

for run in $(seq 1 "$runs"); do
  rm -rf "$work"/ours "$work"/sealed "$work"/restic "$work"/pipe.zst
  restic init -q --repository-version 2 -r "$work/restic" >/dev/null
  drop; p=$(seconds sh -c "curl -fsS --unix-socket /var/run/docker.sock \
    'http://docker/containers/$BACKEND_CONTAINER/archive?path=/app/data/.' | zstd -q -T0 -3 > $work/pipe.zst")
  drop; o1=$(ours "$work/ours"); os1=$(bytes "$work/ours")
  drop; e1=$(ours "$work/sealed" "${sealed[@]}"); es1=$(bytes "$work/sealed")
  drop; r1=$(seconds restic backup -q -r "$work/restic" "$mount"); rs1=$(bytes "$work/restic")
  drop; o2=$(ours "$work/ours"); os2=$(bytes "$work/ours")
  drop; e2=$(ours "$work/sealed" "${sealed[@]}"); es2=$(bytes "$work/sealed")
  drop; r2=$(seconds restic backup -q -r "$work/restic" "$mount"); rs2=$(bytes "$work/restic")
  drop; s1=$(s3ours "run$run"); ss1=$(bytes "$work/s3rver/bench/run$run")
  : >"$work/requests.log"
  drop; s2=$(s3ours "run$run"); ss2=$(bytes "$work/s3rver/bench/run$run")
  sreq=$(wc -l <"$work/requests.log")
  spack=$(grep -Ec '^(GET|HEAD) [^ ]*/\.chunks/packs/' "$work/requests.log" || true)
  spackw=$(grep -Ec '^(PUT|POST) [^ ]*/\.chunks/packs/' "$work/requests.log" || true)
  printf '       S3 unchanged: %d requests (%s)\n' "$sreq" \
    "$(awk '{split($2, p, "?"); k=p[1]; if (k == "/bench") { k=p[2]; gsub("%2F", "/", k); sub(".*prefix=", "prefix=", k); sub("&.*", "", k) }
        sub("^/bench/", "", k); sub("run[0-9]+/", "", k); sub("[0-9]{8}T[0-9]{6}Z", "ID", k); sub("packs/../.*", "packs/…", k); sub("index/.*[.]tsv", "index/….tsv", k); print $1, k}' \
      "$work/requests.log" | sort | uniq -c | awk '{printf "%s%d %s %s", (NR>1 ? ", " : ""), $1, $2, $3}')"
  docker exec "$BACKEND_CONTAINER" sh -c "head -c 12582912 /dev/urandom > /app/data/bench/new-$run.bin &&
    echo 'one more line $run' >> /app/data/bench/log-7.txt"
  drop; o3=$(ours "$work/ours"); os3=$(bytes "$work/ours")
  drop; e3=$(ours "$work/sealed" "${sealed[@]}"); es3=$(bytes "$work/sealed")
  drop; r3=$(seconds restic backup -q -r "$work/restic" "$mount"); rs3=$(bytes "$work/restic")
  t[p]+="$p "; t[o1]+="$o1 "; t[r1]+="$r1 "; t[o2]+="$o2 "; t[r2]+="$r2 "; t[o3]+="$o3 "; t[r3]+="$r3 "
  t[os1]+="$os1 "; t[rs1]+="$rs1 "; t[oa2]+="$((os2 - os1)) "; t[ra2]+="$((rs2 - rs1)) "
  t[oa3]+="$((os3 - os2)) "; t[ra3]+="$((rs3 - rs2)) "
  t[s1]+="$s1 "; t[s2]+="$s2 "; t[sreq]+="$sreq "; t[spack]+="$spack "; t[spackw]+="$spackw "; t[sa2]+="$((ss2 - ss1)) "; t[ss1]+="$ss1 "
  t[e1]+="$e1 "; t[e2]+="$e2 "; t[e3]+="$e3 "; t[es1]+="$es1 "; t[ea2]+="$((es2 - es1)) "; t[ea3]+="$((es3 - es2)) "
  printf 'run %d: pipeline %.2fs | first: ours %.2fs %d MiB, restic %.2fs %d MiB | unchanged: ours %.2fs +%d KiB, restic %.2fs +%d KiB | 12 MiB new: ours %.2fs +%d KiB, restic %.2fs +%d KiB\n' \
    "$run" "$p" "$o1" "$((os1 >> 20))" "$r1" "$((rs1 >> 20))" "$o2" "$(((os2 - os1) >> 10))" "$r2" \
    "$(((rs2 - rs1) >> 10))" "$o3" "$(((os3 - os2) >> 10))" "$r3" "$(((rs3 - rs2) >> 10))"
  printf '       encrypted store: first %.2fs %d MiB | unchanged %.2fs +%d KiB | 12 MiB new %.2fs +%d KiB\n' \
    "$e1" "$((es1 >> 20))" "$e2" "$(((es2 - es1) >> 10))" "$e3" "$(((es3 - es2) >> 10))"
done

r() { echo "$1 / $2" | bc -l; }
echo "== medians of $runs runs"
printf 'first backup: ours %.2fs vs pipeline %.2fs -> %.2fx (target <= 1.25); size ours %d MiB vs restic %d MiB -> %.3fx (target <= 1.05); restic took %.2fs\n' \
  "$(m o1)" "$(m p)" "$(r "$(m o1)" "$(m p)")" "$(($(m os1) >> 20))" "$(($(m rs1) >> 20))" "$(r "$(m os1)" "$(m rs1)")" "$(m r1)"
printf 'second, unchanged: ours %.2fs vs restic %.2fs -> %.2fx (target <= 2); added ours %d KiB = %.3f %% of the first (target <= 1 %%), restic %d KiB\n' \
  "$(m o2)" "$(m r2)" "$(r "$(m o2)" "$(m r2)")" "$(($(m oa2) >> 10))" "$(r "$(m oa2) * 100" "$(m os1)")" "$(($(m ra2) >> 10))"
printf 'third, 12 MiB new + a line: added ours %.1f MiB (target <= 18), restic %.1f MiB; ours %.2fs, restic %.2fs\n' \
  "$(r "$(m oa3)" 1048576)" "$(r "$(m ra3)" 1048576)" "$(m o3)" "$(m r3)"
printf 'peak RSS of ours: %d MiB (target <= 64)\n' "$(($(sort -n "$work/rss" | tail -1) / 1024))"
printf 'encrypted store: first %.2fs (%.2fx ours plain) %d MiB (%.3fx restic); unchanged %.2fs (%.2fx restic) +%d KiB; 12 MiB new +%.1f MiB in %.2fs\n' \
  "$(m e1)" "$(r "$(m e1)" "$(m o1)")" "$(($(m es1) >> 20))" "$(r "$(m es1)" "$(m rs1)")" "$(m e2)" "$(r "$(m e2)" "$(m r2)")" \
  "$(($(m ea2) >> 10))" "$(r "$(m ea3)" 1048576)" "$(m e3)"
printf 'S3 (s3rver on loopback): first %.2fs %d MiB; unchanged %.2fs (%.2fx restic) +%d KiB in %d requests (target: a handful): %d pack reads, %d pack write requests; peak RSS %d MiB\n' \
  "$(m s1)" "$(($(m ss1) >> 20))" "$(m s2)" "$(r "$(m s2)" "$(m r2)")" "$(($(m sa2) >> 10))" "$(m sreq)" "$(m spack)" \
  "$(m spackw)" "$(($(sort -n "$work/rss_s3" | tail -1) / 1024))"
