#!/usr/bin/env bash
# Builds the libFuzzer target tests/fuzz/fuzz_$SEEDD_FUZZ_TARGET.cpp (default: rpc) with
# Debian's clang (ASan + UBSan, with coverage on the sources it drives) against the seedd_core
# library of BUILD_DIR, then fuzzes for SECONDS over the committed corpus
# tests/fuzz/corpus/$SEEDD_FUZZ_TARGET.
#   [SEEDD_FUZZ_TARGET=rpc|json_depth] tests/fuzz/run.sh BUILD_DIR SECONDS [extra libFuzzer flags]
# New inputs go to a scratch directory, not into the committed corpus; to grow it, run with
# -merge=1 by hand (see docs/architecture.md).
set -euo pipefail
build=$(realpath "$1") seconds=$2
shift 2
src=$(realpath "$(dirname "$0")/../..")
target=${SEEDD_FUZZ_TARGET:-rpc}
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
  rpc) sources=(tests/fuzz/fuzz_rpc.cpp rpc/jsonrpc.cpp rpc/method_table.cpp rpc/auth.cpp rpc/guards.cpp rpc/events.cpp
                daemon/events/event_bus.cpp rpc/json_input.cpp) ;;
  json_depth) sources=(tests/fuzz/fuzz_json_depth.cpp rpc/json_input.cpp rpc/jsonrpc.cpp rpc/method_table.cpp) ;;
  *) echo "fuzz: unknown target '$target'"; exit 1 ;;
esac
objects=()
for s in "${sources[@]}"; do
  o="$out/objects-$target/$(echo "$s" | tr / _).o"
  if [[ ! -f $o || $src/$s -nt $o ]]; then
    echo "fuzz: compiling $s"
    clang++ "${cxxflags[@]}" -fsanitize=fuzzer-no-link "${defines[@]}" "${includes[@]}" -c "$src/$s" -o "$o"
  fi
  objects+=("$o")
done
echo "fuzz: linking"
# shellcheck disable=SC2086
(cd "$build" && clang++ "${cxxflags[@]}" -fsanitize=fuzzer "${objects[@]}" -o "$out/fuzz_$target" $libs)
echo "fuzz: running fuzz_$target for ${seconds}s"
"$out/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict="$src/tests/fuzz/$target.dict" "$@" "$out/new-corpus-$target" "$src/tests/fuzz/corpus/$target"
