#!/usr/bin/env bash
# Benchmark (issues 5 and 18): trivial RPC requests per second and latency percentiles, measured
# with wrk against a real seedd on 127.0.0.1 at 1, 16 and 64 connections (2 wrk threads, or 1
# for one connection), and side by side in the same run against transmission-daemon (Debian's,
# installed when missing): seedd's node.info against transmission's session-stats, both with
# authentication. Runs alternate between the two daemons. Prints one line per run and the
# ratios; nothing here passes or fails.
#   tests/bench/rpc_wrk.sh [BUILD_DIR] [SECONDS] [ROUNDS]
set -euo pipefail
build=$(realpath "${1:-build}") seconds=${2:-10} rounds=${3:-1}
need() { command -v "$1" >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq "$2" </dev/null >/dev/null; }; }
need wrk wrk
need transmission-daemon transmission-daemon
command -v wrk >/dev/null || { echo "rpc_wrk: wrk is missing (apt-get install wrk)"; exit 1; }
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# seedd, with its cookie.
sport=$(free_port)
"$build/seedd" --data-dir="$tmp/seedd" --download-dir="$tmp/dl" --listen=127.0.0.1:0 --rpc-bind=127.0.0.1:$sport \
  --dht=false --lsd=false --upnp=false --natpmp=false --log-level=warn >"$tmp/seedd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -f $tmp/seedd/.cookie ]] && break; sleep 0.1; done
sauth=$(printf %s "$(cat "$tmp/seedd/.cookie")" | base64 -w0)
cat >"$tmp/seedd.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"node.info"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $sauth"
LUA

# transmission-daemon 3.00, with a user and password, no peers, nothing but its RPC.
tport=$(free_port)
transmission-daemon -f -g "$tmp/tr" -p "$tport" -r 127.0.0.1 -t -u bench -v bench -M -P "$(free_port)" \
  --no-dht --no-lpd --no-utp --no-incomplete-dir -w "$tmp/trdl" --log-error >"$tmp/tr.log" 2>&1 &
pids+=($!)
tauth=$(printf %s bench:bench | base64 -w0)
sid=
for _ in $(seq 100); do
  sid=$(curl -s -o /dev/null -D - -H "Authorization: Basic $tauth" -d '{"method":"session-stats"}' \
        "http://127.0.0.1:$tport/transmission/rpc" | awk -F': ' 'tolower($1)=="x-transmission-session-id" {print $2}' | tr -d '\r' || true)
  [[ -n $sid ]] && break
  sleep 0.1
done
[[ -n $sid ]] || { echo "rpc_wrk: transmission-daemon did not answer"; cat "$tmp/tr.log"; exit 1; }
cat >"$tmp/tr.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"method":"session-stats","tag":1}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $tauth"
wrk.headers["X-Transmission-Session-Id"] = "$sid"
LUA

echo "seedd $("$build/seedd" --version | head -1) (node.info) against $(transmission-daemon -V 2>&1 | head -1) (session-stats);" \
  "$(nproc) cores, ${seconds}s per run, load average $(cut -d' ' -f1 /proc/loadavg)"
declare -A total
run() {  # name url lua connections
  local t=$(( $4 == 1 ? 1 : 2 )) out
  out=$(wrk -t$t -c$4 -d${seconds}s --latency -s "$3" "$2")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
  printf '%-12s connections=%-3s requests/s=%-10s p50=%-9s p99=%-9s %s\n' "$1" "$4" "$rps" "$p50" "$p99" "${errors:-no errors}"
  total[$1,$4]=$(python3 -c "print(${total[$1,$4]:-0} + $rps)")
}
for round in $(seq "$rounds"); do
  for c in 1 16 64; do
    run seedd "http://127.0.0.1:$sport/rpc" "$tmp/seedd.lua" "$c"
    run transmission "http://127.0.0.1:$tport/transmission/rpc" "$tmp/tr.lua" "$c"
  done
done
for c in 1 16 64; do
  python3 -c "print(f'connections=$c: seedd/transmission = {${total[seedd,$c]} / ${total[transmission,$c]}:.2f} (sums over $rounds rounds)')"
done
