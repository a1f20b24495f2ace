#!/usr/bin/env bash
# A modern Docker engine (Debian trixie's docker.io 26.1, API 1.45) beside the machine's own, for
# end-to-end tests against a current engine and compose v2. Its binaries come from a trixie root
# made by debootstrap and cached in /var/tmp/agentchat-trixie-<hash>/ (hash of the package list and
# of build_root below), so only the first start on a machine pays for it (40 s to 2 min, the mirror's speed).
#   engine26.sh start DIR   start it (socket DIR/docker.sock, data in DIR/data); prints the socket URL
#   engine26.sh stop DIR    stop it and every process it started; data in DIR survives
#   engine26.sh remove DIR  stop it, delete DIR, its network namespace and its cgroups
#   engine26.sh compose     print the path of trixie's docker-compose (v2), runnable on this host as
#                           `docker-compose` or as the CLI plugin `docker compose`
# How it runs: in its own network namespace (a second dockerd in the shared one would fight the
# first over docker0 and iptables) and its own mount namespace whose root is pivot_root'ed onto an
# overlay of the trixie root (a plain chroot runs containers but breaks `docker exec`; the overlay's
# tmpfs upper layer keeps the cached root pristine). /sys, /dev and /tmp are the host's (test stacks
# bind-mount from /tmp), DIR is bound at the same path, so paths mean the same inside and out; so is
# every directory in ENGINE26_BINDS (space-separated: e.g. the checkout whose tests/stack the shared
# test stack bind-mounts from).
# Every command is idempotent. Needs root.
set -euo pipefail
usage="usage: engine26.sh start|stop|remove DIR | engine26.sh compose"
cmd=${1:?$usage}

packages=(docker.io docker-compose iptables ca-certificates)
[ "$(id -u)" -eq 0 ] || { echo "engine26.sh: must run as root (namespaces, mounts, dockerd)" >&2; exit 1; }

# shellcheck source=../../scripts/apt_mirror.sh
source "$(dirname "$(readlink -f "$0")")/../../scripts/apt_mirror.sh"

# The recipe of the cached root. Its own text is part of the cache key: change it and the next start
# builds a new root. Runs under the cache lock, into $1 (a temp dir renamed into place by the caller).
build_root() {
  local out=$1 mirror
  mirror=$(apt_mirror)
  command -v debootstrap >/dev/null || apt-get install -y debootstrap >"$out/apt.log" 2>&1 || {
    echo "engine26.sh: debootstrap is missing and 'apt-get install -y debootstrap' failed:" >&2
    tail -n 20 "$out/apt.log" >&2
    return 1
  }
  # In a private mount namespace: the /proc, /sys (and maybe /dev) mounts debootstrap makes in the
  # target vanish with it, even when it is killed, instead of staying behind on the host.
  if ! unshare -m --propagation private debootstrap --variant=minbase \
    --include="$(IFS=,; echo "${packages[*]}")" trixie "$out/root" "$mirror" >"$out/debootstrap.log" 2>&1; then
    echo "engine26.sh: debootstrap of trixie from $mirror failed; last lines of its log:" >&2
    tail -n 30 "$out/debootstrap.log" >&2
    return 1
  fi
  [ -x "$out/root/usr/sbin/dockerd" ] || { echo "engine26.sh: the trixie root has no /usr/sbin/dockerd" >&2; return 1; }
  rm -rf "$out"/root/var/lib/apt/lists/* "$out"/root/var/cache/apt/* "$out"/root/usr/share/doc/* \
    "$out"/root/usr/share/man/* "$out"/root/usr/share/info/* "$out"/root/usr/share/locale/*
  mkdir -p "$out/root/oldroot" "$out/ovl" # pivot_root's put_old; the overlay's tmpfs mount point
  # compose v2 as a file of its own: the root's /usr/libexec/docker/cli-plugins/docker-compose is a
  # symlink whose absolute target would resolve on the host (to compose v1, on bookworm).
  local compose
  for compose in usr/libexec/docker/cli-plugins/docker-compose usr/bin/docker-compose; do
    [ -f "$out/root/$compose" ] && [ ! -L "$out/root/$compose" ] && break
  done
  [ -f "$out/root/$compose" ] || { echo "engine26.sh: the trixie root has no docker-compose binary" >&2; return 1; }
  cp "$out/root/$compose" "$out/docker-compose"
  "$out/docker-compose" version >/dev/null 2>&1 || {
    echo "engine26.sh: trixie's docker-compose does not run on this host:" >&2
    "$out/docker-compose" version >&2 || true
    return 1
  }
}

hash=$( (declare -f build_root; printf '%s\n' "${packages[@]}") | sha256sum | cut -c1-12)
cache=/var/tmp/agentchat-trixie-$hash
root=$cache/root

# The cached root, built once: into a temp dir renamed into place when complete, so an interrupted
# build never looks cached; under a lock, so concurrent starts build it once.
ensure_root() {
  [ -d "$root" ] && return 0
  local tmp
  exec 9>"$cache.lock"
  flock 9
  if [ ! -d "$root" ]; then
    # Leftovers of a killed build of this same recipe (nothing is mounted in them: see build_root).
    find /var/tmp -maxdepth 1 -name "agentchat-trixie-$hash.build.*" -exec rm -rf --one-file-system {} +
    tmp=$(mktemp -d "$cache.build.XXXXXX")
    if ! build_root "$tmp"; then
      rm -rf --one-file-system "$tmp"
      exit 1
    fi
    mv "$tmp" "$cache"
  fi
  exec 9>&-
}

if [ "$cmd" = compose ]; then
  ensure_root
  echo "$cache/docker-compose"
  exit 0
fi

dir=$(readlink -m "${2:?$usage}")
[ "$dir" != / ] || { echo "engine26.sh: DIR must not be /" >&2; exit 2; }
sock=$dir/docker.sock
# Unique per DIR: the network namespace and the cgroup parent of its containers.
ns="agentchat-e26-$(basename "$dir" | tr -c 'a-zA-Z0-9\n' - | tail -c 16)-$(echo "$dir" | sha256sum | cut -c1-6)"
# Inside the engine's own /run (a tmpfs): short, as containerd's socket paths must stay < 108 bytes.
exec_root=/run/agentchat-e26/exec
[ ${#sock} -lt 100 ] || { echo "engine26.sh: socket path $sock is too long for a unix socket; use a shorter DIR" >&2; exit 2; }

answers() { curl -fsS --max-time 3 --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; }
netns_id() { [ -e "/run/netns/$ns" ] && echo "net:[$(stat -L -c %i "/run/netns/$ns")]"; }

# Pids whose namespace link $1 (net, mnt) reads $2; one find, not a readlink per process.
pids_in_ns() {
  local pattern
  pattern=$(printf '%s' "$2" | sed 's/[][*?\\]/\\&/g')
  { find /proc/[0-9]*/ns/"$1" -maxdepth 0 -lname "$pattern" 2>/dev/null || true; } | cut -d/ -f3 | sort
}

# Pids of this engine: daemons (dockerd, containerd, shims, docker-proxy) share its network AND
# mount namespace (the netns alone if a failed start did not record the latter); containers sit
# under its cgroup parent.
engine_pids() {
  local net mnt
  net=$(netns_id) || true
  mnt=$(cat "$dir/mntns" 2>/dev/null) || true
  {
    if [ -n "$net" ] && [ -n "$mnt" ]; then
      comm -12 <(pids_in_ns net "$net") <(pids_in_ns mnt "$mnt")
    elif [ -n "$net" ]; then
      pids_in_ns net "$net"
    fi
    { grep -ls -- ":/$ns/" /proc/[0-9]*/cgroup || true; } | cut -d/ -f3
  } | sort -u
}

# The dockerd of the pid file, if it still runs in this engine's network namespace (pid reuse).
daemon_pid() {
  local pid net
  pid=$(cat "$dir/dockerd.pid" 2>/dev/null) || return 1
  net=$(netns_id) || return 1
  [ -n "$pid" ] && [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$net" ] && echo "$pid"
}

# stop [now]: "now" (for remove, whose data goes anyway) skips dockerd's graceful container shutdown.
stop() {
  local pid pids cg
  if pid=$(daemon_pid) && [ "${1:-}" != now ]; then
    # SIGTERM: dockerd stops its containers (10 s grace by default) and its containerd.
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  # Whatever outlived it (a killed dockerd leaves shims and containers behind).
  for _ in 1 2 3 4 5; do
    pids=$(engine_pids)
    [ -n "$pids" ] || break
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 0.2
  done
  if [ -n "$(engine_pids)" ]; then
    echo "engine26.sh: processes of the engine in $dir survive SIGKILL: $(engine_pids | paste -sd' ')" >&2
    return 1
  fi
  # Its containers' (now empty) cgroups, in every hierarchy.
  for cg in /sys/fs/cgroup/"$ns" /sys/fs/cgroup/*/"$ns"; do
    [ -d "$cg" ] || continue
    find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -f "$dir/dockerd.pid" "$dir/mntns"
}

# Runs in the new mount namespace (host binaries until pivot_root, the root's after), then becomes
# dockerd. Arguments: root overlay-mount-point dir exec-root cgroup-parent [bind...].
inside='set -euo pipefail
root=$1 ovl=$2 dir=$3 exec_root=$4 cgroup_parent=$5
shift 5
mount --make-rprivate /
mount -t tmpfs -o size=64m,mode=755 agentchat-e26 "$ovl"
mkdir "$ovl/upper" "$ovl/work" "$ovl/root"
mount -t overlay overlay -o "lowerdir=$root,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/root"
new=$ovl/root
mount -t proc proc "$new/proc"
mount --rbind /sys "$new/sys"
mount --rbind /dev "$new/dev"
mount -t tmpfs -o mode=755 tmpfs "$new/run"
mount --rbind /tmp "$new/tmp"
mkdir -p "$new$dir"
mount --bind "$dir" "$new$dir"
for bind in "$@"; do
  mkdir -p "$new$bind"
  mount --rbind "$bind" "$new$bind"
done
cd "$new"
pivot_root . oldroot
cd /
umount -l /oldroot
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  /usr/sbin/dockerd --data-root "$dir/data" --exec-root "$exec_root" --pidfile "$dir/dockerd.pid" \
  -H "unix://$dir/docker.sock" --cgroup-parent "$cgroup_parent"'

start() {
  if answers && daemon_pid >/dev/null; then
    echo "unix://$sock"
    return 0
  fi
  stop # leftovers of an engine that died
  local binds='' bind
  for bind in ${ENGINE26_BINDS:-}; do
    [ -d "$bind" ] || { echo "engine26.sh: ENGINE26_BINDS: $bind is not a directory" >&2; exit 2; }
    binds+=" $(readlink -f "$bind")"
  done
  ensure_root
  mkdir -p "$dir"
  if ! ip netns list | grep -qx "$ns\( .*\)\?"; then
    ip netns add "$ns"
    nsenter --net="/run/netns/$ns" ip link set lo up
  fi
  rm -f "$sock"
  # nsenter, not `ip netns exec`: that remounts /sys, and dockerd then finds no devices cgroup.
  # setsid: a Ctrl-C meant for the test run does not reach the engine.
  setsid nsenter --net="/run/netns/$ns" unshare -m --propagation private \
    bash -c "$inside" inside "$root" "$cache/ovl" "$dir" "$exec_root" "$ns" $binds \
    </dev/null >>"$dir/dockerd.log" 2>&1 &
  local launched=$! ok='' why
  for _ in $(seq 1 120); do
    # setsid, nsenter, unshare and bash all exec: the launched pid is dockerd's.
    [ -f "$dir/mntns" ] || readlink "/proc/$launched/ns/mnt" 2>/dev/null |
      { read -r m; [ "$m" != "$(readlink /proc/self/ns/mnt)" ] && echo "$m" >"$dir/mntns"; } || true
    if answers; then ok=1; break; fi
    kill -0 "$launched" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$ok" ]; then
    if kill -0 "$launched" 2>/dev/null; then why="did not answer on $sock within 60 s"; else why="exited"; fi
    echo "engine26.sh: the Docker 26 engine in $dir $why; last lines of $dir/dockerd.log:" >&2
    tail -n 30 "$dir/dockerd.log" >&2
    kill "$launched" 2>/dev/null || true
    stop || true
    exit 1
  fi
  echo "unix://$sock"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  remove)
    stop now
    if [ -e "$dir" ]; then rm -rf --one-file-system "$dir"; fi
    if [ -e "/run/netns/$ns" ]; then ip netns del "$ns"; fi
    ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
