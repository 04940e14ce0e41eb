#!/usr/bin/env bash
# Smoke test for the engine set up by setup.sh: published ports, host.docker.internal ->
# host process on 0.0.0.0, compose !reset/!override, quick `down`. Needs node on the host.
set -euo pipefail
export DOCKER_CONFIG="${DOCKER_CONFIG:-/tmp/port-ci-docker-config}"
PORT="${VERIFY_PORT:-3000}" HOSTPORT="${VERIFY_HOST_PORT:-8099}" P=port-ci-verify
d=$(mktemp -d); srv=""
cleanup() { (cd "$d" && docker compose -p $P down -t 1 >/dev/null 2>&1) || true; [ -z "$srv" ] || kill "$srv" 2>/dev/null || true; rm -rf "$d"; }
trap cleanup EXIT
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*" >&2; exit 1; }
get() { # port -> body (node: curl may be absent on CI)
  node -e 'require("http").get({host:"127.0.0.1",port:+process.argv[1],agent:false},r=>{let b="";r.on("data",c=>b+=c);r.on("end",()=>process.stdout.write(b))}).on("error",e=>{console.error(e.code);process.exit(1)})' "$1"
}

cd "$d"; mkdir dynamic; echo 'entryPoints: {web: {address: ":80"}}' >traefik.yml; echo 'http: {}' >dynamic/a.yml
cat >compose.yml <<EOF
services:
  web:
    image: port-test/busybox:local
    init: true
    ports: ["$PORT:8080"]
    # busybox nc: -ll -e forks a handler per connection (a 'while nc -l' loop drops fast clients).
    # The handler reads the request headers first so closing the socket does not send RST.
    command: ["nc", "-ll", "-p", "8080", "-e", "sh", "-c", "while read -r l; do [ \$\${#l} -le 1 ] && break; done; printf 'HTTP/1.1 200 OK\\\\r\\\\nContent-Length: 6\\\\r\\\\nConnection: close\\\\r\\\\n\\\\r\\\\nhello\\\\n'"]
  traefik:
    image: port-test/traefik-standin:local
    command: ["--providers.file.directory=/etc/traefik/dynamic"]
    ports: ["127.0.0.1:0:80"]
    extra_hosts: ["host.docker.internal:host-gateway"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - ./traefik.yml:/etc/traefik/traefik.yml:ro
      - ./dynamic:/etc/traefik/dynamic:ro
EOF
printf 'services:\n  web:\n    ports: !reset []\n' >reset.yml
printf 'services:\n  web:\n    ports: !override ["%s:8080"]\n' $((PORT + 1)) >override.yml

docker compose version
docker compose -p $P up -d --quiet-pull 2>/dev/null
for _ in $(seq 20); do body=$(get "$PORT" 2>/dev/null) && break; sleep 0.2; done
[ "${body:-}" = hello ] || fail "published $PORT:8080"; ok "published $PORT:8080 answers"
for _ in $(seq 20); do get "$PORT" >/dev/null || fail "sequential requests"; done; ok "20 sequential requests"

node -e 'require("http").createServer((q,s)=>s.end("from-host\n")).listen(+process.argv[1],"0.0.0.0")' "$HOSTPORT" & srv=$!
sleep 0.5
docker compose -p $P exec -T traefik sh -c 'grep host.docker.internal /etc/hosts'
out=$(docker compose -p $P exec -T traefik sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 host.docker.internal $HOSTPORT")
[[ "$out" == *from-host* ]] || fail "host.docker.internal"; ok "container -> host.docker.internal:$HOSTPORT (host 0.0.0.0)"

docker compose -p $P -f compose.yml -f reset.yml up -d 2>/dev/null
! get "$PORT" >/dev/null 2>&1 || fail "ports: !reset []"; ok "ports: !reset []"
docker compose -p $P -f compose.yml -f override.yml up -d 2>/dev/null
sleep 0.3; [ "$(get $((PORT + 1)))" = hello ] && ! get "$PORT" >/dev/null 2>&1 || fail "ports: !override"; ok "ports: !override [$((PORT + 1)):8080]"

s=$(date +%s%N); docker compose -p $P down 2>/dev/null; ms=$(( ($(date +%s%N) - s) / 1000000 ))
(( ms < 3000 )) || fail "down took $ms ms"; ok "down in $ms ms"
