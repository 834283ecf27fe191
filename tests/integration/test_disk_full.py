"""Issue 16, item 10: a full disk under data_dir (a small tmpfs, filled). seedd keeps running and
says so: /healthz answers "degraded" with the reasons, /metrics counts the ledger's failed
commits, the ledger's error is logged once a minute (not every 600 ms), and every call that
cannot write answers -32004 with the cause. torrent.create either makes a torrent that a
restart brings back or fails and leaves nothing seeding; rewards.claim answers -32004. Once
space is back the ledger commits what waited and the degraded reasons go.

Needs root (mount); skipped otherwise."""
import base64
import json
import os
import subprocess
import time
import unittest

from claimkit import download, seed_torrent
from harness import Daemon, make_file, make_torrent_bytes

IO_ERROR = -32004
FS_BYTES = 24 * 1024 * 1024


def fill(directory):
    """Writes a file in `directory` until the file system is full; returns its path."""
    path = os.path.join(directory, "filler")
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 20, 4096, 512):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass
    return path


def healthz(daemon):
    status, _, body = daemon.request("GET", "/healthz")
    return status, json.loads(body)


def metric(daemon, name):
    status, _, body = daemon.request("GET", "/metrics", headers={"Authorization": daemon.auth_header()})
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


@unittest.skipUnless(os.geteuid() == 0, "mounting a tmpfs needs root")
class DiskFull(unittest.TestCase):
    def setUp(self):
        self.daemons = []
        self.seeder = Daemon("full-seeder")
        self.mount = os.path.join(self.seeder.base, "small")
        os.makedirs(self.mount)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FS_BYTES}", "tmpfs", self.mount], check=True)
        self.addCleanup(lambda: subprocess.run(["umount", "-l", self.mount], check=False))
        self.seeder.data_dir = os.path.join(self.mount, "data")
        self.leecher = Daemon("full-leecher")
        self.daemons = [self.seeder, self.leecher]

    def tearDown(self):
        for d in self.daemons:
            d.stop()

    def test_full_data_dir(self):
        seeder, leecher = self.seeder, self.leecher
        seeder.start()
        leecher.start()
        first = seed_torrent(seeder, "first.bin", 512 * 1024, seed=1)
        second = seed_torrent(seeder, "second.bin", 512 * 1024, seed=2)
        self.assertGreater(download(seeder, leecher, first), 0)
        self.assertEqual(healthz(seeder), (200, {"status": "ok"}))
        self.assertEqual(metric(seeder, "seedd_ledger_commit_failures_total"), 0)

        filler = fill(self.mount)
        status, health = healthz(seeder)
        self.assertEqual((status, health["status"]), (200, "degraded"), health)
        self.assertTrue(any(p.startswith("data_dir: ") for p in health["problems"]), health)

        # A claim cannot be recorded (or its file cannot be written): -32004 with the cause.
        e = seeder.call_error("rewards.claim")
        self.assertEqual(e.code, IO_ERROR, e.message)
        self.assertTrue(e.message.startswith("I/O error: "), e.message)

        # A torrent that cannot be made durable is not made at all.
        make_file(os.path.join(seeder.download_dir, "third.bin"), 300_000, seed=3)
        listed = {t["info_hash"] for t in seeder.call("torrent.list")["torrents"]}
        e = seeder.call_error("torrent.create", path=os.path.join(seeder.download_dir, "third.bin"))
        self.assertEqual(e.code, IO_ERROR, e.message)
        self.assertIn("No space left on device", e.message)
        self.assertEqual({t["info_hash"] for t in seeder.call("torrent.list")["torrents"]}, listed)

        # Nor is a torrent added whose resume file may not fit.
        data, _ = make_torrent_bytes("fourth.bin", length=1000)
        e = seeder.call_error("torrent.add", torrent=base64.b64encode(data).decode())
        self.assertEqual(e.code, IO_ERROR, e.message)
        self.assertIn("is full", e.message)
        self.assertEqual({t["info_hash"] for t in seeder.call("torrent.list")["torrents"]}, listed)

        # Receipts keep coming: the ledger cannot commit them, says so once, and counts.
        leecher.call("torrent.add", torrent=second["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        seeder.wait_for(lambda: metric(seeder, "seedd_ledger_commit_failures_total") >= 5, timeout=60,
                        what="failed ledger commits")
        status, health = healthz(seeder)
        self.assertTrue(any(p.startswith("ledger: cannot commit") for p in health["problems"]), health)
        self.assertEqual(seeder.read_log().count("cannot commit to the ledger"), 1, seeder.read_log())

        # Space is back: what waited is committed, and the reasons go.
        os.unlink(filler)
        seeder.wait_for(lambda: "the ledger commits again" in seeder.read_log(), timeout=30, what="the ledger")
        status, health = healthz(seeder)
        self.assertFalse(any(p.startswith(("ledger:", "data_dir:")) for p in health.get("problems", [])), health)
        self.assertIsNone(seeder.proc.poll())

        # After a restart: the two torrents made before, not the one that failed.
        seeder.stop()
        seeder.start()
        self.assertEqual({t["info_hash"] for t in seeder.call("torrent.list")["torrents"]}, listed)


if __name__ == "__main__":
    unittest.main()
