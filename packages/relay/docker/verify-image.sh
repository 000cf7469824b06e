#!/usr/bin/env bash
# Builds packages/relay/Dockerfile with podman and proves the image works end to end: the build
# context leaves out node_modules/dist, the relay starts as `node` and answers /health, tokens
# mint inside the container, an order published over HTTP is read back, bad input is refused,
# HEALTHCHECK passes, `podman stop` (SIGTERM) exits 0, a new container on the same volume
# still has the order (same seq, same epoch), and one started with KS_TLS=auto, and one with
# its own certificate files, answer over HTTPS and pass the HEALTHCHECK too. Exits non-zero on the first failed check and
# removes what it created (containers, volume, image and its build layers).
#
# A manual/ops check, not part of `pnpm test` (CI may have no podman). Run as root:
#   packages/relay/docker/verify-image.sh
# Env: KS_IMAGE (tag, default kitchen-sync-relay:verify), KS_KEEP_IMAGE=1 keeps the image and
# its layers (faster reruns). Without node:22-slim locally it runs make-local-base-image.sh.
set -euo pipefail

readonly DOCKER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT=$(cd "$DOCKER_DIR/../../.." && pwd)
readonly DOCKERFILE=$ROOT/packages/relay/Dockerfile
readonly IGNOREFILE=$ROOT/packages/relay/Dockerfile.dockerignore
readonly IMAGE=${KS_IMAGE:-kitchen-sync-relay:verify}
readonly RUN_ID=ks-verify-$$
readonly VOLUME=$RUN_ID-data
readonly SECRET=verify-secret-$RANDOM$RANDOM$RANDOM$RANDOM
readonly OUTLET=1
readonly TENANT=7

die() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }
step() { echo; echo "== $*"; }

[[ $(id -u) == 0 ]] || die 'run as root (rootful podman)'
for tool in podman curl node unshare; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

# crun refuses "hybrid" cgroups (v1 hierarchies plus a cgroup2 mount that owns a controller).
# The cgroup2 mount is hidden in a private mount namespace for this script only: the host's
# mounts are untouched, and every podman call below runs inside that namespace.
hybrid_cgroups_with_v2_controllers() {
  local controllers=/sys/fs/cgroup/unified/cgroup.controllers
  [[ $(stat -fc %T /sys/fs/cgroup) == tmpfs && -r $controllers ]] &&
    [[ -n $(tr -d '[:space:]' <"$controllers") ]]
}
if [[ -z ${KS_VERIFY_PRIVATE_NS:-} ]] && hybrid_cgroups_with_v2_controllers; then
  exec env KS_VERIFY_PRIVATE_NS=1 unshare --mount --propagation private \
    bash "${BASH_SOURCE[0]}" "$@"
fi
if [[ -n ${KS_VERIFY_PRIVATE_NS:-} ]]; then
  umount /sys/fs/cgroup/unified
fi

# Podman's rootful defaults (nofile 1048576) exceed what a host without CAP_SYS_RESOURCE may
# grant; ask for what this shell has instead.
limit_or() {
  local value=$1 cap=$2
  [[ $value == unlimited || $value -gt $cap ]] && value=$cap
  echo "$value"
}
nofile=$(limit_or "$(ulimit -Hn)" 1048576)
nproc=$(limit_or "$(ulimit -Hu)" 32768)
readonly ULIMITS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
# Without systemd, podman logs an error for every HEALTHCHECK timer it cannot schedule; the check
# itself still runs on demand (`podman healthcheck run` below), so that one message is dropped.
podman() { command podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }

containers=()
dangling_before=$(podman images -q --no-trunc --filter dangling=true | sort)
work=$(mktemp -d)
cleanup() {
  local status=$?
  for ctr in "${containers[@]}"; do podman rm -f -t 0 "$ctr" >/dev/null 2>&1 || true; done
  podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  podman rmi -f "$RUN_ID-context" >/dev/null 2>&1 || true
  if [[ -z ${KS_KEEP_IMAGE:-} ]]; then
    podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
    # Only the build layers this run left behind, never images that were dangling before.
    comm -13 <(echo "$dangling_before") \
      <(podman images -q --no-trunc --filter dangling=true | sort) |
      xargs -r podman rmi -f >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  ((status == 0)) && echo && echo 'verify-image: all checks passed'
  exit "$status"
}
trap cleanup EXIT

# Reads one value out of a JSON document: json '<doc>' 'r.path.to.value'.
json() { node -e 'const r = JSON.parse(process.argv[1]); console.log(eval(process.argv[2]))' "$1" "$2"; }
expect() {
  local actual=$1 expected=$2 what=$3
  [[ $actual == "$expected" ]] || die "$what: expected '$expected', got '$actual'"
  pass "$what = $actual"
}

step 'base image'
podman image exists node:22-slim || "$DOCKER_DIR/make-local-base-image.sh"
pass "node:22-slim present ($(podman image inspect --format '{{.Id}}' node:22-slim | cut -c1-12))"

step 'build context (what Dockerfile.dockerignore lets through)'
cat >"$work/Containerfile" <<'EOF'
FROM node:22-slim
COPY . /ctx
RUN du -sk /ctx | cut -f1 >/ctx-kib \
  && { find /ctx \( -name node_modules -o -name dist -o -name .git \) -prune -print >/ctx-leaks || true; }
EOF
podman build -q --pull=never "${ULIMITS[@]}" --ignorefile "$IGNOREFILE" -f "$work/Containerfile" \
  -t "$RUN_ID-context" "$ROOT" >/dev/null
context=$(podman run --rm --network none "${ULIMITS[@]}" "$RUN_ID-context" \
  sh -c 'echo "$(cat /ctx-kib) $(wc -l </ctx-leaks)"')
read -r context_kib leaks <<<"$context"
expect "$leaks" 0 'node_modules/dist/.git paths in the build context'
pass "build context is ${context_kib} KiB"

step "build $IMAGE"
started=$SECONDS
# Docker format: the OCI image format has no HEALTHCHECK.
nice -n 10 podman build --pull=never --format docker "${ULIMITS[@]}" -f "$DOCKERFILE" \
  -t "$IMAGE" "$ROOT" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; die 'podman build'; }
pass "built in $((SECONDS - started)) s, $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"
expect "$(podman image inspect --format '{{.Config.User}}' "$IMAGE")" node 'image user'
expect "$(podman image inspect --format '{{index .Config.Healthcheck.Test 0}}' "$IMAGE")" CMD \
  'image HEALTHCHECK'
node_version=$(podman run --rm --network none "${ULIMITS[@]}" "$IMAGE" node --version)
[[ $node_version == v22.* ]] || die "runtime image runs Node $node_version, not 22"
pass "runtime image runs Node $node_version"
native=$(podman run --rm --network none "${ULIMITS[@]}" "$IMAGE" node -e \
  "const D = require('better-sqlite3'); const db = new D(':memory:'); console.log(db.prepare('select 1 as x').get().x)")
expect "$native" 1 'better-sqlite3 native addon loads in the runtime image'

port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
readonly URL=http://127.0.0.1:$port
podman volume create "$VOLUME" >/dev/null

# wait_until NAME WHAT COMMAND...: runs COMMAND until it succeeds; after 30 s fails with
# "NAME: WHAT in 30 s" and the container's last log lines.
wait_until() {
  local name=$1 what=$2 deadline=$((SECONDS + 30))
  shift 2
  until "$@" 2>/dev/null; do
    ((SECONDS < deadline)) || { podman logs "$name" | tail -20; die "$name: $what in 30 s"; }
    sleep 0.5
  done
}

start_relay() {
  local name=$RUN_ID-$1
  containers+=("$name")
  podman run -d --name "$name" -p "127.0.0.1:$port:3001" -e KS_SECRET="$SECRET" \
    -v "$VOLUME:/data" "${ULIMITS[@]}" "$IMAGE" >/dev/null
  wait_until "$name" 'no /health' curl -fsS -o "$work/health.json" "$URL/health"
  local health
  health=$(cat "$work/health.json")
  expect "$(json "$health" 'r.status')/$(json "$health" 'r.store')" ok/sqlite "$name /health"
  # Node 22.13+ has node:sqlite built in, so the relay's log runs on it, not on better-sqlite3.
  expect "$(json "$health" 'r.store_engine')" node:sqlite "$name /health store_engine"
}

# stop_relay NAME: SIGTERM must end the relay cleanly (exit 0) well before podman's SIGKILL.
stop_relay() {
  local name=$RUN_ID-$1 started=$SECONDS
  podman stop -t 20 "$name" >/dev/null
  expect "$(podman inspect --format '{{.State.ExitCode}}' "$name")" 0 "$name exit code after podman stop"
  (((SECONDS - started) < 20)) || die "$name needed the SIGKILL"
  pass "$name stopped in $((SECONDS - started)) s"
}

# api METHOD PATH TOKEN [BODY]: prints "<status> <body>".
api() {
  local args=(-sS -o "$work/body.json" -w '%{http_code}' -X "$1" "$URL$2")
  [[ -n $3 ]] && args+=(-H "authorization: Bearer $3")
  [[ -n ${4:-} ]] && args+=(-H 'content-type: application/json' --data "$4")
  local status
  status=$(curl "${args[@]}")
  echo "$status $(cat "$work/body.json")"
}

# events_of_order TOKEN: "<type>@<seq>,... epoch=<epoch>" for the order published below.
events_of_order() {
  local reply
  reply=$(api GET "/api/events?outlet_id=$OUTLET&since=0&limit=100" "$1")
  [[ ${reply%% *} == 200 ]] || die "GET /api/events: $reply"
  json "${reply#* }" "r.events.filter(e => e.order_id === '$order_id')
    .map(e => e.type + '@' + e.seq).join(',') + ' epoch=' + r.epoch"
}

step 'first run'
start_relay first
pos=$(podman exec "$RUN_ID-first" node dist/cli.js token --role pos --outlet "$OUTLET" --sub pos-verify)
monitor=$(podman exec "$RUN_ID-first" node dist/cli.js token --role monitor --outlet "$OUTLET")
[[ $pos == *.*.* && $monitor == *.*.* ]] || die 'token minting inside the container'
pass 'tokens minted with `podman exec ... node dist/cli.js token`'

order_id=$(node -e 'console.log(crypto.randomUUID())')
order=$(node -e '
  const [id, outlet, tenant] = process.argv.slice(1);
  console.log(JSON.stringify({ type: "order:publish", payload: {
    order_id: id, order_number: "VERIFY-1", outlet_id: Number(outlet), tenant_id: Number(tenant),
    status: "pending", items: [{ product_id: 1, name: "Pho bo", quantity: 2, price: "50000" }],
    total_amount: "100000", created_at: new Date().toISOString() } }));
' "$order_id" "$OUTLET" "$TENANT")

reply=$(api POST /api/events "$pos" "$order")
expect "${reply%% *}" 200 'POST /api/events order:publish status'
body=${reply#* }
expect "$(json "$body" 'r.ok')/$(json "$body" 'r.duplicate')" true/false 'publish ack ok/duplicate'
seq=$(json "$body" 'r.seq')

reply=$(api POST /api/events "$pos" '{"type":"order:publish","payload":{"order_id":"nope"}}')
expect "${reply%% *} $(json "${reply#* }" 'r.error.code')" '400 invalid_payload' 'bad order refused'
reply=$(api POST /api/events '' "$order")
expect "${reply%% *} $(json "${reply#* }" 'r.error.code')" '401 unauthorized' 'publish without token'

logged=$(events_of_order "$monitor")
[[ $logged == "new_order@$seq epoch="?* ]] || die "GET /api/events: $logged"
pass "GET /api/events (monitor token) has the order: $logged"

podman healthcheck run "$RUN_ID-first" >/dev/null || die 'podman healthcheck run'
pass 'HEALTHCHECK (podman healthcheck run) healthy'

data_files=$(podman run --rm --network none "${ULIMITS[@]}" -v "$VOLUME:/data" "$IMAGE" \
  sh -c 'stat -c "%n %U" /data/relay.db')
expect "$data_files" '/data/relay.db node' 'SQLite log on the volume, owned by node'

stop_relay first

step 'second run, same volume'
podman rm "$RUN_ID-first" >/dev/null
start_relay second
expect "$(events_of_order "$monitor")" "$logged" 'order after the restart (same seq, same epoch)'
reply=$(api POST /api/events "$pos" "$order")
body=${reply#* }
expect "${reply%% *} $(json "$body" 'r.duplicate') $(json "$body" 'r.seq')" "200 true $seq" \
  'republished order is a duplicate with the original seq'
stop_relay second

step 'third run, same volume, KS_TLS=auto'
podman rm "$RUN_ID-second" >/dev/null
name=$RUN_ID-tls
containers+=("$name")
podman run -d --name "$name" -p "127.0.0.1:$port:3001" -e KS_SECRET="$SECRET" -e KS_TLS=auto \
  -v "$VOLUME:/data" "${ULIMITS[@]}" "$IMAGE" >/dev/null
# The CA appears in the volume once the relay has made it; /health is then asked trusting it.
outlet_ca_health() {
  podman exec "$name" test -s /data/tls/ca.crt &&
    podman exec "$name" cat /data/tls/ca.crt >"$work/ca.crt" &&
    curl -fsS --cacert "$work/ca.crt" -o "$work/health.json" "https://localhost:$port/health"
}
wait_until "$name" 'no HTTPS /health' outlet_ca_health
expect "$(json "$(cat "$work/health.json")" 'r.tls.enabled')" true "$name /health over HTTPS (outlet CA)"
# The HEALTHCHECK must follow the relay to HTTPS: a plain-HTTP probe would call it unhealthy.
podman healthcheck run "$name" >/dev/null || die "podman healthcheck run ($name, TLS)"
pass 'HEALTHCHECK healthy with KS_TLS=auto'
# Plain http:// on the TLS port is answered (426 https_required), never served.
expect "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" 426 \
  "$name plain http:// /health status"
stop_relay tls

step 'fourth run: your own certificate files (no localhost among their names)'
podman rm "$RUN_ID-tls" >/dev/null
own=$work/own
mkdir -m 777 "$own"
# Issued by the image's own CLI, as `node` (uid of the relay), for a name and an address only.
podman run --rm --network none "${ULIMITS[@]}" -v "$own:/own" "$IMAGE" \
  node dist/cli.js cert --tls-dir /own --name relay.example --address 192.0.2.10 >/dev/null
name=$RUN_ID-own
containers+=("$name")
podman run -d --name "$name" -p "127.0.0.1:$port:3001" -e KS_SECRET="$SECRET" \
  -e KS_TLS_CERT=/own/relay.crt -e KS_TLS_KEY=/own/relay.key -e KS_TLS_CA=/own/ca.crt \
  -v "$own:/own:ro" -v "$VOLUME:/data" "${ULIMITS[@]}" "$IMAGE" >/dev/null
wait_until "$name" 'no HTTPS /health' curl -fsS --cacert "$own/ca.crt" -o "$work/health.json" \
  --resolve "relay.example:$port:127.0.0.1" "https://relay.example:$port/health"
expect "$(json "$(cat "$work/health.json")" 'r.tls.source')" files "$name /health over HTTPS (own files)"
podman healthcheck run "$name" >/dev/null || die "podman healthcheck run ($name, own certificate)"
pass 'HEALTHCHECK healthy with KS_TLS_CERT/KS_TLS_KEY/KS_TLS_CA'
stop_relay own
