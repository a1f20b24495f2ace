# Debian packages the project needs, and a function that installs only the missing ones.
# Sourced by install.sh and tests/run.sh.

BUILD_PACKAGES=(build-essential cmake ninja-build pkg-config libcurl4-openssl-dev nlohmann-json3-dev libarchive-dev
  libzstd-dev libcli11-dev libspdlog-dev libyaml-cpp-dev libssl-dev libsqlite3-dev)
TEST_PACKAGES=(libgtest-dev libgmock-dev docker.io docker-compose debootstrap zstd iproute2 curl age clang
  libclang-rt-14-dev)
# The S3 client tests run s3rver on node (tests/s3/s3rver.sh); only installed when no npm is on PATH,
# since a node from elsewhere (NodeSource) conflicts with Debian's npm package.
S3_TEST_PACKAGES=(nodejs npm)

ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "installing missing packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}"
}
