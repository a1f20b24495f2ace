#!/usr/bin/env bash
# Writes the seed corpora in tests/fuzz/corpus/<target>/: a few small valid inputs per target
# (and a few hostile ones the guard must refuse), made with GNU tar and zstd. Run it again after
# changing it; the fuzz runs never write here (tests/fuzz/run.sh copies the corpora first).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
out=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"/{fuzz_manifest,fuzz_tar,fuzz_zstd_part,fuzz_host_restore}

# --- manifests ---
sha=$(printf 'a%.0s' {1..64})
part() {  # name kind service source size rawSize
  printf '{"name":"%s","kind":"%s","service":"%s","source":"%s","size":%s,"rawSize":%s,"sha256":"%s"}' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$sha"
}
manifest() {  # parts-json details-json
  printf '{"formatVersion":1,"id":"20261124T020000Z","project":"agentchat",'
  printf '"createdAt":"2026-11-24T02:00:00Z",'
  printf '"label":"","consistency":"online","parts":[%s],"details":%s}\n' "$1" "$2"
}
manifest "" '{}' >"$out/fuzz_manifest/empty.json"
manifest "$(part mysql.sql.zst mysql-dump mysql agentchat 10 40)" \
  '{"mysql":{"mysql":{"databases":["agentchat"],"version":"8.0.36"}}}' >"$out/fuzz_manifest/mysql.json"
parts="$(part mysql.sql.zst mysql-dump mysql agentchat 10 40),$(part redis.rdb.zst redis-rdb redis redis 5 9)"
parts+=",$(part volume-uploads.tar.zst volume app agentchat_uploads 1000 20480)"
parts+=",$(part config.tar.zst config '' '' 300 10240)"
details='{"config":{"entries":["project/uploads"]},"redis":{"redis":{"aof":false,"rdbPath":"/data/dump.rdb"}}}'
manifest "$parts" "$details" >"$out/fuzz_manifest/full.json"
manifest "$(part ../../etc/passwd volume app x 1 1)" '{}' >"$out/fuzz_manifest/hostile-name.json"

# --- tar streams ---
tarc() {  # --format=... first; the same bytes on every run
  local stable=()
  [ "$1" = --format=pax ] && stable=(--pax-option=delete=atime,delete=ctime)
  tar --mtime=@0 --owner=0 --group=0 --numeric-owner --sort=name -b 1 "$@" "${stable[@]}"
}
tree=$work/tree
mkdir -p "$tree/data/sub" "$tree/logs/nginx"
printf 'hello\n' >"$tree/data/a.txt"
printf 'x%.0s' {1..700} >"$tree/data/sub/b.bin"
ln -s a.txt "$tree/data/current"
ln "$tree/data/a.txt" "$tree/data/hard"
printf 'GET /\n' >"$tree/logs/nginx/access.log"
long=$(printf 'd%.0s' {1..120})
mkdir -p "$tree/long/$long"
printf 'long\n' >"$tree/long/$long/file"
ln -s "../../data/$(printf 'l%.0s' {1..110})" "$tree/long/$long/link"
for format in ustar gnu pax v7; do
  tarc --format=$format -C "$tree" -cf "$out/fuzz_tar/$format.tar" data logs
done
tarc --format=gnu -C "$tree" -cf "$out/fuzz_tar/gnu-long.tar" long
tarc --format=pax -C "$tree" -cf "$out/fuzz_tar/pax-long.tar" long
tarc --format=pax -C "$tree" -cf "$out/fuzz_tar/logs.tar" logs
# Hostile: a climbing name, an absolute name, a symlink and a write through it, a device node.
tarc --format=ustar -P -C "$tree" -cf "$out/fuzz_tar/dotdot.tar" --transform 's,^data/a.txt$,../x,' data/a.txt
tarc --format=ustar -P -C "$tree" -cf "$out/fuzz_tar/absolute.tar" --transform 's,^data/a.txt$,/etc/x,' \
  data/a.txt
ln -s /etc "$work/link"
tarc --format=ustar -C "$work" -cf "$out/fuzz_tar/through-symlink.tar" link -C "$tree" data/a.txt \
  --transform 's,^data/a.txt$,link/passwd,'
tarc --format=ustar -C / -cf "$out/fuzz_tar/device.tar" dev/null

# --- config parts, as the config restore reads them ---
mkdir -p "$work/config/project/uploads" "$work/config/host/etc/app"
printf 'services: {}\n' >"$work/config/project/docker-compose.yml"
printf 'A=1\n' >"$work/config/project/.env"
printf 'img\n' >"$work/config/project/uploads/1.png"
ln -s ../docker-compose.yml "$work/config/project/uploads/compose"
printf 'key=1\n' >"$work/config/host/etc/app/app.conf"
tarc --format=pax -C "$work/config" -cf "$out/fuzz_host_restore/config.tar" project host
tarc --format=gnu -C "$work/config" -cf "$out/fuzz_host_restore/config-gnu.tar" project
cp "$out/fuzz_tar/through-symlink.tar" "$out/fuzz_tar/dotdot.tar" "$out/fuzz_host_restore/"

# --- zstd parts: 2 bytes of cap, 1 byte of chunk size, then the frame ---
zpart() {  # name cap-hex-4 chunk-hex-2 file
  { printf "\\x${2:0:2}\\x${2:2:2}\\x$3"; zstd -q -c --no-progress "$4"; } >"$out/fuzz_zstd_part/$1"
}
printf 'INSERT INTO t VALUES (1);\n-- Dump completed\n' >"$work/dump.sql"
head -c 1048576 /dev/zero >"$work/zeros"
zpart dump ffff 10 "$work/dump.sql"
zpart dump-small-chunks 0040 00 "$work/dump.sql"
zpart tar 8000 03 "$out/fuzz_tar/ustar.tar"
zpart bomb 1000 20 "$work/zeros"
{ printf '\xff\xff\x01'; cat "$work/dump.sql" | zstd -q -c; cat "$work/dump.sql" | zstd -q -c; } \
  >"$out/fuzz_zstd_part/two-frames"

find "$out" -type f | sort | xargs ls -l | awk '{print $5, $9}'
