#!/usr/bin/env bash
# Fails when a generated page in docs/ differs from what gen_docs makes now.
# Regenerate with: build/tests/gen_docs configuration > docs/configuration.md (and rpc > docs/rpc.md)
set -euo pipefail
gen=$1 src=$2
status=0
for page in configuration rpc; do
  if ! diff -u "$src/docs/$page.md" <("$gen" "$page") >/dev/null; then
    echo "docs/$page.md is stale: run $gen $page > docs/$page.md"
    diff -u "$src/docs/$page.md" <("$gen" "$page") | head -40 || true
    status=1
  else
    echo "docs/$page.md is up to date"
  fi
done
exit $status
