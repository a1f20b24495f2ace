#!/usr/bin/env bash
# s3rver, a real S3-compatible server on node, for the S3 client's tests.
#   tests/s3/s3rver.sh install                      # once; cached in $AGENTCHAT_S3RVER_CACHE
#   tests/s3/s3rver.sh start PORT DIR BUCKET LOG    # prints the pid when it answers on 127.0.0.1:PORT
#   tests/s3/s3rver.sh stop PID
# Credentials: access key S3RVER, secret S3RVER. s3rver 3.7.1 checks the access key id but does not
# verify SigV4 signatures (the unit tests check those against AWS's vectors).
set -euo pipefail

S3RVER_VERSION=3.7.1
here=$(dirname "$(readlink -f "$0")")
cache=${AGENTCHAT_S3RVER_CACHE:-/var/tmp/agentchat-s3rver}

s3rver_install() {
  command -v node >/dev/null && command -v npm >/dev/null || {
    echo "s3rver.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
    return 1
  }
  local installed
  installed=$(node -p "require('$cache/node_modules/s3rver/package.json').version" 2>/dev/null || true)
  [ "$installed" = "$S3RVER_VERSION" ] && return 0
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] || echo '{"name":"agentchat-s3rver","private":true}' >"$cache/package.json"
  echo "s3rver.sh: installing s3rver@$S3RVER_VERSION into $cache" >&2
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error "s3rver@$S3RVER_VERSION" >&2)
}

s3rver_start() {
  local port=$1 dir=$2 bucket=$3 log=$4
  s3rver_install
  mkdir -p "$dir"
  # s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
  local legacy=()
  node --openssl-legacy-provider -e 0 2>/dev/null && legacy=(--openssl-legacy-provider)
  NODE_PATH="$cache/node_modules" nohup node "${legacy[@]}" "$here/s3rver_server.js" "$port" "$dir" "$bucket" >"$log" 2>&1 &
  local pid=$!
  local i
  for i in $(seq 1 100); do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
      echo "$pid"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "s3rver.sh: s3rver did not answer on 127.0.0.1:$port; its log:" >&2
  cat "$log" >&2 || true
  kill "$pid" 2>/dev/null || true
  return 1
}

s3rver_stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  local i
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  install) s3rver_install ;;
  start) shift; s3rver_start "$@" ;;
  stop) shift; s3rver_stop "$@" ;;
  *) echo "usage: $0 install | start PORT DIR BUCKET LOG | stop PID" >&2; exit 2 ;;
esac
