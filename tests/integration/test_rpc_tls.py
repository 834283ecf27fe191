"""Native TLS for the RPC (issue 5): with rpc_tls_cert and rpc_tls_key, seedd serves HTTPS (and
WSS) with a self-signed certificate that a client trusts explicitly; plain HTTP on that port
gets no answer; half a TLS setup or a key that does not match refuses to start."""
import base64
import http.client
import json
import os
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import Daemon, read_until_close


def make_certificate(directory, name="seedd"):
    cert, key = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name}",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="seedd-tls-")
        cls.cert, cls.key = make_certificate(cls.tmp)
        cls.d = Daemon("tls", extra_args=[f"--rpc-tls-cert={cls.cert}", f"--rpc-tls-key={cls.key}"]).start(wait=False)
        cls.context = ssl.create_default_context(cafile=cls.cert)
        deadline = time.time() + 20
        while True:
            try:
                cls.https("GET", "/healthz")
                break
            except OSError:
                if time.time() > deadline or cls.d.proc.poll() is not None:
                    raise AssertionError(f"seedd did not serve HTTPS:\n{cls.d.read_log()}")
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    @classmethod
    def https(cls, method, path, body=None, headers=None):
        conn = http.client.HTTPSConnection("127.0.0.1", cls.d.rpc_port, context=cls.context, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def rpc(self, method, credentials=None):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method})
        headers = {"Content-Type": "application/json"}
        if credentials is not False:
            headers["Authorization"] = self.d.auth_header(credentials)
        return self.https("POST", "/rpc", body, headers)

    def test_https_with_the_cookie_answers_and_without_it_is_401(self):
        status, _, body = self.rpc("node.info")
        self.assertEqual(status, 200, body)
        self.assertIn("node_address", json.loads(body)["result"])
        status, headers, _ = self.rpc("node.info", credentials=False)
        self.assertEqual(status, 401)
        self.assertIn("HTTPS", self.d.read_log())

    def test_a_client_that_does_not_trust_the_certificate_is_refused_by_itself(self):
        strict = ssl.create_default_context()  # system CAs only: the self-signed one is unknown
        with socket.create_connection(("127.0.0.1", self.d.rpc_port), timeout=10) as raw:
            with self.assertRaises(ssl.SSLCertVerificationError):
                strict.wrap_socket(raw, server_hostname="127.0.0.1")

    def test_plain_http_on_the_tls_port_gets_no_http_answer(self):
        with socket.create_connection(("127.0.0.1", self.d.rpc_port), timeout=15) as s:
            s.sendall(b"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 2\r\n\r\n{}")
            data = read_until_close(s, 4096)
        self.assertFalse(data.startswith(b"HTTP/"), data[:200])
        status, _, _ = self.https("GET", "/healthz")  # and the server is none the worse
        self.assertEqual(status, 200)

    def test_old_protocols_are_refused(self):
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(self.cert)
        try:
            old.minimum_version = ssl.TLSVersion.TLSv1
            old.maximum_version = ssl.TLSVersion.TLSv1_1
        except ValueError:
            self.skipTest("this Python's OpenSSL cannot even offer TLS 1.1")
        with socket.create_connection(("127.0.0.1", self.d.rpc_port), timeout=10) as raw:
            with self.assertRaises(ssl.SSLError):
                old.wrap_socket(raw, server_hostname="127.0.0.1")

    def test_events_over_wss(self):
        raw = socket.create_connection(("127.0.0.1", self.d.rpc_port), timeout=10)
        s = self.context.wrap_socket(raw, server_hostname="127.0.0.1")
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Authorization: {self.d.auth_header()}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1)
        self.assertTrue(head.startswith(b"HTTP/1.1 101"), head)
        # Something happens: a torrent is added; its event arrives as a text frame.
        src = os.path.join(self.d.download_dir, "wss.bin")
        os.makedirs(self.d.download_dir, exist_ok=True)
        with open(src, "wb") as f:
            f.write(os.urandom(100000))
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "torrent.create", "params": {"path": src}})
        status, _, reply = self.https("POST", "/rpc", body, {"Content-Type": "application/json",
                                                              "Authorization": self.d.auth_header()})
        self.assertEqual(status, 200, reply)
        b0, b1 = s.recv(1)[0], s.recv(1)[0]
        self.assertEqual(b0 & 0x0F, 1)  # text
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(s.recv(2), "big")
        payload = b""
        while len(payload) < n:
            payload += s.recv(n - len(payload))
        event = json.loads(payload)
        self.assertEqual(event["method"], "torrent.added")
        self.assertEqual(event["params"]["name"], "wss.bin")
        self.assertEqual(event["params"]["info_hash"], json.loads(reply)["result"]["info_hash"])
        s.close()


class TlsConfigurationTest(unittest.TestCase):
    def start_fails(self, *args):
        d = Daemon("tls-bad", extra_args=list(args))
        d.start(wait=False)
        try:
            code = d.proc.wait(timeout=20)
        finally:
            d.stop()
        return code, d.read_log()

    def test_half_a_tls_setup_refuses_to_start(self):
        tmp = tempfile.mkdtemp(prefix="seedd-tls-")
        cert, key = make_certificate(tmp)
        code, log = self.start_fails(f"--rpc-tls-cert={cert}")
        self.assertEqual(code, 2, log)
        self.assertIn("rpc_tls_key", log)
        code, log = self.start_fails(f"--rpc-tls-key={key}")
        self.assertEqual(code, 2, log)
        self.assertIn("rpc_tls_cert", log)

    def test_a_key_of_another_certificate_or_a_missing_file_refuses_to_start(self):
        tmp = tempfile.mkdtemp(prefix="seedd-tls-")
        cert, _ = make_certificate(tmp, "one")
        _, other_key = make_certificate(tmp, "two")
        code, log = self.start_fails(f"--rpc-tls-cert={cert}", f"--rpc-tls-key={other_key}")
        self.assertNotEqual(code, 0, log)
        self.assertIn("rpc_tls_key", log)
        self.assertIn("mismatch", log)  # OpenSSL's words, after seedd's naming of the option
        code, log = self.start_fails(f"--rpc-tls-cert={tmp}/missing.crt", f"--rpc-tls-key={other_key}")
        self.assertNotEqual(code, 0, log)
        self.assertIn("rpc_tls_cert", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
