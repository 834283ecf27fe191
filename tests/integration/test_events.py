"""Following the daemon: the /ws WebSocket and events.poll (issue 5, must show 4).

A WebSocket client written here from RFC 6455 (no library: the point is the wire format) gets
torrent.added then torrent.finished in order during a real transfer between two seedd, and
after reconnecting with `since` it gets what it missed. events.poll serves curl users the
same events, waiting when asked to; the seeder publishes receipts.accepted and claim.created."""
import base64
import json
import os
import socket
import struct
import threading
import time
import unittest

from harness import Daemon, make_file


class WebSocket:
    """A minimal RFC 6455 client: text frames, ping/pong, close."""

    def __init__(self, port, path, authorization=None, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                break
            head += chunk
        self.status = int(head.split(b" ", 2)[1]) if head else 0
        self.head = head.decode(errors="replace")

    def _recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def _send_frame(self, opcode, payload=b""):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def recv(self, timeout=30):
        """The next text message as JSON; answers pings on the way. None when closed."""
        self.sock.settimeout(timeout)
        message = b""
        while True:
            try:
                b0, b1 = self._recv_exact(2)
            except ConnectionError:
                return None
            opcode, fin = b0 & 0x0F, b0 & 0x80
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._recv_exact(8))[0]
            if b1 & 0x80:
                raise AssertionError("a server must not mask its frames")
            payload = self._recv_exact(n)
            if opcode == 9:
                self._send_frame(10, payload)
                continue
            if opcode == 8:
                self.close_payload = payload
                return None
            if opcode in (0, 1):
                message += payload
                if fin:
                    return json.loads(message)

    def recv_until(self, predicate, timeout=60):
        """Messages until one satisfies `predicate`; returns them all."""
        got = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.recv(timeout=max(0.1, deadline - time.time()))
            if m is None:
                break
            got.append(m)
            if predicate(m):
                return got
        raise AssertionError(f"no matching message in {timeout}s; got {got!r}")

    def close(self):
        try:
            self._send_frame(8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()


class EventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.seeder = Daemon("seeder").start()
        cls.leecher = Daemon("leecher").start()

    @classmethod
    def tearDownClass(cls):
        cls.leecher.stop()
        cls.seeder.stop()

    def ws(self, daemon, path="/ws", auth=True):
        ws = WebSocket(daemon.rpc_port, path, daemon.auth_header() if auth else None)
        self.addCleanup(ws.close)
        return ws

    def make_torrent(self, name, size, seed):
        src = os.path.join(self.seeder.download_dir, name)
        make_file(src, size, seed=seed)
        return self.seeder.call("torrent.create", path=src)

    def test_1_websocket_sees_added_then_finished_and_catches_up_after_a_reconnect(self):
        made = self.make_torrent("ws.bin", 8 << 20, seed=11)
        ih = made["info_hash"]
        ws = self.ws(self.leecher)
        self.assertEqual(ws.status, 101, ws.head)
        self.leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{self.seeder.bt_port}"])
        got = ws.recv_until(lambda m: m["method"] == "torrent.finished" and m["params"]["info_hash"] == ih)
        mine = [m for m in got if m["params"].get("info_hash") == ih]
        self.assertEqual([m["method"] for m in mine], ["torrent.added", "torrent.finished"], got)
        for m in got:
            self.assertEqual(m["jsonrpc"], "2.0")
            self.assertNotIn("id", m)  # notifications
        seqs = [m["params"]["seq"] for m in got]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), len(seqs))
        last_seen = seqs[-1]
        ws.close()

        # While nobody listens: the torrent goes away, another comes.
        self.leecher.call("torrent.remove", info_hash=ih)
        other = self.make_torrent("ws2.bin", 1 << 20, seed=12)
        self.leecher.call("torrent.add", torrent=other["torrent"], paused=True)

        again = self.ws(self.leecher, f"/ws?since={last_seen}")
        self.assertEqual(again.status, 101, again.head)
        missed = again.recv_until(lambda m: m["method"] == "torrent.added"
                                  and m["params"]["info_hash"] == other["info_hash"], timeout=10)
        self.assertEqual([m["method"] for m in missed], ["torrent.removed", "torrent.added"], missed)
        self.assertEqual(missed[0]["params"]["info_hash"], ih)
        self.assertEqual(missed[0]["params"]["seq"], last_seen + 1)
        self.assertEqual(missed[1]["params"]["seq"], last_seen + 2)

    def test_1b_a_restart_says_session_started_not_added_or_finished_again(self):
        # libtorrent reports every complete torrent it restores as finished; that is no news.
        d = Daemon("restart")
        self.addCleanup(d.stop)
        d.start()
        src = os.path.join(d.download_dir, "again.bin")
        make_file(src, 1 << 20, seed=13)
        ih = d.call("torrent.create", path=src)["info_hash"]
        d.wait_for(lambda: d.torrent(ih)["state"] == "seeding", timeout=10, what="seeding")
        code, _ = d.terminate()
        self.assertEqual(code, 0)
        d.start()
        d.wait_for(lambda: d.torrent(ih)["state"] == "seeding", timeout=10, what="seeding after the restart")
        time.sleep(1.5)  # a finished event would follow within the alert loop's next turns
        events = d.call("events.poll", since=0)["events"]
        names = [(e["method"], e["params"].get("info_hash")) for e in events]
        # Issue 19 item 6: a client that follows events saw this torrent added in the first run;
        # the restart says how many torrents it brought back, once, instead.
        self.assertNotIn(("torrent.added", ih), names)
        self.assertNotIn(("torrent.finished", ih), names)
        self.assertEqual(events[0]["method"], "session.started", events)
        self.assertEqual(events[0]["params"]["torrents"], 1)
        self.assertEqual(events[0]["params"]["seq"], 1)
        self.assertEqual([e["method"] for e in events].count("session.started"), 1)
        # A torrent added after the restart is news again.
        src2 = os.path.join(d.download_dir, "new.bin")
        make_file(src2, 100_000, seed=14)
        ih2 = d.call("torrent.create", path=src2)["info_hash"]
        names = [(e["method"], e["params"].get("info_hash")) for e in d.call("events.poll", since=0)["events"]]
        self.assertIn(("torrent.added", ih2), names)

    def test_2_a_since_that_is_too_old_or_from_another_run_is_told(self):
        ws = self.ws(self.leecher, "/ws?since=999999999")
        self.assertEqual(ws.status, 101, ws.head)
        first = ws.recv(timeout=10)
        self.assertEqual(first["method"], "events.missed", first)
        self.assertEqual(first["params"]["since"], 999999999)
        poll = self.leecher.call("events.poll", since=999999999)
        self.assertTrue(poll["missed"])

    def test_3_the_socket_wants_auth_and_an_upgrade(self):
        ws = WebSocket(self.leecher.rpc_port, "/ws")
        self.assertEqual(ws.status, 401, ws.head)
        self.assertIn("WWW-Authenticate", ws.head)
        ws.sock.close()
        status, _, _ = self.leecher.request("GET", "/ws", headers={"Authorization": self.leecher.auth_header()})
        self.assertEqual(status, 426)
        bad = WebSocket(self.leecher.rpc_port, "/ws?since=abc", self.leecher.auth_header())
        self.assertEqual(bad.status, 400, bad.head)
        bad.sock.close()

    def test_4_events_poll_answers_at_once_waits_when_asked_and_times_out(self):
        last = self.leecher.call("events.poll")
        self.assertEqual(last["events"], [])
        since = last["next"]
        self.assertEqual(since, last["last"])

        # Nothing happens: the wait ends at the timeout with nothing.
        t0 = time.time()
        empty = self.leecher.call("events.poll", since=since, timeout_ms=700)
        took = time.time() - t0
        self.assertEqual(empty["events"], [])
        self.assertGreaterEqual(took, 0.65)
        self.assertLess(took, 10)

        # Something happens during the wait: the answer comes with it, long before the timeout.
        made = self.make_torrent("poll.bin", 1 << 20, seed=13)
        threading.Timer(0.5, lambda: self.leecher.call("torrent.add", torrent=made["torrent"], paused=True)).start()
        t0 = time.time()
        got = self.leecher.call("events.poll", since=since, timeout_ms=30000)
        took = time.time() - t0
        self.assertLess(took, 20)
        self.assertEqual([e["method"] for e in got["events"]], ["torrent.added"])
        self.assertEqual(got["events"][0]["params"]["info_hash"], made["info_hash"])
        self.assertEqual(got["events"][0]["params"]["name"], "poll.bin")
        self.assertEqual(got["next"], got["events"][0]["params"]["seq"])

        # A batch never waits.
        t0 = time.time()
        status, replies = self.leecher.rpc_raw([
            {"jsonrpc": "2.0", "id": 1, "method": "events.poll", "params": {"since": got["next"], "timeout_ms": 5000}},
            {"jsonrpc": "2.0", "id": 2, "method": "node.info"}])
        self.assertEqual(status, 200)
        self.assertLess(time.time() - t0, 4)
        self.assertEqual(replies[0]["result"]["events"], [])

        # Bad params are named.
        for params, name in (({"timeout_ms": 60001}, "timeout_ms"), ({"timeout_ms": -1}, "timeout_ms"),
                             ({"limit": 0}, "limit"), ({"since": "x"}, "since")):
            status, reply = self.leecher.rpc_raw({"jsonrpc": "2.0", "id": 1, "method": "events.poll", "params": params})
            self.assertEqual(reply["error"]["code"], -32602, reply)
            self.assertIn(name, reply["error"]["message"])

    def test_5_many_long_polls_wait_without_holding_workers(self):
        # More waiting polls than RPC threads: other calls still answer at once.
        since = self.leecher.call("events.poll")["next"]
        results = []

        def wait():
            results.append(self.leecher.call("events.poll", since=since, timeout_ms=4000))

        threads = [threading.Thread(target=wait) for _ in range(16)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        t0 = time.time()
        self.leecher.call("node.info")
        self.assertLess(time.time() - t0, 1.0)
        for t in threads:
            t.join(20)
        self.assertEqual(len(results), 16)

    def test_6_the_seeder_publishes_receipts_and_claims(self):
        since = self.seeder.call("events.poll")["next"]
        made = self.make_torrent("paid.bin", 6 << 20, seed=14)
        self.leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{self.seeder.bt_port}"])
        receipts = []

        def got_receipts():
            nonlocal since
            r = self.seeder.call("events.poll", since=since, timeout_ms=2000)
            since = r["next"]
            receipts.extend(e for e in r["events"] if e["method"] == "receipts.accepted")
            total = sum(int(t["verified_bytes"]) for e in receipts for t in e["params"]["torrents"]
                        if t["info_hash"] == made["info_hash"])
            return total if total >= (6 << 20) else None

        total = self.seeder.wait_for(got_receipts, timeout=60, interval=0, what="receipts.accepted to cover the torrent")
        self.assertLessEqual(total, 6 << 20)
        for e in receipts:
            self.assertGreater(e["params"]["receipts"], 0)
            self.assertEqual(int(e["params"]["verified_bytes"]),
                             sum(int(t["verified_bytes"]) for t in e["params"]["torrents"]))
        # At most one aggregate a second.
        times = [e["params"]["time"] for e in receipts]
        for a, b in zip(times, times[1:]):
            self.assertGreaterEqual(b - a, 900)

        claim = self.seeder.call("rewards.claim")
        r = self.seeder.call("events.poll", since=since, timeout_ms=5000)
        created = [e for e in r["events"] if e["method"] == "claim.created"]
        self.assertEqual(len(created), 1, r)
        self.assertEqual(str(created[0]["params"]["nonce"]), str(claim["nonce"]))
        self.assertEqual(created[0]["params"]["amount"], claim["claim"]["amount"])
        self.assertTrue(os.path.exists(created[0]["params"]["file"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
