#!/bin/bash
# The official mysql / mariadb images' entrypoint contract, for tests:
#   first start on an empty datadir: create the system tables, set the root password (root@localhost and
#   root@'%'), create MYSQL_DATABASE and MYSQL_USER, run /docker-entrypoint-initdb.d/*.sql|*.sql.gz|*.sh;
#   then run the server as the mysql user.
# DB_FLAVOR=mysql reads MYSQL_*; DB_FLAVOR=mariadb reads MARIADB_* and falls back to MYSQL_*.
# No password ever reaches a process's argv: SQL goes through stdin, the client reads a 0600 option file.
set -eo pipefail
shopt -s nullglob

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) [Entrypoint]: $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# setting NAME: the flavor's variable, or its _FILE form (first line of the file).
setting() {
  local name=$1 prefix value="" file=""
  local prefixes=(MYSQL_)
  [ "$DB_FLAVOR" = mariadb ] && prefixes=(MARIADB_ MYSQL_)
  for prefix in "${prefixes[@]}"; do
    local var="$prefix$name" fvar="$prefix${name}_FILE"
    if [ -n "${!var:-}" ]; then value=${!var}; break; fi
    if [ -n "${!fvar:-}" ]; then file=${!fvar}; value=$(<"$file"); break; fi
  done
  printf '%s' "$value"
}

sql_escape() { sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g" <<<"$1"; }

init_datadir() {
  local root_password allow_empty random_root database user password
  root_password=$(setting ROOT_PASSWORD)
  allow_empty=$(setting ALLOW_EMPTY_PASSWORD)
  [ "$DB_FLAVOR" = mariadb ] && [ -z "$allow_empty" ] && allow_empty=${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}
  random_root=$(setting RANDOM_ROOT_PASSWORD)
  database=$(setting DATABASE)
  user=$(setting USER)
  password=$(setting PASSWORD)
  if [ -z "$root_password" ] && [ -z "$allow_empty" ] && [ -z "$random_root" ]; then
    die "Database is uninitialized and password option is not specified
    You need to specify one of MYSQL_ROOT_PASSWORD, MYSQL_ROOT_PASSWORD_FILE, MYSQL_ALLOW_EMPTY_PASSWORD and MYSQL_RANDOM_ROOT_PASSWORD"
  fi
  if [ -n "$random_root" ]; then
    root_password=$(head -c 18 /dev/urandom | base64)
    log "GENERATED ROOT PASSWORD: $root_password"
  fi

  log "Initializing database files"
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db \
    --auth-root-authentication-method=normal --skip-name-resolve >/dev/null
  log "Starting temporary server"
  setpriv --reuid=mysql --regid=mysql --init-groups mariadbd --skip-networking \
    --socket=/run/mysqld/mysqld.sock --datadir=/var/lib/mysql &
  local pid=$!
  for _ in $(seq 1 60); do
    mariadb-admin --protocol=socket --socket=/run/mysqld/mysqld.sock -uroot ping >/dev/null 2>&1 && break
    sleep 0.5
  done

  local rp up
  rp=$(sql_escape "$root_password")
  up=$(sql_escape "$password")
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.global_priv WHERE User='' OR Host NOT IN ('localhost');"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$rp';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$rp';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$database" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$database\`;"
    fi
    if [ -n "$user" ] && [ -n "$password" ]; then
      echo "CREATE USER '$user'@'%' IDENTIFIED BY '$up';"
      [ -n "$database" ] && echo "GRANT ALL ON \`$database\`.* TO '$user'@'%';"
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --protocol=socket --socket=/run/mysqld/mysqld.sock -uroot

  local defaults
  defaults=$(mktemp /tmp/.init-XXXXXX.cnf)
  chmod 600 "$defaults"
  printf '[client]\nuser=root\npassword="%s"\nsocket=/run/mysqld/mysqld.sock\n' "$(sed 's/["\\]/\\&/g' <<<"$root_password")" >"$defaults"
  local client=(mariadb --defaults-extra-file="$defaults")
  [ -n "$database" ] && client+=("$database")
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) log "running $f"; . "$f" ;;
      *.sql) log "running $f"; "${client[@]}" <"$f" ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | "${client[@]}" ;;
      *) log "ignoring $f" ;;
    esac
  done
  mariadb-admin --defaults-extra-file="$defaults" shutdown
  rm -f "$defaults"
  wait "$pid" || true
  log "Database initialized"
}

if [ "${1#-}" != "$1" ]; then
  set -- mariadbd "$@"
fi
if [ "$1" = mysqld ] || [ "$1" = mariadbd ]; then
  [ "$1" = mysqld ] && [ ! -x /usr/sbin/mysqld ] && set -- mariadbd "${@:2}"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /run/mysqld
    chown mysql:mysql /run/mysqld /var/lib/mysql
    [ -d /var/lib/mysql/mysql ] || init_datadir
    exec setpriv --reuid=mysql --regid=mysql --init-groups "$@"
  fi
fi
exec "$@"
