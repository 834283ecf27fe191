#!/usr/bin/env bash
# Fails when a generated page in docs/ differs from what gen_docs makes now.
# Regenerate with: build/tests/gen_docs configuration > docs/configuration.md, rpc > docs/rpc.md,
# man-seedd > docs/man/seedd.8, man-seedctl > docs/man/seedctl.1 and seedctl > docs/seedctl.md.
set -euo pipefail
gen=$1 src=$2
status=0
for pair in configuration:configuration.md rpc:rpc.md man-seedd:man/seedd.8 man-seedctl:man/seedctl.1 seedctl:seedctl.md; do
  page=${pair%%:*} file=docs/${pair#*:}
  if ! diff -u "$src/$file" <("$gen" "$page") >/dev/null; then
    echo "$file is stale: run $gen $page > $file"
    diff -u "$src/$file" <("$gen" "$page") | head -40 || true
    status=1
  else
    echo "$file is up to date"
  fi
done
# scripts/seedctl.bash-completion carries seedctl's command table between two marker lines.
script=scripts/seedctl.bash-completion
block=$(sed -n "/^# BEGIN seedctl's command table/,/^# END seedctl's command table/p" "$src/$script")
if ! diff -u <(printf '%s\n' "$block") <("$gen" completion) >/dev/null; then
  echo "$script's command table is stale: replace the lines from BEGIN to END with the output of $gen completion"
  diff -u <(printf '%s\n' "$block") <("$gen" completion) | head -40 || true
  status=1
else
  echo "$script's command table is up to date"
fi
exit $status
