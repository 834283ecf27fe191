"""The RPC of the container, published as docker/compose.rpc.yaml says, is reachable from the
host with the user it names, and from nowhere else.

No image is built (tests/ops/test_image.sh does that, slowly): seedd runs with the environment
the container would have (the Dockerfile's ENV, then compose.yaml's and compose.rpc.yaml's
`environment`, interpolated as compose does) in a network namespace of its own, joined to this
one by a veth pair as Docker's bridge joins a container to the host: seedd binds 0.0.0.0:8421
inside, exactly as the compose file says, and the host calls it at the container's address, so
requests arrive from the gateway's address as published ones do. Checked:
- node.info with the compose user's password answers; no password or a wrong one gets 401;
- a caller outside the allow-list (a second host address, 198.51.100.1) gets no HTTP answer;
- the image's health check (curl 127.0.0.1:8421/healthz inside) still passes;
- without SEEDD_RPC_AUTH, compose itself would refuse (`${...:?}`), and seedd refuses the
  0.0.0.0 bind with exit code 2 naming rpc_auth;
- with compose.yaml alone the RPC stays on the container's loopback: the host cannot connect.
Needs root (network namespaces); exits 77 (ctest: skipped) otherwise."""
import base64
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import read_until_close  # noqa: E402

SRC = os.environ.get("SEEDD_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SEEDD = os.environ.get("SEEDD_BIN", "build/seedd")
SEEDCTL = os.environ.get("SEEDCTL_BIN", "build/seedctl")
OUTSIDE = "198.51.100.1"  # TEST-NET-2: a host address that is in no private range


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def dockerfile_env(path):
    """The Dockerfile's ENV instructions as a dict (KEY=VALUE pairs, lines joined at `\\`)."""
    text = re.sub(r"\\\n", " ", open(path).read())
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for key, value in re.findall(r"(\w+)=(\S+)", line[4:]):
                env[key] = value
    return env


def interpolate(value, shell_env):
    """Compose's $$, ${VAR}, ${VAR:-default} and ${VAR:?error}; raises KeyError(error) for the last."""
    def one(m):
        if m.group(0) == "$$":
            return "$"
        name, op, arg = m.group(1), m.group(2), m.group(3)
        have = shell_env.get(name, "")
        if op == ":?" and not have:
            raise KeyError(arg)
        if op == ":-" and not have:
            return arg
        return have
    return re.sub(r"\$\$|\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, str(value))


def service_env(files, shell_env):
    env = {}
    for f in files:
        service = yaml.safe_load(open(os.path.join(SRC, "docker", f)))["services"]["seedd"]
        for key, value in (service.get("environment") or {}).items():
            env[key] = interpolate(value, shell_env)
    return env


def ns(name, *cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", name, *cmd], **kw)


def post(url, body, auth=None, source=None, timeout=5):
    """(status, parsed body) of a JSON-RPC POST; `source` binds the local address."""
    host, port = url.split("/")[2].split(":")
    conn_sock = socket.create_connection((host, int(port)), timeout=timeout,
                                         source_address=(source, 0) if source else None)
    headers = [f"POST /rpc HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
               f"Content-Length: {len(body)}", "Connection: close"]
    if auth:
        headers.append("Authorization: Basic " + base64.b64encode(auth.encode()).decode())
    conn_sock.sendall(("\r\n".join(headers) + "\r\n\r\n").encode() + body)
    data = read_until_close(conn_sock)
    conn_sock.close()
    if not data:
        return None, None
    head, _, payload = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, payload


def main():
    if os.getuid() != 0:
        print("SKIP: the compose RPC test makes network namespaces, which needs root")
        return 77
    for tool in ("ip", "curl"):
        if not shutil.which(tool):
            fail(f"{tool} is missing")

    compose = yaml.safe_load(open(os.path.join(SRC, "docker", "compose.rpc.yaml")))
    ports = compose["services"]["seedd"]["ports"]
    if not any(str(p).startswith("8421:8421") for p in ports):
        fail(f"compose.rpc.yaml does not publish 8421: {ports}")
    if not re.search(r"^EXPOSE .*\b8421\b", open(os.path.join(SRC, "docker", "Dockerfile")).read(), re.M):
        fail("the Dockerfile does not EXPOSE 8421")

    out = subprocess.run([SEEDCTL, "rpcauth", "alice", "--json"], capture_output=True, text=True, check=True).stdout
    alice = json.loads(out)
    shell_env = {"SEEDD_RPC_AUTH": alice["rpc_auth"]}  # as the user exports it for compose

    try:
        service_env(["compose.yaml", "compose.rpc.yaml"], {})
        fail("compose.rpc.yaml without SEEDD_RPC_AUTH interpolates instead of refusing")
    except KeyError:
        pass

    image_env = dockerfile_env(os.path.join(SRC, "docker", "Dockerfile"))
    base = tempfile.mkdtemp(prefix="seedd-compose-rpc-")
    tag = f"sd{os.getpid() % 100000}"
    netns, host_if, ctr_if = f"seedd-{tag}", f"{tag}h", f"{tag}c"
    subnet = random.randrange(0, 250)
    gateway, ctr_addr = f"172.30.{subnet}.1", f"172.30.{subnet}.2"
    procs = []

    def start(env_files, extra=None):
        env = dict(image_env)
        env.update(service_env(env_files, shell_env))
        env.update(extra or {})
        # The volumes: /data and /downloads are directories of this test.
        data = tempfile.mkdtemp(dir=base)
        env["SEEDD_DATA_DIR"], env["SEEDD_DOWNLOAD_DIR"] = data, os.path.join(data, "downloads")
        env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
        log = open(os.path.join(data, "seedd.log"), "w+")
        p = subprocess.Popen(["ip", "netns", "exec", netns, "env", "-i"] + [f"{k}={v}" for k, v in env.items()]
                             + [os.path.abspath(SEEDD)], stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        return p, log, env

    def stop(p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                return p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                return p.wait()
        return p.returncode

    def healthy():
        return ns(netns, "curl", "-fsS", "http://127.0.0.1:8421/healthz", capture_output=True).returncode == 0

    try:
        subprocess.run(["ip", "netns", "add", netns], check=True)
        subprocess.run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", ctr_if], check=True)
        subprocess.run(["ip", "link", "set", ctr_if, "netns", netns], check=True)
        subprocess.run(["ip", "addr", "add", f"{gateway}/24", "dev", host_if], check=True)
        subprocess.run(["ip", "addr", "add", f"{OUTSIDE}/32", "dev", host_if], check=True)
        subprocess.run(["ip", "link", "set", host_if, "up"], check=True)
        ns(netns, "ip", "link", "set", "lo", "up", check=True)
        ns(netns, "ip", "addr", "add", f"{ctr_addr}/24", "dev", ctr_if, check=True)
        ns(netns, "ip", "link", "set", ctr_if, "up", check=True)
        ns(netns, "ip", "route", "add", "default", "via", gateway, check=True)

        # 1. compose.yaml + compose.rpc.yaml, as `docker compose -f ... -f ... up` runs it.
        p, log, env = start(["compose.yaml", "compose.rpc.yaml"])
        if env["SEEDD_RPC_BIND"] != "0.0.0.0:8421":
            fail(f"the compose files bind RPC to {env['SEEDD_RPC_BIND']}")
        deadline = time.time() + 30
        while not healthy():
            if p.poll() is not None or time.time() > deadline:
                log.seek(0)
                fail(f"seedd with the compose environment did not come up: {log.read()[-2000:]}")
            time.sleep(0.2)
        print(f"seedd up in {netns} with {sorted(k for k in env if k.startswith('SEEDD_'))}")
        url = f"http://{ctr_addr}:8421/rpc"
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "node.info"}).encode()

        status, answer = post(url, body, auth=f"alice:{alice['password']}", source=gateway)
        if status != 200 or "result" not in answer or "version" not in answer["result"]:
            fail(f"node.info from the gateway with alice's password: {status} {answer}")
        print(f"node.info from {gateway} as alice: 200, seedd {answer['result']['version']}")
        status, _ = post(url, body, source=gateway)
        if status != 401:
            fail(f"node.info without a password: {status}, not 401")
        status, _ = post(url, body, auth="alice:not-the-password", source=gateway)
        if status not in (401, 429):
            fail(f"node.info with a wrong password: {status}, not 401")
        print("no password and a wrong password: 401")
        # The connection itself is made (so the route is there), then closed unanswered.
        try:
            status, answer = post(url, body, auth=f"alice:{alice['password']}", source=OUTSIDE)
        except OSError as e:
            fail(f"cannot even connect from {OUTSIDE}, so the allow-list is not what is tested: {e}")
        if status is not None:
            fail(f"a caller outside the allow-list ({OUTSIDE}) got HTTP {status}")
        print(f"{OUTSIDE} (outside the allow-list): connection closed, no answer")
        if not healthy():
            fail("the image's health check (127.0.0.1:8421/healthz inside) fails")
        rc = stop(p)
        if rc != 0:
            fail(f"seedd exited {rc} on SIGTERM")

        # 2. The 0.0.0.0 bind without a user of its own: seedd refuses (compose would already).
        env_files = ["compose.yaml", "compose.rpc.yaml"]
        p, log, _ = start(env_files, {"SEEDD_RPC_AUTH": ""})
        rc = p.wait(timeout=30)
        log.seek(0)
        text = log.read()
        if rc != 2 or "rpc_auth" not in text:
            fail(f"seedd with a 0.0.0.0 RPC bind and no rpc_auth: exit {rc}, log: {text[-500:]}")
        print("without SEEDD_RPC_AUTH: exit 2, naming rpc_auth")

        # 3. compose.yaml alone: the RPC stays on the container's loopback.
        p, log, _ = start(["compose.yaml"])
        deadline = time.time() + 30
        while not healthy():
            if p.poll() is not None or time.time() > deadline:
                fail("seedd with compose.yaml alone did not come up")
            time.sleep(0.2)
        try:
            socket.create_connection((ctr_addr, 8421), timeout=3).close()
            fail("with compose.yaml alone the host reaches the RPC port")
        except OSError:
            print("compose.yaml alone: RPC on the container's loopback only (connection refused)")
        if stop(p) != 0:
            fail("seedd (compose.yaml alone) did not stop cleanly")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run(["ip", "link", "del", host_if], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", netns], stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
