"""Issue 7: no queueing by default (every torrent seeds), and active_seeds when asked for: at
most N seed at once, the others wait in state queued; a torrent paused by hand stays paused
(the queue never starts it, also after a restart) and resuming it hands it back to the queue."""
import collections
import os
import unittest

from harness import DaemonTestCase, make_file


class Queueing(DaemonTestCase):
    def make_three(self, d):
        hashes = []
        for i in range(3):
            src = os.path.join(d.download_dir, f"q{i}.bin")
            make_file(src, 64 * 1024, seed=40 + i)
            hashes.append(d.call("torrent.create", path=src)["info_hash"])
        return hashes

    @staticmethod
    def states(d):
        return {t["info_hash"]: t["state"] for t in d.call("torrent.list")["torrents"]}

    def wait_counts(self, d, want, what):
        def check():
            counts = collections.Counter(self.states(d).values())
            return counts if counts == collections.Counter(want) else None
        return d.wait_for(check, timeout=30, interval=0.2, what=f"{what}: {want}; now {self.states(d)}")

    def test_default_seeds_everything(self):
        d = self.daemon("noqueue")
        self.make_three(d)
        self.wait_counts(d, {"seeding": 3}, "all three seeding")
        self.assertEqual(d.call("torrent.list", state="queued")["torrents"], [])

    def test_active_seeds_limits_and_a_hand_pause_wins(self):
        d = self.daemon("queue", "--active-seeds=1")
        hashes = self.make_three(d)
        self.wait_counts(d, {"seeding": 1, "queued": 2}, "one seeding, two queued")
        queued = d.call("torrent.list", state="queued")["torrents"]
        self.assertEqual(len(queued), 2)
        self.assertTrue(all(not t["paused"] for t in queued), queued)

        # Pause the seeding one by hand: another takes its turn; it stays paused.
        running = next(ih for ih, s in self.states(d).items() if s == "seeding")
        d.call("torrent.pause", info_hash=running)
        self.wait_counts(d, {"seeding": 1, "queued": 1, "paused": 1}, "the next one seeding")
        self.assertEqual(self.states(d)[running], "paused")
        self.assertTrue(d.torrent(running)["paused"])

        # A restart keeps all of that: the queue does not start the torrent paused by hand.
        code, _ = d.terminate()
        self.assertEqual(code, 0)
        d.start()
        self.wait_counts(d, {"seeding": 1, "queued": 1, "paused": 1}, "the same after a restart")
        self.assertEqual(self.states(d)[running], "paused")

        # Resumed, it goes back to the queue: still one seeding at a time.
        d.call("torrent.resume", info_hash=running)
        self.wait_counts(d, {"seeding": 1, "queued": 2}, "back in the queue")
        self.assertFalse(d.torrent(running)["paused"])
        self.assertEqual(sorted(self.states(d)), sorted(hashes))


if __name__ == "__main__":
    unittest.main()
