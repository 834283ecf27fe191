"""Issue 7: connection limits. A torrent's max_connections (torrent.set) caps the peers the
seeder keeps for it: of two seedd leechers that both connect to it, only one is kept, and that
one gets the whole file. Global max_connections reads back from
libtorrent (session.get) after session.set."""
import time
import unittest

from harness import DaemonTestCase, sha256_file

MiB = 1024 * 1024
SIZE = 16 * MiB


class ConnectionLimits(DaemonTestCase):
    def test_a_torrents_connection_limit_holds(self):
        # Slow enough (4 MiB/s, applied to loopback too) that both leechers try while it runs.
        seeder = self.daemon("seeder", "--rate-limit-lan=true", f"--upload-limit={4 * MiB}")
        made, src = self.seed(seeder, SIZE, 51)
        ih = made["info_hash"]
        seeder.call("torrent.set", info_hash=ih, max_connections=1)
        self.assertEqual(seeder.torrent(ih)["max_connections"], 1)
        leechers = [self.daemon(f"leecher{i}") for i in range(2)]
        for le in leechers:
            le.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        most = 0
        t0 = time.time()
        while time.time() - t0 < 3.0:  # the first leecher needs ~4 s for 16 MiB
            most = max(most, len(seeder.call("torrent.peers", info_hash=ih)["peers"]))
            time.sleep(0.1)
        self.assertEqual(most, 1, "the seeder kept more peers than the torrent's max_connections")
        # The one kept is served to the end, byte for byte.
        def done():
            return [le for le in leechers if le.torrent(ih)["state"] == "seeding"]
        first = seeder.wait_for(done, timeout=60, what="one download")[0]
        self.assertEqual(sha256_file(first.torrent(ih)["save_path"] + "/payload.bin"), sha256_file(src))

    def test_global_connection_limit_follows_session_set(self):
        d = self.daemon("global")
        self.assertEqual(d.call("session.set", max_connections=7)["max_connections"], 7)
        self.assertEqual(d.call("session.get")["max_connections"], 7)
        self.assertEqual(d.call_error("session.set", max_connections=-1).code, -32602)


if __name__ == "__main__":
    unittest.main()
