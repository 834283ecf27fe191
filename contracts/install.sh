#!/usr/bin/env bash
# `npm ci` in contracts/ when node_modules is missing or was installed from another
# package-lock.json (a copy of the lock file is kept in node_modules as the marker). Idempotent:
# scripts/deps.sh test and run-tests.sh call it.
set -euo pipefail
cd "$(dirname "$0")"
marker=node_modules/.seedd-package-lock.json
if [[ -f $marker ]] && cmp -s package-lock.json "$marker"; then
  exit 0
fi
echo "contracts: npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$marker"
