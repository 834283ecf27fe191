"""Issue 19, items 8 and 9.

8. Adding a torrent that is already there, or creating one that is, changes nothing and says
   so: `existed: true` in torrent.add's and torrent.create's answers, and `already present`
   from `seedctl add` / `seedctl create` (instead of `added` and `created ... (now seeding)`).
9. `seedctl list --state=bogus` is a usage error (exit 2) naming the states, and torrent.list
   refuses it too; `seedctl list --label=tv` lists only the torrents labelled tv."""
import base64
import json
import os
import re
import unittest

from harness import DaemonTestCase, make_file


class AlreadyPresent(DaemonTestCase):
    def test_rpc_answers_existed(self):
        d = self.daemon("rpc-existed")
        make_file(os.path.join(d.download_dir, "a.bin"), 300_000, seed=1)
        first = d.call("torrent.create", path="a.bin")
        self.assertIs(first["existed"], False)
        again = d.call("torrent.create", path="a.bin")
        self.assertIs(again["existed"], True)
        self.assertEqual(again["info_hash"], first["info_hash"])
        self.assertEqual(again["torrent"], first["torrent"])
        self.assertIs(d.call("torrent.add", torrent=first["torrent"])["existed"], True)
        # A torrent this daemon does not have is added: existed false.
        other = self.daemon("rpc-other")
        make_file(os.path.join(other.download_dir, "b.bin"), 200_000, seed=2)
        made = other.call("torrent.create", path="b.bin")
        added = d.call("torrent.add", torrent=made["torrent"], paused=True)
        self.assertEqual(added, {"info_hash": made["info_hash"], "existed": False})
        self.assertEqual(d.call("torrent.add", torrent=made["torrent"]),
                         {"info_hash": made["info_hash"], "existed": True})
        self.assertEqual(len(d.call("torrent.list")["torrents"]), 2)

    def test_seedctl_says_already_present(self):
        d = self.daemon("ctl-existed")
        make_file(os.path.join(d.download_dir, "c.bin"), 300_000, seed=3)
        p = d.seedctl("create", "c.bin")
        ih = re.search(r"^created ([0-9a-f]{40}) \(now seeding\)$", p.stdout, re.M).group(1)
        p = d.seedctl("create", "c.bin")
        self.assertRegex(p.stdout, rf"(?m)^already present {ih} \(nothing added\)$")
        self.assertNotIn("created", p.stdout)
        self.assertIn("magnet  magnet:?", p.stdout)
        self.assertIs(json.loads(d.seedctl("--json", "create", "c.bin").stdout)["existed"], True)

        torrent = os.path.join(d.base, "c.torrent")
        with open(torrent, "wb") as f:
            f.write(base64.b64decode(d.call("torrent.create", path="c.bin")["torrent"]))
        p = d.seedctl("add", torrent)
        self.assertEqual(p.stdout, f"already present {ih}\n")
        self.assertIs(json.loads(d.seedctl("--json", "add", torrent).stdout)["existed"], True)

        other = self.daemon("ctl-other")
        self.assertEqual(other.seedctl("add", torrent, "--paused").stdout, f"added {ih}\n")
        self.assertIs(json.loads(other.seedctl("--json", "add", torrent).stdout)["existed"], True)


class ListFilters(DaemonTestCase):
    def test_unknown_state_is_a_usage_error(self):
        d = self.daemon("state")
        make_file(os.path.join(d.download_dir, "s.bin"), 100_000, seed=4)
        d.call("torrent.create", path="s.bin")
        p = d.seedctl("list", "--state=bogus", check=False)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn("--state must be one of checking, downloading_metadata, downloading, finished, seeding", p.stderr)
        self.assertIn("'bogus'", p.stderr)
        e = d.call_error("torrent.list", state="bogus")
        self.assertEqual(e.code, -32602)
        self.assertIn("param 'state': unknown state 'bogus'", e.message)
        # Every real state is still taken, matching or not.
        d.wait_for(lambda: d.call("torrent.list", state="seeding")["torrents"], timeout=10, what="seeding")
        for state in ("seeding", "paused", "queued", "missing_data", "downloading_metadata"):
            self.assertEqual(d.seedctl("list", f"--state={state}").returncode, 0, state)
        self.assertEqual(d.call("torrent.list", state="paused")["torrents"], [])

    def test_label_filter(self):
        d = self.daemon("label")
        hashes = {}
        for i, name in enumerate(("tv1.bin", "tv2.bin", "film.bin")):
            make_file(os.path.join(d.download_dir, name), 100_000 + i, seed=10 + i)
            hashes[name] = d.call("torrent.create", path=name)["info_hash"]
        for name in ("tv1.bin", "tv2.bin"):
            d.call("torrent.set", info_hash=hashes[name], labels=["tv", "hd"])
        d.call("torrent.set", info_hash=hashes["film.bin"], labels=["film"])

        def listed(*args):
            p = d.seedctl("list", *args)
            return sorted(line.split()[0] for line in p.stdout.splitlines()[1:] if line.strip())

        self.assertEqual(listed("--label=tv"), sorted(hashes[n][:8] for n in ("tv1.bin", "tv2.bin")))
        self.assertEqual(listed("--label", "film"), [hashes["film.bin"][:8]])
        self.assertEqual(listed("--label=none"), [])
        d.wait_for(lambda: all(t["state"] == "seeding" for t in d.call("torrent.list")["torrents"]), timeout=10,
                   what="seeding")
        j = json.loads(d.seedctl("--json", "list", "--label=tv", "--state=seeding").stdout)
        self.assertEqual(sorted(t["info_hash"] for t in j["torrents"]), sorted(hashes[n] for n in ("tv1.bin", "tv2.bin")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
