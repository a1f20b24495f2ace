#!/bin/sh
# PID 1 must exit on SIGTERM, so `docker stop` is immediate.
trap 'exit 0' TERM INT
mkdir -p /app/logs
while :; do
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) backend alive" >>/app/logs/app.log
  sleep 5 &
  wait $!
done
