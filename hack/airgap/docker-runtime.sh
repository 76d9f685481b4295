#!/usr/bin/env bash
# Makes `docker run --privileged` work on a host whose dockerd lacks some capabilities in its
# bounding set (see runc-bounded beside this file): kind runs every node privileged. Does nothing
# when a privileged container already starts. Otherwise installs runc-bounded, registers it in
# /etc/docker/daemon.json as the default runtime and reloads dockerd with SIGHUP, which applies
# runtime settings without restarting the engine or stopping running containers.
# Env (defaults): DOCKER_DAEMON_JSON=/etc/docker/daemon.json,
#   RUNC_BOUNDED_PATH=/usr/local/libexec/k8s-pipe/runc-bounded, PROBE_IMAGE=registry.k8s.io/pause:3.10
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${DOCKER_DAEMON_JSON:=/etc/docker/daemon.json}"
: "${RUNC_BOUNDED_PATH:=/usr/local/libexec/k8s-pipe/runc-bounded}"
: "${PROBE_IMAGE:=registry.k8s.io/pause:3.10}"
# As root: a non-root process holds no capabilities, so it would start either way.
probe() { docker run --rm --privileged --user 0 "$PROBE_IMAGE" -v >/dev/null 2>&1; }
docker image inspect "$PROBE_IMAGE" >/dev/null 2>&1 || { echo "no $PROBE_IMAGE to probe with; build images first" >&2; exit 1; }
if probe; then echo "privileged containers start; runtime unchanged"; exit 0; fi
command -v jq >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q jq >/dev/null
install -D -m 0755 "$here/runc-bounded" "$RUNC_BOUNDED_PATH"
mkdir -p "$(dirname "$DOCKER_DAEMON_JSON")"
[ -s "$DOCKER_DAEMON_JSON" ] || echo '{}' > "$DOCKER_DAEMON_JSON"
jq --arg p "$RUNC_BOUNDED_PATH" '.runtimes["runc-bounded"] = {path: $p} | .["default-runtime"] = "runc-bounded"' \
  "$DOCKER_DAEMON_JSON" > "$DOCKER_DAEMON_JSON.new" && mv "$DOCKER_DAEMON_JSON.new" "$DOCKER_DAEMON_JSON"
kill -HUP "$(pidof dockerd)"
for _ in $(seq 1 10); do probe && break; sleep 1; done
probe || { echo "privileged containers still fail after installing runc-bounded" >&2; exit 1; }
echo "privileged containers start now (default runtime runc-bounded, $DOCKER_DAEMON_JSON)"
