"""Issue 7, must-show 3 (late mounts): a torrent whose data is gone at start enters state
missing_data, nothing is written to the empty location, it is looked for again every
missing_data_retry seconds and seeds again by itself, without a full recheck, once the data is
back; a leecher then completes from it. torrent.recheck with redownload starts it anyway."""
import os
import time
import unittest

from harness import DaemonTestCase, make_file, sha256_file

SIZE = 4 * 1024 * 1024


def tree_bytes(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


class MissingData(DaemonTestCase):
    def remount_and_wait_seeding(self, d, ih, away, vol):
        """Puts the volume back; the torrent must seed again within 5 s, without a full check
        and without an error. Returns its state."""
        os.rename(away, vol)
        back = time.time()
        t = d.wait_for(lambda: (lambda t: t if t["state"] == "seeding" else None)(d.torrent(ih)),
                       timeout=10, interval=0.1, what="seeding again")
        self.assertLess(time.time() - back, 5.0)
        self.assertEqual(t["full_checks"], 0, "the intact data was hashed again")
        self.assertEqual(t["error"], "")
        return t

    def test_late_mount(self):
        a = self.daemon("a", "--missing-data-retry=1")
        vol = os.path.join(a.download_dir, "vol")  # stands for a NAS mount point
        src = os.path.join(vol, "payload.bin")
        make_file(src, SIZE, seed=7)
        made = a.call("torrent.create", path=src)
        ih = made["info_hash"]
        a.wait_for(lambda: a.torrent(ih)["state"] == "seeding", timeout=10, what="the torrent to seed")
        code, _ = a.terminate()
        self.assertEqual(code, 0)

        # The volume is "unmounted": its directory is gone.
        away = os.path.join(a.base, "away")
        os.rename(vol, away)
        a.start()
        t = a.wait_for(lambda: (lambda t: t if t["state"] == "missing_data" else None)(a.torrent(ih)),
                       timeout=10, what="state missing_data")
        self.assertIn("vol", t["error"])
        listed = {x["info_hash"]: x for x in a.call("torrent.list")["torrents"]}
        self.assertEqual(listed[ih]["state"], "missing_data")
        self.assertEqual(a.call("torrent.list", state="missing_data")["torrents"][0]["info_hash"], ih)
        # A recheck without redownload only looks again; retries go on; nothing is created.
        a.call("torrent.recheck", info_hash=ih)
        time.sleep(3.5)  # three retry periods
        self.assertEqual(a.torrent(ih)["state"], "missing_data")
        self.assertFalse(os.path.exists(vol), "seedd created the missing location")
        self.assertEqual(tree_bytes(a.download_dir), 0, "seedd wrote into download_dir")

        # The volume comes back: it seeds again within the retry period, without a full check.
        t = self.remount_and_wait_seeding(a, ih, away, vol)
        self.assertEqual(t["progress"], 1.0)

        b = self.daemon("b")
        b.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{a.bt_port}"])
        b.wait_for(lambda: b.torrent(ih)["state"] == "seeding", timeout=60, what="b to complete from a")
        self.assertEqual(sha256_file(os.path.join(b.download_dir, "payload.bin")), sha256_file(src))
        b.stop()

        # Gone again; this time the user says to fetch it again (redownload).
        a.terminate()
        os.rename(vol, away)
        a.start()
        a.wait_for(lambda: a.torrent(ih)["state"] == "missing_data", timeout=10, what="missing_data again")
        a.call("torrent.recheck", info_hash=ih, redownload=True)
        t = a.wait_for(lambda: (lambda t: t if t["state"] in ("downloading", "checking") else None)(a.torrent(ih)),
                       timeout=10, what="the torrent to start downloading again")
        self.assertLess(t["progress"], 1.0)
        err = a.call_error("torrent.recheck", info_hash=ih, redownload="yes")
        self.assertEqual(err.code, -32602)

    def test_volume_goes_away_while_seeding(self):
        """The volume is unmounted under a running daemon: the seeding torrent goes to
        missing_data by itself (nobody downloading from it), nothing is recreated, and once the
        data is back it seeds again without a full check and serves a leecher."""
        a = self.daemon("a", "--missing-data-retry=1")
        vol = os.path.join(a.download_dir, "vol")
        src = os.path.join(vol, "payload.bin")
        make_file(src, SIZE, seed=11)
        made = a.call("torrent.create", path=src)
        ih = made["info_hash"]
        a.wait_for(lambda: a.torrent(ih)["state"] == "seeding", timeout=10, what="the torrent to seed")
        # A second torrent elsewhere must not be touched.
        other_src = os.path.join(a.download_dir, "stays", "other.bin")
        make_file(other_src, SIZE, seed=12)
        other = a.call("torrent.create", path=other_src)["info_hash"]
        a.wait_for(lambda: a.torrent(other)["state"] == "seeding", timeout=10, what="the other torrent to seed")

        away = os.path.join(a.base, "away")
        os.rename(vol, away)
        gone = time.time()
        t = a.wait_for(lambda: (lambda t: t if t["state"] == "missing_data" else None)(a.torrent(ih)),
                       timeout=15, interval=0.1, what="state missing_data while running")
        self.assertLess(time.time() - gone, 5.0)
        self.assertIn("vol", t["error"])
        self.assertFalse(t["paused"])
        time.sleep(2.5)  # more retry periods: still waiting, nothing created
        self.assertEqual(a.torrent(ih)["state"], "missing_data")
        self.assertFalse(os.path.exists(vol), "seedd created the missing location")
        self.assertEqual(a.torrent(other)["state"], "seeding")

        self.remount_and_wait_seeding(a, ih, away, vol)

        b = self.daemon("b")
        b.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{a.bt_port}"])
        b.wait_for(lambda: b.torrent(ih)["state"] == "seeding", timeout=60, what="b to complete from a")
        self.assertEqual(sha256_file(os.path.join(b.download_dir, "payload.bin")), sha256_file(src))

        # And across a restart: it is still known, seeding, with its counters.
        code, _ = a.terminate()
        self.assertEqual(code, 0)
        a.start()
        a.wait_for(lambda: a.torrent(ih)["state"] == "seeding", timeout=10, what="seeding after a restart")


if __name__ == "__main__":
    unittest.main()
