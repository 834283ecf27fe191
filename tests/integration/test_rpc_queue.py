"""The bounded work queue (issue 5, limits): with one RPC worker busy on a slow call
(torrent.create hashing 512 MiB as a hybrid, SHA-1 and SHA-256: v1 alone is too quick), more requests than the queue holds (MAX_QUEUED_REQUESTS, 256)
are answered 503 with a JSON body and Retry-After at once, the queued ones are answered in
turn, and the daemon serves normally afterwards. Methods that only read memory (node.info,
session.stats, torrent.get: `runs_inline`, issue 18) skip the queue: they answer 200 while it is
full. A SIGTERM while a call runs lets it finish (the
engine is stopped only after it), answers the calls still queued 503, and exits cleanly."""
import json
import os
import socket
import threading
import time
import unittest

from harness import Daemon, make_file

MAX_QUEUED_REQUESTS = 256  # rpc/http_server.hpp


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split(b" ")[1]), head.decode() + "\r\n\r\n" + body.decode(errors="replace")


class WorkQueueTest(unittest.TestCase):
    def test_a_full_queue_answers_503_and_nothing_is_lost(self):
        d = Daemon("queue", extra_args=["--rpc-threads=1"]).start()
        self.addCleanup(d.stop)
        src = os.path.join(d.download_dir, "big.bin")
        make_file(src, 512 << 20, seed=5)

        slow = {}
        worker = threading.Thread(target=lambda: slow.update(r=d.call("torrent.create", path=src, version="hybrid")))
        extra = MAX_QUEUED_REQUESTS + 64
        def request(method):
            body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method}).encode()
            return (f"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {d.auth_header()}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body

        socks = [socket.create_connection(("127.0.0.1", d.rpc_port), timeout=60) for _ in range(extra)]
        worker.start()
        time.sleep(0.3)  # the worker is hashing now (512 MiB takes well over a second here)
        for s in socks:
            s.sendall(request("earnings.summary"))  # reads the ledger: a worker's job
        # The queue is full now; what only reads memory is answered on the network thread.
        for method in ("node.info", "session.stats"):
            with socket.create_connection(("127.0.0.1", d.rpc_port), timeout=60) as s:
                s.sendall(request(method))
                status, text = read_response(s)
                self.assertEqual(status, 200, f"{method} while the queue is full: {text}")
        self.assertEqual(slow, {}, "the slow call ended before the inline calls: nothing was shown")
        statuses = []
        for s in socks:
            status, text = read_response(s)
            statuses.append(status)
            if status == 503:
                self.assertIn('"error"', text)
                self.assertIn("Retry-After: 1", text)
                self.assertIn("Content-Type: application/json", text)
            else:
                self.assertEqual(status, 200, text)
            s.close()
        worker.join(120)
        self.assertIn("info_hash", slow.get("r", {}), "the slow call itself was answered")
        refused = statuses.count(503)
        self.assertGreater(refused, 0, "the queue never filled: the slow call was too quick?")
        self.assertLessEqual(statuses.count(200), MAX_QUEUED_REQUESTS + 1)
        self.assertEqual(refused + statuses.count(200), extra)
        # And afterwards the daemon serves as usual.
        self.assertIn("version", d.call("node.info"))

    def test_sigterm_waits_for_the_call_in_progress_and_refuses_the_queued_ones(self):
        d = Daemon("queue", extra_args=["--rpc-threads=1"]).start()
        self.addCleanup(d.stop)
        src = os.path.join(d.download_dir, "big.bin")
        make_file(src, 512 << 20, seed=6)
        slow, queued = {}, {}

        def call_into(out, method, **params):
            try:
                out["r"] = d.call(method, **params)
            except Exception as e:  # noqa: BLE001 - what the call met is what is checked
                out["e"] = e

        creating = threading.Thread(target=call_into, args=(slow, "torrent.create"), kwargs={"path": src, "version": "hybrid"})
        creating.start()
        time.sleep(0.3)  # hashing 512 MiB now, in the only worker
        waiting = threading.Thread(target=call_into, args=(queued, "torrent.list"))
        waiting.start()
        time.sleep(0.2)  # queued behind it
        code, _ = d.terminate(timeout=60)
        creating.join(60)
        waiting.join(60)
        # It used to go on hashing while the engine stopped, then add to a session that was gone.
        self.assertEqual(code, 0, d.read_log())
        self.assertIn("info_hash", slow.get("r", {}), f"the call in progress was answered: {slow}")
        self.assertIn("shutting down", str(queued.get("e")), f"the queued call: {queued}")
        self.assertIn("waiting for 1 RPC calls in progress", d.read_log())
        # What it answered is kept: the new torrent is there, seeding, after a restart.
        d.start()
        info_hash = slow["r"]["info_hash"]
        d.wait_for(lambda: d.torrent(info_hash)["state"] == "seeding", timeout=30, what="the created torrent seeding")


if __name__ == "__main__":
    unittest.main(verbosity=2)
