#!/usr/bin/env bash
# Builds the Kubernetes server binaries (kube-apiserver, kube-controller-manager, kube-scheduler,
# kube-proxy, kubelet, kubeadm, kubectl) at KUBE_VERSION from the Go module proxy alone.
# k8s.io/kubernetes cannot be `go install`ed (its go.mod points the k8s.io/* staging modules at
# ./staging), so a throwaway wrapper module replaces each staging module with its published
# v0.<minor>.<patch> twin, which is the same code.
# Env: see lib.sh (AIRGAP_CACHE, KUBE_VERSION, AIRGAP_NICE). Output: $AIRGAP_CACHE/bin/kubernetes-$KUBE_VERSION/
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CMDS=(kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubeadm kubectl)
out="$BIN/kubernetes-$KUBE_VERSION"
have_all() { local c; for c in "${CMDS[@]}"; do [ -x "$out/$c" ] || return 1; done; }
key=$(step_key kubernetes "$KUBE_VERSION" "$(go env GOVERSION)")
needs_build kubernetes "$key" have_all || exit 0

staging_version="v0.${KUBE_VERSION#v1.}"
wrap="$AIRGAP_CACHE/src/k8s-wrapper-$KUBE_VERSION"
rm -rf "$wrap" && mkdir -p "$wrap" && cd "$wrap"
go mod init local/k8swrapper >/dev/null 2>&1
gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[ -f "$gomod" ] || die "no go.mod for k8s.io/kubernetes@$KUBE_VERSION"
# shellcheck disable=SC2013 # one Go module path a line, never with spaces
for m in $(sed -n 's|^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/.*|\1|p' "$gomod"); do
  go mod edit -replace="$m=$m@$staging_version"
done
go mod edit -require="k8s.io/kubernetes@$KUBE_VERSION"
pkgs=(); for c in "${CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
cat > tools.go <<'GO'
//go:build tools

package tools
GO
# Resolves every module the commands import, at the versions Kubernetes itself requires.
heavy go get "${pkgs[@]/%/@$KUBE_VERSION}" >/dev/null

minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
build_date=$(go list -m -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"Time": "\(.*\)",*$/\1/p')
ld="-s -w"
# Without these the binaries say v0.0.0 and kubeadm refuses the version skew with itself.
for kv in "gitVersion=$KUBE_VERSION" gitMajor=1 "gitMinor=$minor" gitTreeState=clean "buildDate=$build_date"; do
  ld="$ld -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
done
mkdir -p "$out.tmp"
CGO_ENABLED=0 heavy go build -p 2 -trimpath -tags 'selinux notest' -ldflags "$ld" -o "$out.tmp/" "${pkgs[@]}"
rm -rf "$out" && mv "$out.tmp" "$out"
"$out/kubeadm" version -o short
mark_built kubernetes "$key"
