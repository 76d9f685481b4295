#!/usr/bin/env bash
# Builds the Kind node image $NODE_IMAGE without any registry, the way kind's own
# images/base/Dockerfile and `kind build node-image` do, but from Debian bookworm packages:
#   - systemd, iptables/nftables and friends, containerd 1.6 + runc 1.1 + CNI plugins (Debian's);
#   - kind's images/base/files (entrypoint, systemd units, containerd config) from the kind module;
#   - kubelet, kubeadm, kubectl from kubernetes.sh;
#   - a bridge CNI config baked in, in place of kindnetd (not buildable here, see README.md);
#   - every image from images.sh imported into containerd's k8s.io namespace, pinned.
# Env: see lib.sh (AIRGAP_CACHE, NODE_IMAGE, KIND_VERSION, KUBE_VERSION, the image pins),
#      POD_SUBNET=10.244.0.0/16 (kind's default podSubnet; the bridge CNI allocates from it),
#      SERVICE_SUBNET=10.96.0.0/16 (kind's default serviceSubnet; see k8s-pipe-service-guard).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${POD_SUBNET:=10.244.0.0/16}"
: "${SERVICE_SUBNET:=10.96.0.0/16}"
K8S="$BIN/kubernetes-$KUBE_VERSION"
kind_dir=$(go mod download -json "sigs.k8s.io/kind@$KIND_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
storage_go="$kind_dir/pkg/build/nodeimage/const_storage.go"
mapfile -t KIND_STORAGE < <(sed -n 's/^const storage\(Provisioner\|Helper\)Image = "\(.*\)"$/\2/p' "$storage_go")

IMAGES=(
  "registry.k8s.io/kube-apiserver:$KUBE_VERSION"
  "registry.k8s.io/kube-controller-manager:$KUBE_VERSION"
  "registry.k8s.io/kube-scheduler:$KUBE_VERSION"
  "registry.k8s.io/kube-proxy:$KUBE_VERSION"
  "registry.k8s.io/etcd:$ETCD_IMAGE_TAG"
  "registry.k8s.io/coredns/coredns:$COREDNS_VERSION"
  "registry.k8s.io/pause:$PAUSE_VERSION"
  "docker.io/rancher/local-path-provisioner:$LOCAL_PATH_VERSION"
  "docker.io/library/busybox:$BUSYBOX_TAG"
  "${KIND_STORAGE[@]}"
)
# kubeadm must find every image it will ask for; a mismatch here means a pin in lib.sh is stale.
for want in $("$K8S/kubeadm" config images list --kubernetes-version "$KUBE_VERSION" 2>/dev/null); do
  grep -qxF "$want" <<<"$(printf '%s\n' "${IMAGES[@]}")" || die "kubeadm $KUBE_VERSION wants $want, which no pin builds"
done
ids=$(for i in "${IMAGES[@]}"; do docker image inspect -f "{{.Id}}" "$i" 2>/dev/null || echo "missing $i"; done | sha256sum)
key=$(step_key node-image "$NODE_IMAGE" "$KIND_VERSION" "$POD_SUBNET" "$SERVICE_SUBNET" "$ids" \
  "$(sha256sum "$K8S/kubelet" "$K8S/kubeadm" "$K8S/kubectl")")
needs_build node-image "$key" image_present "$NODE_IMAGE" || exit 0

root="$AIRGAP_CACHE/src/node-rootfs"; rm -rf "$root"
debootstrap_rootfs "$root" systemd,conntrack,iptables,nftables,iproute2,ethtool,util-linux,mount,kmod,libseccomp2,pigz,bash,ca-certificates,jq,procps,containerd,runc,containernetworking-plugins

# Same layout and modes as kind's base Dockerfile (COPY --chmod lines).
files="$kind_dir/images/base/files"
install -m 0755 "$files"/usr/local/bin/* "$root/usr/local/bin/"
mkdir -p "$root/kind/bin" "$root/LICENSES" "$root/etc/systemd/system/kubelet.service.d" "$root/etc/containerd"
cp -r "$files/kind/." "$root/kind/"; chmod -R a+rX "$root/kind"; chmod 0755 "$root"/kind/bin/*
install -m 0644 "$files"/etc/crictl.yaml "$root/etc/"
install -m 0644 "$files"/etc/containerd/* "$root/etc/containerd/"
install -m 0644 "$files"/etc/default/* "$root/etc/default/"
install -m 0644 "$files"/etc/sysctl.d/* "$root/etc/sysctl.d/"
install -m 0644 "$files"/etc/systemd/system/*.service "$files"/etc/systemd/system/*.slice "$root/etc/systemd/system/"
install -m 0644 "$files"/etc/systemd/system/kubelet.service.d/* "$root/etc/systemd/system/kubelet.service.d/"
# kind's units start containerd from /usr/local/bin, where its base image builds it; Debian's is in /usr/bin.
for b in containerd ctr containerd-shim-runc-v2; do ln -sf "/usr/bin/$b" "$root/usr/local/bin/$b"; done
mkdir -p "$root/opt/cni/bin"; cp -a "$root"/usr/lib/cni/. "$root/opt/cni/bin/"
install -m 0755 "$K8S/kubelet" "$K8S/kubeadm" "$K8S/kubectl" "$root/usr/bin/"

chroot "$root" /bin/bash -ec '
  find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete
  rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
    /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
    /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
  echo "ReadKMsg=no" >> /etc/systemd/journald.conf
  ln -sf /lib/systemd/systemd /sbin/init
  systemctl enable kubelet.service containerd.service undo-mount-hacks.service >/dev/null 2>&1
  systemctl mask systemd-binfmt.service >/dev/null 2>&1
  mkdir -p /etc/kubernetes/manifests
  ctr oci spec | jq ".hooks.createContainer[.hooks.createContainer| length] |= . + {\"path\": \"/kind/bin/mount-product-files.sh\"}" \
    | jq "del(.process.rlimits)" > /etc/containerd/cri-base.json
  apt-get clean; rm -rf /var/lib/apt/lists/* /usr/share/man /usr/share/locale
  find /usr/share/doc -type f ! -name copyright -delete'

# Lowering a process's oom_score_adj needs CAP_SYS_RESOURCE. Where the host withholds it (as this
# one does), runc fails every pod that kubelet gives a negative score (static pods get -998) with
# "failed to update /proc/self/oom_score_adj: Permission denied". containerd's
# restrict_oom_score_adj clamps scores to containerd's own; set it at each start, only on such hosts.
mkdir -p "$root/etc/systemd/system/containerd.service.d"
cat > "$root/kind/bin/k8s-pipe-oom-score.sh" <<'SH'
#!/bin/sh
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
if [ $(( (0x$bnd >> 24) & 1 )) = 0 ]; then
  sed -i 's/^\([[:space:]]*restrict_oom_score_adj\) = false/\1 = true/' /etc/containerd/config.toml
fi
SH
chmod 0755 "$root/kind/bin/k8s-pipe-oom-score.sh"
printf '[Service]\nExecStartPre=/kind/bin/k8s-pipe-oom-score.sh\n' > "$root/etc/systemd/system/containerd.service.d/10-k8s-pipe-oom-score.conf"

# Until kube-proxy has written its rules, a packet to a Service IP is routed like any other: out of
# the node and the host, onto whatever network lies beyond (seen here: a pod's early call to
# 10.96.0.1 was answered by something outside). Rejecting Service-range packets that no DNAT has
# rewritten keeps that traffic inside; filter runs after kube-proxy's nat rules in both chains.
cat > "$root/kind/bin/k8s-pipe-service-guard.sh" <<SH
#!/bin/sh
for chain in FORWARD OUTPUT; do
  iptables -C "\$chain" -d $SERVICE_SUBNET -j REJECT 2>/dev/null || iptables -A "\$chain" -d $SERVICE_SUBNET -j REJECT
done
SH
chmod 0755 "$root/kind/bin/k8s-pipe-service-guard.sh"
cat > "$root/etc/systemd/system/k8s-pipe-service-guard.service" <<'UNIT'
[Unit]
Description=Reject Service-range packets that kube-proxy has not rewritten
Before=kubelet.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/kind/bin/k8s-pipe-service-guard.sh
[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable k8s-pipe-service-guard.service >/dev/null 2>&1

echo "$KUBE_VERSION" > "$root/kind/version"
mkdir -p "$root/kind/manifests" "$root/etc/cni/net.d"
# kind applies /kind/manifests/default-cni.yaml verbatim when it lacks kind's template markers; the
# real CNI is the conflist below, so this only records in the cluster which CNI the node carries.
cat > "$root/kind/manifests/default-cni.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: k8s-pipe-node-cni
  namespace: kube-system
data:
  cni: bridge
  podSubnet: "$POD_SUBNET"
  note: single-node only; pods on other nodes would not be routed
YAML
cat > "$root/etc/cni/net.d/10-k8s-pipe-bridge.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "k8s-pipe-bridge",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_SUBNET"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
# kind's storage manifest is a Go string constant; evaluating it with Go keeps it byte-for-byte kind's.
gen="$AIRGAP_CACHE/src/kind-storage-manifest"; rm -rf "$gen"; mkdir -p "$gen"
sed 's/^package nodeimage$/package main/' "$storage_go" > "$gen/const_storage.go"
printf 'package main\n\nimport "os"\n\nfunc main() { _ = defaultStorageImages; os.Stdout.WriteString(defaultStorageManifest) }\n' > "$gen/main.go"
(cd "$gen" && go mod init local/kindstorage >/dev/null 2>&1 && go run . > "$root/kind/manifests/default-storage.yaml")

base="k8s-pipe/kind-node-base:build"
import_rootfs "$root" "$base" 'ENV container=docker'
rm -rf "$root"

# Like `kind build node-image`: run the base with containerd, import the image tars unpacked-later
# (--no-unpack, so no snapshotter is needed in here), stop, commit with kind's entrypoint.
# No --digests: docker-save tars carry their names, and digests would add import-<date> names.
c=k8s-pipe-node-build
docker rm -f "$c" >/dev/null 2>&1 || true
docker run -d --name "$c" --privileged --entrypoint sleep "$base" infinity >/dev/null
trap 'docker rm -f "$c" >/dev/null 2>&1 || true' EXIT
docker exec -d "$c" bash -c 'containerd > /var/log/containerd-build.log 2>&1'
for _ in $(seq 1 30); do docker exec "$c" ctr version >/dev/null 2>&1 && break; sleep 1; done
for i in "${IMAGES[@]}"; do
  docker save "$i" | docker exec -i "$c" ctr -n k8s.io images import --label=io.cri-containerd.pinned=pinned \
    --all-platforms --no-unpack - >/dev/null
done
docker exec "$c" ctr -n k8s.io images ls -q | sort
docker exec "$c" pkill containerd || true
for _ in $(seq 1 30); do docker exec "$c" pgrep containerd >/dev/null 2>&1 || break; sleep 1; done
docker exec "$c" rm -f /var/log/containerd-build.log
docker commit -c 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' -c 'ENV container=docker' \
  -c 'CMD []' "$c" "$base-committed" >/dev/null
# This engine's commit/import cannot set STOPSIGNAL; systemd needs SIGRTMIN+3 to shut down on
# `docker stop`. A FROM-only build of a local image adds it without pulling or a new layer.
old_node=$(image_ids "$NODE_IMAGE")
if ! out=$(printf 'FROM %s\nSTOPSIGNAL SIGRTMIN+3\n' "$base-committed" | DOCKER_BUILDKIT=0 docker build -q -t "$NODE_IMAGE" - 2>&1); then
  die "tagging $NODE_IMAGE failed: $out"
fi
docker rm -f "$c" >/dev/null; trap - EXIT
docker rmi "$base-committed" "$base" >/dev/null
# shellcheck disable=SC2086 # one image ID a word: none, one, or several
drop_untagged $old_node
mark_built node-image "$key"
log "node image $NODE_IMAGE: $(docker image inspect -f '{{.Size}}' "$NODE_IMAGE") bytes"
