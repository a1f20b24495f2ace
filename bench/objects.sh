#!/usr/bin/env bash
# The knowledge bucket as a part (issue #19: x-agentchat objects) side by side with raw GETs in one
# run, against s3rver on loopback holding 10 000 objects of 4 KiB under uploads/ (put once, through
# the S3 API, 32 at a time), RUNS times, each run into a fresh repository:
#   raw GETs          the same 10 000 GETs, 16 at a time (the plugin fetches 16 at a time), node http
#                     with a keep-alive agent, bodies read and counted
#   first backup      ours (backup --only objects --dedup): every object fetched; its rate vs the raw
#                     GET rate (target >= 80 %)
#   second, unchanged ours again: nothing fetched (asserted from the manifest: fetched == 0 and
#                     requests == 0), only the LIST pages
#   peak RSS of ours  (target <= 64 MiB)
# Page caches dropped before each timed step. Uses the Release plugin as built (build/rel, not rebuilt;
# AGENTCHAT_BENCH_PLUGIN to name another), the test images as they are, and the bench stack
# (bench/bench_stack.sh) with an objects overlay and its credentials file in the run's temp directory.
# Prints each run, then medians and ratios.   bench/objects.sh [RUNS=3]   (OBJECTS=10000 to vary)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
runs=${1:-3}
objects=${OBJECTS:-10000}
source bench/bench_stack.sh
source tests/engine.sh
ensure_engine >/dev/null
plugin=${AGENTCHAT_BENCH_PLUGIN:-$PWD/build/rel/plugin/docker-agentchat}
[ -x "$plugin" ] || { echo "objects.sh: no plugin at $plugin (build the Release tree first)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/agentchat-bench-objects.XXXXXX)
state=$work/stack.env
s3pid=
cleanup() {
  [ -z "$s3pid" ] || tests/s3/s3rver.sh stop "$s3pid"
  tests/stack/down.sh "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }; echo "$(date +%s.%N) - $s" | bc; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
drop() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }
declare -A t
m() { tr ' ' '\n' <<<"${t[$1]}" | grep . | median; }
# s3rver's CPU seconds so far (utime + stime of its node process): how busy the server was in a step.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$s3pid/stat"; }

# The S3 client of the baseline (and of the upload): node's http, s3rver's accepted access key with a
# SigV4-shaped header that it does not verify, x-amz-date current (it refuses a skew over 15 min).
#   node s3.js put|get PORT BUCKET COUNT CONCURRENCY
cat >"$work/s3.js" <<'EOF'
'use strict';
const http = require('http');
const crypto = require('crypto');
const [mode, port, bucket, count, concurrency] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const key = i => `uploads/kb/${String(i).padStart(5, '0')}.pdf`;
function headers() {
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return {
    'x-amz-date': date,
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    authorization: 'AWS4-HMAC-SHA256 Credential=S3RVER/20260101/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0',
  };
}
function request(i) {
  return new Promise((resolve, reject) => {
    const body = mode === 'put' ? crypto.randomBytes(4096) : null;
    const h = headers();
    if (body) Object.assign(h, { 'content-length': body.length, 'content-type': 'application/pdf' });
    const req = http.request({ host: '127.0.0.1', port, agent, method: mode === 'put' ? 'PUT' : 'GET',
                               path: `/${bucket}/${key(i)}`, headers: h }, res => {
      let bytes = 0;
      res.on('data', chunk => { bytes += chunk.length; });
      res.on('end', () => res.statusCode === 200 ? resolve(bytes)
        : reject(new Error(`${mode} ${key(i)}: HTTP ${res.statusCode}`)));
    });
    req.on('error', reject);
    req.end(body);
  });
}
(async () => {
  let next = 0, bytes = 0;
  const worker = async () => {
    while (next < Number(count)) {
      const got = await request(next++);
      bytes += got;
    }
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, worker));
  if (mode === 'get' && bytes !== Number(count) * 4096) throw new Error(`got ${bytes} bytes`);
  agent.destroy();
})().catch(e => { console.error(e.message); process.exit(1); });
EOF

echo "== stack and bucket"
bench_stack_up "$state"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
bucket=agentchat-bench
s3pid=$(tests/s3/s3rver.sh start "$port" "$work/s3rver" "$bucket" "$work/s3rver.log")
put=$(seconds node "$work/s3.js" put "$port" "$bucket" "$objects" 32)
stored=$(find "$work/s3rver/$bucket/uploads" -name '*._S3rver_object' | wc -l)
[ "$stored" -eq "$objects" ] || { echo "s3rver holds $stored objects, not $objects"; exit 1; }
printf 'put %d objects of 4 KiB through the S3 API (32 at a time) in %.1fs (%.0f/s); s3rver on 127.0.0.1:%d\n' \
  "$objects" "$put" "$(echo "$objects / $put" | bc -l)" "$port"

objects_overlay "$work" "$bucket" "$port"

part="objects-knowledge.tar.zst"
ours() { # ours REPO: one backup (--json: where it went) of the bucket, timed; its peak RSS in $work/rss, its part's details in $work/detail
  /usr/bin/time -f '%e %M' -o "$work/time" "$plugin" --repo "$1" "${compose[@]}" backup --only objects --dedup \
    --json >"$work/ours.out" 2>"$work/ours.err" || { cat "$work/ours.err" "$work/ours.out" >&2; exit 1; }
  local s kb
  read -r s kb <"$work/time"
  echo "$kb" >>"$work/rss"
  jq -c --arg p "$part" '.details.objects[$p]' "$(jq -r .directory "$work/ours.out")/manifest.json" >"$work/detail"
  echo "$s"
}
field() { jq -r ".$1" "$work/detail"; }

for run in $(seq 1 "$runs"); do
  rm -rf "$work/repo"
  drop; c0=$(cpu); g=$(seconds node "$work/s3.js" get "$port" "$bucket" "$objects" 16); c1=$(cpu)
  drop; c2=$(cpu); o1=$(ours "$work/repo"); c3=$(cpu)
  [ "$(field objects)" -eq "$objects" ] && [ "$(field fetched)" -eq "$objects" ] ||
    { echo "first backup: not every object fetched: $(cat "$work/detail")"; exit 1; }
  s1=$(field seconds); k1=$(tail -1 "$work/rss"); q1=$(field requests); l1=$(field listPages)
  sleep 1.1  # backup ids are to the second: the second backup gets its own
  drop; c4=$(cpu); o2=$(ours "$work/repo"); c5=$(cpu)
  [ "$(field fetched)" -eq 0 ] && [ "$(field requests)" -eq 0 ] && [ "$(field reused)" -eq "$objects" ] ||
    { echo "unchanged backup fetched something: $(cat "$work/detail")"; exit 1; }
  s2=$(field seconds); k2=$(tail -1 "$work/rss"); l2=$(field listPages)
  cg=$(echo "$c1 - $c0" | bc); co1=$(echo "$c3 - $c2" | bc); co2=$(echo "$c5 - $c4" | bc)
  t[g]+="$g "; t[o1]+="$o1 "; t[s1]+="$s1 "; t[o2]+="$o2 "; t[s2]+="$s2 "; t[l2]+="$l2 "
  t[cg]+="$cg "; t[co1]+="$co1 "; t[co2]+="$co2 "
  printf 'run %d: s3rver CPU: %.2fs in the raw GETs (%.0f %% busy), %.2fs in our first backup (%.0f %%), %.2fs in the unchanged one\n' \
    "$run" "$cg" "$(echo "100 * $cg / $g" | bc -l)" "$co1" "$(echo "100 * $co1 / $o1" | bc -l)" "$co2"
  printf 'run %d: raw GETs %.2fs (%.0f/s) | first: ours %.2fs (%.0f/s; part %.2fs), %d requests, %d list pages, %d MiB RSS | unchanged: ours %.2fs (part %.2fs), 0 fetched, 0 requests, %d list pages, %d MiB RSS\n' \
    "$run" "$g" "$(echo "$objects / $g" | bc -l)" "$o1" "$(echo "$objects / $o1" | bc -l)" "$s1" "$q1" "$l1" \
    "$((k1 / 1024))" "$o2" "$s2" "$l2" "$((k2 / 1024))"
done

r() { echo "$1 / $2" | bc -l; }
echo "== medians of $runs runs ($objects objects of 4 KiB)"
printf 'first backup: ours %.2fs = %.0f objects/s vs raw GETs %.2fs = %.0f/s -> raw/ours %.2fx, ours at %.0f %% of the raw rate (target >= 80 %%); by the part'"'"'s own seconds %.2fs: %.0f %%\n' \
  "$(m o1)" "$(r "$objects" "$(m o1)")" "$(m g)" "$(r "$objects" "$(m g)")" "$(r "$(m o1)" "$(m g)")" \
  "$(r "$(m g) * 100" "$(m o1)")" "$(m s1)" "$(r "$(m g) * 100" "$(m s1)")"
work_ratio=$(printf %.2f "$(r "$(m co1)" "$(m cg)")")
printf 's3rver CPU: raw GETs %.2fs, our first backup %.2fs (the unchanged backup, its LIST pages alone: %.2fs): the server works %sx as much for ours\n' \
  "$(m cg)" "$(m co1)" "$(m co2)" "$work_ratio"
printf 'second, unchanged: ours %.2fs (part %.2fs), %d list pages, 0 fetched, 0 requests\n' "$(m o2)" "$(m s2)" "$(m l2)"
printf 'peak RSS of ours: %d MiB (target <= 64)\n' "$(($(sort -n "$work/rss" | tail -1) / 1024))"
