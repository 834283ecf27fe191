#!/usr/bin/env bash
# The container image, built here with podman (no Docker engine, nothing pulled):
# 1. debootstrap Debian 12 (minbase, from the mirror apt uses) into a cache, import it into
#    podman as debian:bookworm-slim, the name the Dockerfile's FROM uses;
# 2. podman build --isolation=chroot --network=host -f docker/Dockerfile;
# 3. the image's metadata: non-root USER, /data volume, SEEDD_DATA_DIR, HEALTHCHECK, ports;
#    its file system: no compiler or -dev package, every library of seedd resolved;
# 4. `podman run` cannot set rlimits here, so export the image's file system and start its
#    /usr/bin/seedd under chroot as the image's user with the image's environment, then check
#    /healthz (with the image's own HEALTHCHECK command), node.info with the cookie, and that
#    the process runs as that non-root user; SIGTERM stops it with exit code 0.
# Needs root (debootstrap, podman, chroot); exits 77 (ctest: skipped) otherwise.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: the image test runs debootstrap, podman and chroot, which need root"
  exit 77
fi
SRC=${SEEDD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE=${SEEDD_IMAGE_CACHE:-/var/cache/seedd-tests}
BASE_TAR=$CACHE/debian-bookworm-minbase.tar
IMAGE=localhost/seedd:test
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "[$(($(date +%s) - t0)) s] $*"; }
t0=$(date +%s)
for tool in podman debootstrap chroot setpriv curl; do
  command -v $tool >/dev/null || fail "$tool is missing (scripts/deps.sh test installs it)"
done

# The mirror apt already uses (deb822 .sources or one-line .list), never a name written here.
mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk 'BEGIN{RS=""} /(^|\n)Suites:[^\n]*bookworm( |\n|$)/ && /(^|\n)Types:[^\n]*deb( |\n|$)/ {
                 if (match($0, /(^|\n)URIs:[ \t]*[^ \t\n]+/)) { s=substr($0,RSTART,RLENGTH); sub(/.*URIs:[ \t]*/,"",s); print s; exit } }' "$f")
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri=$(awk '$1=="deb" && $0 ~ / bookworm( |$)/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f")
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  return 1
}

# --- 1. the base image ------------------------------------------------------------------------
mkdir -p "$CACHE"
if [[ ! -s $BASE_TAR ]]; then
  url=$(mirror) || fail "no bookworm source in /etc/apt to debootstrap from"
  step "debootstrap bookworm (minbase) from $url"
  rm -rf "$CACHE/rootfs.partial"
  debootstrap --variant=minbase bookworm "$CACHE/rootfs.partial" "$url" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log"; fail "debootstrap failed"; }
  # Trim it like the -slim image: no apt lists, no caches.
  rm -rf "$CACHE/rootfs.partial"/var/lib/apt/lists/* "$CACHE/rootfs.partial"/var/cache/apt/*.bin
  tar --numeric-owner -C "$CACHE/rootfs.partial" -cf "$BASE_TAR.partial" .
  mv "$BASE_TAR.partial" "$BASE_TAR"
  rm -rf "$CACHE/rootfs.partial"
fi
base_id=$(sha256sum "$BASE_TAR" | cut -c1-16)
if [[ $(podman image inspect --format '{{index .Labels "seedd.base"}}' debian:bookworm-slim 2>/dev/null) != "$base_id" ]]; then
  step "podman import $BASE_TAR as debian:bookworm-slim"
  podman import --quiet --change "LABEL seedd.base=$base_id" --change 'CMD ["bash"]' "$BASE_TAR" \
    docker.io/library/debian:bookworm-slim >/dev/null
fi

# --- 2. build -------------------------------------------------------------------------------
step "podman build"
podman build --isolation=chroot --network=host --pull=never --format=docker \
  -f "$SRC/docker/Dockerfile" -t "$IMAGE" "$SRC" >"$CACHE/build.log" 2>&1 \
  || { tail -40 "$CACHE/build.log"; fail "podman build failed (log: $CACHE/build.log)"; }
step "built"

# --- 3. metadata and file system ----------------------------------------------------------------
inspect() { podman image inspect --format "$1" "$IMAGE"; }
user=$(inspect '{{.Config.User}}')
[[ -n $user && ${user%%:*} != root && ${user%%:*} != 0 ]] || fail "image USER is '$user', not a non-root user"
[[ $(inspect '{{json .Config.Volumes}}') == *'"/data"'* ]] || fail "no /data volume: $(inspect '{{json .Config.Volumes}}')"
env_json=$(inspect '{{json .Config.Env}}')
[[ $env_json == *'"SEEDD_DATA_DIR=/data"'* ]] || fail "SEEDD_DATA_DIR is not /data: $env_json"
ports=$(inspect '{{json .Config.ExposedPorts}}')
for p in 6881/tcp 6881/udp 8421/tcp; do [[ $ports == *"\"$p\""* ]] || fail "port $p not exposed: $ports"; done
health=$(inspect '{{json .Config.Healthcheck.Test}}')
[[ $health == *"/healthz"* ]] || fail "no HEALTHCHECK on /healthz: $health"

root=$(mktemp -d /tmp/seedd-image-root.XXXXXX)
chmod 0755 "$root"  # the image's user must be able to enter its own root
pid=
cleanup() {
  set +e
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -n ${cid:-} ]] && podman rm -f "$cid" >/dev/null 2>&1
  rm -rf "$root"
  podman rmi -f "$IMAGE" >/dev/null 2>&1
  # Keep a day of build layers (the next run reuses the apt layers), drop older ones.
  podman image prune -f --filter until=24h >/dev/null 2>&1
}
trap cleanup EXIT
cid=$(podman create "$IMAGE" 2>/dev/null)  # (podman warns that it cannot set up a health check timer)
podman export "$cid" | tar -x -C "$root" --numeric-owner
podman rm "$cid" >/dev/null 2>&1; cid=

[[ -x $root/usr/bin/seedd && -x $root/usr/bin/seedctl ]] || fail "no seedd/seedctl in the image"
for dev in g++ gcc cmake; do [[ ! -e $root/usr/bin/$dev ]] || fail "the final image has /usr/bin/$dev"; done
dev_pkgs=$(chroot "$root" dpkg-query -W -f='${Package}\n' | grep -E -- '-dev$' || true)
[[ -z $dev_pkgs ]] || fail "the final image has -dev packages: $dev_pkgs"
missing=$(chroot "$root" ldd /usr/bin/seedd | grep 'not found' || true)
[[ -z $missing ]] || fail "libraries missing in the image: $missing"
uid=$(chroot "$root" id -u "${user%%:*}") && gid=$(chroot "$root" id -g "${user%%:*}") \
  || fail "image user '$user' is not in the image's /etc/passwd"
((uid != 0)) || fail "image user has uid 0"
[[ $(stat -c '%u %a' "$root/data") == "$uid 700" ]] || fail "/data is $(stat -c '%u %a' "$root/data"), expected $uid 700"
echo "image: user ${user} (uid $uid), $(du -sh "$root" | cut -f1), $(chroot "$root" dpkg-query -W | wc -l) packages"

# --- 4. run it --------------------------------------------------------------------------------
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The image's own RPC port when it is free here; any free port otherwise (the health check's
# URL is then pointed at it).
rpc_port=8421
if (exec 3<>/dev/tcp/127.0.0.1/8421) 2>/dev/null; then rpc_port=$(free_port); fi
bt_port=$(free_port)
mapfile -t image_env < <(inspect '{{range .Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
run_env=("${image_env[@]}" "SEEDD_RPC_BIND=127.0.0.1:$rpc_port" "SEEDD_LISTEN=127.0.0.1:$bt_port"
         "SEEDD_DHT=false" "SEEDD_LSD=false")
mkdir -p "$root/proc" "$root/dev"
log=$CACHE/image-seedd.log
# A private mount namespace: /proc and /dev inside the chroot vanish with the process. Without
# --fork, unshare, sh, chroot and env exec one another: $! ends up being seedd itself.
UID_GID="$uid:$gid" unshare --mount --propagation private -- sh -c '
  root=$1; shift; mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" || exit 90
  exec chroot --userspec="$UID_GID" "$root" env -i "$@" /usr/bin/seedd' sh "$root" "${run_env[@]}" \
  >"$log" 2>&1 &
pid=$!
step "started the image's seedd (pid $pid, RPC port $rpc_port)"

cookie=
for _ in $(seq 1 150); do
  kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "seedd exited early"; }
  if [[ -s $root/data/.cookie ]] && curl -fsS "http://127.0.0.1:$rpc_port/healthz" >/dev/null 2>&1; then
    cookie=$(cat "$root/data/.cookie"); break
  fi
  sleep 0.2
done
[[ -n $cookie ]] || { cat "$log"; fail "seedd in the image did not become healthy in 30 s"; }

# The image's own HEALTHCHECK command, run inside the image (its curl), on the port in use.
health_cmd=$(inspect '{{range .Config.Healthcheck.Test}}{{println .}}{{end}}' | sed -n 2p)
[[ $(inspect '{{index .Config.Healthcheck.Test 0}}') == CMD-SHELL ]] || fail "unexpected HEALTHCHECK form"
health_cmd=${health_cmd//127.0.0.1:8421/127.0.0.1:$rpc_port}
chroot --userspec="$uid:$gid" "$root" env -i PATH=/usr/bin:/bin sh -c "$health_cmd" >/dev/null \
  || fail "the image's HEALTHCHECK ($health_cmd) failed"

info=$(curl -fsS -u "$cookie" -H 'Content-Type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"node.info"}' "http://127.0.0.1:$rpc_port/rpc") \
  || fail "node.info over HTTP failed"
/usr/bin/python3 - "$info" <<'PY' || fail "node.info answer: $info"
import json, sys
r = json.loads(sys.argv[1])["result"]
assert r["data_dir"] == "/data", r
assert r["node_address"].startswith("0x") and len(r["node_address"]) == 42, r
assert r["version"], r
print("node.info:", r["version"], r["node_address"], "data_dir", r["data_dir"])
PY

read -r _ ruid euid _ < <(grep '^Uid:' "/proc/$pid/status")
[[ $ruid == "$uid" && $euid == "$uid" ]] || fail "seedd runs as uid $ruid/$euid, expected $uid"
[[ $(readlink "/proc/$pid/exe") == *"/usr/bin/seedd" ]] || fail "pid $pid is $(readlink /proc/$pid/exe), not seedd"
[[ $(stat -c '%u %a' "$root/data/node.key") == "$uid 600" ]] || fail "node.key is $(stat -c '%u %a' "$root/data/node.key")"
echo "seedd runs as uid $ruid in the image's file system"

kill -TERM "$pid"
code=0; wait "$pid" || code=$?
pid=
[[ $code -eq 0 ]] || { cat "$log"; fail "seedd exited with $code after SIGTERM"; }
step "PASS"
