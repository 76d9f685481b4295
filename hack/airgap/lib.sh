# shellcheck shell=bash
# Sourced by the scripts beside it, never run. Holds the pins, the cache layout and the
# skip-or-rebuild bookkeeping so that every step decides the same way.
#
# Env (defaults):
#   AIRGAP_CACHE=/var/cache/k8s-pipe-airgap  outside the repo: module cache, build cache, binaries
#   AIRGAP_DRY_RUN=0                          1: only say what would be built or skipped
#   AIRGAP_NICE=10                            niceness of compiles, so tests on this 2-core box still run
#   KIND_VERSION, KUBE_VERSION, ETCD_VERSION, COREDNS_VERSION, PAUSE_VERSION,
#   LOCAL_PATH_VERSION, BUSYBOX_TAG,
#   BUSYBOX_SUITE                             pins, see the defaults below and README.md

: "${AIRGAP_CACHE:=/var/cache/k8s-pipe-airgap}"
: "${AIRGAP_DRY_RUN:=0}"
: "${AIRGAP_NICE:=10}"
: "${KIND_VERSION:=v0.25.0}"
: "${KUBE_VERSION:=v1.31.4}"
# kubeadm v1.31 names these tags (`kubeadm config images list`); the images are built to match them.
: "${ETCD_VERSION:=3.5.15}"
: "${ETCD_IMAGE_TAG:=${ETCD_VERSION}-0}"
: "${COREDNS_VERSION:=v1.11.3}"
: "${PAUSE_VERSION:=3.10}"
: "${LOCAL_PATH_VERSION:=v0.0.37}"
: "${BUSYBOX_TAG:=1.37.0}"
: "${BUSYBOX_SUITE:=trixie}"
: "${NODE_IMAGE:=k8s-pipe/kind-node:${KUBE_VERSION}}"

AIRGAP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOMODCACHE="$AIRGAP_CACHE/gomod" GOCACHE="$AIRGAP_CACHE/gocache"
# Build with whatever Go this machine has rather than letting go.mod ask for a download.
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"
BIN="$AIRGAP_CACHE/bin"
STAMPS="$AIRGAP_CACHE/stamps"
mkdir -p "$BIN" "$STAMPS" "$GOMODCACHE" "$GOCACHE"

log() { printf '[airgap %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }
heavy() { nice -n "$AIRGAP_NICE" "$@"; }

# A step is skipped when its outputs exist and the key it was built with is unchanged. The key is
# the step's pins plus the hash of the script that builds it, so editing that script rebuilds the
# step; lib.sh is left out of the hash because it holds every step's pins and editing one pin must
# not rebuild the other steps. shellcheck directives are left out too: they change nothing the
# script does, and a lint annotation must not cost a rebuild of a node image.
step_key() { # step_key NAME PIN...
  local name=$1; shift
  { printf '%s\n' "$name" "$@"; grep -v '^[[:space:]]*# shellcheck ' "$AIRGAP_DIR/$(basename "$0")"; } | sha256sum | cut -c1-16
}
# needs_build NAME KEY CHECK... : CHECK is a command that succeeds when the outputs are present.
needs_build() {
  local name=$1 key=$2; shift 2
  local old=""; [ -f "$STAMPS/$name" ] && old=$(cat "$STAMPS/$name")
  if [ "$old" = "$key" ] && "$@" >/dev/null 2>&1; then
    log "$name: up to date (key $key), skip"; return 1
  fi
  local why="outputs missing"; [ -n "$old" ] && [ "$old" != "$key" ] && why="inputs changed ($old -> $key)"
  [ -z "$old" ] && why="never built"
  if [ "$AIRGAP_DRY_RUN" = 1 ]; then log "$name: would rebuild: $why"; return 1; fi
  log "$name: rebuilding: $why"
  return 0
}
mark_built() { echo "$2" > "$STAMPS/$1"; }
image_present() { local i; for i in "$@"; do docker image inspect "$i" >/dev/null 2>&1 || return 1; done; }

# Debian packages fetched once into the cache so that image steps never touch the network twice.
debootstrap_rootfs() { # debootstrap_rootfs DIR [extra packages, comma separated]
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
  local mirror
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\/*\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
  mkdir -p "$AIRGAP_CACHE/debs"
  heavy debootstrap --variant=minbase --cache-dir="$AIRGAP_CACHE/debs" ${2:+--include="$2"} \
    bookworm "$1" "${mirror:-http://deb.debian.org/debian}" >/dev/null
}

# Imports DIR as a single-layer image; extra args are `docker import -c` instructions.
import_rootfs() { # import_rootfs DIR TAG [CHANGE...]
  local dir=$1 tag=$2; shift 2
  local args=() c; for c in "$@"; do args+=(-c "$c"); done
  tar --numeric-owner -C "$dir" -c . | docker import "${args[@]}" - "$tag" >/dev/null
}
# The smallest root a static Go binary needs: users for `runAsUser` lookups, a writable /tmp, CA
# certificates for anything that dials TLS, and nsswitch so Go's resolver reads /etc/hosts first.
minimal_rootfs() { # minimal_rootfs DIR
  mkdir -p "$1"/{etc/ssl/certs,tmp,usr/local/bin,usr/bin,bin,root,home/nonroot}
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$1/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$1/etc/group"
  echo 'hosts: files dns' > "$1/etc/nsswitch.conf"
  cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/"
}
# A rebuilt image takes its tag from the old one, which would linger untagged (a node image is
# 1 GB); these let a step drop what it replaced, unless a container still uses it.
image_ids() { docker image inspect -f '{{.Id}}' "$@" 2>/dev/null | sort -u || true; }
drop_untagged() {
  local id
  for id in "$@"; do
    [ "$(docker image inspect -f '{{len .RepoTags}}' "$id" 2>/dev/null || echo gone)" = 0 ] || continue
    docker rmi "$id" >/dev/null 2>&1 || true
  done
}
