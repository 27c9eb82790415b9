#!/usr/bin/env bash
# Builds the kubets images offline, from the host's own binaries (no registry is reached):
#   kubets/node-base:20   root filesystem with the host's node and the libraries it links
#   kubets/etcd-base:3.4  root filesystem with the host's etcd and etcdctl
#   kubets/etcd:3.4       deploy/etcd.Dockerfile on etcd-base
#   kubets/kubets:latest  deploy/kubets.Dockerfile on node-base: the built project and its
#                         production dependencies; the component is the container's command
# Base images are re-imported only when their files changed, and the kubets image copies the
# dependencies before the code, so a code-only change rebuilds one small layer.
# Users with a registry can build on official images instead:
#   docker build --build-arg BASE_IMAGE=node:20-bookworm-slim -f deploy/kubets.Dockerfile deploy/.build/kubets
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
build="$root/deploy/.build"

say() { echo "kubets images: $*" >&2; }

if ! command -v docker >/dev/null 2>&1; then
  say "docker is not installed (Debian: sudo apt-get install docker.io docker-compose; or run deploy/ensure-docker.sh as root)"
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  say "no Docker engine answers (docker info failed): start dockerd (or run deploy/ensure-docker.sh as root) and retry"
  exit 1
fi

# The project (and etcd, which the etcd image copies) must be there first.
bash scripts/ensure-deps.sh

# The legacy builder: buildx is not installed on these machines, and BuildKit needs it.
export DOCKER_BUILDKIT=0

copy_into() { # root file: copies file (following symlinks) to the same path under root
  mkdir -p "$1$(dirname "$2")"
  cp -L "$2" "$1$2"
}

# rootfs DIR BINARY...: the binaries, every library ldd lists for them, and the few /etc files
# that name lookups and user ids need. No shell: images run exec-form commands.
rootfs() {
  local dir=$1; shift
  rm -rf "$dir"
  mkdir -p "$dir/etc" "$dir/tmp"
  chmod 1777 "$dir/tmp"
  local bin lib
  for bin in "$@"; do
    copy_into "$dir" "$bin"
    for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
      copy_into "$dir" "$lib"
    done
  done
  printf 'hosts: files dns\n' > "$dir/etc/nsswitch.conf"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
}

# import_rootfs DIR IMAGE: docker import, unless IMAGE already holds exactly these files (a
# re-import would make a new image id and invalidate every layer built on it).
import_rootfs() {
  local dir=$1 image=$2 tarball sum have
  tarball="$build/$(basename "$dir").tar"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$tarball" .
  sum=$(sha256sum "$tarball" | cut -d' ' -f1)
  have=$(docker image inspect --format '{{ index .Config.Labels "io.kubets.rootfs-sha256" }}' "$image" 2>/dev/null || true)
  if [ "$have" = "$sum" ]; then
    say "$image is up to date"
  else
    say "importing $image ($(du -h "$tarball" | cut -f1))"
    docker import \
      --change "LABEL io.kubets.rootfs-sha256=$sum" \
      --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
      "$tarball" "$image" >/dev/null
  fi
  rm -f "$tarball"
}

mkdir -p "$build"

rootfs "$build/node-rootfs" "$(command -v node)"
import_rootfs "$build/node-rootfs" kubets/node-base:20

rootfs "$build/etcd-rootfs" "$(command -v etcd)" "$(command -v etcdctl)"
import_rootfs "$build/etcd-rootfs" kubets/etcd-base:3.4

say "building kubets/etcd:3.4"
docker build --quiet -t kubets/etcd:3.4 -f deploy/etcd.Dockerfile "$build/etcd-rootfs" >/dev/null

# The kubets image's build context: production dependencies (reinstalled only when the lockfile
# changed) and the compiled commands and packages (no tests, no benchmarks).
ctx="$build/kubets"
mkdir -p "$ctx"
lock_sum=$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat "$ctx/.deps-sha256" 2>/dev/null || true)" != "$lock_sum" ]; then
  say "installing production dependencies"
  rm -rf "$ctx/node_modules"
  cp package.json package-lock.json "$ctx/"
  (cd "$ctx" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund >&2)
  echo "$lock_sum" > "$ctx/.deps-sha256"
fi
rm -rf "$ctx/dist" "$ctx/proto"
mkdir -p "$ctx/dist"
cp -R dist/cmd dist/pkg "$ctx/dist/"
# The gRPC interfaces (CRI) are loaded from the .proto files at run time.
cp -R proto "$ctx/proto"

say "building kubets/kubets:latest"
docker build --quiet -t kubets/kubets:latest -f deploy/kubets.Dockerfile "$ctx" >/dev/null

# kubets/real-node:latest: the kubets image plus what a node running real containers needs beside
# the kubelet (`kubets node --runtime=containerd`, the compose `real` profile): containerd, its runc
# shim, runc and ctr; the standard CNI plugins the bridge backend chains; iptables (and the
# extensions it loads at run time) for those plugins; ip for bridges and routes; mount for
# volumes; sh for the CNI plugin's wrapper; and the pause and node-base images as OCI archives
# that the node imports into its containerd (no registry is reachable).
real="$build/real-node"
cni_plugins=(bridge host-local loopback firewall portmap)
real_bins=(/usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/bin/ctr /usr/sbin/runc /bin/ip /bin/sh /usr/bin/mount /usr/bin/umount)
for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do real_bins+=("/usr/sbin/$tool"); done
for plugin in "${cni_plugins[@]}"; do real_bins+=("/usr/lib/cni/$plugin"); done
for bin in "${real_bins[@]}"; do
  [ -x "$bin" ] || { say "$bin is missing: the real-node image needs containerd, runc, containernetworking-plugins, iptables, iproute2 (run scripts/ensure-test-deps.sh as root)"; exit 1; }
done
rootfs "$real/rootfs" "${real_bins[@]}"
rm -f "$real/rootfs/etc/passwd" "$real/rootfs/etc/group" "$real/rootfs/etc/nsswitch.conf"
xtables=$(dirname "$(find /usr/lib /lib -name libxt_standard.so -print -quit)")
mkdir -p "$real/rootfs$xtables"
cp -L "$xtables"/*.so "$real/rootfs$xtables/"
node --input-type=module -e "
  const { ensureNodeImageArchives } = await import('$root/dist/pkg/containerd/image.js');
  await ensureNodeImageArchives('$build/pod-images');
"
mkdir -p "$real/rootfs/usr/share/kubets/images"
cp "$build/pod-images"/*.tar "$real/rootfs/usr/share/kubets/images/"
say "building kubets/real-node:latest"
docker build --quiet -t kubets/real-node:latest -f deploy/real-node.Dockerfile "$real" >/dev/null

docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep '^kubets/' >&2
