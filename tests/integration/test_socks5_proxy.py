"""Issue 7: the proxy option sends peer connections through a SOCKS5 proxy. A small SOCKS5
server (RFC 1928 CONNECT with RFC 1929 user/password) runs in this test on 127.0.0.1 and
counts what goes through it: a seedd leecher with proxy=socks5://user:pass@... downloads the
whole file from a seeder it reaches only through the proxy; the proxy saw the CONNECT to the
seeder's port and relayed at least the file's size. A wrong password gets no connection and no
data. The password never shows in --print-config, session.get, the log or /proc/PID/cmdline."""
import os
import socket
import struct
import subprocess
import threading
import time
import unittest

from harness import SEEDD, DaemonTestCase, sha256_file

SIZE = 8 * 1024 * 1024
USER, PASSWORD = "seedd", "pr0xy-s3cret"


class Socks5Proxy:
    """A threaded SOCKS5 proxy on 127.0.0.1 that requires user/password auth."""

    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()
        self.lock = threading.Lock()
        self.connects = []        # (host, port) of every CONNECT it carried out
        self.auth_failures = 0
        self.other_commands = []  # e.g. UDP ASSOCIATE (3), refused
        self.relayed_to_client = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    @staticmethod
    def recv_exact(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def serve(self, conn):
        try:
            ver, nmethods = self.recv_exact(conn, 2)
            methods = self.recv_exact(conn, nmethods)
            if ver != 5 or 2 not in methods:
                conn.sendall(b"\x05\xff")
                return
            conn.sendall(b"\x05\x02")
            _, ulen = self.recv_exact(conn, 2)
            user = self.recv_exact(conn, ulen)
            plen = self.recv_exact(conn, 1)[0]
            password = self.recv_exact(conn, plen)
            if (user, password) != (self.user, self.password):
                with self.lock:
                    self.auth_failures += 1
                conn.sendall(b"\x01\x01")
                return
            conn.sendall(b"\x01\x00")
            ver, cmd, _, atyp = self.recv_exact(conn, 4)
            if atyp == 1:
                host = socket.inet_ntop(socket.AF_INET, self.recv_exact(conn, 4))
            elif atyp == 4:
                host = socket.inet_ntop(socket.AF_INET6, self.recv_exact(conn, 16))
            else:
                host = self.recv_exact(conn, self.recv_exact(conn, 1)[0]).decode()
            port = struct.unpack(">H", self.recv_exact(conn, 2))[0]
            if cmd != 1:
                with self.lock:
                    self.other_commands.append(cmd)
                conn.sendall(b"\x05\x07\x00\x01" + b"\x00" * 6)  # command not supported
                return
            try:
                upstream = socket.create_connection((host, port), timeout=10)
            except OSError:
                conn.sendall(b"\x05\x05\x00\x01" + b"\x00" * 6)  # connection refused
                return
            upstream.settimeout(None)
            with self.lock:
                self.connects.append((host, port))
            bound = upstream.getsockname()
            conn.sendall(b"\x05\x00\x00\x01" + socket.inet_aton(bound[0]) + struct.pack(">H", bound[1]))
            other = threading.Thread(target=self.pump, args=(conn, upstream, False), daemon=True)
            other.start()
            self.pump(upstream, conn, True)
            other.join(10)
            upstream.close()
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            conn.close()

    def pump(self, src, dst, to_client):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
                if to_client:
                    with self.lock:
                        self.relayed_to_client += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


class Socks5(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.proxy = Socks5Proxy(USER, PASSWORD)

    def tearDown(self):
        super().tearDown()
        self.proxy.close()

    def test_peer_connections_go_through_the_proxy(self):
        seeder = self.daemon("seeder")
        made, src = self.seed(seeder, SIZE, 41)
        ih = made["info_hash"]

        url = f"socks5://{USER}:{PASSWORD}@127.0.0.1:{self.proxy.port}"
        leecher = self.daemon("proxied", f"--proxy={url}")
        self.assertEqual(leecher.call("session.get")["proxy"], f"socks5://{USER}:********@127.0.0.1:{self.proxy.port}")
        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=60, what="the proxied download")
        self.assertEqual(sha256_file(os.path.join(leecher.download_dir, "payload.bin")), sha256_file(src))
        print(f"proxy: CONNECTs {self.proxy.connects}, {self.proxy.relayed_to_client} bytes to the client, "
              f"other commands {self.proxy.other_commands}")
        self.assertIn(("127.0.0.1", seeder.bt_port), self.proxy.connects)
        self.assertGreaterEqual(self.proxy.relayed_to_client, SIZE, "the payload did not come through the proxy")
        self.assertEqual(self.proxy.auth_failures, 0)

        # The password shows nowhere.
        with open(f"/proc/{leecher.proc.pid}/cmdline", "rb") as f:
            self.assertNotIn(PASSWORD.encode(), f.read())
        with open(leecher.log_path, "rb") as f:
            self.assertNotIn(PASSWORD.encode(), f.read())
        printed = subprocess.run([SEEDD, f"--proxy={url}", "--print-config"], capture_output=True, text=True,
                                 env=dict(os.environ, HOME=leecher.base), timeout=30)
        self.assertEqual(printed.returncode, 0, printed.stderr)
        self.assertRegex(printed.stdout, r"(?m)^proxy = \*+")
        self.assertNotIn(PASSWORD, printed.stdout)

    def test_wrong_password_gets_nothing(self):
        seeder = self.daemon("seeder2")
        made, _ = self.seed(seeder, SIZE, 42)
        ih = made["info_hash"]
        leecher = self.daemon("wrong-password", f"--proxy=socks5://{USER}:nope@127.0.0.1:{self.proxy.port}")
        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: self.proxy.auth_failures > 0, timeout=20, what="the proxy to refuse the password")
        time.sleep(3)
        self.assertEqual(self.proxy.connects, [])
        self.assertEqual(int(leecher.torrent(ih)["downloaded_bytes"]), 0)
        self.assertEqual(int(seeder.torrent(ih)["uploaded_bytes"]), 0)


if __name__ == "__main__":
    unittest.main()
