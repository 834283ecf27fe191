#!/usr/bin/env bash
# seedd.service under a real systemd (252, Debian 12's), booted in a container:
# `cmake --install` into a throw-away overlay of this machine's root, the package's postinst
# run in it (user, /var/lib/seedd, enable), then systemd-nspawn boots it with a private
# network, and a check unit inside looks at the running service:
# - Type=notify: active/running with the STATUS= text, as the seedd user, no capabilities,
#   no_new_privs, seccomp on, /healthz and node.info answer, data in /var/lib/seedd (0700);
# - the hardened unit does not get in the way (PrivateUsers, ProtectSystem=strict, the filters);
# - `systemctl reload` applies a new upload_limit from /var/lib/seedd/seedd.conf (session.get);
# - the watchdog (shortened to 4 s by a drop-in): pings keep a healthy seedd alive past several
#   intervals; a seedd that stops answering (SIGSTOP) is killed and restarted by systemd;
# - `systemctl stop` ends it cleanly (STOPPING, exit 0).
# Needs root (mount, nspawn); exits 77 (ctest: skipped) otherwise.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: booting systemd in a container needs root"
  exit 77
fi
SRC=${SEEDD_SOURCE_DIR:?}
BUILD_DIR=${SEEDD_BUILD_DIR:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-nspawn >/dev/null || fail "systemd-nspawn is missing (scripts/deps.sh test installs systemd-container)"

work=$(mktemp -d /tmp/seedd-boot.XXXXXX)
merged=$work/merged
mkdir -p "$work"/{upper,ovlwork,merged,out}
cleanup() {
  set +e
  umount "$merged" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/ovlwork" "$merged"

# What the .deb holds, put in place the way cmake --install does, and the package's postinst.
DESTDIR=$merged cmake --install "$BUILD_DIR" --prefix /usr >/dev/null
install -m 0755 "$SRC/cmake/deb/postinst" "$merged/tmp/seedd.postinst"
DPKG_MAINTSCRIPT_PACKAGE=seedd DPKG_MAINTSCRIPT_NAME=postinst chroot "$merged" /tmp/seedd.postinst configure >/dev/null 2>&1 \
  || fail "postinst failed"
[[ -L $merged/etc/systemd/system/multi-user.target.wants/seedd.service ]] || fail "postinst did not enable seedd.service"

# A shorter watchdog for the test, and the check unit.
mkdir -p "$merged/etc/systemd/system/seedd.service.d"
printf '[Service]\nWatchdogSec=4s\nRestartSec=1s\n' >"$merged/etc/systemd/system/seedd.service.d/test.conf"
cat >"$merged/usr/local/sbin/seedd-check" <<'CHECK'
#!/bin/sh
# Runs inside the booted container; writes key=value lines to /out/result.
out=/out/result
say() { echo "$1=$2" >>"$out"; }
rpc() {
  curl -s -u "$(cat /var/lib/seedd/.cookie)" -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\"}" http://127.0.0.1:8421/rpc
}
prop() { systemctl show -p "$1" --value seedd; }
for i in $(seq 1 100); do [ "$(prop SubState)" = running ] && [ -s /var/lib/seedd/.cookie ] && break; sleep 0.2; done
say active "$(prop ActiveState)/$(prop SubState)"
say status "$(prop StatusText)"
pid=$(prop MainPID)
say uid "$(awk '/^Uid:/{print $3}' /proc/$pid/status)"
say seedd_uid "$(id -u seedd)"
say capeff "$(awk '/^CapEff:/{print $2}' /proc/$pid/status)"
say nonewprivs "$(awk '/^NoNewPrivs:/{print $2}' /proc/$pid/status)"
say seccomp "$(awk '/^Seccomp:/{print $2}' /proc/$pid/status)"
say healthz "$(curl -s http://127.0.0.1:8421/healthz)"
say node_info "$(rpc node.info)"
say state_dir "$(stat -c '%a %U' /var/lib/seedd)"
say node_key "$(stat -c '%a %U' /var/lib/seedd/node.key)"
say limits_before "$(rpc session.get)"
printf 'upload_limit = 300000\n' >/var/lib/seedd/seedd.conf
systemctl reload seedd
sleep 1
say limits_after "$(rpc session.get)"
# Watchdog: 4 s; a healthy seedd pings every 2 s and must not be restarted in 10 s.
sleep 10
say restarts_healthy "$(prop NRestarts)"
kill -STOP "$(prop MainPID)"
for i in $(seq 1 60); do [ "$(prop NRestarts)" != 0 ] && break; sleep 0.5; done
say restarts_hung "$(prop NRestarts)"
for i in $(seq 1 100); do [ "$(prop SubState)" = running ] && break; sleep 0.2; done
say after_restart "$(prop ActiveState)/$(prop SubState)"
say watchdog_log "$(journalctl -u seedd --no-pager | grep -c 'Watchdog timeout')"
systemctl stop seedd
say stopped "$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)"
say stop_log "$(journalctl -u seedd --no-pager | grep -c 'SIGTERM: stopping')"
journalctl -u seedd --no-pager >/out/journal.txt
say done yes
systemctl poweroff
CHECK
chmod 755 "$merged/usr/local/sbin/seedd-check"
cat >"$merged/etc/systemd/system/seedd-check.service" <<'UNIT'
[Unit]
After=seedd.service
Wants=seedd.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/seedd-check
UNIT
ln -s /etc/systemd/system/seedd-check.service "$merged/etc/systemd/system/multi-user.target.wants/"

t0=$(date +%s)
timeout 300 systemd-nspawn --quiet --register=no --keep-unit --private-network -D "$merged" \
  -M "seedd-boot-$$" --bind="$work/out:/out" -b >"$work/boot.log" 2>&1 || true
echo "booted, checked and powered off in $(($(date +%s) - t0)) s"
[[ -f $work/out/result ]] || { tail -40 "$work/boot.log"; fail "the check unit wrote nothing"; }
grep -q '^done=yes$' "$work/out/result" || { cat "$work/out/result"; tail -40 "$work/boot.log"; fail "the check did not finish"; }
cat "$work/out/result"

/usr/bin/python3 - "$work/out/result" "$work/out/journal.txt" <<'PY'
import json, re, sys
r = {}
for line in open(sys.argv[1]):
    k, _, v = line.rstrip("\n").partition("=")
    r[k] = v
journal = open(sys.argv[2]).read()
def check(cond, what):
    if not cond:
        print(f"FAIL: {what}\n--- journal ---\n{journal[-4000:]}", file=sys.stderr)
        sys.exit(1)
check(r["active"] == "active/running", f"seedd is {r['active']}")
check(re.fullmatch(r"seeding 0 of 0 torrents, upload [0-9.]+ KiB/s, 0 peers", r["status"]), f"StatusText {r['status']!r}")
check(r["uid"] == r["seedd_uid"] and r["uid"] != "0", f"runs as uid {r['uid']}, seedd is {r['seedd_uid']}")
check(int(r["capeff"], 16) == 0, f"effective capabilities {r['capeff']}")
check(r["nonewprivs"] == "1", "no_new_privs is not set")
check(r["seccomp"] == "2", "no seccomp filter")
check(json.loads(r["healthz"]).get("status") == "ok", f"/healthz {r['healthz']}")
info = json.loads(r["node_info"])["result"]
check(info["data_dir"] == "/var/lib/seedd", f"data_dir {info['data_dir']}")
check(r["state_dir"] == "700 seedd", f"/var/lib/seedd is {r['state_dir']}")
check(r["node_key"] == "600 seedd", f"node.key is {r['node_key']}")
check(json.loads(r["limits_before"])["result"]["upload_limit"] == 0, r["limits_before"])
check(json.loads(r["limits_after"])["result"]["upload_limit"] == 300000, f"after reload: {r['limits_after']}")
check(r["restarts_healthy"] == "0", f"a healthy seedd was restarted {r['restarts_healthy']} times (watchdog pings missing)")
check(r["restarts_hung"] == "1", f"a stopped seedd was restarted {r['restarts_hung']} times, expected 1")
check(int(r["watchdog_log"]) >= 1, "no 'Watchdog timeout' in the journal")
check(r["after_restart"] == "active/running", f"after the watchdog restart seedd is {r['after_restart']}")
check(r["stopped"] == "inactive success 0", f"after systemctl stop: {r['stopped']}")
check(int(r["stop_log"]) >= 1, "seedd did not log its SIGTERM stop")
print("PASS")
PY
