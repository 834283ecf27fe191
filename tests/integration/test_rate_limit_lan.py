"""Issue 7, must-show 1 (rate limits): with rate_limit_lan=true a seeder's upload_limit holds
for a seedd leecher on 127.0.0.1 (libtorrent would exempt it otherwise) within 10 % over more
than 10 s, and a session.set of upload_limit changes the measured rate to the new limit. A
control run without rate_limit_lan shows the same limit not applying to the loopback peer."""
import os
import time
import unittest

from harness import DaemonTestCase

MiB = 1024 * 1024
SIZE = 96 * MiB  # at 2 MiB/s then 1 MiB/s, never done inside four windows and their warm-ups
WINDOW_S = 11.0   # each measurement
WARMUP_S = 3.0    # the rate limiter's first burst and the connection's ramp-up are left out


def slope(samples):
    """Least-squares bytes per second over (time, bytes) samples: a fit over many samples is
    not fooled by the bursts of the disk and the rate limiter the way a two-point difference is."""
    n = len(samples)
    mt = sum(t for t, _ in samples) / n
    mb = sum(b for _, b in samples) / n
    num = sum((t - mt) * (b - mb) for t, b in samples)
    den = sum((t - mt) ** 2 for t, _ in samples)
    return num / den


class RateLimitLan(DaemonTestCase):
    def start_leecher(self, name, seeder, made):
        """A leecher of `made` pointed at the seeder; returns once the seeder has sent something."""
        leecher = self.daemon(name)
        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        seeder.wait_for(lambda: int(seeder.torrent(made["info_hash"])["uploaded_bytes"]) > 0, timeout=20,
                        what="upload to start")
        return leecher

    def measure(self, leecher, ih, seconds):
        """The seeder's upload rate to its one peer, as the bytes that peer has, asked of
        libtorrent at each sample (torrent.files: block-exact at the moment of the call). The
        torrents' byte counters would not do: they move in steps of about a second (libtorrent
        folds them in once a second, the engine's snapshot refreshes once a second), which is
        10 % of a 10 s window."""
        samples = []
        t0 = time.time()
        while time.time() - t0 < seconds:
            files = leecher.call("torrent.files", info_hash=ih)["files"]
            samples.append((time.time(), sum(int(f["done_bytes"]) for f in files)))
            time.sleep(0.2)
        self.assertLess(samples[-1][1], SIZE, "the download finished inside the window: the rate was not limited")
        return slope(samples)

    def assert_rate_at_limit(self, leecher, ih, limit, what):
        """The rate over a window is within 10 % of `limit`. Above it fails at once: the limit did
        not hold. Below it, a second window is measured: on a loaded 2-core machine (CI runs two
        tests at a time) a window can fall short because the seeder was not scheduled, not
        because of its limiter (seen once: 0.895 of the limit); both windows short fails."""
        for attempt in (1, 2):
            rate = self.measure(leecher, ih, WINDOW_S)
            print(f"{what} {limit} B/s: measured {rate:.0f} B/s ({rate / limit:.3f} of the limit) over {WINDOW_S} s"
                  + (" (second window)" if attempt == 2 else ""))
            self.assertLess(rate, limit * 1.10, f"{what}: measured {rate:.0f} B/s, above the limit of {limit}")
            if rate > limit * 0.90:
                return
        self.fail(f"{what}: measured {rate:.0f} B/s in two windows, more than 10 % under the limit of {limit}")

    def test_limit_holds_for_loopback_peer_and_follows_session_set(self):
        limit = 2 * MiB
        seeder = self.daemon("seeder", "--rate-limit-lan=true", f"--upload-limit={limit}")
        self.assertTrue(seeder.call("session.get")["rate_limit_lan"])
        made, _ = self.seed(seeder, SIZE, 21)
        ih = made["info_hash"]
        leecher = self.start_leecher("leecher", seeder, made)
        time.sleep(WARMUP_S)
        self.assert_rate_at_limit(leecher, ih, limit, "upload_limit")

        # session.set changes the limit of the running seeder: the measured rate follows.
        new_limit = 1 * MiB
        self.assertEqual(seeder.call("session.set", upload_limit=new_limit)["upload_limit"], new_limit)
        time.sleep(WARMUP_S)
        self.assert_rate_at_limit(leecher, ih, new_limit, "after session.set upload_limit")

    def test_a_torrents_own_limit_holds_for_loopback_peer(self):
        # No global limit: the torrent's own upload_limit (torrent.set) is what holds.
        limit = 2 * MiB
        seeder = self.daemon("torrent-seeder", "--rate-limit-lan=true")
        made, _ = self.seed(seeder, SIZE, 23)
        ih = made["info_hash"]
        seeder.call("torrent.set", info_hash=ih, upload_limit=limit)
        self.assertEqual(seeder.torrent(ih)["upload_limit"], limit)
        leecher = self.start_leecher("torrent-leecher", seeder, made)
        time.sleep(WARMUP_S)
        self.assert_rate_at_limit(leecher, ih, limit, "torrent upload_limit")

    def test_without_rate_limit_lan_the_loopback_peer_is_exempt(self):
        # The control: the same 2 MiB/s limit, but the loopback peer stays in libtorrent's local
        # class, so 96 MiB arrive far faster than the 48 s the limit would allow.
        seeder = self.daemon("exempt-seeder", f"--upload-limit={2 * MiB}")
        self.assertFalse(seeder.call("session.get")["rate_limit_lan"])
        made, _ = self.seed(seeder, SIZE, 22)
        leecher = self.daemon("exempt-leecher")
        t0 = time.time()
        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(made["info_hash"])["state"] == "seeding", timeout=30,
                         what="the unlimited download")
        took = time.time() - t0
        print(f"without rate_limit_lan: {SIZE // MiB} MiB in {took:.1f} s ({SIZE / took / MiB:.1f} MiB/s) under a 2 MiB/s limit")
        self.assertLess(took, 16, "the loopback peer was limited although rate_limit_lan is off")


if __name__ == "__main__":
    unittest.main()
