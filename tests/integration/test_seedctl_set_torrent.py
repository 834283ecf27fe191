"""Issue 19 item 10: the METHOD form takes an info-hash prefix as the named commands do
(`seedctl torrent.set info_hash=94904eb3 ...`), and `seedctl set-torrent HASH KEY=VALUE ...`
changes a torrent's labels, trackers and limits."""
import json
import os
import subprocess
import unittest

import harness

from harness import DaemonTestCase, make_file


class SetTorrent(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.d = self.daemon("set-torrent")
        make_file(os.path.join(self.d.download_dir, "a.bin"), 100_000, seed=1)
        self.ih = self.d.call("torrent.create", path="a.bin")["info_hash"]

    def test_generic_call_takes_a_prefix(self):
        d, ih = self.d, self.ih
        d.seedctl("torrent.set", f"info_hash={ih[:8]}", 'labels:=["tv"]', "upload_limit=1048576")
        t = d.torrent(ih)
        self.assertEqual(t["labels"], ["tv"])
        self.assertEqual(t["upload_limit"], 1048576)
        got = json.loads(d.seedctl("torrent.get", f"info_hash={ih[:6].upper()}").stdout)
        self.assertEqual(got["info_hash"], ih)
        # The full hash still goes as is; a prefix that names nothing is the daemon-side error.
        self.assertEqual(json.loads(d.seedctl("torrent.get", f"info_hash={ih}").stdout)["info_hash"], ih)
        other = "0" if ih[0] != "0" else "1"
        p = d.seedctl("torrent.get", f"info_hash={other * 8}", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("no torrent has an info-hash starting with", p.stderr)

    def test_set_torrent_labels_limits_trackers(self):
        d, ih = self.d, self.ih
        p = d.seedctl("set-torrent", ih[:8], "label=tv", "label=hd", "upload_limit=2MiB", "download-limit=500K",
                      "max_connections=20", "seed_ratio_limit=1.5", "tracker=http://127.0.0.1:9/announce")
        self.assertTrue(p.stdout.startswith(f"set {ih} "), p.stdout)
        t = d.torrent(ih)
        self.assertEqual(t["labels"], ["tv", "hd"])
        self.assertEqual(t["upload_limit"], 2 * 1024 * 1024)
        self.assertEqual(t["download_limit"], 500_000)
        self.assertEqual(t["max_connections"], 20)
        urls = [x["url"] for x in d.call("torrent.trackers", info_hash=ih)["trackers"]]
        self.assertEqual(urls, ["http://127.0.0.1:9/announce"])
        self.assertIn(ih[:8], d.seedctl("list", "--label=hd").stdout)
        # Clearing: labels= and trackers= send empty lists; upload_limit=0 is no limit.
        d.seedctl("set-torrent", ih[:8], "labels=", "trackers=", "upload_limit=0")
        t = d.torrent(ih)
        self.assertEqual(t["labels"], [])
        self.assertEqual(t["upload_limit"], 0)
        self.assertEqual(d.call("torrent.trackers", info_hash=ih)["trackers"], [])

    def test_set_torrent_usage_errors(self):
        d, ih = self.d, self.ih
        for args in (["set-torrent", ih[:8]], ["set-torrent", ih[:8], "colour=red"],
                     ["set-torrent", ih[:8], "upload_limit=fast"], ["set-torrent", ih[:8], "max_connections=1.5"],
                     ["set-torrent", "xyz", "label=a"]):
            p = d.seedctl(*args, check=False)
            self.assertEqual(p.returncode, 2, f"{args}: {p.stdout} {p.stderr}")
        self.assertEqual(d.torrent(ih)["labels"], [])
        # The daemon checks the values too: a label with a comma is its error (exit 1).
        p = d.seedctl("set-torrent", ih[:8], "label=a,b", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("label", p.stderr)
        self.assertEqual(d.torrent(ih)["labels"], [])

    def complete(self, *words):
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "seedctl.bash-completion")
        quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
        script = (f'PATH="{os.path.dirname(os.path.abspath(harness.SEEDCTL))}:$PATH"; source "{src}"; '
                  f'COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=(); _seedctl; '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        env = dict(os.environ, SEEDD_DATA_DIR=self.d.data_dir, SEEDD_RPC_URL=self.d.url)
        p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return sorted(l for l in p.stdout.splitlines() if l)

    def test_completion(self):
        self.assertEqual(self.complete("seedctl", "set-t"), ["set-torrent"])
        self.assertEqual(self.complete("seedctl", "set-torrent", ""), [self.ih])
        self.assertEqual(self.complete("seedctl", "set-torrent", self.ih[:8], "up"), ["upload_limit="])
        self.assertEqual(self.complete("seedctl", "set-torrent", self.ih[:8], "label=tv", "tr"),
                         ["tracker=", "trackers="])


if __name__ == "__main__":
    unittest.main()
