#!/usr/bin/env bash
# The RewardPool's tests (ctest: contracts.reward_pool). Installs contracts/node_modules with
# `npm ci` when it is missing or older than package-lock.json (scripts/deps.sh test does the same),
# then compiles with solc-js and runs the Hardhat tests on Hardhat's in-process chain. No network
# beyond the npm registry is needed, and none at all once node_modules is there.
set -euo pipefail
cd "$(dirname "$0")"
export HARDHAT_DISABLE_TELEMETRY_PROMPT=true HARDHAT_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 CI="${CI:-true}"
./install.sh
exec node scripts/hardhat-offline.js test "$@"
