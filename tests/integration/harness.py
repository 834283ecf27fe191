"""Test harness: real seedd processes on 127.0.0.1, driven over real HTTP.

Every daemon gets its own temporary data directory and free ports; DHT, LSD, UPnP and NAT-PMP
are off so no traffic leaves the machine."""
import base64
import hashlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

SEEDD = os.environ.get("SEEDD_BIN", "build/seedd")
SEEDCTL = os.environ.get("SEEDCTL_BIN", "build/seedctl")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        data = body if isinstance(body, bytes) else body.encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.rpc_port}{path}", data=data, method="POST")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

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
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError(f"{self.name}: timed out after {timeout}s waiting for {what}; last={last!r}\n"
                             f"{self.read_log()}")

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
