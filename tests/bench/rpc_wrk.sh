#!/usr/bin/env bash
# Benchmark (issue 5): node.info requests per second and latency percentiles, measured with wrk
# against a real seedd on 127.0.0.1 at 1, 16 and 64 connections (2 wrk threads, or 1 for one
# connection). Prints one line per run; nothing here passes or fails.
#   tests/bench/rpc_wrk.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
build=$(realpath "${1:-build}") seconds=${2:-10}
command -v wrk >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq wrk </dev/null >/dev/null; }
command -v wrk >/dev/null || { echo "rpc_wrk: wrk is missing (apt-get install wrk)"; exit 1; }
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/seedd" --data-dir="$tmp/data" --download-dir="$tmp/dl" --listen=127.0.0.1:0 --rpc-bind=127.0.0.1:$port \
  --dht=false --lsd=false --upnp=false --natpmp=false --log-level=warn >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -f $tmp/data/.cookie ]] && break; sleep 0.1; done
auth=$(printf %s "$(cat "$tmp/data/.cookie")" | base64 -w0)
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"node.info"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $auth"
LUA
echo "seedd $("$build/seedd" --version | head -1), rpc_threads default, $(nproc) cores, ${seconds}s per run"
for c in 1 16 64; do
  t=$(( c == 1 ? 1 : 2 ))
  out=$(wrk -t$t -c$c -d${seconds}s --latency -s "$tmp/post.lua" "http://127.0.0.1:$port/rpc")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
  printf 'connections=%-3s requests/s=%-10s p50=%-9s p99=%-9s %s\n' "$c" "$rps" "$p50" "$p99" "${errors:-no errors}"
done
