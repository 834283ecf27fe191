"""Issue 5, the guards and limits in front of the RPC, against a running seedd: Host and
Origin checks even with valid auth, 415, 405, 413 before the body, the auth back-off that
slows one address only, idle connections that do not starve a real request, slow clients cut,
and a non-loopback bind without allow-list and users refused at start."""
import json
import os
import resource
import socket
import subprocess
import time
import unittest

from harness import SEEDD, Daemon, rss_kib

BODY = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "node.info"})


def raw_request(port, request, source="127.0.0.1", timeout=10):
    """Sends bytes, returns (status, whole response) of a one-shot HTTP exchange."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0
    return status, data


class RpcGuards(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("guards").start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def post(self, headers, body=BODY, source="127.0.0.1"):
        h = {"Host": f"127.0.0.1:{self.d.rpc_port}", "Authorization": self.d.auth_header(),
             "Content-Type": "application/json", "Content-Length": str(len(body)), "Connection": "close"}
        h.update(headers)
        req = "POST /rpc HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items() if v is not None) + "\r\n"
        return raw_request(self.d.rpc_port, req.encode() + body.encode(), source=source)

    def test_a_foreign_host_is_refused_even_with_valid_auth(self):
        self.assertEqual(self.post({})[0], 200)
        self.assertEqual(self.post({"Host": "evil.example"})[0], 403)
        self.assertEqual(self.post({"Host": f"evil.example:{self.d.rpc_port}"})[0], 403)
        self.assertEqual(self.post({"Host": f"localhost:{self.d.rpc_port}"})[0], 200)

    def test_a_foreign_origin_is_refused_and_no_wildcard_cors(self):
        status, data = self.post({"Origin": "http://evil.example"})
        self.assertEqual(status, 403)
        status, data = self.post({"Origin": f"http://127.0.0.1:{self.d.rpc_port}"})
        self.assertEqual(status, 200)
        self.assertNotIn(b"access-control-allow-origin: *", data.lower())

    def test_wrong_content_type_is_415_and_other_verbs_405(self):
        self.assertEqual(self.post({"Content-Type": "text/plain"})[0], 415)
        self.assertEqual(self.post({"Content-Type": None})[0], 415)
        status, _ = raw_request(self.d.rpc_port, f"GET /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        self.assertEqual(status, 405)

    def test_a_2_gib_body_is_refused_before_it_is_sent(self):
        req = (f"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {self.d.auth_header()}\r\n"
               "Content-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n").encode()
        t0 = time.monotonic()
        status, _ = raw_request(self.d.rpc_port, req)  # no body byte is sent at all
        self.assertEqual(status, 413)
        self.assertLess(time.monotonic() - t0, 2)

    def test_auth_failures_back_off_one_address_and_not_another(self):
        bad = {"Authorization": self.d.auth_header("__cookie__:wrong")}
        t0 = time.monotonic()
        self.assertEqual(self.post(bad, source="127.0.0.2")[0], 401)
        self.assertGreaterEqual(time.monotonic() - t0, 0.25)
        for _ in range(6):
            self.post(bad, source="127.0.0.2")
        t0 = time.monotonic()
        self.assertEqual(self.post(bad, source="127.0.0.2")[0], 401)
        slowed = time.monotonic() - t0
        self.assertGreaterEqual(slowed, 1.0, "repeated failures were not slowed down")
        # Another address is neither locked out nor slowed beyond the base delay.
        t0 = time.monotonic()
        self.assertEqual(self.post(bad, source="127.0.0.3")[0], 401)
        self.assertLess(time.monotonic() - t0, 0.9)
        self.assertEqual(self.post({}, source="127.0.0.3")[0], 200)
        # And the slowed address gets in with the right credentials.
        self.assertEqual(self.post({}, source="127.0.0.2")[0], 200)

    def test_2000_idle_connections_do_not_starve_a_request(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
        before = rss_kib(self.d.proc.pid)
        idle = []
        try:
            for _ in range(2000):
                idle.append(socket.create_connection(("127.0.0.1", self.d.rpc_port), timeout=5))
            time.sleep(0.5)
            t0 = time.monotonic()
            self.assertEqual(self.post({})[0], 200)
            self.assertLess(time.monotonic() - t0, 1.0)
            grown = rss_kib(self.d.proc.pid) - before
            self.assertLess(grown, 64 * 1024, f"RSS grew {grown} KiB for 2000 idle connections")
        finally:
            for s in idle:
                s.close()

    def test_a_slow_client_is_cut_at_its_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.d.rpc_port), timeout=60)
        try:
            s.sendall(b"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and then nothing
            t0 = time.monotonic()
            s.settimeout(60)
            data = s.recv(1024)
            took = time.monotonic() - t0
            self.assertEqual(data, b"", "the server answered a request that never finished")
            self.assertLess(took, 45, "a slow client held its connection past the timeouts")
        finally:
            s.close()

    def test_a_network_bind_without_allow_list_and_users_refuses_to_start(self):
        d = Daemon("exposed")
        args = [a for a in d.args() if not a.startswith("--rpc-bind")] + ["--rpc-bind=0.0.0.0:0"]
        p = subprocess.run(args, capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("rpc_bind", p.stderr + p.stdout)
        self.assertIn("rpc_allow_ip", p.stderr + p.stdout)
        self.assertFalse(os.path.exists(os.path.join(d.data_dir, ".cookie")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
