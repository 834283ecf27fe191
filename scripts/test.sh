#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs the whole test suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh
cd build
ctest --output-on-failure --timeout 900 -j"${SEEDD_TEST_JOBS:-2}" "$@"
