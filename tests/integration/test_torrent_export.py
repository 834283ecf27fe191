"""Issue 19 item 11: torrent.export gives back the .torrent of a torrent the daemon has (the
bytes it was added or created with), as base64 or written to a new file under the allowed
directories, and `seedctl export HASH [--out=FILE]` saves it."""
import base64
import hashlib
import os
import subprocess
import unittest

import harness
from harness import DaemonTestCase, bencode, make_file, make_torrent_bytes


class Export(DaemonTestCase):
    def test_export_gives_the_bytes_it_was_created_and_added_with(self):
        d = self.daemon("export")
        make_file(os.path.join(d.download_dir, "e.bin"), 300_000, seed=4)
        made = d.call("torrent.create", path="e.bin", trackers=["http://127.0.0.1:9/announce"], comment="hi")
        got = d.call("torrent.export", info_hash=made["info_hash"])
        self.assertEqual(got["info_hash"], made["info_hash"])
        self.assertEqual(got["name"], "e.bin")
        self.assertEqual(base64.b64decode(got["torrent"]), base64.b64decode(made["torrent"]))
        self.assertEqual(got["size_bytes"], len(base64.b64decode(made["torrent"])))

        # An added .torrent comes back with its info dict as it was: the same info-hash, also
        # before its kept copy is written and after a restart.
        raw, ih = make_torrent_bytes("other.bin", 5000)
        meta, _ = harness.bdecode(raw)
        d.call("torrent.add", torrent=base64.b64encode(raw).decode(), paused=True)

        def info_of(b64):
            exported, _ = harness.bdecode(base64.b64decode(b64))
            return exported[b"info"]
        self.assertEqual(info_of(d.call("torrent.export", info_hash=ih)["torrent"]), meta[b"info"])
        self.assertEqual(hashlib.sha1(bencode(info_of(d.call("torrent.export", info_hash=ih)["torrent"]))).hexdigest(), ih)
        d.terminate()
        d.start()
        after = d.call("torrent.export", info_hash=ih)["torrent"]
        self.assertEqual(info_of(after), meta[b"info"])
        with open(os.path.join(d.data_dir, "torrents", f"{ih}.torrent"), "rb") as f:
            self.assertEqual(base64.b64decode(after), f.read())
        # Another daemon takes the exported file as the same torrent.
        e = self.daemon("export-other")
        exported = d.call("torrent.export", info_hash=made["info_hash"])["torrent"]
        self.assertEqual(e.call("torrent.add", torrent=exported, paused=True)["info_hash"], made["info_hash"])

    def test_export_to_a_file_under_the_roots(self):
        d = self.daemon("export-out")
        make_file(os.path.join(d.download_dir, "f.bin"), 100_000, seed=5)
        made = d.call("torrent.create", path="f.bin")
        target = os.path.join(d.download_dir, "exports", "f.torrent")
        os.makedirs(os.path.dirname(target))
        got = d.call("torrent.export", info_hash=made["info_hash"], out=target)
        self.assertEqual(got["file"], target)
        self.assertNotIn("torrent", got)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), base64.b64decode(made["torrent"]))
        # Never over a file that is there (it could be a torrent's data), never outside the roots.
        err = d.call_error("torrent.export", info_hash=made["info_hash"], out=os.path.join(d.download_dir, "f.bin"))
        self.assertEqual(err.code, -32602)
        self.assertIn("exists already", err.message)
        with open(os.path.join(d.download_dir, "f.bin"), "rb") as f:
            self.assertEqual(len(f.read()), 100_000)
        err = d.call_error("torrent.export", info_hash=made["info_hash"], out=os.path.join(d.base, "outside.torrent"))
        self.assertEqual(err.code, -32602)
        self.assertFalse(os.path.exists(os.path.join(d.base, "outside.torrent")))
        # No such torrent; a magnet still without metadata.
        self.assertEqual(d.call_error("torrent.export", info_hash="ab" * 20).code,
                         d.call_error("torrent.pause", info_hash="ab" * 20).code)
        magnet_ih = "cd" * 20
        d.call("torrent.add", magnet=f"magnet:?xt=urn:btih:{magnet_ih}", paused=True)
        self.assertIn("no metadata", d.call_error("torrent.export", info_hash=magnet_ih).message)

    def test_seedctl_export(self):
        d = self.daemon("export-ctl")
        make_file(os.path.join(d.download_dir, "g.bin"), 100_000, seed=6)
        made = d.call("torrent.create", path="g.bin")
        ih, want = made["info_hash"], base64.b64decode(made["torrent"])
        out = os.path.join(d.base, "g.torrent")
        p = d.seedctl("export", ih[:8], f"--out={out}")
        self.assertEqual(p.stdout, f"exported {ih} to {out} ({len(want)} bytes)\n")
        with open(out, "rb") as f:
            self.assertEqual(f.read(), want)
        env = dict(os.environ, SEEDD_DATA_DIR=d.data_dir, SEEDD_RPC_URL=d.url)
        raw = subprocess.run([os.path.abspath(harness.SEEDCTL), "export", ih[:8], "--out=-"], capture_output=True, env=env, timeout=30)
        self.assertEqual(raw.returncode, 0, raw.stderr)
        self.assertEqual(raw.stdout, want)
        # Without --out: HASH.torrent in the current directory.
        p = subprocess.run([os.path.abspath(harness.SEEDCTL), "export", ih], capture_output=True, text=True, env=env, timeout=30,
                           cwd=d.base)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(d.base, f"{ih}.torrent"), "rb") as f:
            self.assertEqual(f.read(), want)
        remote = os.path.join(d.download_dir, "r.torrent")
        p = d.seedctl("export", ih[:8], f"--remote-out={remote}")
        self.assertIn("on the daemon's side", p.stdout)
        with open(remote, "rb") as f:
            self.assertEqual(f.read(), want)
        self.assertEqual(d.seedctl("export", check=False).returncode, 2)
        self.assertEqual(d.seedctl("export", ih, "--out=a", "--remote-out=b", check=False).returncode, 2)


if __name__ == "__main__":
    unittest.main()
