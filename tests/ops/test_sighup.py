"""SIGHUP re-reads seedd.conf with the same command line and environment, applies what can
change while running (upload_limit, download_limit, max_connections, log_level), logs every
changed option it did not apply, and keeps the old settings when the file no longer loads.
session.get reads the values back from libtorrent's live settings."""
import hashlib
import hmac
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import SEEDD, Daemon  # noqa: E402


class ConfiguredDaemon(Daemon):
    """A daemon whose log_level comes from its config file (the harness sets it on the command
    line, which would win over the file), with an rpc_auth secret on the command line: load()
    blanks it in argv, so a reload that reused the blanked argv would fail."""

    def __init__(self, conf_path, **kw):
        super().__init__(**kw)
        self.conf_path = conf_path
        salt = "c0ffee"
        mac = hmac.new(salt.encode(), b"secret-password", hashlib.sha256).hexdigest()
        self.auth_entry = f"alice:{salt}${mac}"

    def args(self):
        return [SEEDD, f"--config={self.conf_path}", f"--data-dir={self.data_dir}",
                f"--download-dir={self.download_dir}", f"--listen=127.0.0.1:{self.bt_port}",
                f"--rpc-bind=127.0.0.1:{self.rpc_port}", "--dht=false", "--lsd=false",
                "--upnp=false", "--natpmp=false", "--max-connections=77",
                f"--rpc-auth={self.auth_entry}"]


def write_conf(path, text):
    with open(path, "w") as f:
        f.write(text)


def hup_and_wait(d, predicate, what, log_mark):
    """Sends SIGHUP and waits for `predicate(session.get)`; returns the log written after."""
    before = len(d.read_full_log())
    d.proc.send_signal(signal.SIGHUP)
    d.wait_for(lambda: predicate(d.call("session.get")) and "SIGHUP" in d.read_full_log()[before:]
               and log_mark in d.read_full_log()[before:], timeout=15, what=what)
    return d.read_full_log()[before:]


def main():
    d = None
    base = None
    try:
        import tempfile
        base = tempfile.mkdtemp(prefix="seedd-sighup-")
        conf = os.path.join(base, "seedd.conf")
        write_conf(conf, "upload_limit = 100KiB\ndownload_limit = 2MiB\nmax_connections = 99\n"
                         "log_level = info\nrpc_threads = 2\n")
        d = ConfiguredDaemon(conf, name="sighup", base_dir=base)
        d.read_full_log = lambda: open(d.log_path, "rb").read().decode(errors="replace")
        d.start()
        # The command line wins over the file for max_connections.
        s = d.call("session.get")
        want = {"upload_limit": 102400, "download_limit": 2097152, "max_connections": 77,
                "log_level": "info", "vanilla_peers": "serve", "vanilla_upload_limit": 0,
                "credit_window": 16 << 20}
        assert {k: s[k] for k in want} == want, s
        # The secret was blanked in the running process's argv (what ps shows).
        with open(f"/proc/{d.proc.pid}/cmdline", "rb") as f:
            cmdline = f.read().decode(errors="replace")
        assert d.auth_entry not in cmdline, "rpc_auth still visible in /proc/PID/cmdline"

        # Change the runtime options and one that needs a restart; max_connections in the file
        # changes too, but the command line still wins after the reload.
        write_conf(conf, "upload_limit = 250000\ndownload_limit = 0\nmax_connections = 120\n"
                         "log_level = warn\nrpc_threads = 3\nvanilla_peers = throttle\n"
                         "vanilla_upload_limit = 64KiB\ncredit_window = 4MiB\n")
        log = hup_and_wait(d, lambda s: s["upload_limit"] == 250000, "the new upload limit",
                           "rpc_threads")
        s = d.call("session.get")
        want = {"upload_limit": 250000, "download_limit": 0, "max_connections": 77,
                "log_level": "warn", "vanilla_peers": "throttle", "vanilla_upload_limit": 65536,
                "credit_window": 4 << 20}
        assert {k: s[k] for k in want} == want, s
        assert "option 'rpc_threads' changed to '3' but is not applied until seedd restarts" in log, log
        assert "max_connections" not in log, log  # unchanged: the command line still says 77

        # A file that no longer loads changes nothing, and seedd keeps running.
        write_conf(conf, "upload_limit = lots\n")
        before = len(d.read_full_log())
        d.proc.send_signal(signal.SIGHUP)
        d.wait_for(lambda: "configuration not reloaded" in d.read_full_log()[before:], timeout=15,
                   what="the reload error")
        log = d.read_full_log()[before:]
        assert "upload_limit" in log and "lots" in log, log
        assert d.proc.poll() is None, "seedd exited on a bad config file at SIGHUP"
        s = d.call("session.get")
        assert s["upload_limit"] == 250000 and s["log_level"] == "warn", s

        # Back to a good file: applied again (log_level back to info, so the log shows it).
        write_conf(conf, "upload_limit = 1MiB\nlog_level = info\n")
        hup_and_wait(d, lambda s: s["upload_limit"] == 1048576 and s["log_level"] == "info",
                     "upload limit 1 MiB", "upload_limit")
        code, _ = d.terminate()
        assert code == 0, code
    finally:
        if d:
            d.stop()
    print("PASS")


if __name__ == "__main__":
    main()
