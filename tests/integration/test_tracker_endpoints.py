"""Issue 19 item 14: libtorrent announces from every listen address. With seedd listening on
0.0.0.0 and [::], its IPv6 sockets (fe80:: link-local among them) cannot reach a tracker on
127.0.0.1 and libtorrent records "skipping tracker announce (unreachable)" for them; torrent.trackers
and `seedctl trackers` showed that working tracker as failing. They now report the endpoint
that got an answer.
The tracker is a small HTTP server on 127.0.0.1: no traffic leaves the machine."""
import http.server
import os
import threading
import unittest

from harness import DaemonTestCase, bencode, free_port, make_file


class Tracker(http.server.BaseHTTPRequestHandler):
    announces = []

    def do_GET(self):
        Tracker.announces.append(self.path)
        body = bencode({"interval": 1800, "complete": 1, "incomplete": 0, "peers": b""})
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class TrackerEndpoints(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tracker)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/announce"

    def test_a_tracker_that_answered_is_working(self):
        port = free_port()
        d = self.daemon("trackers", f"--listen=0.0.0.0:{port},[::]:{port}")
        make_file(os.path.join(d.download_dir, "t.bin"), 100_000, seed=31)
        ih = d.call("torrent.create", path="t.bin", trackers=[self.url])["info_hash"]

        def answered():
            t = d.call("torrent.trackers", info_hash=ih)["trackers"][0]
            return t if Tracker.announces and t["verified"] and t["endpoint"] else None
        t = d.wait_for(answered, timeout=30, interval=0.3, what="the announce")
        self.assertEqual(t["fails"], 0, t)
        self.assertNotIn("unreachable", t["message"])
        self.assertEqual(t["message"], "")
        self.assertTrue(t["endpoint"].endswith(f":{port}"), t)
        self.assertFalse(t["endpoint"].startswith("["), t)  # an IPv4 socket reached it
        rows = d.seedctl("trackers", ih[:8]).stdout
        self.assertNotIn("unreachable", rows)
        self.assertIs(t["updating"], False, t)
        # libtorrent sent nothing from the sockets that cannot reach the tracker (it skips them):
        # no warning about them in the log either.
        self.assertNotRegex(d.read_log(), r"warn\w*\s+engine\s.*skipping tracker announce")


if __name__ == "__main__":
    unittest.main()
