#!/usr/bin/env bash
# Configures and builds seedd into build/ (ccache keeps rebuilds fast).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SEEDD_BUILD_JOBS:-$(nproc)}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" "$@"
