"""Issue 3, must-show 2: two seedd on 127.0.0.1 and a 256 MiB torrent. The seeder's verified
bytes for the leecher are >= 99 % of the payload the leecher received and never above what the
seeder sent; the final receipt covers the whole download."""
import os
import unittest

from harness import DaemonTestCase, sha256_file

SIZE = 256 * 1024 * 1024


class ReceiptsBetweenTwoSeedd(DaemonTestCase):
    def test_leecher_receipts_cover_the_download(self):
        seeder, leecher, made, src = self.two_nodes(["--reward-rate=1000000000"], SIZE, seed=3, name="big.bin")
        ih = made["info_hash"]
        leecher_addr = leecher.call("node.info")["node_address"]
        seeder_addr = seeder.call("node.info")["node_address"]

        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=120, what="download")
        self.assertEqual(sha256_file(os.path.join(leecher.download_dir, "big.bin")), sha256_file(src))
        received = leecher.settled(ih, "downloaded_bytes")
        self.assertGreaterEqual(received, SIZE)

        def final_receipts():
            rows = seeder.call("receipts.list", info_hash=ih, leecher=leecher_addr)["receipts"]
            total = sum(int(r["message"]["bytes"]) for r in rows)
            return rows if total >= received else None

        rows = seeder.wait_for(final_receipts, timeout=30, what="the final receipt")
        verified = sum(int(r["message"]["bytes"]) for r in rows)
        sent = seeder.settled(ih, "uploaded_bytes")
        self.assertGreaterEqual(verified, 0.99 * received)
        self.assertLessEqual(verified, sent)
        self.assertEqual(verified, received, "the final receipt does not cover the whole download")
        for r in rows:
            self.assertEqual(r["message"]["seeder"], seeder_addr)
            self.assertEqual(r["message"]["leecher"], leecher_addr)
            self.assertEqual(r["message"]["infohash"], "0x" + ih)
            self.assertNotEqual(r["message"]["channel"], "0")

        # The same bytes in the torrent's figures and the earnings summary, booked as verified.
        t = seeder.torrent(ih)
        self.assertEqual(int(t["uploaded_verified_bytes"]), verified)
        self.assertEqual(int(t["uploaded_unverified_bytes"]), 0)
        summary = seeder.call("earnings.summary")
        self.assertEqual(int(summary["verified_bytes"]), verified)
        self.assertEqual(int(summary["unclaimed_bytes"]), verified)
        # amount = floor(bytes * rate / 2^30) with the configured rate.
        self.assertEqual(int(summary["pending_amount"]), verified * 1000000000 // 2**30)
        self.assertTrue(all(v == 0 for v in summary["rejected"].values()), summary["rejected"])

        # The leecher booked nothing: it only downloaded.
        self.assertEqual(int(leecher.call("earnings.summary")["verified_bytes"]), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
