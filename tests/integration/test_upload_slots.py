"""Issue 7: upload slots. With upload_slots=1 the seeder serves one of three leechers at a time
(measured: one in every second after the first unchokes; more only in a second when the choker
hands the slot over or unchokes one optimistically); with the default 8 slots all three are
served every second. Measured on the seeder's own per-peer byte counts (torrent.peers), under a
3 MiB/s limit that also applies to loopback so the transfers last, and on the choke state
torrent.peers reports."""
import time
import unittest

from harness import DaemonTestCase

MiB = 1024 * 1024
SIZE = 48 * MiB
LEECHERS = 3


class UploadSlots(DaemonTestCase):
    def served_each_second(self, *seeder_args):
        seeder = self.daemon("seeder", "--rate-limit-lan=true", f"--upload-limit={3 * MiB}", *seeder_args)
        made, _ = self.seed(seeder, SIZE, 61)
        ih = made["info_hash"]
        for i in range(LEECHERS):
            le = self.daemon(f"leecher{i}")
            le.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        seeder.wait_for(lambda: len(seeder.call("torrent.peers", info_hash=ih)["peers"]) >= LEECHERS, timeout=20,
                        what="all leechers connected")

        unchoked = []  # peers we did not choke, at each look

        def sent():
            peers = seeder.call("torrent.peers", info_hash=ih)["peers"]
            for p in peers:
                self.assertIsInstance(p["choked"], bool)
                self.assertTrue(p["interested"], f"a leecher that wants every piece is interested: {p}")
            unchoked.append(sum(1 for p in peers if not p["choked"]))
            return {p["endpoint"]: int(p["sent_bytes"]) for p in peers}

        time.sleep(2.0)  # past the first unchokes
        counts, before = [], sent()
        unchoked.clear()
        for _ in range(10):
            time.sleep(1.0)
            now = sent()
            counts.append(sum(1 for ep, b in now.items() if b - before.get(ep, b) > 16 * 1024))
            before = now
        for d in self.daemons:
            d.stop()
        self.daemons.clear()
        return counts, unchoked

    def test_one_slot_serves_fewer_peers_at_once_than_the_default(self):
        limited, limited_unchoked = self.served_each_second("--upload-slots=1")
        default, default_unchoked = self.served_each_second()
        print(f"peers served in each second: upload_slots=1: {limited}; default: {default}")
        print(f"peers unchoked at each look: upload_slots=1: {limited_unchoked}; default: {default_unchoked}")
        # A second in which the choker hands a slot over shows both peers: allow two such.
        self.assertLessEqual(sum(1 for c in limited if c > 2), 2, f"upload_slots=1 served three at once: {limited}")
        self.assertGreaterEqual(sum(1 for c in default if c == LEECHERS), 8, f"default slots: {default}")
        # The choke state torrent.peers shows says the same: one slot (plus, at times, libtorrent's
        # optimistic unchoke), never all three; with the default slots, all three.
        self.assertLessEqual(max(limited_unchoked), 2, f"upload_slots=1: {limited_unchoked}")
        self.assertGreaterEqual(sum(1 for c in limited_unchoked if c == 1), 6, f"upload_slots=1: {limited_unchoked}")
        self.assertGreaterEqual(sum(1 for c in default_unchoked if c == LEECHERS), 8, f"default: {default_unchoked}")


if __name__ == "__main__":
    unittest.main()
