"""Issue 18, item 3: the requests one peer may have queued with the seeder (libtorrent's
max_allowed_in_request_queue, advertised as `reqq` in the extended handshake) are 1,000 blocks.
A deeper queue cost CPU for every block seeded (docs/benchmarks.md, "CPU per byte seeded");
this pins the limit and that a peer using all of it is served every block."""
import base64
import os
import socket
import time
import unittest

import btpeer
from harness import Daemon, make_file

MiB = 1024 * 1024
REQUEST_QUEUE_BLOCKS = 1000  # kPeerRequestQueueBlocks in daemon/engine/engine.cpp


class RequestQueue(unittest.TestCase):
    def setUp(self):
        self.seeder = Daemon("seeder").start()
        self.peer = None

    def tearDown(self):
        if self.peer:
            self.peer.close()
        self.seeder.stop()

    def test_the_seeder_advertises_1000_requests_and_serves_a_peer_that_queues_them_all(self):
        src = os.path.join(self.seeder.download_dir, "queue.bin")
        make_file(src, 20 * MiB, seed=18)
        made = self.seeder.call("torrent.create", path=src)
        ih, piece_length, total = btpeer.torrent_facts(base64.b64decode(made["torrent"]))
        self.seeder.wait_for(lambda: self.seeder.torrent(made["info_hash"])["state"] == "seeding", timeout=20,
                             what="seeding")
        # A plain peer (no receipts owed), so that the credit window plays no part.
        self.peer = btpeer.Peer(self.seeder.bt_port, ih, speak_seedd=False, address="0x" + "11" * 20)
        self.peer.wait_handshake()
        self.assertEqual(self.peer.remote_reqq, REQUEST_QUEUE_BLOCKS)

        self.peer.interested()
        deadline = time.time() + 20
        while self.peer.choked and time.time() < deadline:
            self.peer.pump(0.2)
        self.assertFalse(self.peer.choked, "the seeder never unchoked the peer")

        # Every request of a full queue at once, then read until every block came.
        self.peer.request_range(piece_length, total, 0, REQUEST_QUEUE_BLOCKS)
        goal = REQUEST_QUEUE_BLOCKS * btpeer.BLOCK
        deadline = time.time() + 60
        self.peer.sock.settimeout(0.5)
        while self.peer.received < goal and time.time() < deadline:
            try:
                msg_id, _ = self.peer.read_msg()
            except socket.timeout:
                continue
            self.assertNotEqual(msg_id, 0, "the seeder choked a peer within its request queue")
            self.assertNotEqual(msg_id, 16, "the seeder rejected a request within its request queue")
        self.assertEqual(self.peer.received, goal)


if __name__ == "__main__":
    unittest.main(verbosity=2)
