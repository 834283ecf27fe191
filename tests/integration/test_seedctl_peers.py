"""Issue 19 item 12: torrent.peers (and `seedctl peers`) show each peer's rates, its progress,
the connection type (TCP or uTP), whether it is encrypted, the direction and the client, not only
cumulative bytes."""
import json
import os
import unittest

from harness import DaemonTestCase, make_file


class Peers(DaemonTestCase):
    SIZE = 6 * 1024 * 1024

    def test_rates_progress_connection_encryption_client(self):
        a = self.daemon("seeder", "--encryption=forced")
        b = self.daemon("leecher", "--encryption=forced", "--download-limit=400000", "--rate-limit-lan=true")
        made, _ = self.seed(a, self.SIZE, seed=21)
        ih = made["info_hash"]
        b.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{a.bt_port}"])

        def uploading():
            peers = a.call("torrent.peers", info_hash=ih)["peers"]
            return peers if peers and peers[0]["upload_rate"] > 0 and peers[0]["progress"] > 0 else None
        peer = a.wait_for(uploading, timeout=30, interval=0.3, what="an upload rate")[0]
        self.assertEqual(peer["connection"], "tcp")  # the harness turns uTP off
        self.assertIs(peer["encrypted"], True)
        self.assertEqual(peer["direction"], "incoming")
        self.assertTrue(peer["client"], peer)
        self.assertLess(peer["progress"], 1.0)
        self.assertGreater(peer["upload_rate"], 0)
        self.assertGreaterEqual(peer["download_rate"], 0)
        # What came back from the leecher is receipts and requests only (rates are too jumpy at
        # 400 kB/s on a busy machine to compare one reading of each).
        self.assertLess(int(peer["received_bytes"]), int(peer["sent_bytes"]))
        self.assertIsNotNone(peer["seedd_address"])

        def downloading():
            peers = b.call("torrent.peers", info_hash=ih)["peers"]
            return peers if peers and peers[0]["download_rate"] > 0 else None
        seen = b.wait_for(downloading, timeout=30, interval=0.3, what="a download rate")[0]
        self.assertEqual(seen["endpoint"], f"127.0.0.1:{a.bt_port}")
        self.assertEqual(seen["direction"], "outgoing")
        self.assertEqual(seen["progress"], 1.0)  # the seeder has everything
        self.assertIs(seen["encrypted"], True)

        table = a.seedctl("peers", ih[:8]).stdout.splitlines()
        for head in ("ENDPOINT", "CLIENT", "PROGRESS", "UP/S", "DOWN/S", "CONN", "ENC", "DIR", "SENT"):
            self.assertIn(head, table[0])
        self.assertTrue(any(" tcp " in r and " yes " in r and " in " in r for r in table[1:]), table)
        raw = json.loads(a.seedctl("--json", "peers", ih[:8]).stdout)["peers"]
        self.assertIn("upload_rate", raw[0])

    def test_unencrypted_when_encryption_is_off(self):
        a = self.daemon("plain-seeder", "--encryption=disabled")
        b = self.daemon("plain-leecher", "--encryption=disabled", "--download-limit=300000", "--rate-limit-lan=true")
        made, _ = self.seed(a, 2 * 1024 * 1024, seed=22)
        b.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{a.bt_port}"])
        peer = a.wait_for(lambda: a.call("torrent.peers", info_hash=made["info_hash"])["peers"], timeout=30,
                          interval=0.3, what="a peer")[0]
        self.assertIs(peer["encrypted"], False)
        self.assertEqual(peer["connection"], "tcp")


if __name__ == "__main__":
    unittest.main()
