# Makes sure a Docker engine answers on the default socket. Sourced by tests/run.sh.
# If none answers, starts /usr/sbin/dockerd and stops it again when the test command exits;
# an engine that was already running is left alone.

ENGINE_SOCKET=/var/run/docker.sock
ENGINE_STARTED_PID=

engine_answers() {
  curl -fsS --max-time 3 --unix-socket "$ENGINE_SOCKET" http://docker/_ping >/dev/null 2>&1
}

stop_started_engine() {
  [ -n "$ENGINE_STARTED_PID" ] || return 0
  echo "stopping the Docker engine this run started (pid $ENGINE_STARTED_PID)"
  kill "$ENGINE_STARTED_PID" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$ENGINE_STARTED_PID" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -9 "$ENGINE_STARTED_PID" 2>/dev/null || true
}

ensure_engine() {
  if engine_answers; then
    echo "Docker engine: already running at unix://$ENGINE_SOCKET"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: no Docker engine answers at unix://$ENGINE_SOCKET and starting one needs root" >&2
    return 1
  fi
  local log=/var/tmp/agentchat-test-dockerd.log
  echo "Docker engine: none answers; starting /usr/sbin/dockerd (log: $log)"
  /usr/sbin/dockerd >"$log" 2>&1 &
  ENGINE_STARTED_PID=$!
  trap stop_started_engine EXIT
  for _ in $(seq 1 120); do
    if engine_answers; then
      echo "Docker engine: started (pid $ENGINE_STARTED_PID)"
      return 0
    fi
    kill -0 "$ENGINE_STARTED_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "error: the Docker engine did not start; the end-to-end tests cannot run. Last lines of $log:" >&2
  tail -n 30 "$log" >&2
  return 1
}
