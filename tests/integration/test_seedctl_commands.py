"""seedctl's commands for people against real seedd processes on 127.0.0.1 (issue 5): add (a
.torrent file, a magnet, --torrent-base64), create, list, info, pause, resume, remove
[--delete-data], peers, files, trackers, recheck, reannounce, move (issue 7), earnings, claim,
watch (events.poll); tables and --json; exit codes
(0 ok, 1 the daemon said no, 2 usage, 3 no connection or refused). `seedctl rpcauth` makes
entries a daemon accepts, and a read-scope user is refused a changing method (must-show 1).
No secret shows in /proc/PID/cmdline of seedctl (--password) or seedd (--rpc-auth), nor in the
daemon's log (must-show 2)."""
import base64
import json
import os
import re
import subprocess
import time
import unittest

import harness
from harness import DaemonTestCase, free_port, make_file

ZEROS = "0" * 40


def rpcauth(*args):
    """Runs `seedctl rpcauth ...` (no daemon) and returns (entry, password) from its table output."""
    p = subprocess.run([harness.SEEDCTL, "rpcauth", *args], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    entry = re.search(r"^rpc_auth = (\S+)$", p.stdout, re.M)
    password = re.search(r"^password: (\S+)$", p.stdout, re.M)
    assert entry and password, p.stdout
    return entry.group(1), password.group(1)


def settled_last(d):
    """The last event's sequence number once every torrent.added has its torrent.finished (a
    torrent made from local data finishes at once), so no event is still on its way."""
    def settled():
        r = d.call("events.poll", since=0)
        names = [e["method"] for e in r["events"]]
        return (r["last"],) if names.count("torrent.added") == names.count("torrent.finished") else None
    return d.wait_for(settled, timeout=15, what="events to settle")[0]


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().decode(errors="replace")


class Base(DaemonTestCase):
    def ctl(self, d, *args, **kw):
        return d.seedctl(*args, check=False, **kw)

    def ok(self, d, *args, **kw):
        p = self.ctl(d, *args, **kw)
        self.assertEqual(p.returncode, 0, f"seedctl {args}: {p.stdout}\n{p.stderr}")
        return p

    def assert_exit(self, p, code):
        self.assertEqual(p.returncode, code, f"stdout: {p.stdout}\nstderr: {p.stderr}")


class RpcAuthAndSecrets(Base):
    def test_rpcauth_entries_are_accepted_and_read_scope_is_enforced(self):
        admin_entry, admin_pw = rpcauth("alice")
        read_entry, read_pw = rpcauth("bob", "--scope", "read")
        self.assertRegex(admin_entry, r"^alice:[0-9a-f]+\$[0-9a-f]{64}$")
        self.assertRegex(read_entry, r"^bob:[0-9a-f]+\$[0-9a-f]{64}:read$")
        # Each run makes a new salt and password.
        again_entry, again_pw = rpcauth("alice")
        self.assertNotEqual(again_pw, admin_pw)
        self.assertNotEqual(again_entry, admin_entry)
        # --json gives the same pieces.
        p = subprocess.run([harness.SEEDCTL, "--json", "rpcauth", "carol", "--scope=read"], capture_output=True,
                           text=True, timeout=30)
        self.assert_exit(p, 0)
        j = json.loads(p.stdout)
        self.assertEqual((j["user"], j["scope"]), ("carol", "read"))
        self.assertTrue(j["rpc_auth"].startswith("carol:") and j["rpc_auth"].endswith(":read"))
        for bad in (["rpcauth"], ["rpcauth", "a:b"], ["rpcauth", "x", "--scope=root"], ["rpcauth", "x", "y"]):
            p = subprocess.run([harness.SEEDCTL, *bad], capture_output=True, text=True, timeout=30)
            self.assert_exit(p, 2)
            self.assertIn("rpcauth", p.stderr)

        d = self.daemon("auth", f"--rpc-auth={admin_entry},{read_entry}")
        make_file(os.path.join(d.download_dir, "f.bin"), 50_000, seed=3)
        ih = d.call("torrent.create", path="f.bin")["info_hash"]
        no_cookie = {"SEEDD_DATA_DIR": "/nonexistent-seedctl"}

        p = self.ok(d, "--user", "alice", "--password", admin_pw, "node.info", extra_env=no_cookie)
        self.assertRegex(json.loads(p.stdout)["node_address"], "^0x[0-9a-fA-F]{40}$")
        p = self.ok(d, "--user=bob", f"--password={read_pw}", "node.info", extra_env=no_cookie)
        self.assertIn("node_address", json.loads(p.stdout))
        self.ok(d, "--user=bob", f"--password={read_pw}", "list", extra_env=no_cookie)
        # Must-show 1: the read user is refused a changing method, with a clear error, and
        # nothing changed.
        p = self.ctl(d, "--user=bob", f"--password={read_pw}", "pause", ih, extra_env=no_cookie)
        self.assert_exit(p, 1)
        self.assertIn("torrent.pause", p.stderr)
        self.assertIn("read scope", p.stderr)
        self.assertFalse(d.torrent(ih)["paused"])
        p = self.ctl(d, "--user=bob", f"--password={read_pw}", "torrent.remove", f"info_hash={ih}", extra_env=no_cookie)
        self.assert_exit(p, 1)
        self.assertIn("read scope", p.stderr)
        # The admin may.
        p = self.ok(d, "--user=alice", f"--password={admin_pw}", "pause", ih, extra_env=no_cookie)
        self.assertEqual(p.stdout.strip(), f"paused {ih}")
        self.assertTrue(d.torrent(ih)["paused"])
        # A wrong password, or a password of another user: refused (3, HTTP 401).
        for user, pw in (("alice", read_pw), ("bob", admin_pw), ("alice", admin_pw + "0")):
            p = self.ctl(d, f"--user={user}", f"--password={pw}", "node.info", extra_env=no_cookie)
            self.assert_exit(p, 3)
            self.assertIn("401", p.stderr)

        # Must-show 2: no secret in seedd's /proc/PID/cmdline, nor in its log.
        seedd_cmd = cmdline(d.proc.pid)
        for secret in (admin_entry, read_entry, admin_entry.split("$")[1], read_entry.split("$")[1].split(":")[0]):
            self.assertNotIn(secret, seedd_cmd)
        self.assertIn("--rpc-auth=", seedd_cmd)  # the option is there, its value blanked
        # ... and in seedctl's, for a seedctl that runs a while (watch), with both forms of --password.
        for form in (["--password", admin_pw], [f"--password={admin_pw}"]):
            env = dict(os.environ, SEEDD_RPC_URL=d.url, SEEDD_DATA_DIR="/nonexistent-seedctl")
            last = settled_last(d)
            w = subprocess.Popen([harness.SEEDCTL, "--user=alice", *form, "watch", f"--since={last}", "--count=1"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.time() + 10
                while time.time() < deadline and "watch" not in cmdline(w.pid):
                    time.sleep(0.02)  # until exec is done
                time.sleep(0.3)
                ctl_cmd = cmdline(w.pid)
                self.assertIsNone(w.poll(), "watch ended before any new event")
                self.assertIn("watch", ctl_cmd)
                self.assertNotIn(admin_pw, ctl_cmd)
                self.assertIn("--user=alice", ctl_cmd)
                # It still authenticates with the real password: it sees the next torrent.added.
                make_file(os.path.join(d.download_dir, f"g{len(form)}.bin"), 30_000, seed=len(form))
                d.call("torrent.create", path=f"g{len(form)}.bin")
                out, err = w.communicate(timeout=30)
            finally:
                if w.poll() is None:
                    w.kill()
            self.assertEqual(w.returncode, 0, err)
            self.assertRegex(out, r"^\d+\s+\S+\s+torrent\.added\s")
        d.stop()
        with open(d.log_path, errors="replace") as f:
            log = f.read()
        self.assertGreater(len(log), 0)
        for secret in (admin_pw, read_pw, admin_entry.split("$")[1], read_entry.split("$")[1].split(":")[0]):
            self.assertNotIn(secret, log)


class Commands(Base):
    def test_usage_and_connection_exit_codes(self):
        d = self.daemon("usage")
        for args in (["frobnicate"], ["info"], ["info", "zz"], ["info", "a", "b"], ["remove", ZEROS, "--force"],
                     ["add"], ["add", "/nonexistent/x.torrent"], ["add", "magnet:?xt=urn:btih:" + ZEROS, "--torrent-base64=AA"],
                     ["watch", "--since=abc"], ["watch", "--poll-ms=0"], ["earnings", "--since=yesterday"],
                     ["create"], ["list", "extra"], ["--bogus", "list"], []):
            p = self.ctl(d, *args)
            self.assert_exit(p, 2)
            self.assertEqual(p.stdout, "", args)
            self.assertTrue(p.stderr.strip(), args)
        # The daemon says no: 1.
        for args in (["info", ZEROS], ["pause", ZEROS], ["remove", ZEROS], ["peers", ZEROS], ["info", "abcdef"],
                     ["create", "no-such-file"], ["add", "magnet:?xt=urn:btih:zz"]):
            p = self.ctl(d, *args)
            self.assert_exit(p, 1)
            self.assertEqual(p.stdout, "", args)
        self.assertIn("no torrent", self.ctl(d, "info", "abcdef").stderr)
        # No daemon there: 3, for commands and for the raw form alike.
        dead = f"http://127.0.0.1:{free_port()}/rpc"
        for args in (["list"], ["watch"], ["node.info"], ["info", ZEROS]):
            p = self.ctl(d, f"--rpc={dead}", *args)
            self.assert_exit(p, 3)
        # --help lists every command.
        p = self.ok(d, "--help")
        for c in ("add", "create", "list", "info", "pause", "resume", "remove", "peers", "files", "trackers",
                  "recheck", "reannounce", "move", "earnings", "claim",
                  "verify-claim", "watch", "rpcauth"):
            self.assertRegex(p.stdout, rf"(?m)^  {c}\b")

    def test_create_list_info_pause_resume_remove(self):
        d = self.daemon("lifecycle")
        path = os.path.join(d.download_dir, "lifecycle.bin")
        make_file(path, 100_000, seed=7)
        out_torrent = os.path.join(d.base, "lifecycle.torrent")
        p = self.ok(d, "create", "lifecycle.bin", "--comment=made by seedctl", f"--out={out_torrent}")
        m = re.search(r"^created ([0-9a-f]{40}) ", p.stdout, re.M)
        self.assertTrue(m, p.stdout)
        ih = m.group(1)
        self.assertIn(f"magnet:?xt=urn:btih:{ih}", p.stdout)
        t = d.torrent(ih)
        self.assertEqual(t["name"], "lifecycle.bin")
        with open(out_torrent, "rb") as f:
            self.assertIn(b"made by seedctl", f.read())
        # --json create: the daemon's result.
        make_file(os.path.join(d.download_dir, "second.bin"), 20_000, seed=8)
        j = json.loads(self.ok(d, "--json", "create", "second.bin").stdout)
        self.assertRegex(j["info_hash"], "^[0-9a-f]{40}$")
        self.assertTrue(base64.b64decode(j["torrent"]).startswith(b"d"))
        ih2 = j["info_hash"]
        d.wait_for(lambda: d.torrent(ih)["state"] == "seeding", timeout=10, what="seeding")

        # list: a table with both, --json the same torrents as the daemon's torrent.list.
        table = self.ok(d, "list").stdout.splitlines()
        self.assertTrue(table[0].startswith("HASH"), table)
        row = [l for l in table if l.startswith(ih[:8])]
        self.assertEqual(len(row), 1, table)
        self.assertIn("lifecycle.bin", row[0])
        self.assertIn("seeding", row[0])
        self.assertIn("100.0%", row[0])
        self.assertTrue(any(l.startswith(ih2[:8]) for l in table))
        listed = json.loads(self.ok(d, "list", "--json").stdout)["torrents"]
        self.assertEqual(sorted(t["info_hash"] for t in listed), sorted([ih, ih2]))
        only = json.loads(self.ok(d, "--json", "list", "--state=seeding").stdout)["torrents"]
        self.assertTrue(all(t["state"] == "seeding" for t in only))

        # info: key/value lines; a prefix of 8 works; --json equals torrent.get.
        info = dict(l.split(None, 1) for l in self.ok(d, "info", ih[:8]).stdout.splitlines() if len(l.split(None, 1)) == 2)
        self.assertEqual(info["info_hash"], ih)
        self.assertEqual(info["name"], "lifecycle.bin")
        self.assertEqual(info["state"], "seeding")
        j = json.loads(self.ok(d, "--json", "info", ih).stdout)
        self.assertEqual(j["info_hash"], ih)
        self.assertEqual(j["name"], d.torrent(ih)["name"])

        # pause / resume, by prefix and in full.
        self.assertEqual(self.ok(d, "pause", ih[:10]).stdout.strip(), f"paused {ih}")
        self.assertTrue(d.torrent(ih)["paused"])
        self.assertEqual(d.torrent(ih)["state"], "paused")
        self.assertIn("paused", [l for l in self.ok(d, "list").stdout.splitlines() if l.startswith(ih[:8])][0])
        self.assertEqual(json.loads(self.ok(d, "--json", "resume", ih).stdout)["info_hash"], ih)
        self.assertFalse(d.torrent(ih)["paused"])

        # peers of a torrent nobody downloads: an empty table, an empty list.
        self.assertEqual(self.ok(d, "peers", ih).stdout.strip(), "(none)")
        self.assertEqual(json.loads(self.ok(d, "--json", "peers", ih).stdout)["peers"], [])

        # files, trackers, reannounce, recheck, move.
        rows = self.ok(d, "files", ih[:8]).stdout.splitlines()
        self.assertTrue(rows[0].startswith("INDEX"), rows)
        self.assertRegex(rows[1], r"^0\s+4\s+100000\s+100000\s+lifecycle\.bin\b")
        self.assertEqual(json.loads(self.ok(d, "--json", "files", ih).stdout)["files"][0]["path"], "lifecycle.bin")
        self.assertEqual(self.ok(d, "trackers", ih).stdout.strip(), "(none)")
        self.assertEqual(self.ok(d, "reannounce", ih).stdout.strip(), f"announced {ih}")
        checks = d.torrent(ih)["full_checks"]
        self.assertEqual(self.ok(d, "recheck", ih).stdout.strip(), f"checking {ih}")
        d.wait_for(lambda: d.torrent(ih)["full_checks"] > checks and d.torrent(ih)["state"] == "seeding",
                   timeout=20, what="the recheck")
        self.assert_exit(self.ctl(d, "move", ih), 2)  # no location
        self.assert_exit(self.ctl(d, "move", ih, "/etc"), 1)  # outside the allowed directories
        moved = os.path.join(d.download_dir, "moved")
        os.makedirs(moved)
        self.assertEqual(self.ok(d, "move", ih, moved).stdout.strip(), f"moving {ih} to {moved}")
        path = os.path.join(moved, "lifecycle.bin")
        d.wait_for(lambda: os.path.exists(path) and d.torrent(ih)["save_path"] == moved, timeout=20,
                   what="the data to move")

        # remove keeps the data; remove --delete-data deletes it.
        self.assertEqual(self.ok(d, "remove", ih2).stdout.strip(), f"removed {ih2}")
        self.assertTrue(os.path.exists(os.path.join(d.download_dir, "second.bin")))
        self.assert_exit(self.ctl(d, "info", ih2), 1)
        p = self.ok(d, "remove", ih, "--delete-data")
        self.assertIn(f"removed {ih} and deleted its data", p.stdout)
        d.wait_for(lambda: not os.path.exists(path), timeout=10, what="the data to be deleted")
        self.assertEqual(json.loads(self.ok(d, "--json", "list").stdout)["torrents"], [])
        self.assertEqual(self.ok(d, "list").stdout.splitlines()[1:], [])


class WatchMissed(Base):
    def test_watch_since_a_sequence_this_run_never_had_says_so_and_replays(self):
        d = self.daemon("missed")
        make_file(os.path.join(d.download_dir, "m.bin"), 10_000, seed=9)
        ih = d.call("torrent.create", path="m.bin")["info_hash"]
        d.wait_for(lambda: d.call("events.poll", since=0)["last"] >= 2, timeout=10, what="two events")
        # A `since` from an earlier run (larger than anything this run numbered).
        p = self.ok(d, "watch", "--since=100000", "--count=2")
        self.assertIn("events were missed", p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 2, p.stdout)
        self.assertRegex(lines[0], rf"^1\s+\S+\s+torrent\.added\s+info_hash={ih} name=m\.bin$")
        self.assertRegex(lines[1], rf"^2\s+\S+\s+torrent\.finished\s+info_hash={ih} name=m\.bin$")


class Completion(Base):
    """scripts/seedctl.bash-completion (installed as share/bash-completion/completions/seedctl),
    driven the way bash calls it: COMP_WORDS split at '=' as COMP_WORDBREAKS does."""

    def complete(self, d, *words):
        src = os.path.join(os.environ.get("SEEDD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                           "scripts", "seedctl.bash-completion")
        quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
        script = (f'PATH="{os.path.dirname(os.path.abspath(harness.SEEDCTL))}:$PATH"; source "{src}"; '
                  f'COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=(); _seedctl; '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        env = dict(os.environ, SEEDD_DATA_DIR=d.data_dir, SEEDD_RPC_URL=d.url)
        p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return sorted(l for l in p.stdout.splitlines() if l)

    def test_completion(self):
        d = self.daemon("completion")
        make_file(os.path.join(d.download_dir, "c.bin"), 20_000, seed=5)
        ih = d.call("torrent.create", path="c.bin")["info_hash"]
        self.assertEqual(self.complete(d, "seedctl", "pa"), ["pass", "pause"])
        self.assertEqual(self.complete(d, "seedctl", "pass", ""), ["add", "issue", "list"])
        self.assertEqual(self.complete(d, "seedctl", "pass", "issue", ih[:3]), [ih])
        self.assertEqual(self.complete(d, "seedctl", "pass", "issue", ih, "0xabc", "--d"), ["--days="])
        self.assertEqual(self.complete(d, "seedctl", "re"), ["reannounce", "recheck", "remove", "resume"])
        self.assertEqual(self.complete(d, "seedctl", "recheck", "--r"), ["--redownload"])
        self.assertEqual(self.complete(d, "seedctl", "files", ""), [ih])
        self.assertEqual(self.complete(d, "seedctl", "move", ih[:3]), [ih])
        self.assertIn("watch", self.complete(d, "seedctl", ""))
        self.assertEqual(self.complete(d, "seedctl", "--js"), ["--json"])
        # Info-hashes come from the running daemon, also when --rpc=URL was typed (split at '=').
        self.assertEqual(self.complete(d, "seedctl", "info", ""), [ih])
        self.assertEqual(self.complete(d, "seedctl", "--rpc", "=", d.url, "pause", ih[:3]), [ih])
        self.assertEqual(self.complete(d, "seedctl", "remove", "--d"), ["--delete-data"])
        self.assertEqual(self.complete(d, "seedctl", "rpcauth", "bob", "--scope", "=", "r"), ["read"])
        self.assertEqual(self.complete(d, "seedctl", "rpcauth", "bob", "--scope", "="), ["admin", "read"])
        self.assertIn("seeding", self.complete(d, "seedctl", "list", "--state", "=", "s"))
        self.assertEqual(self.complete(d, "seedctl", "list", "--state", "=", "q"), ["queued"])
        self.assertEqual(self.complete(d, "seedctl", "list", "--l"), ["--label="])
        self.assertEqual(self.complete(d, "seedctl", "create", "--v"), ["--v1", "--v2"])
        self.assertEqual(self.complete(d, "seedctl", "create", "--h"), ["--hybrid"])
        self.assertIn("--since=", self.complete(d, "seedctl", "watch", "--s"))


class Transfer(Base):
    SIZE = 4 * 1024 * 1024

    def test_add_peers_earnings_watch_claim_between_two_daemons(self):
        a = self.daemon("seeder")
        b = self.daemon("leecher", "--download-limit=600000")
        make_file(os.path.join(a.download_dir, "payload.bin"), self.SIZE, seed=11)
        torrent_file = os.path.join(b.base, "payload.torrent")
        p = self.ok(a, "create", "payload.bin", f"--out={torrent_file}")
        ih = re.search(r"^created ([0-9a-f]{40})", p.stdout, re.M).group(1)
        a.wait_for(lambda: a.torrent(ih)["state"] == "seeding", timeout=10, what="seeding")

        # watch on B from sequence 0, both as text and as JSON lines, each stopping after 2 events.
        env = dict(os.environ, SEEDD_RPC_URL=b.url, SEEDD_DATA_DIR=b.data_dir)
        watch_text = subprocess.Popen([harness.SEEDCTL, "watch", "--since=0", "--count=2"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        watch_json = subprocess.Popen([harness.SEEDCTL, "--json", "watch", "--since", "0", "--count=2"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # add a .torrent file, with the seeder as its peer.
            p = self.ok(b, "add", torrent_file, f"--peer=127.0.0.1:{a.bt_port}")
            self.assertEqual(p.stdout.strip(), f"added {ih}")
            # peers on the seeder while the (rate-limited) leecher downloads.
            # peers on the seeder while the (rate-limited) leecher downloads: B, a seedd peer.
            def seedd_peers():
                return [p for p in json.loads(self.ok(a, "--json", "peers", ih).stdout)["peers"] if p["seedd_address"]]
            peers = a.wait_for(seedd_peers, timeout=20, interval=0.2, what="B among A's peers")
            self.assertRegex(peers[0]["seedd_address"], "^0x[0-9a-fA-F]{40}$")
            self.assertEqual(peers[0]["seedd_address"].lower(), b.call("node.info")["node_address"].lower())
            rows = self.ok(a, "peers", ih).stdout.splitlines()
            self.assertTrue(rows[0].startswith("ENDPOINT"), rows)
            self.assertTrue(any(r.startswith("127.0.0.1:") and peers[0]["seedd_address"] in r for r in rows[1:]), rows)
            b.wait_for(lambda: b.torrent(ih)["state"] == "seeding", timeout=60, what="the download")
            out_text, err_text = watch_text.communicate(timeout=30)
            out_json, err_json = watch_json.communicate(timeout=30)
        finally:
            for w in (watch_text, watch_json):
                if w.poll() is None:
                    w.kill()
        self.assertEqual(watch_text.returncode, 0, err_text)
        self.assertEqual(watch_json.returncode, 0, err_json)
        lines = out_text.splitlines()
        self.assertEqual(len(lines), 2, out_text)
        self.assertRegex(lines[0], rf"^1\s+\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+torrent\.added\s.*info_hash={ih}")
        self.assertRegex(lines[1], rf"^2\s+\S+\s+torrent\.finished\s.*info_hash={ih}")
        events = [json.loads(l) for l in out_json.splitlines()]
        self.assertEqual([e["method"] for e in events], ["torrent.added", "torrent.finished"])
        self.assertEqual([e["params"]["seq"] for e in events], [1, 2])
        self.assertEqual(events[0]["params"]["info_hash"], ih)
        # --since skips what was seen.
        p = self.ok(b, "--json", "watch", "--since=1", "--count=1")
        self.assertEqual(json.loads(p.stdout)["method"], "torrent.finished")

        # earnings on the seeder: the receipts B signed, table and JSON agree with the daemon.
        a.wait_for(lambda: int(a.call("earnings.summary")["verified_bytes"]) > 0, timeout=30,
                   what="verified bytes")
        summary = json.loads(self.ok(a, "--json", "earnings").stdout)
        self.assertGreater(int(summary["verified_bytes"]), 0)
        self.assertLessEqual(int(summary["verified_bytes"]), self.SIZE)
        table = dict(l.split(None, 1) for l in self.ok(a, "earnings").stdout.splitlines() if len(l.split(None, 1)) == 2)
        self.assertRegex(table["receipts"], r"^[1-9]\d*$")
        self.assertRegex(table["verified_bytes"], r"^\d+$")
        by = self.ok(a, "earnings", "--by-torrent").stdout.splitlines()
        self.assertTrue(by[0].startswith("INFO_HASH"), by)
        self.assertTrue(any(l.startswith(ih) for l in by[1:]), by)
        self.assertEqual(json.loads(self.ok(a, "--json", "earnings", "--by-torrent").stdout)["torrents"][0]["info_hash"], ih)
        # claim (dry run): a table, nothing recorded.
        p = self.ok(a, "claim", "dry_run=true")
        self.assertIn("dry run", p.stdout)
        self.assertRegex(p.stdout, r"total bytes\s+\d+")

        # add a magnet (paused) and --torrent-base64 on a third daemon.
        c = self.daemon("third")
        made = a.call("torrent.create", path="payload.bin")
        p = self.ok(c, "add", made["magnet"], "--paused")
        self.assertEqual(p.stdout.strip(), f"added {ih}")
        self.assertTrue(c.torrent(ih)["paused"])
        self.ok(c, "remove", ih)
        c.wait_for(lambda: c.call("torrent.list")["torrents"] == [], timeout=10, what="removal")
        j = json.loads(self.ok(c, "--json", "add", f"--torrent-base64={made['torrent']}", "--paused").stdout)
        self.assertEqual(j["info_hash"], ih)
        self.assertEqual(c.torrent(ih)["name"], "payload.bin")
        p = self.ctl(c, "add", "--torrent-base64=bm90IGEgdG9ycmVudA==")
        self.assert_exit(p, 1)


if __name__ == "__main__":
    unittest.main()
