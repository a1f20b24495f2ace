#!/usr/bin/env bash
# A second Docker engine on this machine, for tests that must stop and restart an engine (or, later,
# move a stack between two). It runs in its own network namespace: a second dockerd in the shared
# one would fight the first over docker0 and iptables. Data lives under DIR and survives stop/start.
#   engine2.sh start DIR   start it (socket DIR/docker.sock) and load the test images into it
#   engine2.sh stop DIR    stop it; its containers stop with it, as on a daemon restart
#   engine2.sh remove DIR  stop it, delete its containers' data, the namespace and DIR
# ENGINE2_VOLUMES_TMPFS=SIZE (e.g. 64m) puts its volumes on a tmpfs of that size: a target host
# whose disk is too small, for real.
# Prints nothing on success but the socket (start); errors say what failed and show the daemon log.
set -euo pipefail
cmd=${1:?usage: engine2.sh start|stop|remove DIR}
dir=$(readlink -m "${2:?usage: engine2.sh start|stop|remove DIR}")
ns="agentchat-$(basename "$dir" | tr -c 'a-zA-Z0-9\n' - | tail -c 24)"
sock="$dir/docker.sock"
# containerd's socket paths must stay short (108 bytes), so the exec root is not under DIR.
exec_root="/run/agentchat-e2/$ns"
images=(agentchat-test/mysql:e2e agentchat-test/redis:e2e agentchat-test/app:e2e)

# The test images as one `docker save` file, written once per set of image ids and kept in /var/tmp
# (older sets removed): every second engine of a run, and of later runs, loads the same file.
saved_images() {
  local key file
  key=$(docker image inspect --format '{{.Id}}' "${images[@]}" | sha256sum | cut -c1-12)
  file=/var/tmp/agentchat-engine2-images-$key.tar
  if [ ! -f "$file" ]; then
    find /var/tmp -maxdepth 1 -name 'agentchat-engine2-images-*.tar' -delete
    docker save "${images[@]}" >"$file.$$"
    mv "$file.$$" "$file"
  fi
  echo "$file"
}

answers() { curl -fsS --max-time 3 --unix-socket "$sock" http://docker/_ping >/dev/null 2>&1; }

stop() {
  [ -f "$dir/dockerd.pid" ] || return 0
  local pid
  pid=$(cat "$dir/dockerd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/dockerd.pid"; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/dockerd.pid"
}

start() {
  mkdir -p "$dir" "$exec_root"
  if ! ip netns list | grep -qx "$ns\( .*\)\?"; then
    ip netns add "$ns"
    nsenter --net="/run/netns/$ns" ip link set lo up
  fi
  # nsenter, not `ip netns exec`: that remounts /sys, and dockerd then finds no devices cgroup.
  nsenter --net="/run/netns/$ns" /usr/sbin/dockerd --data-root "$dir/data" --exec-root "$exec_root" \
    --pidfile "$dir/dockerd.pid" -H "unix://$sock" >>"$dir/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do
    answers && break
    sleep 0.5
  done
  if ! answers; then
    echo "engine2.sh: the second Docker engine did not start; last lines of $dir/dockerd.log:" >&2
    tail -n 30 "$dir/dockerd.log" >&2
    exit 1
  fi
  # After the start: dockerd bind-mounts its data root onto itself, which would hide a mount made
  # before. Volumes created from now on live in the tmpfs.
  if [ -n "${ENGINE2_VOLUMES_TMPFS:-}" ] && ! mountpoint -q "$dir/data/volumes"; then
    mount -t tmpfs -o "size=$ENGINE2_VOLUMES_TMPFS" tmpfs "$dir/data/volumes"
  fi
  local missing=()
  for image in "${images[@]}"; do
    docker -H "unix://$sock" image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    docker -H "unix://$sock" load -q -i "$(saved_images)" >/dev/null
  fi
  echo "unix://$sock"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  remove)
    stop
    while mountpoint -q "$dir/data/volumes"; do umount "$dir/data/volumes"; done
    while mountpoint -q "$dir/data"; do umount "$dir/data"; done
    rm -rf "$dir" "$exec_root"
    ip netns del "$ns" 2>/dev/null || true
    ;;
  *) echo "usage: engine2.sh start|stop|remove DIR" >&2; exit 2 ;;
esac
