"""Issue 7: the IP filter file and the encryption policy, with real daemons on 127.0.0.1.

- ip_filter: a blocklist that holds 127.0.0.1 makes the seeder refuse a leecher on 127.0.0.1
  (not one byte moves); after the file is rewritten without that line and SIGHUP re-reads it,
  a leecher gets the whole file. Lines that do not parse are counted, logged, and not fatal.
  session.set ip_filter=... reads a file too.
- encryption: forced on both sides transfers; forced on one side against disabled on the other
  does not."""
import os
import signal
import time
import unittest

from harness import DaemonTestCase, sha256_file

SIZE = 4 * 1024 * 1024
NO_TRANSFER_WAIT_S = 8  # long enough for libtorrent to connect, handshake and request on loopback


class PeerFilters(DaemonTestCase):
    def fetch(self, seeder, made, name, *args):
        leecher = self.daemon(name, *args)
        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        return leecher

    def assert_gets_nothing(self, seeder, leecher, ih):
        time.sleep(NO_TRANSFER_WAIT_S)
        t = leecher.torrent(ih)
        self.assertEqual(int(t["downloaded_bytes"]), 0, t)
        self.assertEqual(t["progress"], 0, t)
        self.assertEqual(int(seeder.torrent(ih)["uploaded_bytes"]), 0)

    def assert_gets_all(self, leecher, made, src):
        leecher.wait_for(lambda: leecher.torrent(made["info_hash"])["state"] == "seeding", timeout=30,
                         what="the whole file")
        self.assertEqual(sha256_file(os.path.join(leecher.download_dir, "payload.bin")), sha256_file(src))

    def test_ip_filter_blocks_then_lets_in_after_sighup(self):
        base = __import__("tempfile").mkdtemp(prefix="seedd-ipfilter-")
        blocklist = os.path.join(base, "blocklist.p2p")
        with open(blocklist, "w") as f:
            f.write("# a test blocklist\n"
                    "Some Range:203.0.113.0-203.0.113.255\n"
                    "this line is not a range\n"
                    "loopback:127.0.0.1-127.0.0.1\n"
                    "010.000.000.000 - 010.255.255.255 , 000 , dat format\n")
        seeder = self.daemon("filtering-seeder", f"--ip-filter={blocklist}")
        s = seeder.call("session.get")
        self.assertEqual((s["ip_filter"], s["ip_filter_rules"], s["ip_filter_skipped_lines"]), (blocklist, 3, 1))
        with open(seeder.log_path, "rb") as f:
            self.assertIn(b"line 3: not a p2p or dat range, skipped: this line is not a range", f.read())
        made, src = self.seed(seeder, SIZE, 31)
        ih = made["info_hash"]
        blocked = self.fetch(seeder, made, "blocked-leecher")
        self.assert_gets_nothing(seeder, blocked, ih)

        # The same file without the loopback line, re-read at SIGHUP: a leecher gets it all.
        with open(blocklist, "w") as f:
            f.write("Some Range:203.0.113.0-203.0.113.255\n")
        seeder.proc.send_signal(signal.SIGHUP)
        seeder.wait_for(lambda: seeder.call("session.get")["ip_filter_rules"] == 1, timeout=10, what="the reload")
        allowed = self.fetch(seeder, made, "allowed-leecher")
        self.assert_gets_all(allowed, made, src)

        # session.set names a file (or none): read at once.
        with open(blocklist, "w") as f:
            f.write("1.2.3.4 - 1.2.3.5 , 0 , x\n5.6.7.8 - 5.6.7.9 , 200 , allowed entry\nbad\n")
        s = seeder.call("session.set", ip_filter=blocklist)
        self.assertEqual((s["ip_filter_rules"], s["ip_filter_skipped_lines"]), (1, 1))
        s = seeder.call("session.set", ip_filter=os.path.join(base, "missing.p2p"))
        self.assertEqual(s["ip_filter_rules"], 0)
        self.assertIn("ip_filter_error", s)
        self.assertIsNone(seeder.proc.poll(), "an unreadable ip_filter file stopped seedd")
        s = seeder.call("session.set", ip_filter="")
        self.assertEqual((s["ip_filter"], s["ip_filter_rules"]), ("", 0))

    def test_encryption_forced_both_sides_transfers(self):
        seeder = self.daemon("forced-seeder", "--encryption=forced")
        self.assertEqual(seeder.call("session.get")["encryption"], "forced")
        made, src = self.seed(seeder, SIZE, 32)
        leecher = self.fetch(seeder, made, "forced-leecher", "--encryption=forced")
        self.assert_gets_all(leecher, made, src)

    def test_encryption_forced_against_disabled_does_not(self):
        seeder = self.daemon("forced-seeder2", "--encryption=forced")
        made, _ = self.seed(seeder, SIZE, 33)
        plain = self.fetch(seeder, made, "plain-leecher", "--encryption=disabled")
        self.assertEqual(plain.call("session.get")["encryption"], "disabled")
        self.assert_gets_nothing(seeder, plain, made["info_hash"])

    def test_encryption_disabled_seeder_refuses_forced_leecher(self):
        seeder = self.daemon("plain-seeder", "--encryption=disabled")
        made, _ = self.seed(seeder, SIZE, 34)
        forced = self.fetch(seeder, made, "forced-leecher2", "--encryption=forced")
        self.assert_gets_nothing(seeder, forced, made["info_hash"])


if __name__ == "__main__":
    unittest.main()
