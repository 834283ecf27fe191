#!/usr/bin/env bash
# Installs what is missing, builds, and runs seedd in the foreground with its embedded
# defaults (extra arguments go to seedd, e.g. --data-dir=/srv/seedd).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh --target seedd seedctl
exec build/seedd "$@"
