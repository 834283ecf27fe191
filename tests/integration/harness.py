"""Test harness: real seedd processes on 127.0.0.1, driven over real HTTP.

Every daemon gets its own temporary data directory and free ports; DHT, LSD, UPnP and NAT-PMP
are off so no traffic leaves the machine."""
import atexit
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import unittest
import urllib.request

SEEDD = os.environ.get("SEEDD_BIN", "build/seedd")
SEEDCTL = os.environ.get("SEEDCTL_BIN", "build/seedctl")


def _scratch_root():
    """Every temporary directory a test process makes (its daemons', its clients') goes under
    one directory that is removed when the process exits, so the suite leaves nothing behind
    in /tmp. SEEDD_KEEP_TEST_DIRS=1 keeps it for a post-mortem."""
    test = os.path.splitext(os.path.basename(sys.argv[0]))[0] or "python"
    root = tempfile.mkdtemp(prefix=f"seedd-{test}-")
    # Traversable as before, when each directory sat in /tmp itself: opentracker drops to
    # nobody. The directories inside are mkdtemp's, 0700 each.
    os.chmod(root, 0o755)
    if os.environ.get("SEEDD_KEEP_TEST_DIRS"):
        print(f"# test directories kept in {root}", file=sys.stderr)
    else:
        owner = os.getpid()
        atexit.register(lambda: os.getpid() == owner and shutil.rmtree(root, ignore_errors=True))
    tempfile.tempdir = root
    return root


_scratch_root()


# Ports handed to daemons and clients come from below the kernel's ephemeral range
# (/proc/sys/net/ipv4/ip_local_port_range, 32768 and up here): a port the kernel picked for us
# could be handed out again as the local end of some outgoing connection before the daemon binds
# it, and aria2c, which binds 0.0.0.0, then failed with "Address already in use".
_PORT_RANGE = (20000, 32000)


# A port handed out is reserved until this process exits: in this process by a set (a daemon's RPC
# and BitTorrent ports were once drawn the same, and it could not start), across the test
# processes that ctest runs side by side by a file made with O_EXCL in one shared directory,
# which names the owner's pid so that a dead run's reservations are taken over.
_handed_out = set()
# Not tempfile.gettempdir(): that is this process's own scratch directory by now.
_RESERVATIONS = os.path.join(os.environ.get("TMPDIR") or "/tmp", "seedd-test-ports")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reserve(port):
    import fcntl
    os.makedirs(_RESERVATIONS, exist_ok=True)
    path = os.path.join(_RESERVATIONS, str(port))
    with open(os.path.join(_RESERVATIONS, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # read, take over and write as one step
        try:
            with open(path) as f:
                owner = int(f.read().strip() or 0)
            if owner == os.getpid() or _pid_alive(owner):
                return False
        except FileNotFoundError:
            pass
        except (OSError, ValueError):
            return False
        with open(path, "w") as f:
            f.write(str(os.getpid()))
        return True


def _release_all():
    for port in _handed_out:
        path = os.path.join(_RESERVATIONS, str(port))
        try:
            with open(path) as f:
                if f.read().strip() == str(os.getpid()):
                    os.unlink(path)
        except OSError:
            pass


atexit.register(_release_all)


def free_port():
    """A port that is free for TCP and UDP on every address right now, and that no other
    caller in this run has been given."""
    import random
    for _ in range(500):
        port = random.randrange(*_PORT_RANGE)
        if port in _handed_out:
            continue
        try:
            with socket.socket() as t, socket.socket(type=socket.SOCK_DGRAM) as u:
                t.bind(("0.0.0.0", port))
                u.bind(("0.0.0.0", port))
        except OSError:
            continue
        if not _reserve(port):
            continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port found")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_file(path, size, seed=1):
    """Writes `size` pseudo-random bytes (fast: a repeated random block mixed with the offset)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    block = hashlib.sha256(str(seed).encode()).digest() * 32768  # 1 MiB
    with open(path, "wb") as f:
        written = 0
        i = 0
        while written < size:
            chunk = (i.to_bytes(8, "little") + block)[: min(len(block), size - written)]
            f.write(chunk)
            written += len(chunk)
            i += 1


def rss_kib(pid, field="VmRSS"):
    """The resident set size of a process now, in KiB, or with field="VmHWM" its peak so far."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field}")


def bencode(value):
    """Bencodes ints, str/bytes, lists and dicts (keys sorted, as BEP 3 wants)."""
    if isinstance(value, bool):
        raise TypeError("bencode has no booleans")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(f"cannot bencode {type(value).__name__}")


def bdecode(data, i=0):
    """Minimal bdecode: returns (value, next index); strings stay bytes."""
    c = data[i:i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1:end]), end + 1
    if c == b"l":
        i += 1
        out = []
        while data[i:i + 1] != b"e":
            v, i = bdecode(data, i)
            out.append(v)
        return out, i + 1
    if c == b"d":
        i += 1
        out = {}
        while data[i:i + 1] != b"e":
            k, i = bdecode(data, i)
            v, i = bdecode(data, i)
            out[k] = v
        return out, i + 1
    colon = data.index(b":", i)
    n = int(data[i:colon])
    return data[colon + 1:colon + 1 + n], colon + 1 + n


def make_torrent_bytes(name="file.bin", length=1000, piece_length=16384):
    """A well-formed single-file v1 .torrent whose piece hashes match no data (for tests that
    must get past the .torrent parser); returns (bytes, info_hash hex)."""
    pieces = (length + piece_length - 1) // piece_length
    info = {"name": name, "length": length, "piece length": piece_length,
            "pieces": hashlib.sha1(name.encode()).digest() * pieces}
    return bencode({"info": info}), hashlib.sha1(bencode(info)).hexdigest()


def file_tree(*roots):
    """Every path under `roots` (files, directories, symlinks) with its type and size: compare
    two snapshots to see whether anything was created, removed or grown."""
    tree = {}
    for root in roots:
        if not os.path.lexists(root):
            continue
        tree[root] = ("dir", 0)
        for dirpath, dirnames, filenames in os.walk(root):
            for n in dirnames + filenames:
                p = os.path.join(dirpath, n)
                st = os.lstat(p)
                kind = "link" if os.path.islink(p) else "dir" if os.path.isdir(p) else "file"
                tree[p] = (kind, 0 if kind == "dir" else st.st_size)
    return tree


def http_exchange(port, data, timeout=30, source=None):
    """Sends raw bytes to 127.0.0.1:port (from address `source` when given) and reads until
    the server closes or one whole answer (its Content-Length) is in; returns the raw answer.
    Sending runs in a thread, so a server that answers and closes before taking the whole
    request is still heard."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0) if source else None)

    def send():
        try:
            s.sendall(data)
        except OSError:
            pass  # the server may close early (413): its answer is what counts
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
            head, sep, body = answer.partition(b"\r\n\r\n")
            if sep:
                length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                if length and len(body) >= int(length[0].split(b":")[1]):
                    break
    except OSError:
        pass
    s.close()
    sender.join(timeout)
    return answer


def http_raw(port, request_bytes, timeout=30):
    """http_exchange, parsed: (status or None, headers dict with lower-case keys, body bytes)."""
    data = http_exchange(port, request_bytes, timeout=timeout)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else None
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def read_until_close(sock, bufsize=65536):
    """Everything `sock` receives until the peer closes, resets or the socket's timeout passes."""
    data = b""
    try:
        while True:
            chunk = sock.recv(bufsize)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data


def run_cleanups(cleanups):
    """Calls each of `cleanups` (stop functions), last added first. An error is printed, not
    raised, so the rest still run and the test's own result stands."""
    for stop in reversed(cleanups):
        try:
            stop()
        except Exception as e:  # keep stopping the rest
            print(f"cleanup: {e}")


class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Daemon:
    def __init__(self, name="seedd", base_dir=None, extra_args=(), env=None):
        self.name = name
        self.base = base_dir or tempfile.mkdtemp(prefix=f"seedd-{name}-")
        self.data_dir = os.path.join(self.base, "data")
        self.download_dir = os.path.join(self.base, "downloads")
        self.rpc_port = free_port()
        self.bt_port = free_port()
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None
        self.log_path = os.path.join(self.base, f"{name}.log")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.rpc_port}/rpc"

    def args(self):
        return [SEEDD, f"--data-dir={self.data_dir}", f"--download-dir={self.download_dir}",
                f"--listen=127.0.0.1:{self.bt_port}", f"--rpc-bind=127.0.0.1:{self.rpc_port}",
                "--dht=false", "--lsd=false", "--upnp=false", "--natpmp=false",
                # uTP's delay-based congestion control crawls on loopback (~4 MB/s here).
                "--utp=false",
                "--log-level=debug"] + self.extra_args

    def start(self, wait=True):
        env = dict(os.environ)
        env.pop("STATE_DIRECTORY", None)
        if self.env:
            env.update(self.env)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args(), stdout=self.log, stderr=subprocess.STDOUT, env=env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        cookie = os.path.join(self.data_dir, ".cookie")
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.read_log()}")
            if os.path.exists(cookie):
                try:
                    return self.call("node.info")
                except (OSError, RpcError):
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready in {timeout}s:\n{self.read_log()}")

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-6000:]
        except OSError:
            return ""

    def cookie(self):
        with open(os.path.join(self.data_dir, ".cookie")) as f:
            return f.read().strip()

    def auth_header(self, credentials=None):
        creds = credentials or self.cookie()
        return "Basic " + base64.b64encode(creds.encode()).decode()

    def post(self, body, headers=None, path="/rpc", timeout=30):
        """Raw POST; returns (status, headers, body bytes)."""
        return self.request("POST", path, body, headers, timeout)

    def request(self, method, path, body=None, headers=None, timeout=30):
        """Any HTTP method; returns (status, headers, body bytes)."""
        data = None if body is None else body if isinstance(body, bytes) else body.encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.rpc_port}{path}", data=data, method=method)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def rpc_raw(self, payload, credentials=None):
        """POSTs `payload` (an object to JSON-encode, or str/bytes as is) to /rpc with the
        cookie; returns (status, decoded JSON body or None when the body is empty)."""
        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
        status, _, data = self.post(body, {"Authorization": self.auth_header(credentials),
                                           "Content-Type": "application/json"})
        return status, (json.loads(data) if data else None)

    def call_error(self, method, **params):
        """Calls `method`, which must fail; returns the RpcError."""
        try:
            result = self.call(method, **params)
        except RpcError as e:
            return e
        raise AssertionError(f"{method}({params!r}) succeeded: {result!r}")

    def call(self, method, **params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        status, _, data = self.post(body, {"Authorization": self.auth_header(),
                                           "Content-Type": "application/json"})
        if status != 200:
            raise RpcError(status, data.decode(errors="replace"))
        reply = json.loads(data)
        if "error" in reply:
            raise RpcError(reply["error"]["code"], reply["error"]["message"])
        return reply["result"]

    def wait_for(self, predicate, timeout=60, interval=0.1, what="condition"):
        """Polls `predicate` until it is truthy and returns that. `what` names the wait in the
        timeout's message; a callable is asked for it then, to show the state at the timeout."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        if callable(what):
            what = what()
        raise AssertionError(f"{self.name}: timed out after {timeout}s waiting for {what}; last={last!r}\n"
                             f"{self.read_log()}")

    def settled(self, info_hash, field, timeout=15):
        """The integer value of a torrent field once it stopped changing: libtorrent folds its
        all-time counters in once a second and the snapshot refreshes once a second."""
        readings = []

        def stable():
            readings.append(int(self.torrent(info_hash)[field]))
            # A tuple, so that a value of 0 counts as settled too.
            return (readings[-1],) if len(readings) >= 3 and readings[-1] == readings[-3] else None

        return self.wait_for(stable, timeout=timeout, interval=1, what=f"{field} to settle")[0]

    def torrent(self, info_hash):
        return self.call("torrent.get", info_hash=info_hash)

    def terminate(self, timeout=15):
        """SIGTERM; returns (exit code, seconds taken)."""
        t0 = time.time()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.log.close()
        return code, time.time() - t0

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.terminate()
            except subprocess.TimeoutExpired:
                self.kill9()

    def seedctl(self, *args, check=True, extra_env=None):
        env = dict(os.environ)
        env["SEEDD_DATA_DIR"] = self.data_dir
        env["SEEDD_RPC_URL"] = self.url
        if extra_env:
            env.update(extra_env)
        p = subprocess.run([SEEDCTL, *args], capture_output=True, text=True, env=env, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"seedctl {args} failed ({p.returncode}): {p.stderr}")
        return p


class DaemonTestCase(unittest.TestCase):
    """A test case that owns the daemons it makes and stops them all afterwards."""

    def setUp(self):
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.stop()

    def daemon(self, name, *args, start=True):
        d = Daemon(name, extra_args=list(args))
        self.daemons.append(d)
        return d.start() if start else d

    def create_torrent(self, seeder, size, seed=1, name="payload.bin"):
        """Makes a file of `size` bytes in the seeder's download dir and a torrent of it.
        Returns torrent.create's answer and the file's path."""
        src = os.path.join(seeder.download_dir, name)
        make_file(src, size, seed=seed)
        return seeder.call("torrent.create", path=src), src

    def two_nodes(self, seeder_args, size, seed=1, name="payload.bin", wait=False):
        """A seeder started with `seeder_args`, a leecher, and a torrent of a new file of `size`
        bytes on the seeder: create_torrent(), or with wait=True seed(), which waits until it
        seeds. Returns (seeder, leecher, torrent.create's answer, the file's path)."""
        seeder = self.daemon("seeder", *seeder_args)
        leecher = self.daemon("leecher")
        made, src = (self.seed if wait else self.create_torrent)(seeder, size, seed=seed, name=name)
        return seeder, leecher, made, src

    def seed(self, seeder, size, seed=1, name="payload.bin"):
        """create_torrent(), then waits until the torrent seeds. Returns torrent.create's
        answer and the file's path."""
        made, src = self.create_torrent(seeder, size, seed=seed, name=name)
        seeder.wait_for(lambda: seeder.torrent(made["info_hash"])["state"] == "seeding", timeout=10, what="seeding")
        return made, src
