#!/usr/bin/env bash
# Stop the dockerd that setup.sh started (pid from its pidfile). An engine we did not start
# (no pidfile) is left alone.
set -euo pipefail
PIDFILE="${PORT_CI_DOCKERD_PID:-/tmp/port-ci-dockerd.pid}"
log() { printf '[docker-stop] %s\n' "$*" >&2; }

[ -s "$PIDFILE" ] || { log "no pidfile ($PIDFILE); nothing to stop"; exit 0; }
pid=$(cat "$PIDFILE")
# Guard against a recycled pid: only signal it if it is still a dockerd.
if ! kill -0 "$pid" 2>/dev/null || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
  log "dockerd $pid is not running"; rm -f "$PIDFILE"; exit 0
fi
# dockerd stops its containers (up to their stop timeouts) and its managed containerd on SIGTERM.
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then
  log "dockerd $pid still alive after 20 s; SIGKILL (and its managed containerd)"
  children=$(ps -o pid= --ppid "$pid" || true)
  kill -KILL "$pid" $children 2>/dev/null || true
fi
rm -f "$PIDFILE"
log "dockerd $pid stopped"
