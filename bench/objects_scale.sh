#!/usr/bin/env bash
# The objects part at scale (issue #19: peak RSS <= 64 MiB at 1 000 000 objects, the listings never
# held in RAM): a synthetic bucket (bench/synthetic_s3.js: COUNT objects of 16 bytes that exist only
# as numbers, so neither disk nor s3rver is the limit) backed up with the bench stack, then:
#   first backup      every object listed, fetched (16 GETs at a time), written to the part and catalog
#   unchanged backup  every object listed and compared with the catalog, none fetched
#   restore --dry-run the part walked side by side with the bucket's listing (nothing is put)
# and for each the seconds and the plugin's peak RSS (GNU time). Uses the Release plugin as built
# (build/rel; AGENTCHAT_BENCH_PLUGIN to name another).   bench/objects_scale.sh [COUNT=1000000]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
count=${1:-1000000}
source bench/bench_stack.sh
source tests/engine.sh
ensure_engine >/dev/null
plugin=${AGENTCHAT_BENCH_PLUGIN:-$PWD/build/rel/plugin/docker-agentchat}
[ -x "$plugin" ] || { echo "objects_scale.sh: no plugin at $plugin (build the Release tree first)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/agentchat-bench-scale.XXXXXX)
state=$work/stack.env
server=
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  tests/stack/down.sh "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== stack and a synthetic bucket of $count objects"
bench_stack_up "$state"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
bucket=agentchat-scale
node bench/synthetic_s3.js "$port" "$bucket" "$count" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
objects_overlay "$work" "$bucket" "$port"
part="objects-knowledge.tar.zst"

# step NAME ARGS...: the plugin timed; prints seconds and peak RSS; its stdout in $work/out
step() {
  local name=$1 s kb
  shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$plugin" --repo "$work/repo" "${compose[@]}" "$@" >"$work/out" 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  read -r s kb <"$work/time"
  printf '%-18s %8.1fs  %7.0f objects/s  peak RSS %4d MiB\n' "$name" "$s" "$(echo "$count / $s" | bc -l)" "$((kb / 1024))"
  echo "$kb" >>"$work/rss"
}
detail() { jq -c --arg p "$part" '.details.objects[$p] | {objects, fetched, reused, requests, listPages}' \
  "$(jq -r .directory "$work/out")/manifest.json"; }

step "first backup" backup --only objects --dedup --json
first=$(jq -r .id "$work/out")
echo "                   $(detail)"
sleep 1.1
step "unchanged backup" backup --only objects --dedup --json
echo "                   $(detail)"
step "restore --dry-run" restore "$first" --only objects --dry-run
grep -o 'objects knowledge: .*' "$work/out" | sed 's/^/                   /'
printf 'peak RSS of the three: %d MiB (target <= 64 at 1 000 000 objects)\n' "$(($(sort -n "$work/rss" | tail -1) / 1024))"
