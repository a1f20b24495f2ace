#!/bin/bash
# The official postgres image's entrypoint contract, for tests:
#   first start on an empty PGDATA: initdb with POSTGRES_USER (default postgres) as the superuser and
#   POSTGRES_PASSWORD(_FILE) as its password, create POSTGRES_DB (default the user), run
#   /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz against it; then run the server as postgres.
#   `docker run IMAGE -c name=value` means postgres -c name=value.
# Socket connections are trusted; TCP ones need the password (POSTGRES_HOST_AUTH_METHOD, default
# scram-sha-256), localhost included: stricter than the official image, which trusts 127.0.0.1.
set -eo pipefail
shopt -s nullglob

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) [Entrypoint]: $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# file_env NAME [DEFAULT]: exports NAME as $NAME, or the content of the file $NAME_FILE names.
file_env() {
  local var=$1 fvar=${1}_FILE value=${2:-}
  [ -n "${!var:-}" ] && [ -n "${!fvar:-}" ] && die "both $var and $fvar are set (but are exclusive)"
  if [ -n "${!var:-}" ]; then
    value=${!var}
  elif [ -n "${!fvar:-}" ]; then
    value=$(<"${!fvar}")
  fi
  export "$var=$value"
  unset "$fvar"
}

# init_pgdata [postgres options]: the options also apply to the temporary server.
init_pgdata() {
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_INITDB_ARGS
  local auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256} pwfile=()
  if [ -n "$POSTGRES_PASSWORD" ]; then
    pwfile=(--pwfile=/dev/stdin)
  elif [ "$auth" != trust ]; then
    die "Database is uninitialized and superuser password is not specified.
    You must specify POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), or POSTGRES_HOST_AUTH_METHOD=trust"
  fi

  log "Initializing database files"
  # The password goes through stdin, never argv.
  # shellcheck disable=SC2086 # a list of options, as in the official image
  initdb --username="$POSTGRES_USER" "${pwfile[@]}" --auth-local=trust --auth-host="$auth" \
    $POSTGRES_INITDB_ARGS >/dev/null <<<"$POSTGRES_PASSWORD"
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  log "Starting temporary server"
  set -- "$@" -c listen_addresses='' -p 5432
  pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@")" -w start
  # For initdb.d scripts that call psql, as the official image does.
  export PGUSER=$POSTGRES_USER PGPASSWORD=$POSTGRES_PASSWORD
  local psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER")
  "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" -q <<'EOSQL'
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
EOSQL
  psql+=(--dbname "$POSTGRES_DB")
  local f
  # shellcheck source=/dev/null
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) log "running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
      *.sql) log "running $f"; "${psql[@]}" -f "$f" ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | "${psql[@]}" ;;
      *) log "ignoring $f" ;;
    esac
  done
  unset PGUSER PGPASSWORD
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  log "PostgreSQL init process complete; ready for start up"
}

if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi
if [ "$1" = postgres ]; then
  export PGDATA=${PGDATA:-/var/lib/postgresql/data}
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    chmod 3777 /var/run/postgresql
    find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
    export HOME=/var/lib/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
  fi
  if [ -s "$PGDATA/PG_VERSION" ]; then
    log "PostgreSQL database directory appears to contain a database; skipping initialization"
  else
    init_pgdata "${@:2}"
  fi
fi
exec "$@"
