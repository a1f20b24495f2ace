#!/bin/sh
# An app that keeps writing two SQLite databases, one in WAL mode and one with a rollback journal,
# each through one long-lived connection (as an app holds it: the WAL is not checkpointed away
# between transactions). Every transaction inserts, rewrites and deletes rows of a few KiB, so a
# copy taken while it runs without care is torn.
trap 'exit 0' TERM INT
sqlite=$(command -v sqlite3 || command -v app-sqlite)
cd "${1:?usage: writer.sh DIRECTORY}"
feed() {
  echo ".timeout 10000"
  echo "PRAGMA journal_mode=$1;"
  echo "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v INTEGER, pad BLOB);"
  echo "CREATE INDEX IF NOT EXISTS t_v ON t(v);"
  i=$(date +%s)
  while :; do
    i=$((i + 1))
    echo "BEGIN; INSERT INTO t(v, pad) VALUES($i, randomblob(2000 + abs(random()) % 6000));"
    echo "UPDATE t SET pad = randomblob(abs(random()) % 4000) WHERE id % 5 = $i % 5 AND id > (SELECT max(id) FROM t) - 100;"
    echo "DELETE FROM t WHERE id < (SELECT max(id) FROM t) - 300; COMMIT;"
    sleep 0.02
  done
}
feed WAL | "$sqlite" wal.db >/dev/null &
feed DELETE | "$sqlite" journal.db >/dev/null &
wait
