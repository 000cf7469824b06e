#!/usr/bin/env bash
# Builds a local stand-in for the official node:20-slim image (Debian bookworm, Node 20 in
# /usr/local, user `node` uid 1000) so the relay's Dockerfile builds unchanged on hosts that
# cannot pull from Docker Hub: offline build hosts, CI runners that only reach the npm and
# Debian mirrors. The Node runtime is the host's own, copied in; Debian comes from debootstrap.
#
# Usage (as root, with podman and debootstrap installed):
#   packages/relay/docker/make-local-base-image.sh [--force]
# Idempotent: does nothing when node:20-slim already exists locally (real or stand-in),
# unless --force rebuilds the stand-in. Env: KS_BASE_WORKDIR (rootfs cache, default
# /var/tmp/kitchen-sync-node-base), KS_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

readonly IMAGE=docker.io/library/node:20-slim
readonly ALIAS=localhost/node:20-slim
readonly SUITE=bookworm
readonly MIRROR=${KS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly WORKDIR=${KS_BASE_WORKDIR:-/var/tmp/kitchen-sync-node-base}
readonly ROOTFS=$WORKDIR/rootfs

force=false
[[ ${1:-} == --force ]] && force=true

die() { echo "make-local-base-image: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die 'run as root (debootstrap and rootful podman need it)'
command -v podman >/dev/null || die 'podman not found'
command -v debootstrap >/dev/null || die 'debootstrap not found'

if ! $force && podman image exists "$IMAGE"; then
  echo "$IMAGE already present: $(podman image inspect --format '{{.Id}}' "$IMAGE")"
  podman image exists "$ALIAS" || podman tag "$IMAGE" "$ALIAS"
  exit 0
fi

node_bin=$(readlink -f "$(command -v node)")
node_version=$("$node_bin" --version)
[[ $node_version == v20.* ]] || die "host node is $node_version; the stand-in must be Node 20"
node_prefix=$(dirname "$(dirname "$node_bin")")
node_modules=$node_prefix/lib/node_modules
node_headers=$node_prefix/include/node
for dir in "$node_modules/npm" "$node_modules/corepack" "$node_headers"; do
  [[ -d $dir ]] || die "missing $dir next to $node_bin"
done

# A finished debootstrap leaves this marker; anything else is a half-built tree to redo.
if [[ ! -f $ROOTFS/.debootstrap-done ]]; then
  rm -rf "$ROOTFS"
  mkdir -p "$ROOTFS"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR"
  touch "$ROOTFS/.debootstrap-done"
fi

# Same sources as the official image, so `apt-get install` in a build stage gets security fixes.
cat >"$ROOTFS/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
SOURCES

# Node goes where the official image has it (/usr/local), headers included: node-gyp finds
# them through npm_config_nodedir instead of downloading them from the internet.
rm -rf "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include/node"
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include"
install -m 0755 "$node_bin" "$ROOTFS/usr/local/bin/node"
cp -a "$node_modules/npm" "$node_modules/corepack" "$ROOTFS/usr/local/lib/node_modules/"
# The host's npm may carry a builtin npmrc pointing at host files; the official image has none.
rm -f "$ROOTFS/usr/local/lib/node_modules/npm/npmrc"
cp -a "$node_headers" "$ROOTFS/usr/local/include/node"
ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
ln -sfn ../lib/node_modules/corepack/dist/corepack.js "$ROOTFS/usr/local/bin/corepack"

if ! chroot "$ROOTFS" getent passwd node >/dev/null; then
  chroot "$ROOTFS" groupadd --gid 1000 node
  chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
fi
chroot "$ROOTFS" /usr/local/bin/node --version >/dev/null

# Behind a TLS-inspecting proxy the host trusts the proxy's CA through NODE_EXTRA_CA_CERTS;
# the stand-in carries that trust so npm and pnpm inside a build can reach the registry.
extra_ca_env=()
rm -rf "$ROOTFS/usr/local/share/kitchen-sync"
if [[ -n ${NODE_EXTRA_CA_CERTS:-} && -f $NODE_EXTRA_CA_CERTS ]]; then
  install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$ROOTFS/usr/local/share/kitchen-sync/extra-ca.pem"
  extra_ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/kitchen-sync/extra-ca.pem")
fi

rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/archives/*.deb
tarball=$WORKDIR/rootfs.tar
tar --numeric-owner --exclude=./.debootstrap-done -C "$ROOTFS" -cf "$tarball" .

podman import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  "${extra_ca_env[@]}" \
  --change 'LABEL org.kitchen-sync.local-base=true' \
  --message "local stand-in for node:20-slim (Node $node_version, Debian $SUITE)" \
  "$tarball" "$IMAGE"
podman tag "$IMAGE" "$ALIAS"
rm -f "$tarball"
echo "built $IMAGE (Node $node_version): $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"
