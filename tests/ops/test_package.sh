#!/usr/bin/env bash
# The .deb: `cpack -G DEB` in the build directory, `apt-get install ./seedd_*.deb`, seedd runs
# from PATH, the seedd user and a 0700 /var/lib/seedd exist, the unit and docs are where Debian
# expects them; `apt-get remove` and then `apt-get purge` both leave /var/lib/seedd and a
# node.key in it in place (the key is the money). Then puts the machine back as it found it.
# Needs root (it installs a package); exits 77 (ctest: skipped) otherwise.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: the package test installs a .deb and needs root"
  exit 77
fi
BUILD_DIR=${SEEDD_BUILD_DIR:?set SEEDD_BUILD_DIR to the build directory}
STATE=/var/lib/seedd
fail() { echo "FAIL: $*" >&2; exit 1; }

# Never touch a real installation: its key would be at stake.
if dpkg-query -W -f='${Status}' seedd 2>/dev/null | grep -qE ' (installed|config-files)$'; then
  fail "a seedd package is already installed here; the test would remove it"
fi
[[ ! -e $STATE/node.key ]] || fail "$STATE/node.key exists; refusing to touch a real node key"
state_existed=false; [[ -e $STATE ]] && state_existed=true
user_existed=false; getent passwd seedd >/dev/null && user_existed=true

cleanup() {
  set +e
  if dpkg-query -W -f='${Status}' seedd 2>/dev/null | grep -qE ' (installed|config-files)$'; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq seedd >/dev/null 2>&1
  fi
  if [[ -n ${marker:-} && -f $marker ]] && cmp -s "$marker" "$marker_copy"; then rm -f "$marker"; fi
  $state_existed || rmdir "$STATE" 2>/dev/null
  $user_existed || { userdel seedd 2>/dev/null; groupdel seedd 2>/dev/null; }
  rm -f "${marker_copy:-}"
}
trap cleanup EXIT

t0=$(date +%s)
rm -f "$BUILD_DIR"/seedd_*.deb
(cd "$BUILD_DIR" && cpack -G DEB >/dev/null) || fail "cpack -G DEB failed"
debs=("$BUILD_DIR"/seedd_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected one seedd_*.deb, got: ${debs[*]}"
deb=${debs[0]}
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libtorrent-rasterbar2.0 libsecp256k1-1 libsqlite3-0 libssl3 libcrypto++8 libspdlog; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib"
done

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" </dev/null >/tmp/seedd-apt-install.log 2>&1 \
  || { cat /tmp/seedd-apt-install.log; fail "apt-get install $deb failed"; }

[[ $(command -v seedd) == /usr/bin/seedd ]] || fail "seedd is not /usr/bin/seedd on PATH: $(command -v seedd)"
version=$(seedd --version) || fail "seedd --version failed"
[[ $version == "seedd "* ]] || fail "unexpected version line: $version"
echo "$version"
[[ -x /usr/bin/seedctl ]] || fail "no /usr/bin/seedctl"
entry=$(getent passwd seedd) || fail "no seedd user after install"
IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
((uid > 0 && uid < 1000)) || fail "seedd user has uid $uid, not a system uid"
[[ $home == "$STATE" ]] || fail "seedd's home is $home"
[[ $shell == */nologin ]] || fail "seedd's shell is $shell"
[[ -d $STATE ]] || fail "$STATE was not created"
[[ $(stat -c '%a %U %G' "$STATE") == "700 seedd seedd" ]] || fail "$STATE is $(stat -c '%a %U %G' "$STATE")"
for f in /lib/systemd/system/seedd.service /usr/lib/sysusers.d/seedd.conf /usr/lib/tmpfiles.d/seedd.conf \
         /usr/share/doc/seedd/examples/seedd.conf /usr/share/doc/seedd/operations.md; do
  [[ -f $f ]] || fail "$f is not installed"
done
[[ ! -e /etc/seedd ]] || fail "/etc/seedd exists: the package ships no conffile"

# A node key and a ledger as a running seedd would leave them.
marker=$STATE/node.key
marker_copy=$(mktemp)
head -c 32 /dev/urandom >"$marker_copy"
install -m 0600 -o seedd -g seedd "$marker_copy" "$marker"

DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq seedd </dev/null >/dev/null 2>&1 || fail "apt-get remove failed"
[[ ! -e /usr/bin/seedd ]] || fail "/usr/bin/seedd is still there after remove"
cmp -s "$marker" "$marker_copy" || fail "node.key did not survive apt-get remove"
[[ $(stat -c '%a %U' "$STATE") == "700 seedd" ]] || fail "$STATE changed on remove"

purge_out=$(DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq seedd </dev/null 2>&1) || fail "apt-get purge failed"
cmp -s "$marker" "$marker_copy" || fail "node.key did not survive apt-get purge"
[[ $purge_out == *"/var/lib/seedd is kept"* ]] || fail "purge did not say that /var/lib/seedd is kept: $purge_out"
! dpkg-query -W -f='${Status}' seedd 2>/dev/null | grep -qE ' (installed|config-files)$' || fail "seedd is still installed after purge"

echo "PASS ($(($(date +%s) - t0)) s)"
