# apt_mirror: prints the Debian mirror this machine's apt already uses (deb822 or one-line sources),
# for debootstrap; AGENTCHAT_MIRROR overrides it. Sourced by tests/images/build.sh and
# tests/modern/engine26.sh.
apt_mirror() {
  local uri=${AGENTCHAT_MIRROR:-}
  if [ -z "$uri" ]; then
    uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) if ($i !~ /security/) {print $i; exit}}' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ && $2 ~ /^https?:/ {print $2; exit}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || {
    echo "cannot find a Debian mirror in /etc/apt/sources.list(.d); set AGENTCHAT_MIRROR=URL" >&2
    return 1
  }
  echo "$uri"
}
