"""Issue 17: the Torrents page with 10,000 torrents. Measures (and prints, asserting no time)
how long the first screen of rows takes from navigation start, and checks that the table is
virtual (a few dozen rows in the DOM), scrolls to the last torrent, sorts and filters all
10,000, and takes a delta (a torrent removed on the server disappears without a reload)."""
import base64
import hashlib
import os
import time
import unittest

from harness import bencode
from browser import Browser, BrowserTestCase, rpc_auth_entry

COUNT = int(os.environ.get("SEEDD_WEB_SCALE_COUNT", "10000"))
BATCH = 100  # kMaxBatchLength of the JSON-RPC layer


def torrents(count):
    """`count` one-piece .torrent files of data nobody has (added paused): (info-hash, base64)."""
    out = []
    for i in range(count):
        data_hash = hashlib.sha1(b"web%d" % i).digest()
        info = {"name": f"show-{i:05d}.mkv", "length": 1000 + i, "piece length": 16384, "pieces": data_hash}
        out.append((hashlib.sha1(bencode(info)).hexdigest(), base64.b64encode(bencode({"info": info})).decode()))
    return out


class WebScale(BrowserTestCase):
    def test_ten_thousand_torrents(self):
        d = self.daemon("scale", f"--rpc-auth={rpc_auth_entry('admin', 'pw')}")
        made = torrents(COUNT)
        t0 = time.time()
        for i in range(0, COUNT, BATCH):
            batch = [{"jsonrpc": "2.0", "id": j, "method": "torrent.add",
                      "params": {"torrent": b64, "paused": True}} for j, (_, b64) in enumerate(made[i:i + BATCH])]
            status, answers = d.rpc_raw(batch)
            self.assertEqual(status, 200)
            self.assertFalse([a for a in answers if "error" in a], answers[:3])
        d.wait_for(lambda: len(d.call("torrent.list", fields=["state"])["torrents"]) == COUNT, timeout=120,
                   what=f"{COUNT} torrents listed")
        print(f"web_scale: added {COUNT} torrents in {time.time() - t0:.1f} s", flush=True)

        b = self.browser = Browser()
        b.login(f"http://127.0.0.1:{d.rpc_port}", "admin", "pw")
        b.wait_text("#torrent-count", f"{COUNT} of {COUNT} torrents", timeout=60)
        # Measured on a fresh load of the page, logged in: navigation start to the first rows.
        for run in range(3):
            started = time.time()
            b.get(f"http://127.0.0.1:{d.rpc_port}/ui/")
            timings = b.wait(lambda _: b.js("return window.seeddTimings && window.seeddTimings.torrentsFirstScreenMs "
                                            "? window.seeddTimings : null"), 60, "the first screen of rows")
            wall = time.time() - started
            print(f"web_scale: run {run + 1}: first screen of {COUNT} torrents in {timings['torrentsFirstScreenMs']:.0f} ms "
                  f"from navigation start (torrent.list took {timings['torrentListMs']:.0f} ms; "
                  f"{wall * 1000:.0f} ms as selenium saw it)", flush=True)
            self.assertEqual(timings["torrentsRows"], COUNT)
        rows = b.find_all("#torrent-rows .row")
        self.assertLess(len(rows), 100, "the table is not virtual: every row is in the DOM")
        self.assertEqual(rows[0].get_attribute("data-hash"), made[0][0], "not sorted by name")
        b.screenshot("torrents-10k")

        # Scroll to the end: the last torrent by name is drawn.
        b.js("const s = document.getElementById('torrent-scroll'); s.scrollTop = s.scrollHeight;")
        b.wait(lambda _: b.row(made[-1][0]), 10, "the last row after scrolling to the end")
        # Sort by name, descending: the last one comes first.
        b.js("document.getElementById('torrent-scroll').scrollTop = 0;")
        b.click('#torrent-head [data-key="name"]')
        b.wait(lambda _: b.find("#torrent-rows .row").get_attribute("data-hash") == made[-1][0], 10, "descending order")
        # Filter by name.
        b.filter_name("show-0424")
        b.wait_text("#torrent-count", f"10 of {COUNT} torrents")
        # A delta: a torrent removed on the server leaves the page's table.
        b.filter_name("show-04242")
        b.wait(lambda _: b.row(made[4242][0]), 10, "show-04242")
        d.call("torrent.remove", info_hash=made[4242][0])
        b.wait_text("#torrent-count", f"0 of {COUNT - 1} torrents", timeout=20)


if __name__ == "__main__":
    unittest.main(verbosity=2)
