# The benchmarks' test stack and data. Sourced by bench/run.sh, bench/dedup.sh, bench/dedup_nightly.sh, bench/objects*.sh.
#   bench_plugin [PACKAGE...]  the packages (and these), the engine, the test images, and the Release
#                             plugin without tests in build/bench: $plugin (run from the checkout's root)
#   bench_stack_up STATE      the test stack (production overlay) up, its state in STATE (sourced:
#                             PROJECT, *_CONTAINER, ...), and `compose` the arguments that name it
#   objects_overlay DIR BUCKET PORT   the x-agentchat objects entry `knowledge` (s3://BUCKET/uploads/ at
#                             http://127.0.0.1:PORT, path style) as an overlay DIR/objects.yml added to
#                             `compose`, its keys in DIR/objects.credentials (the profile kb)
#   make_mixed_volume CONTAINER   the 1.1 GiB mixed volume (issues #4 and #17): a third random bytes
#                             (photos), text and logs, and 2000 small files, under /app/data/bench
bench_plugin() {
  source scripts/packages.sh
  ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" time bc "$@"
  source tests/engine.sh
  ensure_engine
  tests/images/build.sh >/dev/null
  cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DAGENTCHAT_TESTS=OFF >/dev/null
  cmake --build build/bench -j"$(nproc)" --target docker-agentchat >/dev/null
  plugin=$PWD/build/bench/plugin/docker-agentchat
}

bench_stack_up() {
  tests/stack/up.sh "$1" tests/stack/docker-compose.prod.yml
  # shellcheck disable=SC1090
  source "$1"
  compose=(-p "$PROJECT" --project-directory "$PROJECT_DIR")
  local files f
  IFS=: read -ra files <<<"$COMPOSE_FILES"
  for f in "${files[@]}"; do compose+=(-f "$f"); done
}

objects_overlay() {
  local dir=$1 bucket=$2 port=$3
  # An absolute path: a relative one is read from the project directory, the checkout's tests/stack.
  printf '[kb]\naws_access_key_id = S3RVER\naws_secret_access_key = bench-not-checked\n' >"$dir/objects.credentials"
  cat >"$dir/objects.yml" <<EOF
version: "3.9"
x-agentchat:
  objects:
    knowledge:
      url: s3://$bucket/uploads/
      endpoint: http://127.0.0.1:$port
      addressing: path
      profile: kb
      credentials_file: $dir/objects.credentials
EOF
  compose+=(-f "$dir/objects.yml")
}

make_mixed_volume() {
  docker exec "$1" sh -c '
  set -e; d=/app/data/bench; mkdir -p $d/small
  head -c 350000000 /dev/urandom > $d/photos.bin
  i=0; while [ $i -lt 20 ]; do
    seq 1 300000 | sed "s/^/2026-11-24T02:00:00Z INFO request id=/; s/$/ user=alice path=\/api\/chat status=200/" > $d/log-$i.txt
    i=$((i+1)); done
  head -c 100000000 /dev/urandom | base64 > $d/encoded.txt
  i=0; while [ $i -lt 2000 ]; do head -c 20000 /dev/urandom | base64 > $d/small/f$i; i=$((i+1)); done
  du -sh /app/data'
}
