#!/usr/bin/env bash
# Builds the kind CLI at KIND_VERSION with `go install` from the Go module proxy.
# Env: see lib.sh (AIRGAP_CACHE, KIND_VERSION). Output: $AIRGAP_CACHE/bin/kind-$KIND_VERSION/kind
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out="$BIN/kind-$KIND_VERSION"
key=$(step_key kind "$KIND_VERSION" "$(go env GOVERSION)")
needs_build kind "$key" test -x "$out/kind" || exit 0
GOBIN="$out" CGO_ENABLED=0 heavy go install -trimpath -ldflags=-s "sigs.k8s.io/kind@$KIND_VERSION"
"$out/kind" version
mark_built kind "$key"
