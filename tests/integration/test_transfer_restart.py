"""Issue 2, must-show 1 and 2: two seedd processes on 127.0.0.1 transfer a 64 MiB torrent;
the seeder comes back seeding without a recheck after kill -9 and after SIGTERM."""
import base64
import os
import time
import unittest

from harness import DaemonTestCase, make_file, sha256_file

SIZE = 64 * 1024 * 1024


class TransferAndRestart(DaemonTestCase):
    def download_from(self, seeder, info_hash, torrent_b64, name):
        leecher = self.daemon(name)
        leecher.call("torrent.add", torrent=torrent_b64, peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(info_hash)["state"] == "seeding", timeout=60,
                         what=f"{name} to finish downloading")
        return leecher

    def assert_seeding_without_recheck(self, seeder, info_hash, restarted_at):
        t = seeder.wait_for(lambda: (lambda t: t if t["state"] == "seeding" else None)(seeder.torrent(info_hash)),
                            timeout=10, interval=0.05, what="the restored torrent to seed")
        self.assertLess(time.time() - restarted_at, 5.0, "seeding again took 5 s or more")
        self.assertEqual(t["full_checks"], 0, "the data was hashed again after the restart")
        self.assertEqual(t["progress"], 1.0)

    def test_transfer_kill9_and_sigterm(self):
        a = self.daemon("a")
        src = os.path.join(a.download_dir, "payload.bin")
        make_file(src, SIZE, seed=42)
        made = a.call("torrent.create", path=src)
        ih = made["info_hash"]
        self.assertRegex(ih, "^[0-9a-f]{40}$")
        self.assertTrue(made["magnet"].startswith("magnet:?xt=urn:btih:" + ih))
        a.wait_for(lambda: a.torrent(ih)["state"] == "seeding", timeout=5, what="the new torrent to seed")
        self.assertEqual(a.torrent(ih)["full_checks"], 0, "a torrent made from local data was hashed twice")

        # 1. B downloads it from A; the copies are byte-identical; A booked the upload.
        t0 = time.time()
        b = self.download_from(a, ih, made["torrent"], "b")
        self.assertLess(time.time() - t0, 60)
        self.assertEqual(sha256_file(os.path.join(b.download_dir, "payload.bin")), sha256_file(src))
        a.wait_for(lambda: int(a.torrent(ih)["uploaded_bytes"]) >= SIZE, timeout=10,
                   what="A's uploaded_bytes to reach 64 MiB")
        b.stop()

        # 2a. kill -9 A while it seeds; it comes back seeding without a recheck; C downloads from it.
        a.kill9()
        restarted = time.time()
        a.start()
        self.assert_seeding_without_recheck(a, ih, restarted)
        c = self.download_from(a, ih, made["torrent"], "c")
        self.assertEqual(sha256_file(os.path.join(c.download_dir, "payload.bin")), sha256_file(src))
        c.stop()

        # 2b. The same after SIGTERM, which must exit 0 within 10 s and remove the cookie.
        code, took = a.terminate()
        self.assertEqual(code, 0)
        self.assertLess(took, 10.0)
        self.assertFalse(os.path.exists(os.path.join(a.data_dir, ".cookie")))
        self.assertTrue(os.path.exists(os.path.join(a.data_dir, "resume", ih + ".resume")))
        restarted = time.time()
        a.start()
        self.assert_seeding_without_recheck(a, ih, restarted)
        d = self.download_from(a, ih, made["torrent"], "d")
        self.assertEqual(sha256_file(os.path.join(d.download_dir, "payload.bin")), sha256_file(src))

    def test_magnet_download_and_paused_state_survives_restart(self):
        a = self.daemon("a")
        src = os.path.join(a.download_dir, "small.bin")
        make_file(src, 3 * 1024 * 1024 + 17, seed=7)
        made = a.call("torrent.create", path=src)
        ih = made["info_hash"]
        b = self.daemon("b")
        # A magnet: B must fetch the metadata from A first.
        b.call("torrent.add", magnet=made["magnet"], peers=[f"127.0.0.1:{a.bt_port}"])
        b.wait_for(lambda: b.torrent(ih)["state"] == "seeding", timeout=60, what="magnet download")
        self.assertEqual(sha256_file(os.path.join(b.download_dir, "small.bin")), sha256_file(src))
        self.assertTrue(os.path.exists(os.path.join(b.data_dir, "torrents", ih + ".torrent")))
        # The full_checks counter the restart tests rely on does count a real check: a daemon
        # given the torrent and a copy of its data hashes the data once, and then seeds.
        e = self.daemon("e")
        os.makedirs(e.download_dir, exist_ok=True)
        with open(src, "rb") as f_in, open(os.path.join(e.download_dir, "small.bin"), "wb") as f_out:
            f_out.write(f_in.read())
        e.call("torrent.add", torrent=made["torrent"])
        e.wait_for(lambda: e.torrent(ih)["state"] == "seeding", timeout=20, what="checked data to seed")
        self.assertEqual(e.torrent(ih)["full_checks"], 1)
        e.stop()
        # Pause survives a restart.
        b.call("torrent.pause", info_hash=ih)
        b.wait_for(lambda: b.torrent(ih)["paused"], what="pause")
        b.terminate()
        b.start()
        b.wait_for(lambda: b.torrent(ih)["state"] == "paused", timeout=10, what="paused after restart")
        b.call("torrent.resume", info_hash=ih)
        b.wait_for(lambda: b.torrent(ih)["state"] == "seeding", timeout=10, what="seeding after resume")
        # Removing with delete_data deletes the file, the resume data and the .torrent.
        b.call("torrent.remove", info_hash=ih, delete_data=True)
        b.wait_for(lambda: not os.path.exists(os.path.join(b.download_dir, "small.bin")), timeout=10,
                   what="data deleted")
        self.assertFalse(os.path.exists(os.path.join(b.data_dir, "resume", ih + ".resume")))
        self.assertEqual(b.call("torrent.list")["torrents"], [])
        b.terminate()
        b.start()
        self.assertEqual(b.call("torrent.list")["torrents"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
