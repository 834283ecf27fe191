"""Issue 19 item 7: torrent.list shows a resume at once, as it shows a pause, instead of `paused`
until the next state update (up to a second later)."""
import time
import unittest

from harness import DaemonTestCase


class ResumeShowsAtOnce(DaemonTestCase):
    def test_list_and_get_show_resume_at_once(self):
        d = self.daemon("resume")
        made, _ = self.seed(d, 300_000)
        ih = made["info_hash"]

        def listed():
            return {t["info_hash"]: t for t in d.call("torrent.list")["torrents"]}[ih]

        for _ in range(5):
            d.call("torrent.pause", info_hash=ih)
            self.assertEqual(listed()["state"], "paused")
            d.call("torrent.resume", info_hash=ih)
            t = listed()
            self.assertEqual(t["state"], "seeding")
            self.assertIs(t["paused"], False)
            self.assertEqual(d.torrent(ih)["state"], "seeding")
        # And it stays so once libtorrent's next state update has come in.
        time.sleep(1.5)
        self.assertEqual(listed()["state"], "seeding")

    def test_seedctl_resume_then_list(self):
        d = self.daemon("resume-ctl")
        made, _ = self.seed(d, 200_000, seed=2)
        ih = made["info_hash"]
        d.seedctl("pause", ih[:8])
        d.seedctl("resume", ih[:8])
        line = d.seedctl("list").stdout.splitlines()[1]
        self.assertIn(" seeding ", line)


if __name__ == "__main__":
    unittest.main()
