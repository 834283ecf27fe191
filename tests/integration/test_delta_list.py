"""Issue 7, must-show 4: torrent.list {since} returns only the torrents changed since a cursor
and the ids removed since then, with a new cursor; a cursor from another run gets everything."""
import os
import unittest

from harness import Daemon, make_file


class DeltaList(unittest.TestCase):
    def setUp(self):
        self.d = Daemon("delta").start()

    def tearDown(self):
        self.d.stop()

    def create(self, name, seed):
        path = os.path.join(self.d.download_dir, name)
        make_file(path, 256 * 1024, seed=seed)
        return self.d.call("torrent.create", path=path)["info_hash"]

    def quiet_cursor(self):
        """A cursor after which nothing changes for a while (idle seeds are not reported)."""
        state = {"cursor": self.d.call("torrent.list", fields=["state"])["cursor"], "quiet": 0}

        def quiet():
            r = self.d.call("torrent.list", since=state["cursor"], fields=["state"])
            self.assertFalse(r["full"])
            state["cursor"] = r["cursor"]
            state["quiet"] = state["quiet"] + 1 if not r["torrents"] and not r["removed"] else 0
            return state["quiet"] >= 3  # three 1 s updates in a row with nothing new
        self.d.wait_for(quiet, timeout=30, interval=1, what="the listing to go quiet")
        return state["cursor"]

    def test_since(self):
        d = self.d
        ids = [self.create(f"f{i}.bin", i + 1) for i in range(4)]
        for ih in ids:
            d.wait_for(lambda: d.torrent(ih)["state"] == "seeding", timeout=10, what="seeding")
        full = d.call("torrent.list")
        self.assertEqual({t["info_hash"] for t in full["torrents"]}, set(ids))
        self.assertRegex(full["cursor"], r"^[0-9]+\.[0-9]+$")
        self.assertNotIn("removed", full)

        c = self.quiet_cursor()
        # One torrent paused: only it comes back.
        d.call("torrent.pause", info_hash=ids[0])
        r = d.call("torrent.list", since=c)
        self.assertFalse(r["full"])
        self.assertEqual([t["info_hash"] for t in r["torrents"]], [ids[0]])
        self.assertEqual(r["torrents"][0]["state"], "paused")
        self.assertEqual(r["removed"], [])
        self.assertNotEqual(r["cursor"], c)
        # The same cursor again gives the same answer; the new one gives nothing (yet).
        self.assertEqual([t["info_hash"] for t in d.call("torrent.list", since=c)["torrents"]], [ids[0]])

        c = self.quiet_cursor()
        # A removal and an addition.
        d.call("torrent.remove", info_hash=ids[1])
        new = self.create("g.bin", 99)
        r = d.call("torrent.list", since=c, fields=["name"])
        self.assertEqual(r["removed"], [ids[1]])
        self.assertEqual({t["info_hash"] for t in r["torrents"]}, {new})
        self.assertEqual(set(r["torrents"][0]), {"info_hash", "name"})
        # Removals before the cursor are not repeated.
        r2 = d.call("torrent.list", since=r["cursor"])
        self.assertNotIn(ids[1], r2["removed"])

        # A cursor from another run (or the future) is not trusted: everything, full = true.
        other = d.call("torrent.list", since="1.0")
        self.assertTrue(other["full"])
        self.assertEqual({t["info_hash"] for t in other["torrents"]}, {ids[0], ids[2], ids[3], new})
        run, seq = r["cursor"].split(".")
        future = d.call("torrent.list", since=f"{run}.{int(seq) + 1000}")
        self.assertTrue(future["full"])
        for bad in ["", "abc", "1.", ".1", "1.2.3", "-1.2"]:
            self.assertEqual(d.call_error("torrent.list", since=bad).code, -32602, bad)


if __name__ == "__main__":
    unittest.main()
