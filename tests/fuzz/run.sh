#!/usr/bin/env bash
# Builds a libFuzzer target of tests/fuzz/ with Debian's clang (ASan + UBSan, with coverage on
# the target and the rpc/ sources it drives) against the seedd_core library of BUILD_DIR, then
# fuzzes for SECONDS over the committed corpus tests/fuzz/corpus/TARGET.
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET] [extra libFuzzer flags]
# TARGET: rpc (the default: fuzz_rpc.cpp, the request path to JSON-RPC), http (fuzz_http.cpp,
# the HTTP layer over real connections) or json_depth (fuzz_json_depth.cpp, the JSON depth bound).
# New inputs go to a scratch directory, not into the committed corpus; to grow it, run with
# -merge=1 by hand (see docs/architecture.md).
set -euo pipefail
build=$(realpath "$1") seconds=$2
shift 2
target=${SEEDD_FUZZ_TARGET:-rpc}
if [[ $# -gt 0 && $1 != -* ]]; then
  target=$1
  shift
fi
src=$(realpath "$(dirname "$0")/../..")
out="$build/fuzz"
# Objects per target: ctest -j runs the targets side by side, and they share sources.
mkdir -p "$out/objects-$target" "$out/new-corpus-$target"
command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing (scripts/deps.sh test installs clang)"; exit 1; }

# The same defines and include paths as seedd_core (spdlog's external fmt, SEEDD_VERSION...).
flags_file="$build/CMakeFiles/seedd_core.dir/flags.make"
# They are written for make (\" for a quote): let the shell parse them into words.
eval "defines=($(sed -n 's/^CXX_DEFINES = //p' "$flags_file"))"
eval "includes=($(sed -n 's/^CXX_INCLUDES = //p' "$flags_file"))"
# The libraries seedd links, from CMake's own link line.
libs=$(sed 's/.* -o seedd //' "$build/CMakeFiles/seedd.dir/link.txt")

cxxflags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined)
case $target in
  rpc)
    sources=(tests/fuzz/fuzz_rpc.cpp rpc/jsonrpc.cpp rpc/method_table.cpp rpc/auth.cpp rpc/guards.cpp rpc/events.cpp
             daemon/events/event_bus.cpp daemon/util/json_input.cpp)
    run_flags=(-max_len=65536) ;;
  http)
    sources=(tests/fuzz/fuzz_http.cpp rpc/http_server.cpp rpc/http_parser.cpp rpc/router.cpp rpc/auth.cpp rpc/guards.cpp
             rpc/web_routes.cpp rpc/web_sessions.cpp)
    # Inputs run one at a time over a socket; leaks of the server's threads are not the input's.
    run_flags=(-max_len=65536 -detect_leaks=0) ;;
  json_depth)
    sources=(tests/fuzz/fuzz_json_depth.cpp daemon/util/json_input.cpp rpc/jsonrpc.cpp rpc/method_table.cpp)
    run_flags=(-max_len=65536) ;;
  *) echo "fuzz: unknown target '$target' (rpc, http or json_depth)"; exit 1 ;;
esac
# An object is stale when its source or any header it included (clang's -MMD list) is newer: a
# changed header with an object kept made a binary of two layouts of one struct (ASan saw a
# 100 TB allocation).
stale() {
  local o=$1 dep
  [[ -f $o && -f $o.d ]] || return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$o.d"); do
    [[ $dep -nt $o ]] && return 0
  done
  return 1
}
objects=()
for s in "${sources[@]}"; do
  o="$out/objects-$target/$(echo "$s" | tr / _).o"
  if stale "$o"; then
    echo "fuzz: compiling $s"
    clang++ "${cxxflags[@]}" -fsanitize=fuzzer-no-link "${defines[@]}" "${includes[@]}" -MMD -MF "$o.d" \
      -c "$src/$s" -o "$o"
  fi
  objects+=("$o")
done
echo "fuzz: linking fuzz_$target"
# shellcheck disable=SC2086
(cd "$build" && clang++ "${cxxflags[@]}" -fsanitize=fuzzer "${objects[@]}" -o "$out/fuzz_$target" $libs)
echo "fuzz: running fuzz_$target for ${seconds}s"
"$out/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${run_flags[@]}" \
  -dict="$src/tests/fuzz/$target.dict" "$@" "$out/new-corpus-$target" "$src/tests/fuzz/corpus/$target"
