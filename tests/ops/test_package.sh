#!/usr/bin/env bash
# The .deb: `cpack -G DEB` in the build directory, `apt-get install ./seedd_*.deb`, seedd runs
# from PATH, the seedd user and a 0700 /var/lib/seedd exist, the unit and docs are where Debian
# expects them; `apt-get remove` and then `apt-get purge` both leave /var/lib/seedd and a
# node.key in it in place (the key is the money). Then puts the machine back as it found it.
# lintian must find no error and no warning in the .deb; the copyright file, the changelog and
# both man pages must be installed, and the man pages must match the generated ones in docs/man.
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
for lib in adduser libtorrent-rasterbar2.0 libsecp256k1-1 libsqlite3-0 libssl3 libcrypto++8 libspdlog; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib"
done
# Debian policy: no line of the long description over 80 columns.
long_line=$(dpkg-deb -f "$deb" Description | awk 'length > 80' | head -1)
[[ -z $long_line ]] || fail "a Description line is over 80 columns: $long_line"

# lintian (scripts/deps.sh test installs it): any E: or W: tag fails; I: and N: are shown only.
command -v lintian >/dev/null || fail "lintian is not installed (scripts/deps.sh test)"
lintian_out=$(lintian --tag-display-limit 0 --info "$deb" 2>&1 | grep -v '^running with root privileges' || true)
[[ -z $lintian_out ]] || printf '%s\n' "$lintian_out"
if grep -qE '^[EW]: ' <<<"$lintian_out"; then
  fail "lintian reports errors or warnings: $(grep -E '^[EW]: ' <<<"$lintian_out" | tr '\n' ' ')"
fi
echo "lintian: no errors, no warnings"

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
         /usr/share/doc/seedd/examples/seedd.conf /usr/share/doc/seedd/operations.md \
         /usr/share/doc/seedd/protocol.md /usr/share/doc/seedd/copyright /usr/share/doc/seedd/changelog.gz \
         /usr/share/man/man8/seedd.8.gz /usr/share/man/man1/seedctl.1.gz; do
  [[ -f $f ]] || fail "$f is not installed"
done
head -1 /usr/share/doc/seedd/copyright | grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
  || fail "the copyright file is not machine-readable (DEP-5)"
first_entry=$(zcat /usr/share/doc/seedd/changelog.gz | head -1)
[[ $first_entry == "seedd ($(dpkg-deb -f "$deb" Version)) "* ]] || fail "the changelog's first entry is not this version: $first_entry"
if [[ -n ${SEEDD_SOURCE_DIR:-} ]]; then
  zcat /usr/share/man/man8/seedd.8.gz | cmp -s - "$SEEDD_SOURCE_DIR/docs/man/seedd.8" || fail "seedd.8.gz is not docs/man/seedd.8"
  zcat /usr/share/man/man1/seedctl.1.gz | cmp -s - "$SEEDD_SOURCE_DIR/docs/man/seedctl.1" || fail "seedctl.1.gz is not docs/man/seedctl.1"
fi
if command -v man >/dev/null; then  # man-db is not in every minimal system
  man_text=$(MANWIDTH=80 man -P cat seedctl 2>/dev/null) || fail "man seedctl does not open"
  [[ $man_text == *"verify-claim FILE"* ]] || fail "man seedctl lacks the verify-claim command"
fi
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
