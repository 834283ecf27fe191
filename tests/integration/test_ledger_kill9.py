"""Issue 3, must-show 6: kill -9 of the seeder at random moments during a transfer, 10 times in
a row. Each time the ledger opens (SQLite's integrity_check on a copy taken while the seeder is
dead, and the restarted daemon answers), and every receipt that had counted before the kill
(visible in earnings.summary and receipts.list) is still there. Across all restarts the verified
bytes never go down and never exceed what the leecher received; after the download completes,
the receipts of the last connection cover everything it carried.

The seeder runs with a 4 MiB credit window, which holds a receipted transfer near 5 MB/s on
loopback: a 256 MiB torrent is then still transferring through all ten kills (about 100 MB go
by). After the last kill it comes back with the default window to finish sooner."""
import base64
import os
import random
import shutil
import sqlite3
import tempfile
import time
import unittest

from harness import DaemonTestCase, sha256_file

MiB = 1024 * 1024
SIZE = 256 * MiB
KILLS = 10


def ledger_copy_facts(data_dir, dest):
    """Copies the ledger (database and WAL) of a dead daemon and opens the copy: returns
    (integrity_check result, {channel: bytes} of every receipt, verified bytes of the roll-ups)."""
    os.makedirs(dest)
    for suffix in ("", "-wal"):
        src = os.path.join(data_dir, "ledger.sqlite" + suffix)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(dest, "ledger.sqlite" + suffix))
    db = sqlite3.connect(os.path.join(dest, "ledger.sqlite"))
    try:
        check = db.execute("PRAGMA integrity_check").fetchall()
        rows = {str(int.from_bytes(ch, "big")): b for ch, b in db.execute("SELECT channel, bytes FROM receipts")}
        rolled = db.execute("SELECT COALESCE(SUM(verified_bytes), 0) FROM upload_hourly").fetchone()[0]
    finally:
        db.close()
    return check, rows, rolled


class LedgerSurvivesKill9(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.scratch = tempfile.mkdtemp(prefix="seedd-kill9-")

    def test_ten_kills_during_a_receipted_transfer(self):
        seed = int(os.environ.get("SEEDD_TEST_SEED", time.time_ns() % 1_000_000))
        rng = random.Random(seed)
        print(f"random seed {seed} (SEEDD_TEST_SEED={seed} repeats the kill moments)")

        # Paced by an upload limit that holds on loopback too, so the kills land mid-transfer.
        seeder, leecher, made, src = self.two_nodes(["--rate-limit-lan=true", "--upload-limit=4MiB"], SIZE,
                                                    seed=6, name="big.bin")
        ih = made["info_hash"]
        leecher_addr = leecher.call("node.info")["node_address"]

        def summary():
            return seeder.call("earnings.summary")

        def receipts():
            rows = seeder.call("receipts.list", info_hash=ih, limit=1000)["receipts"]
            for r in rows:
                self.assertEqual(r["message"]["leecher"], leecher_addr)
            return {r["message"]["channel"]: int(r["message"]["bytes"]) for r in rows}

        def connect():
            # Both ways: after a failed connection, libtorrent waits min_reconnect_time (60 s)
            # before the leecher dials that peer again, while the restarted seeder dials at once.
            leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
            seeder.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{leecher.bt_port}"])

        verified_series = []  # every reading of the seeder's verified bytes, in order
        connect()
        restart_verified = 0
        for kill in range(1, KILLS + 1):
            # Wait until receipts of this connection count (past the first one, which the
            # leecher sends after the first block), then kill at a random moment: receipts come
            # every min(ri, cw/4) bytes, and batches commit every 100 ms.
            seeder.wait_for(lambda: int(summary()["verified_bytes"]) >= restart_verified + MiB, timeout=30,
                            interval=0.05, what=f"receipts to flow before kill {kill}")
            self.assertNotEqual(leecher.torrent(ih)["state"], "seeding",
                                f"the download finished before kill {kill}: the torrent is too small")
            time.sleep(rng.uniform(0.0, 2.0))
            before_rows = receipts()
            before = summary()
            seeder.kill9()
            before_verified = int(before["verified_bytes"])
            verified_series.append(before_verified)

            # While it is dead: the ledger copy is sound and holds everything that had counted.
            check, rows, rolled = ledger_copy_facts(seeder.data_dir, os.path.join(self.scratch, f"kill{kill}"))
            self.assertEqual(check, [("ok",)], f"kill {kill}: integrity_check")
            for channel, b in before_rows.items():
                self.assertIn(channel, rows, f"kill {kill}: a receipt that had counted is gone")
                self.assertGreaterEqual(rows[channel], b, f"kill {kill}: a receipt went back")
            self.assertGreaterEqual(sum(rows.values()), before_verified)
            self.assertEqual(rolled, sum(rows.values()), f"kill {kill}: roll-ups and receipts disagree")
            received = leecher.settled(ih, "downloaded_bytes")  # nothing flows while the seeder is dead
            self.assertLessEqual(sum(rows.values()), received, f"kill {kill}: booked more than was received")

            # It starts again on the same ledger, with the same figures.
            if kill == KILLS:
                seeder.extra_args.remove("--upload-limit=4MiB")
            seeder.start()
            after = summary()
            restart_verified = int(after["verified_bytes"])
            verified_series.append(restart_verified)
            self.assertGreaterEqual(restart_verified, sum(rows.values()), f"kill {kill}: verified bytes went down")
            self.assertGreaterEqual(after["receipts"], before["receipts"])
            after_rows = receipts()
            for channel, b in rows.items():
                self.assertGreaterEqual(after_rows.get(channel, -1), b, f"kill {kill}: receipt lost after restart")
            print(f"kill {kill}: verified {before_verified} before, {restart_verified} after restart, "
                  f"{len(rows)} channels, leecher had {received}")
            old_channels, received_at_last_kill = set(rows), received
            connect()

        # The download completes; the last connection's receipts cover all it carried.
        leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=120, what="the download")
        self.assertEqual(sha256_file(os.path.join(leecher.download_dir, "big.bin")), sha256_file(src))
        received = leecher.settled(ih, "downloaded_bytes")
        last_connection = received - received_at_last_kill

        def final_receipts():
            rows = receipts()
            new = sum(b for ch, b in rows.items() if ch not in old_channels)
            return rows if new >= last_connection else None

        rows = seeder.wait_for(final_receipts, timeout=30, what="the final receipt")
        self.assertEqual(sum(b for ch, b in rows.items() if ch not in old_channels), last_connection,
                         "the final receipt does not cover the last connection")
        final = summary()
        verified_series.append(int(final["verified_bytes"]))
        self.assertEqual(int(final["verified_bytes"]), sum(rows.values()))
        self.assertEqual(verified_series, sorted(verified_series), f"verified bytes went down: {verified_series}")
        self.assertLessEqual(int(final["verified_bytes"]), received, "verified more than the leecher received")
        self.assertTrue(all(v == 0 for v in final["rejected"].values()), final["rejected"])

        # And the ledger is sound after a clean stop too.
        seeder.stop()
        check, rows_at_end, rolled = ledger_copy_facts(seeder.data_dir, os.path.join(self.scratch, "end"))
        self.assertEqual(check, [("ok",)])
        self.assertEqual(rows_at_end, rows)
        self.assertEqual(rolled, sum(rows.values()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
