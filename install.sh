#!/usr/bin/env bash
# Builds docker-agentchat (Release) and installs it as a Docker CLI plugin.
#   ./install.sh            -> ~/.docker/cli-plugins/docker-agentchat (or $DOCKER_CONFIG/cli-plugins)
#   ./install.sh --system   -> /usr/local/lib/docker/cli-plugins/docker-agentchat
# Safe to re-run: missing packages are installed, the build is incremental, the binary is replaced atomically.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

system=0
for arg in "$@"; do
  case "$arg" in
    --system) system=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$arg' (use --system or nothing)" >&2; exit 2 ;;
  esac
done

# shellcheck source=scripts/packages.sh
source scripts/packages.sh
ensure_packages "${BUILD_PACKAGES[@]}"

build=build/release
started=$(date +%s)
# Ninja; a build directory left by an older install.sh (Makefiles) is started afresh.
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAGENTCHAT_TESTS=OFF >/dev/null
cmake --build "$build"
echo "built $build/plugin/docker-agentchat in $(($(date +%s) - started)) s"

if [ "$system" = 1 ]; then
  dest=/usr/local/lib/docker/cli-plugins
else
  dest="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
fi
mkdir -p "$dest"
# Copy then rename, so a docker CLI running right now never sees a half-written plugin.
install -m 0755 "$build/plugin/docker-agentchat" "$dest/.docker-agentchat.new"
mv -f "$dest/.docker-agentchat.new" "$dest/docker-agentchat"
echo "installed $dest/docker-agentchat"

if command -v docker >/dev/null 2>&1; then
  # The engine may not be running yet; the plugin then says so and how to fix it.
  docker agentchat version || echo "(the plugin is installed; start the Docker engine to use it)"
else
  "$dest/docker-agentchat" version || true
  echo "note: the docker CLI is not installed; install it (apt-get install docker.io) to run 'docker agentchat'"
fi
