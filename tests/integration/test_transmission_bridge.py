"""Issue 19, items 3 and 4: the Transmission bridge, driven by Debian's real
transmission-remote 3.00.

- torrent-get `peers`/`peersFrom`: a python3-libtorrent leecher connected to seedd shows up in
  `transmission-remote -t N -pi` (address, flags, client).
- The blocklist is the ip_filter file: blocklist-enabled and -size say what is loaded, and
  `--blocklist-update` reads the file again (and fails, naming ip_filter, without one). With
  blocklist_url, an update (asked for, or every blocklist_update_interval) downloads the list
  from a local HTTP server (plain or gzipped) into the ip_filter file; an error page or a 404
  leaves the file and the filter as they were.
- Alternative speed limits (alt_upload_limit, alt_download_limit, alt_speed, alt_schedule):
  transmission-remote's --alt-speed*, seedctl set and SIGHUP change them, and the limits in
  force follow the switch and the schedule."""
import functools
import gzip
import http.server
import os
import re
import threading
import signal
import subprocess
import tempfile
import time
import unittest

import vanilla
from harness import Daemon, make_file
from test_transmission_rpc import (PASSWORD, SALT, TRANSMISSION_REMOTE, USER, Client, rpc_auth_entry,
                                   seeding_torrent, transmission_remote)

CREDS = f"{USER}:{PASSWORD}"


class ConfDaemon(Daemon):
    """A daemon that reads `conf` too (options there are re-read at SIGHUP)."""

    def __init__(self, conf, **kw):
        super().__init__(**kw)
        self.conf = conf

    def args(self):
        return super().args() + [f"--config={self.conf}"]


class Bridge(unittest.TestCase):
    def start(self, *extra, conf=None):
        args = [f"--rpc-auth={rpc_auth_entry(USER, PASSWORD, SALT)}"] + list(extra)
        d = ConfDaemon(conf, name="bridge", extra_args=args) if conf else Daemon("bridge", extra_args=args)
        self.addCleanup(d.stop)
        return d.start()

    def tr(self, d, *args, check=True):
        p = transmission_remote(d.rpc_port, CREDS, *args)
        if check:
            self.assertEqual(p.returncode, 0, f"transmission-remote {args}: {p.stdout}{p.stderr}")
        return p


@unittest.skipUnless(TRANSMISSION_REMOTE, "transmission-remote (Debian's transmission-cli) is not installed")
class Peers(Bridge):
    def test_a_connected_leecher_shows_in_transmission_remote_peer_info(self):
        # Loopback is rate limited too, so the leecher is still downloading when we look.
        d = self.start("--upload-limit=200000", "--rate-limit-lan=true")
        ih, data = seeding_torrent(d, "peered.bin", 8 * 1024 * 1024)
        d.wait_for(lambda: d.torrent(ih)["state"] == "seeding", timeout=30, what="the torrent to seed")
        peer = vanilla.LtPeer(data, tempfile.mkdtemp(prefix="seedd-bridge-lt-"))
        self.addCleanup(peer.stop)
        peer.connect(d.bt_port)
        d.wait_for(lambda: peer.payload() > 0, timeout=30, what="the leecher to get bytes")

        c = Client(d, CREDS)
        t = c.torrents(["id", "peers", "peersConnected", "peersFrom"], ids=[ih])[0]
        self.assertEqual(t["peersConnected"], 1, t)
        self.assertEqual(len(t["peers"]), 1, t)
        p = t["peers"][0]
        # The connection's address: the leecher dialled in, so its port is an ephemeral one.
        self.assertEqual(p["address"], "127.0.0.1", p)
        self.assertGreater(p["port"], 0, p)
        self.assertTrue(p["clientName"].startswith("libtorrent/"), p)
        self.assertTrue(p["isIncoming"] and p["isUploadingTo"] and not p["isUTP"], p)
        self.assertIn("U", p["flagStr"])
        self.assertIn("I", p["flagStr"])
        self.assertGreater(p["rateToPeer"], 0, p)
        self.assertLess(p["progress"], 1, p)
        self.assertEqual(t["peersFrom"]["fromIncoming"], 1, t)
        self.assertEqual(sum(t["peersFrom"].values()), 1, t)

        out = self.tr(d, "-t", str(t["id"]), "-pi").stdout
        lines = out.rstrip("\n").split("\n")
        self.assertEqual(lines[0].split()[:2], ["Address", "Flags"], out)
        rows = [line for line in lines[1:] if line.strip()]
        self.assertEqual(len(rows), 1, f"one peer row expected:\n{out}")
        m = re.match(r"^(?P<addr>\S+)\s+(?P<flags>\S+)\s+(?P<done>[\d.]+)\s+(?P<down>[\d.]+)\s+(?P<up>[\d.]+)\s+"
                     r"(?P<client>.+)$", rows[0])
        self.assertTrue(m, rows[0])
        self.assertEqual(m["addr"], "127.0.0.1")
        self.assertIn("U", m["flags"])
        self.assertTrue(m["client"].startswith("libtorrent/"), rows[0])
        self.assertGreater(float(m["up"]), 0, rows[0])


def write_rules(path, count):
    with open(path, "w") as f:
        f.write("".join(f"rule {i}:10.{i}.0.1-10.{i}.0.9\n" for i in range(count)))


@unittest.skipUnless(TRANSMISSION_REMOTE, "transmission-remote (Debian's transmission-cli) is not installed")
class Blocklist(Bridge):
    def test_the_blocklist_is_the_ip_filter_and_an_update_reads_it_again(self):
        path = os.path.join(tempfile.mkdtemp(prefix="seedd-bridge-bl-"), "block.p2p")
        write_rules(path, 2)
        d = self.start(f"--ip-filter={path}")
        c = Client(d, CREDS)
        s = c.ok("session-get", fields=["blocklist-enabled", "blocklist-size"])
        self.assertEqual(s, {"blocklist-enabled": True, "blocklist-size": 2})
        write_rules(path, 5)
        p = self.tr(d, "--blocklist-update")
        self.assertIn("success", p.stdout + p.stderr)
        self.assertEqual(c.ok("blocklist-update"), {"blocklist-size": 5})
        self.assertEqual(c.ok("session-get", fields=["blocklist-size"])["blocklist-size"], 5)
        self.assertEqual(d.call("session.get")["ip_filter_rules"], 5)
        # A file that cannot be read any more: the update fails and the blocklist reads as off.
        os.remove(path)
        self.assertIn("blocklist-update", c.fails("blocklist-update"))
        self.assertFalse(c.ok("session-get", fields=["blocklist-enabled"])["blocklist-enabled"])

    def test_without_an_ip_filter_the_blocklist_is_off_and_an_update_names_ip_filter(self):
        d = self.start()
        c = Client(d, CREDS)
        s = c.ok("session-get", fields=["blocklist-enabled", "blocklist-size"])
        self.assertEqual(s, {"blocklist-enabled": False, "blocklist-size": 0})
        self.assertIn("no ip_filter is set", c.fails("blocklist-update"))
        p = self.tr(d, "--blocklist-update", check=False)
        self.assertIn("no ip_filter is set", p.stdout + p.stderr)


def rules_text(count, first=0):
    return "".join(f"rule {i}:10.{i}.0.1-10.{i}.0.9\n" for i in range(first, first + count))


class ListServer:
    """A local HTTP server of blocklists (files in a temp dir)."""

    def __init__(self, test):
        self.dir = tempfile.mkdtemp(prefix="seedd-bridge-www-")
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=self.dir))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        test.addCleanup(self.httpd.server_close)
        test.addCleanup(self.httpd.shutdown)

    def url(self, name):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def put(self, name, data):
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)


@unittest.skipUnless(TRANSMISSION_REMOTE, "transmission-remote (Debian's transmission-cli) is not installed")
class BlocklistUrl(Bridge):
    def test_an_update_downloads_the_list_and_a_bad_one_changes_nothing(self):
        www = ListServer(self)
        www.put("list.p2p", rules_text(3))
        www.put("list.p2p.gz", gzip.compress(rules_text(4).encode()))
        www.put("error.html", "<html><body>503 Service Unavailable</body></html>\n")
        path = os.path.join(tempfile.mkdtemp(prefix="seedd-bridge-bl-"), "block.p2p")
        write_rules(path, 2)
        d = self.start(f"--ip-filter={path}", f"--blocklist-url={www.url('list.p2p')}", "--blocklist-update-interval=0")
        c = Client(d, CREDS)
        self.assertEqual(c.ok("session-get", fields=["blocklist-url", "blocklist-size"]),
                         {"blocklist-url": www.url("list.p2p"), "blocklist-size": 2})
        # Asked for: transmission-remote's --blocklist-update downloads it into the ip_filter file.
        p = self.tr(d, "--blocklist-update")
        self.assertIn("success", p.stdout + p.stderr)
        self.assertEqual(c.ok("session-get", fields=["blocklist-size"])["blocklist-size"], 3)
        with open(path) as f:
            self.assertEqual(f.read(), rules_text(3))
        # A new URL is fetched at once (gzipped here), through session-set's blocklist-url.
        c.ok("session-set", **{"blocklist-url": www.url("list.p2p.gz")})
        d.wait_for(lambda: d.call("session.get")["ip_filter_rules"] == 4, timeout=15, what="the gzipped list")
        with open(path) as f:
            self.assertEqual(f.read(), rules_text(4))
        # An error page and a missing file: refused, the file and the filter stay as they were.
        for name, why in (("error.html", "not a blocklist"), ("missing.p2p", "HTTP 404")):
            d.call("session.set", blocklist_url=www.url(name))
            self.assertIn(why, c.fails("blocklist-update"))
            self.assertEqual(d.call("session.get")["ip_filter_rules"], 4)
            with open(path) as f:
                self.assertEqual(f.read(), rules_text(4))
        self.assertIn("http://", d.call_error("session.set", blocklist_url="https://example.org/list.gz").message)

    def test_the_list_is_fetched_at_start_when_missing_and_again_every_interval(self):
        www = ListServer(self)
        www.put("list.p2p", rules_text(3))
        path = os.path.join(tempfile.mkdtemp(prefix="seedd-bridge-bl-"), "block.p2p")  # not there yet
        d = self.start(f"--ip-filter={path}", f"--blocklist-url={www.url('list.p2p')}", "--blocklist-update-interval=2")
        d.wait_for(lambda: d.call("session.get")["ip_filter_rules"] == 3, timeout=15, what="the list fetched at start")
        www.put("list.p2p", rules_text(6))
        d.wait_for(lambda: d.call("session.get")["ip_filter_rules"] == 6, timeout=15, what="the list fetched again")
        self.assertTrue(Client(d, CREDS).ok("session-get", fields=["blocklist-enabled"])["blocklist-enabled"])


@unittest.skipUnless(TRANSMISSION_REMOTE, "transmission-remote (Debian's transmission-cli) is not installed")
class AltSpeed(Bridge):
    def limits(self, d):
        s = d.call("session.get")
        return s["upload_limit"], s["download_limit"], s["alt_speed_active"]

    def test_transmission_remote_switches_the_alternative_limits(self):
        d = self.start("--upload-limit=1000000", "--download-limit=2000000")
        c = Client(d, CREDS)
        s = c.ok("session-get")
        self.assertEqual((s["alt-speed-up"], s["alt-speed-down"], s["alt-speed-enabled"], s["alt-speed-time-enabled"]),
                         (50, 50, False, False))
        self.tr(d, "--alt-speed-uplimit", "40", "--alt-speed-downlimit", "60")
        self.assertEqual(self.limits(d), (1000000, 2000000, False))
        self.tr(d, "--alt-speed")
        self.assertEqual(self.limits(d), (40000, 60000, True))
        s = c.ok("session-get")
        # The normal limits still read as set; the alternative ones as on.
        self.assertEqual((s["speed-limit-up"], s["alt-speed-up"], s["alt-speed-down"], s["alt-speed-enabled"]),
                         (1000, 40, 60, True))
        info = self.tr(d, "-si").stdout
        self.assertRegex(info, r"(?i)turtle", info)
        # Changing the normal limit while the alternative ones are on keeps them on.
        self.tr(d, "--uplimit", "900")
        self.assertEqual(self.limits(d), (40000, 60000, True))
        self.tr(d, "--no-alt-speed")
        self.assertEqual(self.limits(d), (900000, 2000000, False))

    def test_the_schedule_from_transmission_remote_puts_the_limits_on_within_its_window(self):
        d = self.start("--upload-limit=1000000", "--alt-upload-limit=30000")
        # Every day, the whole day (begin == end): inside the window whatever the time is.
        self.tr(d, "--alt-speed-scheduler", "--alt-speed-time-begin", "0000", "--alt-speed-time-end", "0000",
                "--alt-speed-days", "1-7")
        s = d.call("session.get")
        self.assertEqual(s["alt_schedule"], "all 00:00-00:00")
        d.wait_for(lambda: self.limits(d)[0] == 30000, timeout=10, what="the scheduled limits")
        tr = Client(d, CREDS).ok("session-get")
        self.assertEqual((tr["alt-speed-time-enabled"], tr["alt-speed-time-begin"], tr["alt-speed-time-end"],
                          tr["alt-speed-time-day"], tr["alt-speed-enabled"]), (True, 0, 0, 127, True))
        # Weekends only, 01:00-01:01: not now unless it is that minute of a weekend.
        self.tr(d, "--alt-speed-time-begin", "0100", "--alt-speed-time-end", "0101", "--alt-speed-days", "6-7")
        self.assertEqual(d.call("session.get")["alt_schedule"], "weekends 01:00-01:01")
        now = time.localtime()
        if not (now.tm_wday >= 5 and now.tm_hour == 1 and now.tm_min == 0):
            self.assertEqual(self.limits(d)[0], 1000000)
        self.tr(d, "--no-alt-speed-scheduler")
        s = d.call("session.get")
        self.assertEqual((s["alt_schedule"], s["upload_limit"]), ("", 1000000))
        # Out-of-range values are refused by name.
        c = Client(d, CREDS)
        self.assertIn("alt-speed-time-begin", c.fails("session-set", **{"alt-speed-time-begin": 1440}))
        self.assertIn("alt-speed-time-day", c.fails("session-set", **{"alt-speed-time-day": 128}))

    def test_seedctl_set_and_sighup_drive_the_same_options(self):
        conf = os.path.join(tempfile.mkdtemp(prefix="seedd-bridge-conf-"), "seedd.conf")
        with open(conf, "w") as f:
            f.write("upload_limit = 1000000\nalt_upload_limit = 20000\n")
        d = self.start(conf=conf)
        self.assertEqual(self.limits(d)[0], 1000000)
        d.seedctl("set", "alt_speed=true", "alt_upload_limit=25000")
        self.assertEqual(self.limits(d)[0], 25000)
        d.seedctl("set", "alt_speed=false", "alt_schedule=all 00:00-00:00")
        d.wait_for(lambda: self.limits(d)[0] == 25000, timeout=10, what="the scheduled limits")
        p = d.seedctl("set", "alt_schedule=weekdays 9-17", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("DAYS HH:MM-HH:MM", p.stdout + p.stderr)
        # SIGHUP re-reads the file: its alt_speed and alt_upload_limit, and no schedule.
        with open(conf, "w") as f:
            f.write("upload_limit = 1000000\nalt_upload_limit = 15000\nalt_speed = true\n")
        d.proc.send_signal(signal.SIGHUP)
        d.wait_for(lambda: self.limits(d)[0] == 15000 and d.call("session.get")["alt_schedule"] == "",
                   timeout=10, what="the file's alternative limits after SIGHUP")
        with open(conf, "w") as f:
            f.write("upload_limit = 1000000\nalt_upload_limit = 15000\n")
        d.proc.send_signal(signal.SIGHUP)
        d.wait_for(lambda: self.limits(d) == (1000000, 0, False), timeout=10, what="the normal limits after SIGHUP")


if __name__ == "__main__":
    unittest.main(verbosity=2)
