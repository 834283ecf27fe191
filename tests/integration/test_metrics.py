"""Issue 5, must-show 5: GET /metrics is Prometheus text that `promtool check metrics` (from
Debian's prometheus package) accepts, behind the same auth as /rpc, with RPC counts and
latency by method, receipts rejected by reason, verified/unverified upload and torrents by state."""
import glob
import os
import subprocess
import tempfile
import unittest
import urllib.request

from harness import Daemon, make_file

TOOLS = os.path.join(tempfile.gettempdir(), "seedd-test-tools")


def promtool():
    """promtool from Debian's prometheus package, unpacked (not installed: that would start a
    Prometheus service)."""
    found = glob.glob(os.path.join(TOOLS, "usr/bin/promtool"))
    if found:
        return found[0]
    os.makedirs(TOOLS, exist_ok=True)
    subprocess.run(["apt-get", "download", "-q", "prometheus"], cwd=TOOLS, check=True, capture_output=True)
    deb = glob.glob(os.path.join(TOOLS, "prometheus_*.deb"))[0]
    subprocess.run(["dpkg-deb", "-x", deb, TOOLS], check=True)
    return os.path.join(TOOLS, "usr/bin/promtool")


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("metrics").start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def scrape(self, auth=True):
        req = urllib.request.Request(f"http://127.0.0.1:{self.d.rpc_port}/metrics")
        if auth:
            req.add_header("Authorization", self.d.auth_header())
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get("Content-Type"), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, None, ""

    def test_metrics_need_auth(self):
        self.assertEqual(self.scrape(auth=False)[0], 401)

    def test_metrics_pass_promtool_and_carry_the_figures(self):
        src = os.path.join(self.d.download_dir, "m.bin")
        make_file(src, 1 << 20, seed=9)
        ih = self.d.call("torrent.create", path=src)["info_hash"]
        self.d.wait_for(lambda: self.d.torrent(ih)["state"] == "seeding", what="seeding")
        for _ in range(3):
            self.d.call("node.info")
        try:
            self.d.call("torrent.get", info_hash="0" * 40)
        except Exception:
            pass
        status, ctype, text = self.scrape()
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain"), ctype)
        p = subprocess.run([promtool(), "check", "metrics"], input=text, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, f"promtool: {p.stdout}{p.stderr}\n{text[:2000]}")
        lines = dict(l.rsplit(" ", 1) for l in text.splitlines() if l and not l.startswith("#"))
        self.assertGreaterEqual(float(lines['seedd_rpc_requests_total{method="node.info"}']), 3)
        self.assertGreaterEqual(float(lines['seedd_rpc_errors_total{method="torrent.get"}']), 1)
        self.assertIn('seedd_rpc_request_duration_seconds_bucket{method="node.info",le="+Inf"}', lines)
        self.assertEqual(float(lines['seedd_torrents{state="seeding"}']), 1)
        for reason in ("bad_signature", "wrong_signer", "channel_changed", "not_monotonic", "stale_timestamp",
                       "over_claim", "malformed"):
            self.assertIn(f'seedd_receipts_rejected_total{{reason="{reason}"}}', lines)
        self.assertIn("seedd_uploaded_verified_bytes", lines)
        self.assertIn("seedd_uploaded_unverified_bytes", lines)


if __name__ == "__main__":
    unittest.main(verbosity=2)
