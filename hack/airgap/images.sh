#!/usr/bin/env bash
# Builds every container image the cluster and the project's manifests name, into the local Docker
# engine, under exactly the names upstream publishes them so that imagePullPolicy IfNotPresent
# (and containerd inside the node) finds them without a registry:
#   registry.k8s.io/{kube-apiserver,kube-controller-manager,kube-scheduler,kube-proxy}:$KUBE_VERSION
#   registry.k8s.io/etcd:$ETCD_IMAGE_TAG, registry.k8s.io/coredns/coredns:$COREDNS_VERSION,
#   registry.k8s.io/pause:$PAUSE_VERSION,
#   docker.io/rancher/local-path-provisioner:$LOCAL_PATH_VERSION (also under kind's kindest name),
#   docker.io/library/busybox:$BUSYBOX_TAG (also as kind's local-path helper).
# Inputs are the binaries from kubernetes.sh and tools.sh plus Debian bookworm packages.
# Env: see lib.sh (AIRGAP_CACHE, the version pins, KIND_VERSION for kind's storage image names).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
K8S="$BIN/kubernetes-$KUBE_VERSION"
work="$AIRGAP_CACHE/src/images"
PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# kind's own storage manifest names these; tagging our builds with them lets kind's default
# StorageClass run unchanged.
kind_storage_images() {
  local f
  f=$(go mod download -json "sigs.k8s.io/kind@$KIND_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/pkg/build/nodeimage/const_storage.go
  sed -n 's/^const storage\(Provisioner\|Helper\)Image = "\(.*\)"$/\2/p' "$f"
}
mapfile -t KIND_STORAGE < <(kind_storage_images)
[ "${#KIND_STORAGE[@]}" = 2 ] || die "could not read kind's storage image names"

old_ids=$(image_ids "registry.k8s.io/kube-apiserver:$KUBE_VERSION" "registry.k8s.io/kube-controller-manager:$KUBE_VERSION" \
  "registry.k8s.io/kube-scheduler:$KUBE_VERSION" "registry.k8s.io/kube-proxy:$KUBE_VERSION" \
  "registry.k8s.io/etcd:$ETCD_IMAGE_TAG" "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" \
  "registry.k8s.io/pause:$PAUSE_VERSION" "docker.io/rancher/local-path-provisioner:$LOCAL_PATH_VERSION" \
  "docker.io/library/busybox:$BUSYBOX_TAG" "${KIND_STORAGE[@]}")
trap 'drop_untagged $old_ids' EXIT

static_image() { # static_image NAME TAG BINARY ENTRYPOINT_JSON
  local name=$1 tag=$2 binary=$3 entry=$4 key
  key=$(step_key "image-$name" "$tag" "$(sha256sum < "$binary" 2>/dev/null || echo missing)")
  needs_build "image-$name" "$key" image_present "$tag" || return 0
  local root="$work/$name"; rm -rf "$root"; minimal_rootfs "$root"
  cp "$binary" "$root/usr/local/bin/"
  import_rootfs "$root" "$tag" "$PATH_ENV" "ENTRYPOINT $entry"
  rm -rf "$root"; mark_built "image-$name" "$key"
}

for c in kube-apiserver kube-controller-manager kube-scheduler; do
  static_image "$c" "registry.k8s.io/$c:$KUBE_VERSION" "$K8S/$c" "[\"/usr/local/bin/$c\"]"
done
static_image etcd "registry.k8s.io/etcd:$ETCD_IMAGE_TAG" "$BIN/etcd-$ETCD_VERSION/etcd" '["/usr/local/bin/etcd"]'
static_image coredns "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" "$BIN/coredns-$COREDNS_VERSION/coredns" '["/usr/local/bin/coredns"]'

# pause lives at /pause in the upstream image and nothing names it by path; keep it there anyway.
key=$(step_key image-pause "$PAUSE_VERSION" "$(sha256sum < "$BIN/pause-$PAUSE_VERSION/pause")")
if needs_build image-pause "$key" image_present "registry.k8s.io/pause:$PAUSE_VERSION"; then
  root="$work/pause"; rm -rf "$root"; mkdir -p "$root"
  cp "$BIN/pause-$PAUSE_VERSION/pause" "$root/pause"
  import_rootfs "$root" "registry.k8s.io/pause:$PAUSE_VERSION" 'USER 65535:65535' 'ENTRYPOINT ["/pause"]'
  rm -rf "$root"; mark_built image-pause "$key"
fi

lpp_tags=("docker.io/rancher/local-path-provisioner:$LOCAL_PATH_VERSION" "${KIND_STORAGE[0]}")
lpp_bin="$BIN/local-path-provisioner-$LOCAL_PATH_VERSION/local-path-provisioner"
key=$(step_key image-local-path-provisioner "${lpp_tags[@]}" "$(sha256sum < "$lpp_bin")")
if needs_build image-local-path-provisioner "$key" image_present "${lpp_tags[@]}"; then
  root="$work/lpp"; rm -rf "$root"; minimal_rootfs "$root"
  cp "$lpp_bin" "$root/usr/bin/"
  import_rootfs "$root" "${lpp_tags[0]}" "$PATH_ENV" 'CMD ["/usr/bin/local-path-provisioner"]'
  docker tag "${lpp_tags[0]}" "${lpp_tags[1]}"
  rm -rf "$root"; mark_built image-local-path-provisioner "$key"
fi

# busybox from Debian's busybox-static: the helper pods run `sh -c` scripts, so it needs a shell.
# The tag must say what is inside, and bookworm has 1.35.0; the package is static, so the one from
# the Debian suite that carries $BUSYBOX_TAG (trixie for 1.37.0) works here. A private apt state
# under the cache reads that suite without touching this machine's apt sources.
bb_tags=("docker.io/library/busybox:$BUSYBOX_TAG" "${KIND_STORAGE[1]}")
key=$(step_key image-busybox "${bb_tags[@]}" "$BUSYBOX_SUITE")
if needs_build image-busybox "$key" image_present "${bb_tags[@]}"; then
  root="$work/busybox" apt="$AIRGAP_CACHE/apt-$BUSYBOX_SUITE"; rm -rf "$root"; mkdir -p "$root" "$apt/lists/partial" "$apt/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $BUSYBOX_SUITE main" > "$apt/sources.list"
  aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  if ! ls "$apt"/debs/busybox-static_1%3a"$BUSYBOX_TAG"-*.deb >/dev/null 2>&1; then
    apt-get "${aptopts[@]}" update -q >/dev/null
    (cd "$apt/debs" && apt-get "${aptopts[@]}" download busybox-static >/dev/null)
  fi
  # shellcheck disable=SC2012 # Debian's .deb names have no spaces or newlines
  deb=$(ls "$apt"/debs/busybox-static_1%3a"$BUSYBOX_TAG"-*.deb 2>/dev/null | tail -n1) \
    || die "Debian $BUSYBOX_SUITE has no busybox-static $BUSYBOX_TAG; set BUSYBOX_TAG/BUSYBOX_SUITE"
  dpkg-deb -x "$deb" "$root"
  # Upstream's image keeps busybox and every applet in /bin; Debian's package has /usr/bin/busybox.
  mkdir -p "$root"/{bin,etc,tmp,root,home,var/www,usr/sbin,sbin}; chmod 1777 "$root/tmp"
  [ -x "$root/bin/busybox" ] || mv "$root/usr/bin/busybox" "$root/bin/busybox"
  chroot "$root" /bin/busybox --install -s /bin
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' > "$root/etc/group"
  find "$root/usr/share" -type f ! -name copyright -delete
  import_rootfs "$root" "${bb_tags[0]}" "$PATH_ENV" 'CMD ["sh"]'
  docker tag "${bb_tags[0]}" "${bb_tags[1]}"
  rm -rf "$root"; mark_built image-busybox "$key"
fi

# kube-proxy shells out to iptables, ip6tables, ipset and conntrack. The node picks legacy or nft
# iptables at boot (kind's entrypoint), and kube-proxy must use the same backend or its rules are
# invisible to the node, so the image carries a wrapper that picks the backend on first use.
key=$(step_key image-kube-proxy "$KUBE_VERSION" "$(sha256sum < "$K8S/kube-proxy")")
if needs_build image-kube-proxy "$key" image_present "registry.k8s.io/kube-proxy:$KUBE_VERSION"; then
  root="$work/kube-proxy"; rm -rf "$root"
  # nftables too: kube-proxy cleans up nft-mode rules at start and logs an error without `nft`.
  debootstrap_rootfs "$root" iptables,nftables,ipset,conntrack,kmod,iproute2
  cp "$K8S/kube-proxy" "$root/usr/local/bin/"
  cat > "$root/usr/sbin/iptables-wrapper" <<'SH'
#!/bin/sh
# Chooses the iptables backend the node already uses (rules present there), then re-runs the
# command with it; after the first call the alternatives point at the real binaries.
set -e
count() { { "iptables-$1-save" || true; "ip6tables-$1-save" || true; } 2>/dev/null | grep -c '^-' || true; }
hint() { { "iptables-$1-save" -t mangle || true; } 2>/dev/null | grep -c 'KUBE-IPTABLES-HINT\|KUBE-KUBELET-CANARY' || true; }
if [ "$(hint nft)" -gt 0 ]; then mode=nft
elif [ "$(hint legacy)" -gt 0 ]; then mode=legacy
elif [ "$(count legacy)" -gt "$(count nft)" ]; then mode=legacy
else mode=nft; fi
update-alternatives --set iptables "/usr/sbin/iptables-$mode" >/dev/null
update-alternatives --set ip6tables "/usr/sbin/ip6tables-$mode" >/dev/null
exec "$0" "$@"
SH
  chmod 0755 "$root/usr/sbin/iptables-wrapper"
  # shellcheck disable=SC2016 # the script runs inside the chroot, which expands its own variables
  chroot "$root" /bin/sh -ec '
    for t in iptables ip6tables; do
      update-alternatives --install /usr/sbin/$t $t /usr/sbin/iptables-wrapper 200 \
        --slave /usr/sbin/$t-restore $t-restore /usr/sbin/iptables-wrapper \
        --slave /usr/sbin/$t-save $t-save /usr/sbin/iptables-wrapper >/dev/null
    done
    apt-get clean; rm -rf /var/lib/apt/lists/* /usr/share/man /usr/share/locale
    find /usr/share/doc -type f ! -name copyright -delete'
  import_rootfs "$root" "registry.k8s.io/kube-proxy:$KUBE_VERSION" "$PATH_ENV" 'ENTRYPOINT ["/usr/local/bin/kube-proxy"]'
  rm -rf "$root"; mark_built image-kube-proxy "$key"
fi
