"""Issue 3, must-show 3: BitTorrent clients from Debian's packages that lack the receipt
extension download from seedd. python3-libtorrent (a plain session, no plugins) connects
straight to seedd; aria2c finds it through a local opentracker; transmission-cli is dialled by
seedd (it will not dial a 127.0.0.1 peer from a tracker). DHT, LSD, PEX, UPnP/NAT-PMP and uTP
are off in every client.

- vanilla_peers=serve (default): each client gets the whole file; its bytes are booked as
  unverified upload, never verified, and nothing is claimable.
- vanilla_peers=throttle: the vanilla upload rate stays under twice vanilla_upload_limit.
- vanilla_peers=refuse: the clients connect and get not one byte, while a seedd leecher of the
  same torrent gets all of it (with receipts).

The torrents here are v1-only and made with python3-libtorrent: aria2c 1.36 and
transmission-cli 3.00 mishandle v1+v2 hybrids (see test_create_versions.py)."""
import base64
import os
import tempfile
import threading
import time
import unittest

import vanilla
from harness import Daemon, make_file, run_cleanups, sha256_file

MiB = 1024 * 1024
CLIENT_NAMES = {"libtorrent": "libtorrent/", "aria2c": "aria2/", "transmission": "Transmission"}


class PeerWatcher:
    """Polls seedd's torrent.peers in the background and remembers every peer it saw: vanilla
    peers live for about a second under `refuse`, too short for one look."""

    def __init__(self, daemon, info_hash):
        self.daemon, self.info_hash = daemon, info_hash
        self.seen = {}  # endpoint -> last view
        self.errors = []  # what failed calls said (shown when nothing was seen)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                for p in self.daemon.call("torrent.peers", info_hash=self.info_hash)["peers"]:
                    self.seen[p["endpoint"]] = p
            except Exception as e:  # the daemon may be stopping
                self.errors.append(repr(e)[:200])
            self._stop.wait(0.1)

    def stop(self):
        self._stop.set()
        self._thread.join(5)


class VanillaPeers(unittest.TestCase):
    def setUp(self):
        self.cleanups = []
        self.base = tempfile.mkdtemp(prefix="seedd-vanilla-")

    def tearDown(self):
        run_cleanups(self.cleanups)

    def daemon(self, name, *args):
        d = Daemon(name, extra_args=args)
        self.cleanups.append(d.stop)
        return d.start()

    def tracker(self, info_hashes, tracker):
        tracker.start(info_hashes)
        self.cleanups.append(tracker.stop)

    def client(self, c):
        self.cleanups.append(c.stop)
        return c

    def watch(self, daemon, ih):
        w = PeerWatcher(daemon, ih)
        self.cleanups.append(w.stop)
        return w

    def v1_torrent(self, seeder, name, size, seed, tracker):
        """Writes the data into the seeder's download dir and makes a v1-only torrent of it;
        returns (torrent bytes, info-hash, source path)."""
        src = os.path.join(seeder.download_dir, name)
        make_file(src, size, seed=seed)
        data, ih = vanilla.make_v1_torrent(src, [tracker.announce])
        return data, ih, src

    def seed(self, seeder, data, ih, tracker):
        seeder.call("torrent.add", torrent=base64.b64encode(data).decode())
        seeder.wait_for(lambda: seeder.torrent(ih)["state"] == "seeding", timeout=30, what="the torrent to seed")
        tracker.wait_for_seed(ih)

    def torrent_file(self, name, data):
        p = os.path.join(self.base, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def dial(self, seeder, data, transmission):
        """seedd connects to transmission-cli (torrent.add of a present torrent adds peers)."""
        transmission.wait_listening()
        seeder.call("torrent.add", torrent=base64.b64encode(data).decode(),
                    peers=[f"127.0.0.1:{transmission.port}"])

    def assert_nothing_verified(self, seeder, info_hashes):
        for ih in info_hashes:
            self.assertEqual(int(seeder.torrent(ih)["uploaded_verified_bytes"]), 0)
            self.assertEqual(seeder.call("receipts.list", info_hash=ih)["receipts"], [])
        s = seeder.call("earnings.summary")
        self.assertEqual(int(s["verified_bytes"]), 0)
        self.assertEqual(s["receipts"], 0)
        self.assertEqual(s["pending_amount"], "0")
        self.assertEqual(s["unclaimed_bytes"], "0")
        return s

    def test_serve_books_vanilla_upload_as_unverified(self):
        size = 24 * MiB
        seeder = self.daemon("seeder", "--reward-rate=1000000000")
        tracker = vanilla.OpenTracker()
        files = {}
        for i, who in enumerate(("libtorrent", "aria2c", "transmission")):
            files[who] = self.v1_torrent(seeder, f"{who}.bin", size, 20 + i, tracker)
        self.tracker([ih for _, ih, _ in files.values()], tracker)
        for data, ih, _ in files.values():
            self.seed(seeder, data, ih, tracker)
        watchers = {who: self.watch(seeder, ih) for who, (_, ih, _) in files.items()}

        lt_dir, aria_dir, tr_dir = (os.path.join(self.base, w) for w in ("lt", "aria2", "transmission"))
        lt_peer = self.client(vanilla.LtPeer(files["libtorrent"][0], lt_dir))
        # At loopback speed the download (and so the connection) can be over between two looks
        # of the watcher on a busy machine; 8 MiB/s keeps it open for about 3 s.
        lt_peer.handle.set_download_limit(8 * MiB)
        lt_peer.connect(seeder.bt_port)
        # aria2c too (CI once saw it finish between two looks): 8 MiB/s, about 3 s.
        aria = self.client(vanilla.Aria2(self.torrent_file("aria2c.torrent", files["aria2c"][0]), aria_dir,
                                         extra_args=["--max-download-limit=8M"]))
        trc = self.client(vanilla.TransmissionCli(
            self.torrent_file("transmission.torrent", files["transmission"][0]), tr_dir))
        self.dial(seeder, files["transmission"][0], trc)

        def all_done():
            return (lt_peer.is_seeding() and aria.finished()
                    and os.path.exists(os.path.join(tr_dir, "transmission.bin")))

        seeder.wait_for(all_done, timeout=120, interval=0.5, what="the three vanilla clients to finish")
        self.assertEqual(aria.proc.returncode, 0, aria.log()[-3000:])
        for who, d in (("libtorrent", lt_dir), ("aria2c", aria_dir), ("transmission", tr_dir)):
            self.assertEqual(sha256_file(os.path.join(d, f"{who}.bin")), sha256_file(files[who][2]),
                             f"{who} got different bytes")

        # Every byte went out as unverified upload, to a peer seedd saw without an address.
        total = 0
        for who, (_, ih, _) in files.items():
            sent = seeder.settled(ih, "uploaded_bytes")
            unverified = seeder.settled(ih, "uploaded_unverified_bytes")
            self.assertGreaterEqual(sent, size, who)
            self.assertEqual(unverified, sent, f"{who}: unverified upload is not what was sent")
            total += unverified
            watchers[who].stop()
            peers = list(watchers[who].seen.values())
            self.assertTrue(peers, f"seedd never listed {who} in torrent.peers; errors: {watchers[who].errors[-3:]}")
            self.assertTrue(all(p["seedd_address"] is None for p in peers), (who, peers))
            # A connection seen before its extended handshake has no client name yet.
            self.assertTrue(all(CLIENT_NAMES[who] in p["client"] for p in peers if p["client"]), (who, peers))
        summary = self.assert_nothing_verified(seeder, [ih for _, ih, _ in files.values()])
        self.assertEqual(int(summary["unverified_bytes"]), total)

    def test_throttle_bounds_the_vanilla_rate(self):
        limit = 1 * MiB  # bytes per second, across every vanilla peer
        seeder = self.daemon("seeder", "--vanilla-peers=throttle", f"--vanilla-upload-limit={limit}")
        tracker = vanilla.OpenTracker()
        data, ih, _ = self.v1_torrent(seeder, "slow.bin", 96 * MiB, 30, tracker)
        self.tracker([ih], tracker)
        self.seed(seeder, data, ih, tracker)
        watcher = self.watch(seeder, ih)

        lt_peer = self.client(vanilla.LtPeer(data, os.path.join(self.base, "lt")))
        lt_peer.connect(seeder.bt_port)
        aria = self.client(vanilla.Aria2(self.torrent_file("slow.torrent", data), os.path.join(self.base, "aria2")))
        # Served as seedd itself counts it: each client, named as its extended handshake names it
        # (not a guess from the peer-id), took payload from the seeder.
        def served(who):
            return any(CLIENT_NAMES[who] in p["client"] and int(p["sent_bytes"]) > 0 for p in watcher.seen.values())

        def view():
            seen = [(p["endpoint"], p["client"], p["sent_bytes"], p["choked"], p["interested"])
                    for p in watcher.seen.values()]
            return f"both clients to be served; seedd's view of its peers: {seen}; watcher errors: {watcher.errors[-3:]}"

        seeder.wait_for(lambda: lt_peer.payload() > 0 and aria.talked_to(seeder.bt_port)
                        and served("libtorrent") and served("aria2c"), timeout=45, what=view)
        time.sleep(2)  # past the first burst of the bucket

        # The daemon's own all-time upload counter, read over a window of ~12 s.
        def reading():
            return time.monotonic(), int(seeder.torrent(ih)["uploaded_bytes"])

        t0, b0 = reading()
        time.sleep(12)
        t1, b1 = reading()
        rate = (b1 - b0) / (t1 - t0)
        print(f"vanilla upload under throttle: {rate / MiB:.2f} MiB/s (limit {limit / MiB:.2f} MiB/s)")
        self.assertLess(rate, 2 * limit, "vanilla upload ran past twice vanilla_upload_limit")
        self.assertGreater(rate, 0.25 * limit, "throttled vanilla peers were hardly served at all")
        self.assertLess(b1, 96 * MiB, "the download finished: the window did not measure the limit")

        watcher.stop()
        peers = list(watcher.seen.values())
        self.assertTrue(peers and all(p["seedd_address"] is None for p in peers), peers)
        lt_peer.stop()
        aria.stop()
        sent = seeder.settled(ih, "uploaded_bytes")
        self.assertEqual(seeder.settled(ih, "uploaded_unverified_bytes"), sent)
        self.assert_nothing_verified(seeder, [ih])

    def test_refuse_gives_vanilla_clients_nothing(self):
        size = 16 * MiB
        # The seedd leecher refuses vanilla peers too, or it would serve them what it got.
        seeder = self.daemon("seeder", "--vanilla-peers=refuse")
        tracker = vanilla.OpenTracker()
        data, ih, src = self.v1_torrent(seeder, "refused.bin", size, 40, tracker)
        self.tracker([ih], tracker)
        self.seed(seeder, data, ih, tracker)
        watcher = self.watch(seeder, ih)

        lt_dir, aria_dir, tr_dir = (os.path.join(self.base, w) for w in ("lt", "aria2", "transmission"))
        lt_peer = self.client(vanilla.LtPeer(data, lt_dir))
        lt_peer.connect(seeder.bt_port)
        tfile = self.torrent_file("refused.torrent", data)
        aria = self.client(vanilla.Aria2(tfile, aria_dir))
        trc = self.client(vanilla.TransmissionCli(tfile, tr_dir))
        self.dial(seeder, data, trc)

        # Each client really reached seedd and was dropped.
        seeder.wait_for(lambda: lt_peer.disconnects_from(seeder.bt_port) >= 1, timeout=30,
                        what="python3-libtorrent to be disconnected")
        seeder.wait_for(lambda: aria.talked_to(seeder.bt_port), timeout=30, what="aria2c to reach seedd")
        seeder.wait_for(lambda: f"127.0.0.1:{trc.port}" in watcher.seen, timeout=30,
                        what="seedd to connect to transmission-cli")
        time.sleep(10)

        def vanilla_got():
            return {"libtorrent": lt_peer.payload(),
                    "aria2c on disk": vanilla.nonzero_bytes(aria_dir, "refused.bin"),
                    "transmission on disk": vanilla.nonzero_bytes(tr_dir, "refused.bin")}

        self.assertEqual(vanilla_got(), {"libtorrent": 0, "aria2c on disk": 0, "transmission on disk": 0})
        self.assertEqual(seeder.settled(ih, "uploaded_bytes"), 0)
        self.assertEqual(int(seeder.torrent(ih)["uploaded_unverified_bytes"]), 0)
        self.assertEqual(lt_peer.handle.status().num_pieces, 0)

        # A seedd leecher of the same torrent, at the same time, gets all of it.
        leecher = self.daemon("leecher", "--vanilla-peers=refuse")
        leecher.call("torrent.add", torrent=base64.b64encode(data).decode(), peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=60, what="the seedd leecher")
        self.assertEqual(sha256_file(os.path.join(leecher.download_dir, "refused.bin")), sha256_file(src))
        leecher_addr = leecher.call("node.info")["node_address"]
        seeder.wait_for(lambda: int(seeder.torrent(ih)["uploaded_verified_bytes"]) >= size, timeout=30,
                        what="the leecher's receipts to cover the file")
        rows = seeder.call("receipts.list", info_hash=ih)["receipts"]
        self.assertTrue(rows and all(r["message"]["leecher"] == leecher_addr for r in rows), rows)
        seedd_peers = [p for p in watcher.seen.values() if p["seedd_address"] == leecher_addr]
        self.assertTrue(seedd_peers, watcher.seen)
        self.assertTrue(all(p["client"].startswith("seedd/") for p in seedd_peers), seedd_peers)

        time.sleep(3)  # the vanilla clients keep trying, now with two seedd in the swarm
        self.assertEqual(vanilla_got(), {"libtorrent": 0, "aria2c on disk": 0, "transmission on disk": 0})
        self.assertEqual(int(seeder.torrent(ih)["uploaded_unverified_bytes"]), 0)
        self.assertEqual(int(seeder.call("earnings.summary")["unverified_bytes"]), 0)
        self.assertGreaterEqual(lt_peer.disconnects_from(seeder.bt_port), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
