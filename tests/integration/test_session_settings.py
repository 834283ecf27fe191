"""session.get / session.set and the runtime switches (issue 7): every runtime setting changes
live through session.set (and seedctl set) and through SIGHUP, and session.get reads it back
from libtorrent's live settings; bad values get -32602 naming the param and change nothing;
a change is for the running process only (a SIGHUP brings back the configured values); the
proxy password never shows.

DHT, LSD, UPnP and NAT-PMP really are switched on here, so the whole test runs in a network
namespace of its own (unshare -rn) where only the loopback interface exists: nothing they send
can leave the machine."""
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import unittest

NETNS_MARK = "SEEDD_TEST_IN_NETNS"


def enter_private_netns():
    """Re-runs this script in a new user+network namespace with only `lo` (brought up here),
    unless it already runs in one."""
    if os.environ.get(NETNS_MARK) == "1":
        siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            ifreq = struct.pack("16sh14s", b"lo", 0, b"")
            flags = struct.unpack("16sh14s", fcntl.ioctl(s, siocgifflags, ifreq))[1]
            fcntl.ioctl(s, siocsifflags, struct.pack("16sh14s", b"lo", flags | iff_up, b""))
        return
    env = dict(os.environ, **{NETNS_MARK: "1"})
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit(f"FAIL: cannot make a private network namespace (unshare -rn): {probe.stderr.strip()}; "
                 "this test switches DHT/LSD/UPnP/NAT-PMP on and must not do that on a real network")
    os.execvpe("unshare", ["unshare", "-rn", sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)


enter_private_netns()

from harness import SEEDD, Daemon  # noqa: E402

SWITCHES = ("dht", "lsd", "upnp", "natpmp")


class ConfDaemon(Daemon):
    """A daemon whose switches come from its config file (the harness sets them on the command
    line, which would win over the file)."""

    def __init__(self, conf_path, **kw):
        super().__init__(**kw)
        self.conf_path = conf_path

    def args(self):
        return [SEEDD, f"--config={self.conf_path}", f"--data-dir={self.data_dir}",
                f"--download-dir={self.download_dir}", f"--listen=127.0.0.1:{self.bt_port}",
                f"--rpc-bind=127.0.0.1:{self.rpc_port}", "--utp=false", "--log-level=debug"]


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


class SessionSettings(unittest.TestCase):
    def setUp(self):
        # Only loopback here: whatever the switches send stays in this namespace.
        self.assertEqual([name for _, name in socket.if_nameindex()], ["lo"])
        self.base = __import__("tempfile").mkdtemp(prefix="seedd-session-")
        self.conf = os.path.join(self.base, "seedd.conf")
        write(self.conf, "".join(f"{k} = false\n" for k in SWITCHES) + "upload_limit = 300KiB\n")
        self.d = ConfDaemon(self.conf, name="session", base_dir=self.base).start()

    def tearDown(self):
        self.d.stop()

    def log(self):
        with open(self.d.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def hup(self, predicate, what):
        before = len(self.log())
        self.d.proc.send_signal(signal.SIGHUP)
        self.d.wait_for(lambda: "SIGHUP: re-read" in self.log()[before:] and predicate(self.d.call("session.get")),
                        timeout=15, what=what)
        return self.log()[before:]

    def test_get_set_and_sighup(self):
        d = self.d
        s = d.call("session.get")
        self.assertEqual({k: s[k] for k in SWITCHES}, {k: False for k in SWITCHES})
        self.assertEqual((s["upload_limit"], s["download_limit"], s["upload_slots"], s["rate_limit_lan"]),
                         (300 * 1024, 0, 8, False))
        self.assertEqual((s["encryption"], s["proxy"], s["ip_filter"], s["ip_filter_rules"]), ("enabled", "", "", 0))

        # The switches, live, through session.set: on, then off again.
        on = d.call("session.set", **{k: True for k in SWITCHES})
        self.assertEqual({k: on[k] for k in SWITCHES}, {k: True for k in SWITCHES})
        self.assertEqual({k: d.call("session.get")[k] for k in SWITCHES}, {k: True for k in SWITCHES})
        off = d.call("session.set", dht=False, lsd=False, upnp=False, natpmp=False)
        self.assertEqual({k: off[k] for k in SWITCHES}, {k: False for k in SWITCHES})

        # And through SIGHUP, from the config file: applied, not "until restart".
        write(self.conf, "".join(f"{k} = true\n" for k in SWITCHES) + "upload_limit = 300KiB\n")
        log = self.hup(lambda s: all(s[k] for k in SWITCHES), "the switches on after SIGHUP")
        self.assertNotIn("not applied until seedd restarts", log)
        write(self.conf, "".join(f"{k} = false\n" for k in SWITCHES) + "upload_limit = 300KiB\n")
        self.hup(lambda s: not any(s[k] for k in SWITCHES), "the switches off after SIGHUP")

        # Every other runtime setting, at once; bytes take suffixes.
        s = d.call("session.set", upload_limit="2MiB", download_limit=123456, max_connections=321,
                   upload_slots=0, rate_limit_lan=True, encryption="forced", log_level="warn",
                   vanilla_peers="throttle", vanilla_upload_limit="64KiB", credit_window="8MiB",
                   proxy="socks5://bob:hunter2@127.0.0.1:1080")
        expected = {"upload_limit": 2 << 20, "download_limit": 123456, "max_connections": 321, "upload_slots": 0,
                    "rate_limit_lan": True, "encryption": "forced", "log_level": "warn",
                    "vanilla_peers": "throttle", "vanilla_upload_limit": 64 << 10, "credit_window": 8 << 20,
                    "proxy": "socks5://bob:********@127.0.0.1:1080"}
        self.assertEqual({k: s[k] for k in expected}, expected)
        self.assertEqual({k: d.call("session.get")[k] for k in expected}, expected)
        d.call("session.set", log_level="debug")

        # Bad values: -32602 naming the param, and nothing of the call applied.
        for params, name in [(dict(upload_limit="lots"), "upload_limit"), (dict(encryption="sometimes"), "encryption"),
                             (dict(max_connections=1), "max_connections"), (dict(dht="yes"), "dht"),
                             (dict(upload_slots=-2), "upload_slots"), (dict(proxy="http://x:1"), "proxy"),
                             (dict(upload_limit=[1]), "upload_limit"), (dict(listen="127.0.0.1:1"), "listen"),
                             (dict(download_limit=1000, log_level="loud"), "log_level"), ({}, "session.set")]:
            err = d.call_error("session.set", **params)
            self.assertEqual(err.code, -32602, params)
            self.assertIn(name, err.message, params)
        self.assertEqual(d.call("session.get")["download_limit"], 123456, "a refused call changed something")
        err = d.call_error("session.set", proxy="socks5://bob:s3cr3t@nowhere")
        self.assertNotIn("s3cr3t", err.message)

        # seedctl session / set.
        p = d.seedctl("session")
        self.assertRegex(p.stdout, r"(?m)^upload_limit\s+2097152$")
        p = d.seedctl("set", "upload-limit=1MiB", "dht=true", "encryption=disabled")
        self.assertRegex(p.stdout, r"(?m)^upload_limit\s+1048576$")
        self.assertRegex(p.stdout, r"(?m)^dht\s+true$")
        self.assertRegex(p.stdout, r"(?m)^encryption\s+disabled$")
        p = d.seedctl("set", "upload_limit=lots", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("upload_limit", p.stderr)
        self.assertEqual(d.seedctl("set", "nokey", check=False).returncode, 2)
        self.assertEqual(d.call("session.get")["upload_limit"], 1 << 20)

        # The change was for this process only: the config file is untouched, and a SIGHUP
        # brings back what the file and the command line say.
        with open(self.conf) as f:
            self.assertNotIn("1MiB", f.read())
        self.hup(lambda s: s["upload_limit"] == 300 * 1024, "the configured upload limit back")
        s = d.call("session.get")
        self.assertEqual((s["dht"], s["encryption"], s["proxy"], s["rate_limit_lan"], s["max_connections"]),
                         (False, "enabled", "", False, 500))

        # The proxy password never reached the log.
        self.assertNotIn("hunter2", self.log())

    def test_completion_of_set(self):
        # scripts/seedctl.bash-completion, driven as bash drives it (COMP_WORDS split at '=').
        src = os.path.join(os.environ.get("SEEDD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                           "scripts", "seedctl.bash-completion")

        def complete(*words):
            quoted = " ".join("'" + w + "'" for w in words)
            script = (f'source "{src}"; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=(); '
                      '_seedctl; printf "%s\\n" "${COMPREPLY[@]}"')
            p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            return sorted(l for l in p.stdout.splitlines() if l)

        self.assertIn("session", complete("seedctl", "se"))
        self.assertIn("set", complete("seedctl", "se"))
        self.assertEqual(complete("seedctl", "set", "up"), ["upload_limit=", "upload_slots=", "upnp="])
        self.assertEqual(complete("seedctl", "set", "encryption", "=", ""), ["disabled", "enabled", "forced"])
        self.assertEqual(complete("seedctl", "set", "dht=true", "rate_limit_lan", "=", "t"), ["true"])


if __name__ == "__main__":
    unittest.main()
