#!/usr/bin/env bash
# Proves the build works: creates a throwaway cluster from the built kind and node image, checks
# that the node is Ready, CoreDNS answers, kind's local-path StorageClass binds a PVC for a pod
# running the local busybox image with imagePullPolicy IfNotPresent, and that nothing was pulled;
# then deletes the cluster. Touches no kubeconfig but its own file and no context but its own.
# Env (defaults): SMOKE_CLUSTER=airgap-smoke, SMOKE_KEEP=0 (1: leave the cluster up),
#   SMOKE_KUBECONFIG=$AIRGAP_CACHE/smoke.kubeconfig, SMOKE_CONFIG=kind-config.yaml beside this
#   file (e.g. the project's own, to prove it works here), and the pins in lib.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
: "${SMOKE_CLUSTER:=airgap-smoke}" "${SMOKE_KEEP:=0}" "${SMOKE_KUBECONFIG:=$AIRGAP_CACHE/smoke.kubeconfig}"
: "${SMOKE_CONFIG:=$here/kind-config.yaml}"
kind="$BIN/kind-$KIND_VERSION/kind"
ctx="kind-$SMOKE_CLUSTER"
k() { kubectl --kubeconfig "$SMOKE_KUBECONFIG" --context "$ctx" "$@"; }
t() { local t0; t0=$(date +%s); "$@"; log "  ($(( $(date +%s) - t0 ))s) $*"; }
{ [ -x "$kind" ] && image_present "$NODE_IMAGE"; } || die "build first: hack/airgap/build.sh"

cleanup() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    log "smoke FAILED; state for the record:"
    k get nodes -o wide 2>&1 || true; k get pods -A -o wide 2>&1 || true
    k get events -A --sort-by=.lastTimestamp 2>&1 | tail -n 30 || true
  fi
  if [ "$SMOKE_KEEP" = 1 ]; then log "cluster $SMOKE_CLUSTER kept (SMOKE_KEEP=1)"
  else "$kind" delete cluster --name "$SMOKE_CLUSTER" --kubeconfig "$SMOKE_KUBECONFIG" || true; fi
  exit "$rc"
}
"$kind" delete cluster --name "$SMOKE_CLUSTER" --kubeconfig "$SMOKE_KUBECONFIG" >/dev/null 2>&1 || true
trap cleanup EXIT
t "$kind" create cluster --name "$SMOKE_CLUSTER" --image "$NODE_IMAGE" --config "$SMOKE_CONFIG" \
  --kubeconfig "$SMOKE_KUBECONFIG" --wait 180s
t k wait --for=condition=Ready node --all --timeout=120s
t k -n kube-system rollout status deploy/coredns --timeout=120s
t k -n local-path-storage rollout status deploy/local-path-provisioner --timeout=120s
k get storageclass

k apply -f - <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: smoke-pvc, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 16Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: smoke, namespace: default}
spec:
  restartPolicy: Never
  containers:
    - name: smoke
      image: docker.io/library/busybox:$BUSYBOX_TAG
      imagePullPolicy: IfNotPresent
      command: [sh, -c, 'echo ok > /data/probe && cat /data/probe && nslookup kubernetes.default.svc.cluster.local']
      volumeMounts: [{name: data, mountPath: /data}]
  volumes:
    - name: data
      persistentVolumeClaim: {claimName: smoke-pvc}
YAML
t k wait --for=jsonpath='{.status.phase}'=Bound pvc/smoke-pvc --timeout=120s
t k wait --for=jsonpath='{.status.phase}'=Succeeded pod/smoke --timeout=120s
k logs smoke
docker exec "$SMOKE_CLUSTER-control-plane" iptables -C OUTPUT -d "${SERVICE_SUBNET:-10.96.0.0/16}" -j REJECT \
  || die "the node's Service-range guard is missing"
log "restarts: $(k get pods -A -o jsonpath='{range .items[*]}{.metadata.name}={.status.containerStatuses[0].restartCount} {end}')"
pulled=$(k get events -A -o jsonpath='{range .items[?(@.reason=="Pulling")]}{.message}{"\n"}{end}')
[ -z "$pulled" ] || die "images were pulled: $pulled"
log "smoke passed: node Ready, CoreDNS resolves, PVC bound via local-path, no pulls"
