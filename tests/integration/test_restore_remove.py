"""torrent.remove while a restart is still restoring: a restart lists every torrent at once
(state checking) and hands them to libtorrent a hundred at a time. A torrent removed while it
waited its turn, or after it was handed over and before libtorrent's add alert, came back:
seedd handed it over anyway, and the add alert made it a new entry (no resume file, nothing of
seedd's kept) that seeded on. Removed torrents must stay removed, there and after the next
restart, and the others must all come back seeding."""
import os
import time
import unittest

from harness import Daemon
from test_scale_10k import make_torrents

COUNT = 2000
REMOVE = 400
BATCH = 100


class RemoveWhileRestoring(unittest.TestCase):
    def setUp(self):
        self.d = Daemon("restore_remove", extra_args=["--log-level=info"]).start()

    def tearDown(self):
        self.d.stop()

    def batch(self, method, params_list):
        for start in range(0, len(params_list), BATCH):
            chunk = params_list[start:start + BATCH]
            status, replies = self.d.rpc_raw([{"jsonrpc": "2.0", "id": i, "method": method, "params": p}
                                              for i, p in enumerate(chunk)])
            self.assertEqual(status, 200)
            errors = [r["error"] for r in replies if "error" in r]
            self.assertEqual(errors, [], method)

    def states(self):
        return {t["info_hash"]: t["state"] for t in self.d.call("torrent.list", fields=["state"])["torrents"]}

    def wait_seeding(self, expected, what):
        """Waits until every torrent of `expected` seeds; returns the listing then."""
        def done():
            s = self.states()
            return s if all(s.get(ih) == "seeding" for ih in expected) else None
        return self.d.wait_for(done, timeout=120, what=what)

    def add_and_seed(self):
        """Adds COUNT torrents and waits until they all seed; returns their info-hashes."""
        data_dir = os.path.join(self.d.download_dir, "many")
        torrents = make_torrents(data_dir, COUNT)
        self.batch("torrent.add", [{"torrent": b64, "save_path": data_dir} for _, b64 in torrents])
        everything = {ih for ih, _ in torrents}
        self.wait_seeding(everything, "all seeding")
        return everything

    def assert_gone(self, removed, listing, when):
        back = removed & set(listing)
        self.assertEqual(back, set(), f"{len(back)} of the {len(removed)} removed torrents are back {when}")

    def test_torrents_removed_while_a_restart_restores_them_stay_removed(self):
        d = self.d
        everything = self.add_and_seed()

        d.terminate()
        d.start()
        listed = self.states()
        self.assertEqual(set(listed), everything, "a restart lists every torrent at once")
        restoring = sorted(ih for ih, state in listed.items() if state == "checking")
        self.assertGreater(len(restoring), REMOVE, "the restore was over before the removes: nothing tested")
        removed = set(restoring[-REMOVE:])
        self.batch("torrent.remove", [{"info_hash": ih} for ih in sorted(removed)])

        kept = everything - removed
        self.wait_seeding(kept, "the others seeding")
        time.sleep(2)  # libtorrent's last add alerts
        listing = self.states()
        self.assert_gone(removed, listing, "in the list")
        self.assertEqual(set(listing), kept)

        d.terminate()
        d.start()
        listing = self.wait_seeding(kept, "the others seeding after another restart")
        self.assert_gone(removed, listing, "after another restart")
        self.assertEqual(len(os.listdir(os.path.join(d.data_dir, "resume"))), len(kept))
        self.assertIsNone(d.proc.poll(), "seedd exited")

    def test_a_resume_file_gone_before_its_turn_drops_that_torrent_alone(self):
        """A restart reads every resume file to list its torrent, then reads each one again when
        its turn to go to libtorrent comes. One deleted by hand in between drops its torrent from
        the list (as an unreadable one at the start does), with an error in the log; the others
        seed, and none stays in checking."""
        d = self.d
        everything = self.add_and_seed()

        d.terminate()
        resume_dir = os.path.join(d.data_dir, "resume")
        # seedd reads the directory in this order: the last files have their turn last.
        last = [f for f in os.listdir(resume_dir) if f.endswith(".resume")][-REMOVE:]
        d.start()
        for f in reversed(last):
            os.unlink(os.path.join(resume_dir, f))
        deleted = {f[:-len(".resume")] for f in last}

        def settled():
            s = self.states()
            return s if "checking" not in s.values() else None
        listing = d.wait_for(settled, timeout=120, what="no torrent left in checking")
        dropped = everything - set(listing)
        self.assertGreater(len(dropped), 0, "every torrent was handed over before its file went: nothing tested")
        self.assertLessEqual(dropped, deleted, "a torrent whose resume file was there was dropped")
        self.assertEqual(set(listing.values()), {"seeding"})
        with open(d.log_path, encoding="utf-8", errors="replace") as f:
            log = f.read()
        for ih in dropped:
            self.assertIn(f"{ih}: not restored, its resume file changed since the start: cannot read ", log)
        self.assertNotIn("ignoring unreadable resume file", log)
        self.assertIsNone(d.proc.poll(), "seedd exited")


if __name__ == "__main__":
    unittest.main()
