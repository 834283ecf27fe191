"""seedctl never hangs on a server that does not answer: whether the server takes the
connection and says nothing, answers half a response, or never even accepts the connection, seedctl gives up when --timeout-ms (default 30 s) has passed, exits 3
and says which step timed out. A server that answers late but in time is still heard.

The servers here are plain sockets on 127.0.0.1 (no seedd needed: the point is the client).
A server that never reads the request is not tested: loopback's socket buffers (several MB,
autotuned) take any request seedctl can be given on its command line (ARG_MAX, 2 MiB), so the
send never blocks; that step runs under the same deadline as the others."""
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import harness

# seedctl's documented default (daemon/util/http_client.hpp kDefaultHttpTimeoutMs).
DEFAULT_TIMEOUT_S = 30
# How much later than its deadline seedctl may exit (process start, scheduling on a busy box).
SLACK_S = 5


class Server:
    """A listening socket on 127.0.0.1 whose connections are handled by `behaviour(conn)` in a
    thread each; every connection is kept open until close()."""

    def __init__(self, behaviour, backlog=16):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        self.behaviour = behaviour
        self.conns = []
        self.accepted = threading.Event()
        self.stop = threading.Event()
        if behaviour is not None:
            threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.accepted.set()
            threading.Thread(target=self.behaviour, args=(conn,), daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/rpc"

    def close(self):
        self.stop.set()
        for c in self.conns:
            c.close()
        self.sock.close()


def read_request(conn):
    """Reads one HTTP request (head and Content-Length body); returns it as bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
    while length and len(body) < length[0]:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def silent(conn):
    """Takes the request and never answers."""
    read_request(conn)
    time.sleep(3600)


def half_answer(conn):
    """Answers the head and part of the body, then stalls."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"")
    time.sleep(3600)


def answer_after(delay_s):
    def behaviour(conn):
        read_request(conn)
        time.sleep(delay_s)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"answered": True}}).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body))
    return behaviour


class SeedctlTimeout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A cookie so seedctl gets as far as the network.
        cls.data_dir = tempfile.mkdtemp(prefix="seedctl-timeout-")
        with open(os.path.join(cls.data_dir, ".cookie"), "w") as f:
            f.write("__cookie__:" + "ab" * 32 + "\n")

    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.close()

    def server(self, behaviour, **kw):
        s = Server(behaviour, **kw)
        self.servers.append(s)
        return s

    def seedctl(self, url, *args, timeout_ms=None):
        """Runs seedctl node.info against `url`; returns (process, seconds it took)."""
        cmd = [harness.SEEDCTL, f"--rpc={url}", f"--data-dir={self.data_dir}"]
        if timeout_ms is not None:
            cmd.append(f"--timeout-ms={timeout_ms}")
        cmd += list(args) or ["node.info"]
        t0 = time.monotonic()
        # The subprocess limit is far above seedctl's own: hitting it means seedctl hung.
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=DEFAULT_TIMEOUT_S * 3)
        return p, time.monotonic() - t0

    def assert_timed_out(self, p, took, limit_s, step):
        self.assertEqual(p.returncode, 3, f"stdout: {p.stdout}\nstderr: {p.stderr}")
        self.assertIn("timed out", p.stderr)
        self.assertIn(step, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertGreaterEqual(took, limit_s * 0.95, "seedctl gave up before its deadline")
        self.assertLess(took, limit_s + SLACK_S, "seedctl did not give up at its deadline")

    def test_a_server_that_takes_the_request_and_never_answers(self):
        s = self.server(silent)
        p, took = self.seedctl(s.url, timeout_ms=1500)
        self.assertTrue(s.accepted.is_set())
        self.assert_timed_out(p, took, 1.5, f"waiting for the answer from 127.0.0.1:{s.port}")

    def test_the_default_timeout_is_thirty_seconds(self):
        s = self.server(silent)
        p, took = self.seedctl(s.url)
        self.assert_timed_out(p, took, DEFAULT_TIMEOUT_S, "after 30 s waiting for the answer")

    def test_a_server_that_stalls_half_way_through_its_answer(self):
        s = self.server(half_answer)
        p, took = self.seedctl(s.url, timeout_ms=1500)
        self.assert_timed_out(p, took, 1.5, "waiting for the answer")

    def test_a_server_that_never_accepts(self):
        # A listening socket whose accept queue is full: the kernel drops further SYNs, so
        # connect() neither succeeds nor fails. Fill the queue first with plain connections.
        s = self.server(None, backlog=0)
        fillers = []
        for _ in range(8):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", s.port))
            fillers.append(c)
        try:
            probe = socket.socket()
            probe.settimeout(0.5)
            try:
                probe.connect(("127.0.0.1", s.port))
                self.skipTest("this kernel completed a connect to a full accept queue")
            except socket.timeout:
                pass
            finally:
                probe.close()
            p, took = self.seedctl(s.url, timeout_ms=1500)
            self.assert_timed_out(p, took, 1.5, f"connecting to 127.0.0.1:{s.port}")
        finally:
            for c in fillers:
                c.close()

    def test_a_late_answer_within_the_timeout_is_heard(self):
        s = self.server(answer_after(1.0))
        p, took = self.seedctl(s.url, timeout_ms=5000)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"answered": True})
        self.assertGreaterEqual(took, 1.0)

    def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(self):
        s = self.server(silent)
        for bad in ["0", "-5", "soon", ""]:
            p = subprocess.run([harness.SEEDCTL, f"--rpc={s.url}", f"--data-dir={self.data_dir}",
                                f"--timeout-ms={bad}", "node.info"], capture_output=True, text=True, timeout=10)
            self.assertEqual(p.returncode, 2, f"--timeout-ms={bad}: {p.stderr}")
            self.assertIn("--timeout-ms", p.stderr)
        self.assertFalse(s.accepted.is_set(), "a usage error must not reach the network")


if __name__ == "__main__":
    unittest.main(verbosity=2)
