"""Issue 18: the receipt cadence of docs/protocol.md 4 and the leecher that does not sign.

- A leecher receipts once min(ri, cw/4) bytes arrived (cw: the seeder's advertised credit
  window), at most one every 10 ms; the seeder verifies only the newest receipt of a channel
  in each batch. Every byte is still receipted, and the verifications stay bounded.
- A seedd leecher started with --sign-receipts=false is served as a vanilla peer once it is
  clear that it will not sign (was: choked at the credit window for good), and its bytes are
  booked as unverified. A peer that simply skips receipts is still choked at its window
  (test_adversarial)."""
import time
import unittest

from harness import DaemonTestCase

MiB = 1024 * 1024


def metric(d, name):
    _, _, body = d.request("GET", "/metrics", headers={"Authorization": d.auth_header()})
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


class ReceiptCadence(DaemonTestCase):
    def transfer(self, seeder, leecher, size, timeout):
        made, _ = self.seed(seeder, size, seed=31)
        ih = made["info_hash"]
        t0 = time.time()
        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=timeout, interval=0.2,
                         what="the download to finish")
        return ih, time.time() - t0

    def test_every_byte_is_receipted_at_the_new_cadence(self):
        # A small window: the old one-a-second cadence would hold this at ~2 MiB/s (32 s).
        seeder = self.daemon("seeder", "--credit-window=2MiB")
        leecher = self.daemon("leecher")
        leecher_addr = leecher.call("node.info")["node_address"]
        size = 64 * MiB
        ih, took = self.transfer(seeder, leecher, size, timeout=60)
        # The last receipt comes with the final flush; the ledger then holds every byte.
        seeder.wait_for(lambda: int(seeder.torrent(ih)["uploaded_verified_bytes"]) >= size, timeout=20,
                        what="every byte receipted")
        self.assertEqual(int(seeder.torrent(ih)["uploaded_unverified_bytes"]), 0)
        receipts = seeder.call("receipts.list", info_hash=ih, limit=100)["receipts"]
        self.assertTrue(all(r["message"]["leecher"] == leecher_addr for r in receipts))
        self.assertEqual(sum(int(r["message"]["bytes"]) for r in receipts), size)
        accepted = metric(seeder, "seedd_receipts_accepted_total")
        superseded = metric(seeder, "seedd_receipts_superseded_total")
        self.assertEqual(sum(seeder.call("earnings.summary")["rejected"].values()), 0)
        received = accepted + superseded
        print(f"64 MiB in {took:.1f} s ({size / took / 1e6:.1f} MB/s); receipts received {received:.0f} "
              f"({received / took:.0f}/s), verified {accepted:.0f} ({accepted / took:.0f}/s), superseded {superseded:.0f}")
        # The old cadence (one a second) held a 2 MiB window to ~2 MiB/s: 32 s for 64 MiB.
        self.assertLess(took, 12, "the transfer was held back as if by a one-receipt-a-second cadence")
        self.assertGreater(received, took, "not more than one receipt a second")
        # Each receipt covers at most cw/4 = 512 KiB unless the 10 ms gap held it back; the
        # gap bounds both the receipts and the seeder's verifications of this channel.
        self.assertLessEqual(received, took / 0.010 + 2, "receipts closer than 10 ms apart")
        self.assertLessEqual(accepted, received)

    def test_a_leecher_that_does_not_sign_is_served_as_vanilla(self):
        seeder = self.daemon("seeder", "--credit-window=2MiB")
        leecher = self.daemon("leecher", "--sign-receipts=false")
        size = 12 * MiB
        ih, took = self.transfer(seeder, leecher, size, timeout=90)
        print(f"{size // MiB} MiB to a leecher that does not sign in {took:.1f} s")
        seeder.wait_for(lambda: int(seeder.torrent(ih)["uploaded_unverified_bytes"]) >= size, timeout=20,
                        what="the bytes booked as unverified")
        self.assertEqual(int(seeder.torrent(ih)["uploaded_verified_bytes"]), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
