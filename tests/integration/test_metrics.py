"""Issue 5, must-show 5: GET /metrics is Prometheus text that `promtool check metrics` (from
Debian's prometheus package) accepts, behind the same auth as /rpc, with RPC counts and
latency by method, receipts rejected by reason, verified/unverified upload and torrents by state.
Issue 19 (16): every metric rpc/metrics.cpp writes is documented in docs/operations.md, whose
Prometheus scrape config `promtool check config` accepts; a read-only rpc_auth user can scrape;
`metrics_auth = none` opens /metrics to loopback callers only, and nothing else."""
import glob
import hashlib
import hmac
import os
import re
import socket
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

from harness import Daemon, free_port, http_raw, make_file

def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


SRC = os.environ.get("SEEDD_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

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


def scrape_at(host, port, auth=None):
    req = urllib.request.Request(f"http://{host}:{port}/metrics")
    if auth:
        req.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


def basic(user, password):
    import base64
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def rpc_auth_entry(user, password, scope):
    salt = "5eed" + user
    return f"{user}:{salt}${hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()}:{scope}"


def non_loopback_ipv4():
    """An IPv4 address of this machine that is not loopback, or None."""
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return next((a for a in out if re.fullmatch(r"[0-9.]+", a) and not a.startswith("127.")), None)


class MetricsDocs(unittest.TestCase):
    def test_every_metric_is_documented(self):
        code = read(os.path.join(SRC, "rpc", "metrics.cpp"))
        names = set(re.findall(r'"(seedd_[a-z_]+?)(?:\{|"| )', code))
        self.assertIn("seedd_uptime_seconds", names)
        doc = read(os.path.join(SRC, "docs", "operations.md"))
        missing = sorted(n for n in names if f"`{n}" not in doc)
        self.assertEqual(missing, [], "metrics of rpc/metrics.cpp missing from docs/operations.md")

    def test_the_documented_scrape_config_passes_promtool(self):
        doc = read(os.path.join(SRC, "docs", "operations.md"))
        block = re.search(r"```yaml\n(# prometheus.yml.*?)```", doc, re.S)
        self.assertIsNotNone(block, "no prometheus.yml block in docs/operations.md")
        with tempfile.TemporaryDirectory() as d:
            pw = os.path.join(d, "seedd.password")
            write(pw, "secret\n")
            conf = os.path.join(d, "prometheus.yml")
            write(conf, block.group(1).replace("/etc/prometheus/seedd.password", pw))
            p = subprocess.run([promtool(), "check", "config", conf], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, f"promtool check config: {p.stdout}{p.stderr}")


class MetricsAuth(unittest.TestCase):
    """metrics_auth = none, RPC on loopback and on a second address of this machine, a read-only
    user (what docs/operations.md tells a Prometheus to use) and an admin."""

    @classmethod
    def setUpClass(cls):
        cls.other = non_loopback_ipv4()
        cls.port = free_port()
        binds = f"127.0.0.1:{cls.port}" + (f",{cls.other}:{cls.port}" if cls.other else "")
        users = ",".join([rpc_auth_entry("prometheus", "scrape-pw", "read"), rpc_auth_entry("alice", "admin-pw", "admin")])
        args = ["--metrics-auth=none", f"--rpc-auth={users}"]
        if cls.other:
            args.append(f"--rpc-allow-ip={cls.other}/32")
        cls.d = Daemon("metrics-auth", extra_args=args)
        cls.d.rpc_port = cls.port
        cls.d.args_base = cls.d.args
        cls.d.args = lambda: [a for a in cls.d.args_base() if not a.startswith("--rpc-bind=")] + [f"--rpc-bind={binds}"]
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def test_loopback_scrapes_without_a_password(self):
        status, text = scrape_at("127.0.0.1", self.port)
        self.assertEqual(status, 200)
        self.assertIn("seedd_uptime_seconds", text)

    def test_none_opens_metrics_only_not_rpc(self):
        status, _, _ = http_raw(self.port, b"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        self.assertEqual(status, 401)

    def test_other_addresses_still_need_a_password_and_read_scope_is_enough(self):
        if not self.other:
            self.skipTest("this machine has no non-loopback IPv4 address")
        self.assertEqual(scrape_at(self.other, self.port)[0], 401)
        status, text = scrape_at(self.other, self.port, basic("prometheus", "scrape-pw"))
        self.assertEqual(status, 200)
        self.assertIn("seedd_rpc_requests_total", text)
        self.assertEqual(scrape_at(self.other, self.port, basic("alice", "admin-pw"))[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
