"""Issue 7, must-show 2: watch folders. 100 .torrent files dropped into nested folders (some made
after the start) are added with the folder's label and renamed .added; a bad one is renamed
.invalid with the reason logged; a folder without a label adds without one; the polling mode
(watch_poll_interval, no inotify) works too."""
import os
import unittest

from harness import Daemon, DaemonTestCase, make_torrent_bytes


def drop(path, data):
    """Writes a file the way a browser or scp does: in place, then closed."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


class WatchDir(DaemonTestCase):
    def test_inotify_nested_labels_and_invalid(self):
        d = Daemon("watch")
        movies = os.path.join(d.base, "watch", "movies")
        plain = os.path.join(d.base, "watch", "plain")
        os.makedirs(os.path.join(movies, "old"))
        # One present before the start (taken by the first scan).
        early, early_ih = make_torrent_bytes("early.bin", 5000)
        drop(os.path.join(movies, "old", "early.torrent"), early)
        d.extra_args = [f"--watch-dir={movies}=movies,{plain}"]
        self.daemons.append(d)
        d.start()
        d.wait_for(lambda: os.path.exists(os.path.join(movies, "old", "early.torrent.added")), timeout=10,
                   what="the file present at start to be added")

        want = {early_ih: "movies"}
        # 99 more in nested folders, some of which appear after the start; and one unlabelled.
        for i in range(98):
            data, ih = make_torrent_bytes(f"m{i}.bin", 1000 + i)
            sub = ["", "a", os.path.join("a", "b"), os.path.join("new", "deep", str(i % 3))][i % 4]
            drop(os.path.join(movies, sub, f"m{i}.torrent"), data)
            want[ih] = "movies"
        data, ih = make_torrent_bytes("p.bin", 777)
        drop(os.path.join(plain, "p.torrent"), data)
        want[ih] = None
        drop(os.path.join(movies, "a", "bad.torrent"), b"d4:infoi1ee this is not a torrent")

        def all_added():
            listed = {t["info_hash"]: t for t in d.call("torrent.list", fields=["labels"])["torrents"]}
            return listed if len(listed) >= 100 else None
        listed = d.wait_for(all_added, timeout=60, interval=0.5, what="100 torrents from the watch folders")
        self.assertEqual(set(listed), set(want))
        for ih, label in want.items():
            self.assertEqual(listed[ih]["labels"], [label] if label else [], ih)

        bad = os.path.join(movies, "a", "bad.torrent")
        d.wait_for(lambda: os.path.exists(bad + ".invalid"), timeout=10, what="bad.torrent.invalid")
        self.assertFalse(os.path.exists(bad))
        with open(d.log_path, "rb") as f:  # read_log() keeps only the tail
            self.assertIn("bad.torrent is invalid: torrent: not a valid .torrent", f.read().decode(errors="replace"))
        def names():
            out = []
            for _root, _dirs, files in os.walk(os.path.join(d.base, "watch")):
                out += files
            return out
        # The rename follows the add: wait for it.
        d.wait_for(lambda: sum(n.endswith(".torrent.added") for n in names()) == 100, timeout=10,
                   what="100 files renamed .added")
        names = names()
        self.assertFalse([n for n in names if n.endswith(".torrent")], "files left unrenamed")

    def test_polling_mode(self):
        d = Daemon("poll")
        folder = os.path.join(d.base, "nfs")
        os.makedirs(folder)
        d.extra_args = [f"--watch-dir={folder}=nfs", "--watch-poll-interval=1"]
        self.daemons.append(d)
        d.start()
        self.assertIn("scanned every 1 s", d.read_log())
        ids = []
        for i in range(3):
            data, ih = make_torrent_bytes(f"n{i}.bin", 3000 + i)
            drop(os.path.join(folder, "sub" if i else "", f"n{i}.torrent"), data)
            ids.append(ih)
        drop(os.path.join(folder, "junk.torrent"), b"not bencode")
        d.wait_for(lambda: os.path.exists(os.path.join(folder, "junk.torrent.invalid")), timeout=15,
                   what="the bad file to be marked .invalid")
        d.wait_for(lambda: len(d.call("torrent.list")["torrents"]) == 3, timeout=15, what="3 torrents")
        for ih in ids:
            self.assertEqual(d.torrent(ih)["labels"], ["nfs"])
        self.assertTrue(os.path.exists(os.path.join(folder, "sub", "n1.torrent.added")))

    def test_bad_entry_refused(self):
        d = Daemon("badwatch", extra_args=["--watch-dir=/tmp/x="])
        self.daemons.append(d)
        with self.assertRaises(RuntimeError) as cm:
            d.start()
        self.assertIn("watch_dir", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
