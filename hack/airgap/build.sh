#!/usr/bin/env bash
# Builds everything a Kind cluster needs on a machine with no container registry, from the Go
# module proxy and Debian's packages only: the kind binary, Kubernetes, etcd, CoreDNS, pause,
# local-path-provisioner, busybox, their images, and the node image that carries them all.
# Every step is skipped when its output exists and its pins are unchanged; each prints its duration.
#
# Usage: build.sh               build what is missing or stale, in the foreground
#        build.sh --dry-run     only say, per step, what would be rebuilt or skipped
#        build.sh --background  run the build under nohup, log to $AIRGAP_LOG, return at once
#        build.sh --smoke       after building, run smoke.sh (a throwaway cluster, then delete it)
#        build.sh --check       exit 0 when everything is built and current, else 1 saying what is
#                               missing (for CI: starts the Docker engine, builds nothing)
#        build.sh --env         print the exports npm run deploy needs: KIND_NODE_IMAGE, kind on PATH
# Env (defaults): AIRGAP_CACHE=/var/cache/k8s-pipe-airgap, AIRGAP_LOG=$AIRGAP_CACHE/logs/build.log,
#   AIRGAP_NICE=10, DOCKER_ENGINE_SH=<repo>/../shared/airgap/docker-engine.sh, and the pins in lib.sh
#   (KIND_VERSION, KUBE_VERSION, ETCD_VERSION, COREDNS_VERSION, PAUSE_VERSION, LOCAL_PATH_VERSION,
#   BUSYBOX_TAG, NODE_IMAGE).
set -euo pipefail
# All in one block: bash reads it whole before running, so editing this file mid-build is safe.
{
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
: "${AIRGAP_LOG:=$AIRGAP_CACHE/logs/build.log}"
: "${DOCKER_ENGINE_SH:=$here/../../../shared/airgap/docker-engine.sh}"

smoke=0
for a in "$@"; do
  case $a in
    --dry-run) export AIRGAP_DRY_RUN=1 ;;
    --smoke) smoke=1 ;;
    --background)
      mkdir -p "$(dirname "$AIRGAP_LOG")"
      args=(); for b in "$@"; do [ "$b" = --background ] || args+=("$b"); done
      nohup "$here/build.sh" "${args[@]}" > "$AIRGAP_LOG" 2>&1 < /dev/null &
      echo "building in the background (pid $!); follow with: tail -f $AIRGAP_LOG"
      exit 0 ;;
    --check)
      docker info >/dev/null 2>&1 || { [ -x "$DOCKER_ENGINE_SH" ] && "$DOCKER_ENGINE_SH" >/dev/null; } || true
      report=$("$here/build.sh" --dry-run 2>&1) || true
      if grep -q 'would rebuild\|ERROR' <<<"$report"; then
        grep 'would rebuild\|ERROR\|not running' <<<"$report" | sed 's/^/MISSING: /'
        echo "offline Kind images are NOT built on this machine: run hack/airgap/build.sh --background"
        exit 1
      fi
      echo "offline Kind images present and current: $NODE_IMAGE, $BIN/kind-$KIND_VERSION/kind"
      exit 0 ;;
    --env)
      # For `eval "$(hack/airgap/build.sh --env)"` before npm run deploy: the pins live here only.
      # shellcheck disable=SC2016 # $PATH is for the eval to expand, not for this printf
      printf 'export KIND_NODE_IMAGE=%q\nexport PATH=%q:"$PATH"\n' "$NODE_IMAGE" "$BIN/kind-$KIND_VERSION"
      exit 0 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown argument $a" ;;
  esac
done

command -v go >/dev/null || die "go is needed (the Go module proxy is the only source of the binaries)"
if ! docker info >/dev/null 2>&1; then
  if [ "$AIRGAP_DRY_RUN" = 1 ]; then log "docker engine not running: every image step would rebuild"
  else [ -x "$DOCKER_ENGINE_SH" ] || die "no docker engine and no $DOCKER_ENGINE_SH to start one"
    "$DOCKER_ENGINE_SH"; fi
fi

if [ "$AIRGAP_DRY_RUN" != 1 ]; then
  # Two builds into one cache would overwrite each other's wrapper modules and images.
  exec 9>"$AIRGAP_CACHE/build.lock"
  flock -n 9 || die "another build.sh is running on $AIRGAP_CACHE (see $AIRGAP_LOG)"
fi
total0=$(date +%s)
run_step() {
  local t0; t0=$(date +%s)
  "$here/$1.sh"
  log "step $1: $(( $(date +%s) - t0 ))s"
}
run_step kind
run_step kubernetes
run_step tools
if [ "$AIRGAP_DRY_RUN" = 1 ] && [ ! -x "$BIN/kubernetes-$KUBE_VERSION/kubeadm" ]; then
  log "images, node-image: would rebuild (they need the binaries above)"
else
  run_step images
  # kind runs its nodes privileged, and so does the node-image step; see docker-runtime.sh.
  [ "$AIRGAP_DRY_RUN" = 1 ] || run_step docker-runtime
  run_step node-image
fi
log "all steps: $(( $(date +%s) - total0 ))s; node image $NODE_IMAGE, kind at $BIN/kind-$KIND_VERSION/kind"
[ "$smoke" = 1 ] && [ "$AIRGAP_DRY_RUN" != 1 ] && run_step smoke
exit 0
}
