"""Issue 3, must-show 4 and 5: a peer built for the test speaks the receipt extension and lies.
Each lie is rejected and counted under its reason, the daemon keeps running, an honest seedd
leecher's counts are unaffected; a peer that stops sending receipts is choked once its
unreceipted bytes pass credit_window and unchoked when a receipt arrives."""
import base64
import os
import struct
import time
import unittest

import btpeer
from harness import Daemon, make_file

MiB = 1024 * 1024


class AdversarialPeers(unittest.TestCase):
    def setUp(self):
        self.daemons = []
        self.peers = []

    def tearDown(self):
        for p in self.peers:
            p.close()
        for d in self.daemons:
            d.stop()

    def daemon(self, name, *args):
        d = Daemon(name, extra_args=args)
        self.daemons.append(d)
        return d.start()

    def seeded(self, seeder, size, seed):
        src = os.path.join(seeder.download_dir, f"data{seed}.bin")
        make_file(src, size, seed=seed)
        made = seeder.call("torrent.create", path=src)
        raw = base64.b64decode(made["torrent"])
        ih, piece_length, total = btpeer.torrent_facts(raw)
        self.assertEqual(ih, made["info_hash"])
        return made, piece_length, total

    def peer(self, seeder, ih, key, **kw):
        p = btpeer.Peer(seeder.bt_port, ih, key=key, **kw)
        self.peers.append(p)
        p.wait_handshake()
        p.interested()
        return p

    def rejected(self, seeder):
        return seeder.call("earnings.summary")["rejected"]

    def test_every_lie_is_rejected_under_its_reason(self):
        seeder = self.daemon("seeder")
        made, plen, total = self.seeded(seeder, 24 * MiB, seed=11)
        ih = made["info_hash"]
        key, other_key = btpeer.new_key(), btpeer.new_key()
        addr = btpeer.address_of(key)
        expected = {}

        def expect(reason, n=1):
            expected[reason] = expected.get(reason, 0) + n

        def sync():
            # The seeder verifies only the newest receipt of a channel in each batch (protocol 4):
            # wait for a lie to be judged before the next receipt of its channel goes out.
            seeder.wait_for(lambda: all(self.rejected(seeder).get(k, 0) >= v for k, v in expected.items()),
                            timeout=15, what=f"rejections {expected}")

        # 1: an invalid signature (s = 0: random r and s could recover some other address, which
        # is "wrong_signer") and another signer's signature.
        p = self.peer(seeder, ih, key)
        got = p.download(2 * MiB, plen, total)
        self.assertGreaterEqual(got, 2 * MiB)
        bad = os.urandom(32) + bytes(32) + bytes([27])
        p.send_receipt(channel=5, nbytes=MiB, signature=bad)
        expect("bad_signature")
        sync()
        p.send_receipt(channel=5, nbytes=MiB, key=other_key)
        expect("wrong_signer")
        sync()
        # An honest receipt on the same connection is still accepted after two violations.
        p.send_receipt(channel=5, nbytes=MiB)
        seeder.wait_for(lambda: int(seeder.call("earnings.summary")["verified_bytes"]) == MiB,
                        what="the honest receipt between lies to be booked")
        # 2: a changed channel, then decreasing bytes -> third violation: disconnected.
        p.send_receipt(channel=6, nbytes=2 * MiB)
        expect("channel_changed")
        # Three violations on one connection: the seeder hangs up.
        self.assertFalse(p.pump(5), "the seeder kept a peer with three violations")
        p.close()

        p = self.peer(seeder, ih, key)
        p.download(2 * MiB, plen, total)
        p.send_receipt(channel=9, nbytes=2 * MiB)  # honest: booked
        seeder.wait_for(lambda: int(seeder.call("earnings.summary")["verified_bytes"]) == 3 * MiB,
                        what="the honest receipt of channel 9 to be booked")
        p.send_receipt(channel=9, nbytes=MiB)
        expect("not_monotonic")
        sync()
        # A clock 1000 s ahead (an old one here would be "not_monotonic" first).
        p.send_receipt(channel=9, nbytes=2 * MiB, ts=int(time.time()) + 1000)
        expect("stale_timestamp")
        p.close()

        # A clock 1000 s behind, on a fresh connection's first receipt.
        p = self.peer(seeder, ih, key)
        p.download(MiB, plen, total)
        p.send_receipt(channel=10, nbytes=MiB, ts=int(time.time()) - 1000)
        expect("stale_timestamp")
        p.close()

        p = self.peer(seeder, ih, key)
        got = p.download(MiB, plen, total)
        p.send_receipt(channel=11, nbytes=got + 4 * MiB)
        expect("over_claim")
        # Truncated and garbage bencoding.
        sync()
        p.send_receipt_raw(btpeer.bencode({"ch": struct.pack(">Q", 3), "b": 5})[:-3])
        expect("malformed")
        p.close()
        p = self.peer(seeder, ih, key)
        p.send_receipt_raw(os.urandom(40))
        expect("malformed")
        p.send_receipt_raw(btpeer.bencode({"ch": struct.pack(">Q", 0), "b": 5, "ts": 1, "sig": bytes(65)}))
        expect("malformed")  # channel 0
        p.send_receipt_raw(b"d2:ch8:" + b"\x01" * 8 + b"1:bi5e2:tsi1e3:sig3:abce")
        expect("malformed")  # a 3-byte signature
        self.assertFalse(p.pump(5), "the seeder kept a peer with three violations")
        p.close()

        # A peer without the seedd dictionary sending a receipt anyway.
        vanilla = btpeer.Peer(seeder.bt_port, ih, key=None, speak_seedd=False)
        self.peers.append(vanilla)
        vanilla.pump(1)
        vanilla.remote_ext.setdefault("seedd_receipt", 20)
        vanilla.send_receipt_raw(btpeer.bencode({"ch": struct.pack(">Q", 3), "b": 5, "ts": int(time.time()),
                                                 "sig": bytes(65)}))
        expect("malformed")
        vanilla.pump(1)

        def counted():
            r = self.rejected(seeder)
            self.last_rejected = r
            return r if all(r.get(k, 0) == v for k, v in expected.items()) else None

        try:
            rejected = seeder.wait_for(counted, timeout=15, what=f"rejections {expected}")
        except AssertionError:
            self.fail(f"rejections counted {self.last_rejected}, expected {expected}")
        for reason in ("bad_signature", "wrong_signer", "channel_changed", "not_monotonic", "stale_timestamp",
                       "over_claim", "malformed"):
            self.assertIn(reason, rejected)
        # Only the two honest receipts counted, for the right leecher and channels.
        rows = seeder.call("receipts.list", info_hash=ih)["receipts"]
        self.assertEqual(sorted((r["message"]["leecher"], r["message"]["channel"], r["message"]["bytes"]) for r in rows),
                         [(addr, "5", str(MiB)), (addr, "9", str(2 * MiB))])
        self.assertEqual(int(seeder.call("earnings.summary")["verified_bytes"]), 3 * MiB)
        self.assertIsNotNone(seeder.call("node.info"))

        # An honest seedd leecher afterwards is booked in full.
        honest = self.daemon("honest")
        honest.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        honest.wait_for(lambda: honest.torrent(ih)["state"] == "seeding", timeout=60, what="honest download")
        haddr = honest.call("node.info")["node_address"]
        received = honest.settled(ih, "downloaded_bytes")
        def honest_receipted():
            return sum(int(r["message"]["bytes"]) for r in seeder.call(
                "receipts.list", info_hash=ih, leecher=haddr)["receipts"])

        try:
            seeder.wait_for(lambda: honest_receipted() == received, timeout=30, what="the honest leecher's receipts")
        except AssertionError:
            self.fail(f"the honest leecher received {received} bytes, the seeder booked {honest_receipted()}; "
                      f"rejections {self.rejected(seeder)}")
        self.assertEqual(self.rejected(seeder), rejected, "the honest leecher caused rejections")

    def test_a_peer_that_stops_receipting_is_choked_at_the_credit_window(self):
        window = 2 * MiB
        seeder = self.daemon("seeder", f"--credit-window={window}")
        made, plen, total = self.seeded(seeder, 16 * MiB, seed=12)
        key = btpeer.new_key()
        p = self.peer(seeder, made["info_hash"], key)
        p.pump(1)
        self.assertFalse(p.choked, "the seeder never unchoked us")
        got = p.download(8 * MiB, plen, total, timeout=10)
        # Choked: no more than the window plus what was in flight when the choke was sent.
        self.assertTrue(p.choked, f"still unchoked after {got} unreceipted bytes")
        self.assertGreaterEqual(got, window)
        self.assertLess(got, window + 2 * MiB)
        stalled = p.download(MiB, plen, total, timeout=3)
        self.assertEqual(stalled, got, "data kept coming while choked")
        # A receipt for everything: unchoked again, and the download goes on.
        p.send_receipt(channel=77, nbytes=got)
        deadline = time.time() + 10
        while p.choked and time.time() < deadline:
            p.pump(0.5)
        self.assertFalse(p.choked, "not unchoked after the receipt")
        more = p.download(MiB, plen, total, timeout=10)
        self.assertGreaterEqual(more, got + MiB)
        self.assertEqual(int(seeder.call("earnings.summary")["verified_bytes"]), got)


if __name__ == "__main__":
    unittest.main(verbosity=2)
