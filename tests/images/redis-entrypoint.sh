#!/bin/sh
# As the official redis (and valkey) image: `docker run IMAGE --flag` means redis-server --flag; the
# server runs as redis. REDIS_FLAVOR=valkey: valkey-server, as valkey.
set -e
flavor=${REDIS_FLAVOR:-redis}
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- "$flavor-server" "$@"
fi
if [ "$1" = "$flavor-server" ]; then
  # Without a config file Redis would refuse other containers (protected mode); the official image is
  # built with it off, so do the same unless the user chose.
  case " $* " in
    *" --protected-mode "*) ;;
    *) set -- "$@" --protected-mode no ;;
  esac
  if [ "$(id -u)" = 0 ]; then
    find . \! -user "$flavor" -exec chown "$flavor:$flavor" '{}' +
    exec setpriv --reuid="$flavor" --regid="$flavor" --init-groups "$@"
  fi
fi
exec "$@"
