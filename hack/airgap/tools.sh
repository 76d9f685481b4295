#!/usr/bin/env bash
# Builds the third-party binaries the cluster's images carry, each from the Go module proxy at its
# pin: etcd, CoreDNS, rancher's local-path-provisioner, plus kubernetes' pause from its C source.
# Modules whose go.mod uses replace directives (etcd) cannot be `go install`ed, so each binary is
# built from a throwaway wrapper module that requires the upstream module at the pin.
# Env: see lib.sh (AIRGAP_CACHE, ETCD_VERSION, COREDNS_VERSION, LOCAL_PATH_VERSION, KUBE_VERSION).
# Output: $AIRGAP_CACHE/bin/<name>-<version>/<binary>
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The proxy here serves local-path-provisioner v0.0.37 but its checksum database has no entry for
# it, so that one module is checked against the hash recorded below instead (taken on first fetch),
# which go.sum enforces before the module is unpacked.
LOCAL_PATH_SUM="h1:xRGhYXH31HtfbYWA9Qe8zAqCmHuw4dDRZNrDlWe0OQg="

wrapper_build() { # wrapper_build NAME VERSION BINARY PACKAGE "MODULE@VER ..." [GOSUM_LINE]
  local name=$1 version=$2 binary=$3 pkg=$4 requires=$5 sumline=${6:-}
  local out="$BIN/$name-$version" key t0
  key=$(step_key "tool-$name" "$version" "$requires" "$(go env GOVERSION)")
  needs_build "tool-$name" "$key" test -x "$out/$binary" || return 0
  t0=$(date +%s)
  local wrap="$AIRGAP_CACHE/src/$name-$version"
  rm -rf "$wrap" && mkdir -p "$wrap" && cd "$wrap"
  go mod init "local/$name" >/dev/null 2>&1
  [ -n "$sumline" ] && echo "$sumline" >> go.sum
  # Seed go.sum with each upstream module's own go.sum: its dependencies are then checked against
  # hashes pinned by that module, and the checksum database (which lacks some entries here,
  # e.g. sig-storage-lib-external-provisioner v11.0.1) is asked only about what those don't cover.
  local r dir
  for r in $requires; do
    dir=$(go mod download -json "$r" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -f "$dir/go.sum" ] && cat "$dir/go.sum" >> go.sum
  done
  sort -u -o go.sum go.sum
  # Every module named at its pin: a bare `go get PKG` would mean @upgrade and move etcd to 3.6.
  # shellcheck disable=SC2086 # $requires is a list of module@version words
  heavy go get $requires >/dev/null
  mkdir -p "$out.tmp"
  CGO_ENABLED=0 heavy go build -p 2 -trimpath -ldflags "-s -w" -o "$out.tmp/$binary" "$pkg"
  rm -rf "$out" && mv "$out.tmp" "$out"
  mark_built "tool-$name" "$key"
  log "tool-$name: built in $(( $(date +%s) - t0 ))s"
}

etcd_requires=""
for m in server/v3 api/v3 client/pkg/v3 client/v3 pkg/v3 raft/v3; do
  etcd_requires+=" go.etcd.io/etcd/$m@v$ETCD_VERSION"
done
# client/v2 is versioned v2.305.x alongside v3.5.x.
etcd_requires+=" go.etcd.io/etcd/client/v2@v2.305.${ETCD_VERSION##*.}"
wrapper_build etcd "$ETCD_VERSION" etcd go.etcd.io/etcd/server/v3 "$etcd_requires"
wrapper_build coredns "$COREDNS_VERSION" coredns github.com/coredns/coredns \
  "github.com/coredns/coredns@$COREDNS_VERSION"
GONOSUMDB=github.com/rancher/local-path-provisioner \
  wrapper_build local-path-provisioner "$LOCAL_PATH_VERSION" local-path-provisioner \
  github.com/rancher/local-path-provisioner "github.com/rancher/local-path-provisioner@$LOCAL_PATH_VERSION" \
  "github.com/rancher/local-path-provisioner $LOCAL_PATH_VERSION $LOCAL_PATH_SUM"

# pause is C; Kubernetes builds it statically the same way (build/pause/Makefile).
pause_out="$BIN/pause-$PAUSE_VERSION"
key=$(step_key tool-pause "$PAUSE_VERSION" "$KUBE_VERSION" "$(gcc -dumpfullversion)")
if needs_build tool-pause "$key" test -x "$pause_out/pause"; then
  src=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/build/pause/linux/pause.c
  mkdir -p "$pause_out"
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION-k8s-pipe" -o "$pause_out/pause" "$src"
  strip "$pause_out/pause"
  mark_built tool-pause "$key"
fi
