#!/usr/bin/python3
"""Benchmark (issue 7, must-show 6): seedd beside transmission-daemon and qbittorrent-nox (the
Debian packages), in one run on the same generated data. Not a test: it prints numbers.

For each daemon, one after the other, from an empty state directory:
  - RSS (VmRSS) idle, then with 1,000 and with 10,000 seeding torrents (small generated files,
    one piece each, all present: the daemon only has to find them);
  - the time to add the first 1,000 (from the first request until all 1,000 seed);
  - listing latency, p50 of 21 calls over one kept-alive HTTP connection, up to the last byte of
    the answer (no JSON parsing on our side): seedd `torrent.list` with fields name, state,
    upload_rate (+ info_hash); transmission `torrent-get` with id, name, status, rateUpload;
    qBittorrent `/api/v2/torrents/info` (it has no field selection: every field);
  - restart with 10,000: SIGTERM (time to exit), start, time until every torrent seeds;
  - seeding a generated file from /dev/shm to a python3-libtorrent client on 127.0.0.1 over
    TCP: MB/s, and MB per CPU-second of the seeder. A fresh info-hash per run (transmission
    would not serve the same torrent again to a new 127.0.0.1 peer).
Everything listens on 127.0.0.1 only; DHT, LSD, PEX, UPnP/NAT-PMP and uTP are off in all three.

  /usr/bin/python3 tests/bench/bench_daemons.py --seedd build/seedd            # the full run
  /usr/bin/python3 tests/bench/bench_daemons.py --seedd build/seedd --quick    # 1,000 and 256 MiB

Run it as root on a machine without qbittorrent-nox and it installs it with apt-get.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402
from harness import Daemon, bencode, free_port, rss_kib  # noqa: E402

MiB = 1 << 20
SMALL_PIECE = 16384
BIG_PIECE = 1 << 20


def log(text):
    print(text, flush=True)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until(predicate, timeout, what, interval=0.25):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last is True:
            return
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what} (last: {last})")


# ---------------------------------------------------------------------------------------------
# Data


def make_small(data_dir, count):
    """`count` small files, each with a 1-piece v1 .torrent; returns [(info_hash, bytes)]."""
    os.makedirs(data_dir, exist_ok=True)
    out = []
    for i in range(count):
        name = f"s{i:05d}.bin"
        data = hashlib.sha256(b"bench%d" % i).digest() * (32 + i % 64)
        path = os.path.join(data_dir, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
        info = {"name": name, "length": len(data), "piece length": SMALL_PIECE, "pieces": hashlib.sha1(data).digest()}
        out.append((hashlib.sha1(bencode(info)).hexdigest(), bencode({"info": info})))
    return out


class BigFile:
    """One generated file; torrent(n) gives a .torrent of it with its own info-hash per n."""

    def __init__(self, data_dir, size):
        self.dir = data_dir
        self.name = "big.bin"
        self.size = size
        os.makedirs(data_dir, exist_ok=True)
        block = os.urandom(MiB)
        hashes = []
        with open(os.path.join(data_dir, self.name), "wb") as f:
            for i in range(size // MiB):
                piece = i.to_bytes(8, "little") + block[8:]
                f.write(piece)
                hashes.append(hashlib.sha1(piece).digest())
        self.pieces = b"".join(hashes)

    def torrent(self, run):
        info = {"name": self.name, "length": self.size, "piece length": BIG_PIECE, "pieces": self.pieces,
                "x-bench-run": run}  # another info-hash for the same data
        return hashlib.sha1(bencode(info)).hexdigest(), bencode({"info": info})


# ---------------------------------------------------------------------------------------------
# Daemons: start/stop, add, count seeding, one listing call over a kept-alive connection


class HttpKeepAlive:
    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                self.conn.connect()
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                return r.status, r.getheaders(), r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


class SeeddDaemon:
    name = "seedd"

    def __init__(self, root, data_roots):
        os.makedirs(os.path.join(root, "seedd"), exist_ok=True)
        # PEX off as in the other two (the harness turns off DHT, LSD, UPnP, NAT-PMP and uTP only;
        # until 2026-12-02 seedd ran here with PEX on).
        self.d = Daemon("seedd", base_dir=os.path.join(root, "seedd"), extra_args=["--log-level=info", "--pex=false"])
        self.d.extra_args.append("--data-roots=" + ",".join(data_roots))
        self.http = None

    @property
    def pid(self):
        return self.d.proc.pid

    @property
    def bt_port(self):
        return self.d.bt_port

    def start(self):
        self.d.start(wait=False)
        self.d.wait_ready(timeout=300)
        self.http = HttpKeepAlive(self.d.rpc_port)
        self.auth = self.d.auth_header()

    def stop(self):
        if self.http:
            self.http.close()
        code, took = self.d.terminate(timeout=300)
        return took

    def kill(self):
        self.d.stop()

    def rpc(self, payload):
        status, _, body = self.http.request("POST", "/rpc", json.dumps(payload),
                                            {"Authorization": self.auth, "Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError(f"seedd answered {status}: {body[:200]!r}")
        return json.loads(body)

    def add(self, torrents, save_path):
        for start in range(0, len(torrents), 100):
            batch = [{"jsonrpc": "2.0", "id": i, "method": "torrent.add",
                      "params": {"torrent": base64.b64encode(t).decode(), "save_path": save_path}}
                     for i, (_, t) in enumerate(torrents[start:start + 100])]
            for reply in self.rpc(batch):
                if "error" in reply:
                    raise RuntimeError(f"seedd torrent.add: {reply['error']}")

    def seeding(self):
        ts = self.rpc({"jsonrpc": "2.0", "id": 1, "method": "torrent.list", "params": {"fields": ["state"]}})
        ts = ts["result"]["torrents"]
        return len(ts), sum(1 for t in ts if t["state"] == "seeding")

    def list_call(self):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "torrent.list",
                           "params": {"fields": ["name", "state", "upload_rate"]}})
        status, _, data = self.http.request("POST", "/rpc", body,
                                            {"Authorization": self.auth, "Content-Type": "application/json"})
        return data

    def count_listed(self, data):
        return len(json.loads(data)["result"]["torrents"])


class ExternalDaemon:
    """What the other daemons share: a process, its log, and a kept-alive HTTP connection."""

    def stop(self):
        self.http.close()
        t0 = time.time()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=300)
        self.log.close()
        return time.time() - t0

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class TransmissionDaemon(ExternalDaemon):
    name = "transmission"

    def __init__(self, root, download_dir):
        self.dir = os.path.join(root, "transmission")
        os.makedirs(self.dir, exist_ok=True)
        self.rpc_port = free_port()
        self.bt_port = free_port()
        settings = {
            "rpc-enabled": True, "rpc-bind-address": "127.0.0.1", "rpc-port": self.rpc_port,
            "rpc-authentication-required": False, "rpc-whitelist-enabled": False,
            "rpc-host-whitelist-enabled": False,
            "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1", "peer-port": self.bt_port,
            "peer-port-random-on-start": False,
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "port-forwarding-enabled": False,
            "utp-enabled": False, "download-dir": download_dir, "incomplete-dir-enabled": False,
            "download-queue-enabled": False, "seed-queue-enabled": False, "queue-stalled-enabled": False,
            "ratio-limit-enabled": False, "idle-seeding-limit-enabled": False,
            "speed-limit-up-enabled": False, "speed-limit-down-enabled": False, "alt-speed-enabled": False,
            "peer-limit-global": 1000, "peer-limit-per-torrent": 100,
            "message-level": 1, "watch-dir-enabled": False, "blocklist-enabled": False,
        }
        with open(os.path.join(self.dir, "settings.json"), "w") as f:
            json.dump(settings, f, indent=1)
        self.proc = None
        self.http = None
        self.session_id = ""

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        self.log = open(os.path.join(self.dir, "transmission.log"), "ab")
        self.proc = subprocess.Popen(["transmission-daemon", "-f", "-g", self.dir], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.http = HttpKeepAlive(self.rpc_port)
        wait_until(self._ready, 300, "transmission's RPC")

    def _ready(self):
        try:
            self.rpc("session-get")
            return True
        except OSError as e:
            return repr(e)

    def raw(self, body):
        for _ in range(3):
            status, headers, data = self.http.request(
                "POST", "/transmission/rpc", body,
                {"X-Transmission-Session-Id": self.session_id, "Content-Type": "application/json"})
            if status == 409:
                self.session_id = dict((k.lower(), v) for k, v in headers)["x-transmission-session-id"]
                continue
            return status, data
        raise RuntimeError("transmission kept answering 409")

    def rpc(self, method, **args):
        status, data = self.raw(json.dumps({"method": method, "arguments": args}))
        reply = json.loads(data)
        if reply.get("result") != "success":
            raise RuntimeError(f"transmission {method}: {reply.get('result')}")
        return reply["arguments"]

    def add(self, torrents, save_path):
        for _, t in torrents:  # its RPC takes one torrent per call
            self.rpc("torrent-add", metainfo=base64.b64encode(t).decode(), **{"download-dir": save_path})

    def seeding(self):
        ts = self.rpc("torrent-get", fields=["id", "status"])["torrents"]
        return len(ts), sum(1 for t in ts if t["status"] == 6)

    def list_call(self):
        status, data = self.raw(json.dumps({"method": "torrent-get",
                                            "arguments": {"fields": ["id", "name", "status", "rateUpload"]}}))
        return data

    def count_listed(self, data):
        return len(json.loads(data)["arguments"]["torrents"])


class QbittorrentDaemon(ExternalDaemon):
    name = "qbittorrent"
    SEEDING = {"uploading", "stalledUP", "forcedUP", "queuedUP"}

    def __init__(self, root, download_dir):
        self.dir = os.path.join(root, "qbittorrent")
        conf_dir = os.path.join(self.dir, "qBittorrent", "config")
        os.makedirs(conf_dir, exist_ok=True)
        self.web_port = free_port()
        self.bt_port = free_port()
        conf = f"""[LegalNotice]
Accepted=true

[BitTorrent]
Session\\DHTEnabled=false
Session\\LSDEnabled=false
Session\\PeXEnabled=false
Session\\Port={self.bt_port}
Session\\InterfaceAddress=127.0.0.1
Session\\BTProtocol=TCP
Session\\QueueingSystemEnabled=false
Session\\DefaultSavePath={download_dir}
Session\\AddTorrentPaused=false
Session\\MaxConnections=1000
Session\\MaxConnectionsPerTorrent=100
Session\\AnonymousModeEnabled=false

[Preferences]
Connection\\UPnP=false
General\\Locale=en
WebUI\\Address=127.0.0.1
WebUI\\Port={self.web_port}
WebUI\\LocalHostAuth=false
WebUI\\CSRFProtection=false
WebUI\\HostHeaderValidation=false
WebUI\\UseUPnP=false
"""
        with open(os.path.join(conf_dir, "qBittorrent.conf"), "w") as f:
            f.write(conf)
        self.proc = None
        self.http = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        self.log = open(os.path.join(self.dir, "qbittorrent.log"), "ab")
        self.proc = subprocess.Popen(["qbittorrent-nox", f"--profile={self.dir}"], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.http = HttpKeepAlive(self.web_port)
        wait_until(self._ready, 300, "qBittorrent's WebUI")

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"qbittorrent-nox exited with {self.proc.returncode}")
        try:
            status, _, _ = self.http.request("GET", "/api/v2/app/version")
            return status == 200 or status
        except OSError as e:
            return repr(e)

    def add(self, torrents, save_path):
        for start in range(0, len(torrents), 100):  # several files per multipart request
            boundary = "benchboundary" + os.urandom(8).hex()
            parts = []
            for ih, t in torrents[start:start + 100]:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="torrents"; '
                             f'filename="{ih}.torrent"\r\nContent-Type: application/x-bittorrent\r\n\r\n'.encode()
                             + t + b"\r\n")
            for k, v in (("savepath", save_path), ("skip_checking", "true"), ("paused", "false"),
                         ("autoTMM", "false")):
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            status, _, data = self.http.request("POST", "/api/v2/torrents/add", body,
                                                {"Content-Type": f"multipart/form-data; boundary={boundary}"})
            if status != 200 or data.strip() != b"Ok.":
                raise RuntimeError(f"qBittorrent add: {status} {data[:200]!r}")

    def seeding(self):
        status, _, data = self.http.request("GET", "/api/v2/torrents/info")
        ts = json.loads(data)
        return len(ts), sum(1 for t in ts if t["state"] in self.SEEDING)

    def list_call(self):
        status, _, data = self.http.request("GET", "/api/v2/torrents/info")
        return data

    def count_listed(self, data):
        return len(json.loads(data))


# ---------------------------------------------------------------------------------------------
# Measurements


def wait_all_seeding(daemon, count, timeout):
    last = {}

    def done():
        n, seeding = daemon.seeding()
        last.update(n=n, seeding=seeding)
        return True if n == count and seeding == count else f"{seeding} of {n} seeding"

    wait_until(done, timeout, f"{daemon.name}: {count} torrents seeding", interval=0.5)


def list_p50(daemon, count, calls=21):
    data = daemon.list_call()
    listed = daemon.count_listed(data)
    if listed != count:
        raise RuntimeError(f"{daemon.name} listed {listed}, expected {count}")
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        daemon.list_call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, len(data)


def settle_rss(daemon, seconds=5):
    time.sleep(seconds)
    return rss_kib(daemon.pid)


def scale_run(daemon, small, save_path, counts, results, add_timeout):
    r = results.setdefault(daemon.name, {})
    daemon.start()
    try:
        r["rss_idle_kib"] = settle_rss(daemon, 3)
        log(f"{daemon.name}: RSS idle {r['rss_idle_kib'] / 1024:.1f} MiB")
        done = 0
        for count in counts:
            t0 = time.time()
            daemon.add(small[done:count], save_path)
            t_calls = time.time() - t0
            wait_all_seeding(daemon, count, add_timeout)
            took = time.time() - t0
            log(f"{daemon.name}: added {count - done} (to {count}): calls {t_calls:.1f} s, all seeding after {took:.1f} s")
            if done == 0:
                r["add_first_s"] = took
                r["add_first_calls_s"] = t_calls
            done = count
            r[f"rss_{count}_kib"] = settle_rss(daemon)
            p50, size = list_p50(daemon, count)
            r[f"list_{count}_p50_ms"] = p50
            log(f"{daemon.name}: {count} seeding: RSS {r[f'rss_{count}_kib'] / 1024:.1f} MiB; list p50 {p50:.1f} ms "
                f"({size / 1024:.0f} KiB answer)")
        took = daemon.stop()
        r["stop_s"] = took
        t0 = time.time()
        daemon.start()
        wait_all_seeding(daemon, counts[-1], 600)
        r["restart_s"] = time.time() - t0
        r["rss_restarted_kib"] = settle_rss(daemon)
        log(f"{daemon.name}: SIGTERM exit {took:.1f} s; restart to all {counts[-1]} seeding {r['restart_s']:.1f} s; "
            f"RSS then {r['rss_restarted_kib'] / 1024:.1f} MiB")
        r["stop2_s"] = daemon.stop()
    finally:
        daemon.kill()


def client_download(port, info_hash, torrent_bytes, dest, timeout):
    """python3-libtorrent downloads from 127.0.0.1:port; returns seconds from connect to done."""
    import libtorrent as lt
    ses = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                      "enable_upnp": False, "enable_natpmp": False, "enable_outgoing_utp": False,
                      "enable_incoming_utp": False, "alert_mask": 0,
                      # Room enough that the seeder, not the client, sets the pace.
                      "max_out_request_queue": 1500, "max_allowed_in_request_queue": 4000,
                      "send_buffer_watermark": 8 * MiB, "max_queued_disk_bytes": 16 * MiB})
    ti = lt.torrent_info(lt.bdecode(torrent_bytes))
    h = ses.add_torrent({"ti": ti, "save_path": dest})
    t0 = time.time()
    h.connect_peer(("127.0.0.1", port))
    deadline = t0 + timeout
    while True:
        st = h.status()
        if st.is_seeding:
            took = time.time() - t0
            break
        if time.time() > deadline:
            raise RuntimeError(f"download stuck at {st.progress * 100:.1f} % ({st.state})")
        time.sleep(0.02)
    ses.remove_torrent(h)
    del ses
    return took


def throughput_run(daemon, big, runs, results, shm_root):
    r = results.setdefault(daemon.name, {})
    daemon.start()
    try:
        for i in range(runs):
            run_id = f"{daemon.name}-{i}-{time.time()}"
            ih, tbytes = big.torrent(run_id)
            daemon.add([(ih, tbytes)], big.dir)
            wait_all_seeding(daemon, i + 1, 600)  # it may check the data first
            dest = tempfile.mkdtemp(prefix="client-", dir=shm_root)
            cpu0 = cpu_seconds(daemon.pid)
            took = client_download(daemon.bt_port, ih, tbytes, dest, timeout=1800)
            cpu = cpu_seconds(daemon.pid) - cpu0
            shutil.rmtree(dest, ignore_errors=True)
            mbps = big.size / took / 1e6
            mb_per_cpu = big.size / 1e6 / cpu if cpu > 0 else float("inf")
            r.setdefault("mbps", []).append(mbps)
            r.setdefault("mb_per_cpu_s", []).append(mb_per_cpu)
            log(f"{daemon.name}: {big.size // MiB} MiB in {took:.2f} s = {mbps:.1f} MB/s; seeder CPU {cpu:.2f} s "
                f"= {mb_per_cpu:.0f} MB per CPU-second")
    finally:
        daemon.stop() if daemon.proc_alive() else None
        daemon.kill()


def proc_alive(self):
    p = self.d.proc if hasattr(self, "d") else self.proc
    return p is not None and p.poll() is None


for _cls in (SeeddDaemon, TransmissionDaemon, QbittorrentDaemon):
    _cls.proc_alive = proc_alive


def ensure_qbittorrent():
    if shutil.which("qbittorrent-nox"):
        return True
    if os.geteuid() != 0:
        log("# qbittorrent-nox is missing and this is not root: apt-get install qbittorrent-nox")
        return False
    log("# installing qbittorrent-nox with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "qbittorrent-nox"],
                   check=True, env=env, stdin=subprocess.DEVNULL)
    return True


def version(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seedd", default=os.environ.get("SEEDD_BIN", "build/seedd"))
    p.add_argument("--quick", action="store_true", help="1,000 torrents only, 256 MiB, one transfer each")
    p.add_argument("--counts", default="1000,10000")
    p.add_argument("--size-mib", type=int, default=1024)
    p.add_argument("--runs", type=int, default=3, help="transfers per daemon (transmission: one)")
    p.add_argument("--daemons", default="seedd,transmission,qbittorrent")
    p.add_argument("--dir", default="/var/tmp", help="state directories and the small files")
    p.add_argument("--shm", default="/dev/shm", help="the big file and the client's copy")
    p.add_argument("--skip", default="", help="comma list: scale, throughput")
    p.add_argument("--json", help="write the figures here too")
    args = p.parse_args()
    if args.quick:
        args.counts, args.size_mib, args.runs = "1000", 256, 1
    counts = [int(c) for c in args.counts.split(",")]
    names = [n for n in args.daemons.split(",") if n]
    if "qbittorrent" in names and not ensure_qbittorrent():
        names.remove("qbittorrent")
    harness.SEEDD = os.path.abspath(args.seedd)
    skip = set(args.skip.split(","))

    root = tempfile.mkdtemp(prefix="seedd-bench7-", dir=args.dir)
    shm_root = tempfile.mkdtemp(prefix="seedd-bench7-", dir=args.shm)
    small_dir = os.path.join(root, "small")
    log(f"# {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; "
        f"state and small files in {root}; big file in {shm_root}")
    log(f"# seedd {harness.SEEDD}; {version(['transmission-daemon', '-V'])}; "
        f"{version(['qbittorrent-nox', '--version'])}")
    results = {}

    def make(name, save_dir):
        if name == "seedd":
            return SeeddDaemon(root, [save_dir, small_dir])
        if name == "transmission":
            return TransmissionDaemon(root, save_dir)
        return QbittorrentDaemon(root, save_dir)

    try:
        if "scale" not in skip:
            t0 = time.time()
            small = make_small(small_dir, counts[-1])
            log(f"# made {counts[-1]} small files and .torrents in {time.time() - t0:.1f} s")
            for name in names:
                d = make(name, small_dir)
                # transmission adds one torrent per RPC call and checks each: give it time.
                scale_run(d, small, small_dir, counts, results, add_timeout=3600)
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        if "throughput" not in skip:
            t0 = time.time()
            big = BigFile(os.path.join(shm_root, "big"), args.size_mib * MiB)
            log(f"# made {args.size_mib} MiB in {shm_root} in {time.time() - t0:.1f} s")
            for name in names:
                d = make(name, big.dir)
                runs = 1 if name == "transmission" else args.runs  # ~2.5 min per GiB
                throughput_run(d, big, runs, results, shm_root)
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(shm_root, ignore_errors=True)

    log(f"# summary (load average now {os.getloadavg()[0]:.2f})")
    for name, r in results.items():
        for k in ("mbps", "mb_per_cpu_s"):
            if k in r:
                r[k + "_median"] = statistics.median(r[k])
        log(f"{name}: " + ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                                    for k, v in r.items() if not isinstance(v, list)))
    if "seedd" in results:
        s = results["seedd"]
        for name, r in results.items():
            if name == "seedd":
                continue
            ratios = []
            for k in sorted(set(s) & set(r)):
                if isinstance(s[k], (int, float)) and isinstance(r[k], (int, float)) and r[k]:
                    ratios.append(f"{k} {s[k] / r[k]:.2f}x")
            log(f"seedd / {name}: " + ", ".join(ratios))
    # RSS over idle per seeding torrent, just added and after the restart (issue 18's figure),
    # for every daemon of the run.
    last = counts[-1]
    for name, r in results.items():
        if not isinstance(r, dict) or "rss_idle_kib" not in r:
            continue
        per = []
        for key, when in ((f"rss_{last}_kib", "just added"), ("rss_restarted_kib", "after a restart")):
            if key in r:
                per.append(f"{(r[key] - r['rss_idle_kib']) / last:.2f} KiB {when}")
        if per:
            log(f"{name}: RSS per seeding torrent at {last}: " + ", ".join(per))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
