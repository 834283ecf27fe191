"""BitTorrent clients from Debian's packages that know nothing of seedd's receipt extension
("vanilla" peers), driven on 127.0.0.1 only, and opentracker to introduce them.

- python3-libtorrent: a plain session (no plugins at all: no ut_pex, no ut_metadata) that
  connects straight to a peer.
- aria2c and transmission-cli cannot be pointed at a peer: they find seedd through a local
  opentracker (Debian's build serves only info-hashes on its whitelist).
DHT, local peer discovery, PEX, UPnP/NAT-PMP and uTP are off in every client."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from harness import bdecode, free_port

try:
    import libtorrent as lt
except ImportError:  # only LtPeer needs it; the others are separate processes
    lt = None


def stop_group(proc):
    """SIGTERM to a client started in its own process group, SIGKILL after 10 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def make_v1_torrent(path, trackers=(), piece_length=256 * 1024):
    """A v1-only .torrent of one file; returns (bytes, info-hash hex). Made here rather than by
    torrent.create so the info-hash is known before seedd has the torrent. (v1 is also
    torrent.create's default: these clients mishandle v1+v2 hybrids, see test_create_versions.)"""
    fs = lt.file_storage()
    lt.add_files(fs, path)
    ct = lt.create_torrent(fs, piece_length, lt.create_torrent.v1_only)
    for i, url in enumerate(trackers):
        ct.add_tracker(url, i)
    lt.set_piece_hashes(ct, os.path.dirname(path))
    data = lt.bencode(ct.generate())
    return data, str(lt.torrent_info(lt.bdecode(data)).info_hashes().v1)


class OpenTracker:
    """Debian's opentracker on 127.0.0.1 (TCP and UDP on one free port), whitelisting the
    info-hashes given to start(). The port is known before it starts, so the announce URL can
    go into a torrent whose info-hash is then whitelisted (the URL is not part of the info-hash)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="seedd-tracker-")
        os.chmod(self.dir, 0o755)  # as root it drops to nobody and must still read its whitelist
        self.port = free_port()
        self.proc = None

    def start(self, info_hashes):
        with open(os.path.join(self.dir, "whitelist.txt"), "w") as f:
            f.write("".join(ih + "\n" for ih in info_hashes))
        self.log = open(os.path.join(self.dir, "opentracker.log"), "wb")
        # -d chroots there when run as root (the whitelist path is then relative to it).
        self.proc = subprocess.Popen(
            ["opentracker", "-i", "127.0.0.1", "-p", str(self.port), "-P", str(self.port), "-d", self.dir,
             "-w", "whitelist.txt"], cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError(f"opentracker did not start: {self.read_log()}")

    @property
    def announce(self):
        return f"http://127.0.0.1:{self.port}/announce"

    def read_log(self):
        with open(os.path.join(self.dir, "opentracker.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def scrape(self, info_hash):
        """(complete, incomplete) for one info-hash."""
        q = urllib.parse.quote_from_bytes(bytes.fromhex(info_hash))
        body = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/scrape?info_hash={q}", timeout=5).read()
        files = bdecode(body)[0].get(b"files", {})
        entry = files.get(bytes.fromhex(info_hash), {})
        return entry.get(b"complete", 0), entry.get(b"incomplete", 0)

    def wait_for_seed(self, info_hash, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.scrape(info_hash)[0] >= 1:
                return
            time.sleep(0.2)
        raise AssertionError(f"no seed announced {info_hash} to the tracker in {timeout}s")

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class LtPeer:
    """A plain python3-libtorrent session (no extensions) downloading one torrent."""

    def __init__(self, torrent_bytes, save_path):
        if lt is None:
            raise RuntimeError("python3-libtorrent is missing (Debian's /usr/bin/python3 has it)")
        self.save_path = save_path
        os.makedirs(save_path, exist_ok=True)
        self.port = free_port()
        cats = lt.alert.category_t
        self.ses = lt.session({
            "listen_interfaces": f"127.0.0.1:{self.port}",
            "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
            "enable_outgoing_utp": False, "enable_incoming_utp": False,
            "alert_mask": cats.connect_notification | cats.peer_notification | cats.error_notification
                          | cats.status_notification,
        }, 0)  # flags 0: no default plugins (ut_pex, ut_metadata, smart_ban)
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(lt.bdecode(torrent_bytes))
        atp.save_path = save_path
        atp.trackers = []
        atp.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
        self.handle = self.ses.add_torrent(atp)
        self.handle.replace_trackers([])
        self.events = []  # (kind, (ip, port)) from alerts

    def connect(self, port):
        self.handle.connect_peer(("127.0.0.1", port))

    def pump(self):
        for a in self.ses.pop_alerts():
            if isinstance(a, (lt.peer_connect_alert, lt.peer_disconnected_alert)):
                self.events.append((type(a).__name__, tuple(a.endpoint)))

    def payload(self):
        self.pump()
        return self.handle.status().total_payload_download

    def is_seeding(self):
        s = self.handle.status()
        return s.is_seeding or s.progress >= 1.0

    def connected_to(self, port):
        """Whether a connection with 127.0.0.1:port was ever made (alerts seen so far)."""
        self.pump()
        return any(k == "peer_connect_alert" and e == ("127.0.0.1", port) for k, e in self.events)

    def disconnects_from(self, port):
        self.pump()
        return sum(1 for k, e in self.events if k == "peer_disconnected_alert" and e == ("127.0.0.1", port))

    def stop(self):
        if self.ses is None:
            return
        self.ses.remove_torrent(self.handle)
        self.ses.pause()
        self.handle = self.ses = None


class Aria2:
    """aria2c downloading a .torrent; its peers come from the tracker in the torrent."""

    def __init__(self, torrent_path, save_path, extra_args=()):
        self.save_path = save_path
        os.makedirs(save_path, exist_ok=True)
        self.port = free_port()  # free on 0.0.0.0 too, where aria2c listens
        self.log_path = os.path.join(save_path, "aria2.log")
        self.out = open(os.path.join(save_path, "aria2.out"), "wb")
        self.proc = subprocess.Popen(
            ["aria2c", "--no-conf", "--dir", save_path, "--listen-port", str(self.port),
             "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
             "--seed-time=0", "--file-allocation=none", "--check-integrity=false", "--bt-save-metadata=false",
             "--disable-ipv6=true", "--summary-interval=1", "--log", self.log_path, "--log-level=info",
             "--bt-tracker-connect-timeout=5", "--bt-stop-timeout=0", "--auto-save-interval=0",
             *extra_args, torrent_path],
            stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def talked_to(self, port):
        """Whether aria2 got the extended handshake of 127.0.0.1:port (it logs every message)."""
        return f"From: 127.0.0.1:{port} extended handshake" in self.log()

    def finished(self):
        return self.proc.poll() is not None

    def stop(self):
        stop_group(self.proc)
        self.out.close()


class TransmissionCli:
    """transmission-cli (Transmission 3.00) downloading a .torrent, found through the tracker.
    It keeps seeding after it finishes; a finished file loses its ".part" suffix."""

    def __init__(self, torrent_path, save_path):
        self.save_path = save_path
        self.config_dir = os.path.join(save_path, ".transmission")
        os.makedirs(self.config_dir, exist_ok=True)
        self.port = free_port()
        settings = {
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
            "port-forwarding-enabled": False, "peer-port": self.port, "peer-port-random-on-start": False,
            "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1", "blocklist-enabled": False,
            "rename-partial-files": True, "incomplete-dir-enabled": False, "download-dir": save_path,
            "speed-limit-up-enabled": False, "speed-limit-down-enabled": False, "alt-speed-enabled": False,
            "ratio-limit-enabled": False, "idle-seeding-limit-enabled": False, "message-level": 3,
        }
        with open(os.path.join(self.config_dir, "settings.json"), "w") as f:
            json.dump(settings, f)
        self.out_path = os.path.join(save_path, "transmission.out")
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(
            ["transmission-cli", "-g", self.config_dir, "-w", save_path, "-p", str(self.port), "-M", "-D", "-U",
             "-ep", torrent_path],
            stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_listening(self, timeout=15):
        """Transmission 3.00 does not dial peers on 127/8 that a tracker gives it (it treats
        loopback as a martian address), but it accepts them: seedd must connect to it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"transmission-cli is not listening on {self.port}:\n{self.output()[-3000:]}")

    def output(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        stop_group(self.proc)
        self.out.close()


def nonzero_bytes(directory, name):
    """Non-zero bytes in `name` (or its partial "name.part") under `directory`: the data is
    pseudo-random, so any piece a client stored shows up here; 0 means it stored nothing."""
    total = 0
    for candidate in (name, name + ".part"):
        p = os.path.join(directory, candidate)
        if os.path.exists(p):
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    total += len(chunk) - chunk.count(0)
    return total


class QbittorrentNox:
    """qbittorrent-nox 4.5 (libtorrent 2.0: reads v1, v2 and hybrid torrents) driven through its
    Web API on 127.0.0.1, with DHT, LSD, PEX, UPnP, uTP and queueing off. `add` takes the
    .torrent bytes; seedd dials it (torrent.add with peers), as for transmission-cli.
    MultiConnectionsPerIp: with libtorrent's default of one peer entry per IP, once a tracker was
    in the torrent qBittorrent refused every connection from seedd (most likely the tracker
    handed it its own 127.0.0.1 address, it connected to itself and that entry, seedd's IP too,
    was banned); with it on, the same run downloads."""

    def __init__(self, root):
        self.dir = os.path.join(root, "qbittorrent")
        self.save_path = os.path.join(root, "qbittorrent-downloads")
        conf_dir = os.path.join(self.dir, "qBittorrent", "config")
        os.makedirs(conf_dir, exist_ok=True)
        os.makedirs(self.save_path, exist_ok=True)
        self.port = free_port()
        self.web_port = free_port()
        with open(os.path.join(conf_dir, "qBittorrent.conf"), "w") as f:
            f.write("[LegalNotice]\nAccepted=true\n\n[BitTorrent]\n"
                    "Session\\DHTEnabled=false\nSession\\LSDEnabled=false\nSession\\PeXEnabled=false\n"
                    f"Session\\Port={self.port}\nSession\\InterfaceAddress=127.0.0.1\nSession\\BTProtocol=TCP\n"
                    "Session\\QueueingSystemEnabled=false\nSession\\AnonymousModeEnabled=false\n"
                    "Session\\MultiConnectionsPerIp=true\n"
                    f"Session\\DefaultSavePath={self.save_path}\n\n[Preferences]\nConnection\\UPnP=false\n"
                    f"General\\Locale=en\nWebUI\\Address=127.0.0.1\nWebUI\\Port={self.web_port}\n"
                    "WebUI\\LocalHostAuth=false\nWebUI\\CSRFProtection=false\nWebUI\\HostHeaderValidation=false\n")
        self.out = open(os.path.join(self.dir, "qbittorrent.out"), "wb")
        self.proc = subprocess.Popen(["qbittorrent-nox", f"--profile={self.dir}"], stdout=self.out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 60
        while True:
            try:
                self.api("GET", "app/version")
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"qbittorrent-nox's Web API did not come up (exit {self.proc.poll()})")
                time.sleep(0.2)

    def api(self, method, path, body=None, headers=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.web_port}/api/v2/{path}", data=body, method=method,
                                     headers=headers or {})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read()

    def add(self, torrent_bytes):
        boundary = "seedd" + os.urandom(8).hex()
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="torrents"; filename="t.torrent"\r\n'
                 f'Content-Type: application/x-bittorrent\r\n\r\n'.encode() + torrent_bytes + b"\r\n"]
        for k, v in (("savepath", self.save_path), ("paused", "false"), ("autoTMM", "false")):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        before = len(self.torrents())
        answer = self.api("POST", "torrents/add", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        if answer.strip() != b"Ok.":
            raise RuntimeError(f"qBittorrent refused the torrent: {answer[:200]!r}")
        # The add is finished in the background, and a peer that connects while the torrent is
        # still being checked is dropped (and not dialled again): wait for the check to end.
        deadline = time.time() + 30
        while True:
            ts = self.torrents()
            if len(ts) > before and not any(t["state"].startswith("checking") or t["state"] in ("allocating", "metaDL")
                                            for t in ts):
                return
            if time.time() > deadline:
                raise RuntimeError(f"qBittorrent did not finish taking the torrent: {ts}")
            time.sleep(0.1)

    def torrents(self):
        """qBittorrent's view of its torrents: hash, infohash_v1, infohash_v2, state, progress, ..."""
        return json.loads(self.api("GET", "torrents/info"))

    def stop(self):
        stop_group(self.proc)
        self.out.close()
