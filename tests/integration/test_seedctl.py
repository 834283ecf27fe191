"""seedctl against a real seedd on 127.0.0.1: it finds the cookie by itself, prints results,
tables and errors, sends key=value and key:=JSON params, and keeps its exit codes (0 ok,
1 the daemon answered with an error, 2 usage, 3 no connection or refused). A password given
on its command line does not show in /proc/<pid>/cmdline."""
import hashlib
import hmac
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import harness
from harness import Daemon, free_port, make_file

ZEROS = "0" * 40
USER, PASSWORD, SALT = "alice", "correct horse", "5a17"


def rpc_auth_entry(user, password, salt):
    return f"{user}:{salt}${hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()}"


class Seedctl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("seedctl", extra_args=[f"--rpc-auth={rpc_auth_entry(USER, PASSWORD, SALT)}"]).start()
        cls.made = []
        for name, size in [("alpha.bin", 40_000), ("a-rather-long-file-name-for-the-table.bin", 70_000)]:
            make_file(os.path.join(cls.d.download_dir, name), size, seed=len(name))
            cls.made.append((name, cls.d.call("torrent.create", path=name)["info_hash"]))

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def ctl(self, *args, **kw):
        return self.d.seedctl(*args, check=False, **kw)

    def assert_exit(self, p, code):
        self.assertEqual(p.returncode, code, f"stdout: {p.stdout}\nstderr: {p.stderr}")

    def test_node_info_reads_the_cookie_by_itself(self):
        p = self.ctl("node.info")
        self.assert_exit(p, 0)
        info = json.loads(p.stdout)
        self.assertEqual(info["node_address"], self.d.call("node.info")["node_address"])
        self.assertRegex(info["node_address"], "^0x[0-9a-fA-F]{40}$")
        # The cookie comes from SEEDD_DATA_DIR (or --data-dir): one without a cookie cannot call.
        empty = tempfile.mkdtemp(prefix="seedctl-nocookie-")
        p = self.ctl("node.info", extra_env={"SEEDD_DATA_DIR": empty})
        self.assert_exit(p, 3)
        self.assertIn(".cookie", p.stderr)
        p = self.ctl(f"--data-dir={empty}", "node.info")
        self.assert_exit(p, 3)
        p = self.ctl(f"--data-dir={self.d.data_dir}", "node.info", extra_env={"SEEDD_DATA_DIR": empty})
        self.assert_exit(p, 0)

    def test_rpc_error_exits_1_with_the_message_on_stderr(self):
        p = self.ctl("torrent.get", f"info_hash={ZEROS}")
        self.assert_exit(p, 1)
        self.assertEqual(p.stdout, "")
        self.assertIn("no torrent " + ZEROS, p.stderr)
        self.assertIn("-32001", p.stderr)
        p = self.ctl("torrent.get", "info_hash=12x")
        self.assert_exit(p, 1)
        self.assertIn("info_hash", p.stderr)
        self.assertIn("-32602", p.stderr)
        # A hex prefix is looked up as the named commands do (issue 19 item 10).
        p = self.ctl("torrent.get", "info_hash=123")
        self.assert_exit(p, 1)
        self.assertIn("no torrent has an info-hash starting with 123", p.stderr)
        p = self.ctl("no.such_method")
        self.assert_exit(p, 1)
        self.assertIn("-32601", p.stderr)

    def test_get_of_an_existing_torrent(self):
        name, ih = self.made[0]
        p = self.ctl("torrent.get", f"info_hash={ih}")
        self.assert_exit(p, 0)
        t = json.loads(p.stdout)
        self.assertEqual((t["info_hash"], t["name"]), (ih, name))

    def test_list_prints_a_table(self):
        p = self.ctl("list")
        self.assert_exit(p, 0)
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        self.assertEqual(lines[0].split()[:3], ["HASH", "NAME", "STATE"])
        for column in ["DONE", "UPLOADED"]:
            self.assertIn(column, lines[0])
        rows = lines[1:]
        self.assertEqual(len(rows), len(self.made), p.stdout)
        for name, ih in self.made:
            row = [r for r in rows if r.startswith(ih[:8])]
            self.assertEqual(len(row), 1, f"no single row for {ih}:\n{p.stdout}")
            self.assertIn(name[:20], row[0])
            self.assertIn("100.0%", row[0])

    def test_json_list(self):
        p = self.ctl("--json", "list")
        self.assert_exit(p, 0)
        torrents = json.loads(p.stdout)["torrents"]
        self.assertEqual(sorted(t["info_hash"] for t in torrents), sorted(ih for _, ih in self.made))
        self.assertEqual(json.loads(self.ctl("list", "--json").stdout)["torrents"], torrents)

    def test_raw_json_params(self):
        p = self.ctl("torrent.list", 'fields:=["name"]')
        self.assert_exit(p, 0)
        torrents = json.loads(p.stdout)["torrents"]
        self.assertEqual(len(torrents), len(self.made))
        for t in torrents:
            self.assertEqual(set(t), {"info_hash", "name"})
        # key:= sends the JSON as it is: a number stays a number and is refused as an info-hash;
        # key= sends 40 digits as a string.
        p = self.ctl("torrent.get", "info_hash:=1234")
        self.assert_exit(p, 1)
        self.assertIn("got 1234", p.stderr)
        p = self.ctl("torrent.get", f'info_hash:="{self.made[0][1]}"')
        self.assert_exit(p, 0)
        self.assertEqual(json.loads(p.stdout)["info_hash"], self.made[0][1])
        p = self.ctl("torrent.list", 'fields:=["name"')
        self.assert_exit(p, 2)
        self.assertIn("not valid JSON", p.stderr)

    def test_unknown_command_and_bad_usage_exit_2(self):
        for args in [("frobnicate",), (), ("--no-such-option", "node.info"), ("node.info", "not-key-value")]:
            with self.subTest(args=args):
                p = self.ctl(*args)
                self.assert_exit(p, 2)
                self.assertEqual(p.stdout, "")
                self.assertTrue(p.stderr)
        self.assertIn("frobnicate", self.ctl("frobnicate").stderr)

    def test_no_daemon_exits_3(self):
        port = free_port()  # nothing listens there
        p = self.ctl(f"--rpc=http://127.0.0.1:{port}/rpc", "node.info")
        self.assert_exit(p, 3)
        self.assertIn(str(port), p.stderr)
        p = self.ctl("node.info", extra_env={"SEEDD_RPC_URL": f"http://127.0.0.1:{port}/rpc"})
        self.assert_exit(p, 3)

    def test_user_and_password(self):
        p = self.ctl(f"--user={USER}", f"--password={PASSWORD}", "node.info")
        self.assert_exit(p, 0)
        self.assertIn("node_address", json.loads(p.stdout))
        p = self.ctl("--user", USER, "--password", PASSWORD, "node.info")
        self.assert_exit(p, 0)
        for user, password in [(USER, PASSWORD + "x"), (USER, ""), ("mallory", PASSWORD)]:
            with self.subTest(user=user, password=password):
                p = self.ctl(f"--user={user}", f"--password={password}", "node.info")
                self.assert_exit(p, 3)
                self.assertIn("401", p.stderr)
                self.assertEqual(p.stdout, "")


class SilentServer:
    """Accepts connections on 127.0.0.1 and reads, but never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.conns = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            while True:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
                threading.Thread(target=self.drain, args=(conn,), daemon=True).start()
        except OSError:
            pass

    def drain(self, conn):
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                self.received += chunk
        except OSError:
            pass

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


class PasswordNotInCmdline(unittest.TestCase):
    def cmdline_while_waiting(self, *args):
        server = SilentServer()
        self.addCleanup(server.close)
        env = dict(os.environ, SEEDD_DATA_DIR=tempfile.mkdtemp(prefix="seedctl-cmdline-"))
        p = subprocess.Popen([harness.SEEDCTL, f"--rpc=http://127.0.0.1:{server.port}/rpc", *args, "node.info"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            deadline = time.time() + 20
            # Once the request has arrived, seedctl is past its argument handling and waits.
            while b"\r\n\r\n" not in server.received and time.time() < deadline:
                if p.poll() is not None:
                    self.fail(f"seedctl exited early ({p.returncode}): {p.stderr.read()!r}")
                time.sleep(0.02)
            self.assertIn(b"node.info", server.received, "seedctl never sent its request")
            with open(f"/proc/{p.pid}/cmdline", "rb") as f:
                cmdline = f.read()
            self.assertIsNone(p.poll(), "seedctl did not wait for the answer")
            return cmdline, server.received
        finally:
            p.kill()
            p.wait()
            p.stdout.close()
            p.stderr.close()

    def test_password_is_blanked(self):
        for args in [("--user=alice", "--password=secret"), ("--user", "alice", "--password", "secret")]:
            with self.subTest(args=args):
                cmdline, request = self.cmdline_while_waiting(*args)
                self.assertIn(b"alice", cmdline, "read the wrong process")
                self.assertIn(b"--password", cmdline)
                self.assertNotIn(b"secret", cmdline)
                # The real password still went out (Basic alice:secret).
                self.assertIn(b"Authorization: Basic YWxpY2U6c2VjcmV0", request)


if __name__ == "__main__":
    unittest.main(verbosity=2)
