#!/usr/bin/env bash
# Installs what seedd needs from Debian 12's packages. `deps.sh build` for building and running,
# `deps.sh test` adds what the test suite drives (other BitTorrent clients, a headless browser, Node for the
# independent ethers.js check, Hardhat for contracts/). Only calls apt-get or npm when something
# is missing.
set -euo pipefail
BUILD_PKGS=(build-essential cmake pkg-config ccache
  libtorrent-rasterbar-dev libboost-dev libboost-system-dev nlohmann-json3-dev libspdlog-dev
  libsecp256k1-dev libsqlite3-dev libcrypto++-dev libssl-dev zlib1g-dev catch2)
TEST_PKGS=(python3 python3-libtorrent curl openssl sqlite3 clang libclang-rt-14-dev transmission-cli transmission-daemon python3-transmissionrpc aria2 opentracker qbittorrent-nox nodejs npm
  systemd systemd-container python3-seccomp podman debootstrap lintian python3-yaml  # tests/ops: unit, boot, image, package, compose
  chromium chromium-driver python3-selenium)  # the web page's browser tests (tests/integration/test_web_*.py)

want=("${BUILD_PKGS[@]}")
[[ ${1:-build} == test ]] && want+=("${TEST_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
  # A machine whose Node.js came from elsewhere (NodeSource bundles npm) must not get Debian's
  # npm on top: the two conflict. A working command is enough for these.
  case $p in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi
# The reward pool's contracts (contracts/): npm ci from the committed lock file, only when
# node_modules is missing or came from another lock file.
if [[ ${1:-build} == test ]]; then "$(dirname "$0")/../contracts/install.sh"; fi
