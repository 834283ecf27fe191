"""Shared pieces of the claim tests (issue 4): the independent ethers.js checker, installed with
`npm ci`, the three verifiers (claim.verify on a daemon, `seedctl verify-claim` offline, ethers),
a Python model of a verifier's record (rule 5), and a transfer between two seedd.

Nothing here reuses seedd's code to judge seedd: the expected totals, amounts and rule-5 state
are recomputed in Python from the claim files, the signatures and Merkle proofs by ethers.js and
@openzeppelin/merkle-tree."""
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time

from harness import SEEDCTL, free_port, make_file

SOURCE_DIR = os.environ.get("SEEDD_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
ETHERS_SRC = os.path.join(SOURCE_DIR, "tests", "interop", "ethers")
CONTRACTS = os.path.join(SOURCE_DIR, "contracts")
ZERO_ADDRESS = "0x" + "00" * 20
MiB = 1024 * 1024
GIB_SHIFT = 30

# Rule names of docs/protocol.md 7 as claim_verify.hpp's kVerifyRules spells them.
RULES = {
    1: {"claim_signature", "domain"},
    2: {"receipt_signature", "seeder_is_claimant", "leecher_is_seeder", "zero_channel",
        "bytes_below_prev_claimed"},
    3: {"duplicate_receipt"},
    4: {"receipts_root", "receipt_count", "total_bytes", "amount", "receipt_proof"},
    5: {"nonce", "prev_claimed_bytes"},
    6: {"pass"},
}


# ---- the ethers.js checker ------------------------------------------------------------------
_ethers_dir = None


def ethers_dir():
    """A directory holding tests/interop/ethers with its node_modules, installed by `npm ci`
    from package-lock.json. Cached per lock-file hash (in SEEDD_NPM_DIR, else the temp dir) so
    that reruns and parallel tests install once; a file lock serialises concurrent installs."""
    global _ethers_dir
    if _ethers_dir:
        return _ethers_dir
    with open(os.path.join(ETHERS_SRC, "package-lock.json"), "rb") as f:
        lock_hash = hashlib.sha256(f.read()).hexdigest()[:16]
    root = os.environ.get("SEEDD_NPM_DIR") or tempfile.gettempdir()
    target = os.path.join(root, f"seedd-interop-ethers-{lock_hash}")
    os.makedirs(root, exist_ok=True)
    with open(target + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = os.path.join(target, "node_modules", ".seedd-installed")
        if not os.path.exists(marker):
            os.makedirs(target, exist_ok=True)
            for name in ("package.json", "package-lock.json"):
                shutil.copy(os.path.join(ETHERS_SRC, name), target)
            p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                               cwd=target, capture_output=True, text=True, timeout=300)
            if p.returncode != 0:
                raise RuntimeError(f"npm ci in {target} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
            open(marker, "w").close()
        # The scripts are copied on every run (they change with the tree; the modules do not):
        # Node resolves their imports from the directory they are in.
        for name in os.listdir(ETHERS_SRC):
            if name.endswith(".mjs"):  # replaced atomically: another test may be running it
                shutil.copy(os.path.join(ETHERS_SRC, name), os.path.join(target, name + ".new"))
                os.replace(os.path.join(target, name + ".new"), os.path.join(target, name))
    _ethers_dir = target
    return target


def ethers_verify(path, state=None, chain_id=31337, pool=ZERO_ADDRESS):
    """Runs verify_claim.mjs on the claim file `path` (rule 5 too when `state`, a verifier state
    dict, is given); returns its report (with `valid` and `failures`)."""
    d = ethers_dir()
    args = ["node", os.path.join(d, "verify_claim.mjs"), path, "--chain-id", str(chain_id), "--pool", pool]
    with tempfile.TemporaryDirectory() as tmp:
        if state is not None:
            state_path = os.path.join(tmp, "state.json")
            with open(state_path, "w") as f:
                json.dump(state, f)
            args += ["--state", state_path]
        p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if p.returncode not in (0, 1):
        raise AssertionError(f"verify_claim.mjs {path} exited {p.returncode}:\n{p.stderr}")
    report = json.loads(p.stdout)
    assert report["valid"] == (p.returncode == 0), report
    return report


def forge(doc, key_file, sign_only=False):
    """forge_claim.mjs: recomputes the root, proofs and totals of an edited claim (unless
    `sign_only`) and signs it with the key in `key_file`; returns the new document."""
    d = ethers_dir()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        args = ["node", os.path.join(d, "forge_claim.mjs"), f.name, key_file] + (["--sign-only"] if sign_only else [])
        p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    if p.returncode != 0:
        raise AssertionError(f"forge_claim.mjs exited {p.returncode}:\n{p.stderr}")
    return json.loads(p.stdout)


# ---- seedd's two verifiers --------------------------------------------------------------------
def seedctl_verify(path, state=None, pool=None, chain_id=31337):
    """`seedctl --json verify-claim PATH [--state S] [--chain-id N --pool ADDR]`, offline: no
    daemon URL is needed (a dead one is given to prove it). `pool`: the domain's
    verifyingContract, when not seedctl's default. Returns (exit code, {valid, failures})."""
    env = dict(os.environ)
    env["SEEDD_RPC_URL"] = "http://127.0.0.1:9/rpc"  # nothing listens there
    env["SEEDD_DATA_DIR"] = tempfile.gettempdir()
    with tempfile.TemporaryDirectory() as tmp:
        args = [SEEDCTL, "--json", "verify-claim", path]
        if pool is not None:
            args += ["--chain-id", str(chain_id), "--pool", pool]
        if state is not None:
            state_path = os.path.join(tmp, "state.json")
            with open(state_path, "w") as f:
                json.dump(state, f)
            args += ["--state", state_path]
        p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    if p.returncode not in (0, 1):
        raise AssertionError(f"seedctl verify-claim exited {p.returncode}: {p.stderr}")
    result = json.loads(p.stdout)
    assert result["valid"] == (p.returncode == 0), (p.returncode, result)
    return p.returncode, result


def rules_of(result):
    return {f["rule"] for f in result["failures"]}


# ---- a verifier's record (rule 5), modelled in Python -----------------------------------------
def channel_key(message):
    return (message["leecher"].lower(), message["infohash"].lower(), int(message["channel"]))


class Record:
    """What a verifier remembers of one claimant's accepted claims: the last nonce and the bytes
    paid per channel. `state()` is the state file of seedctl verify-claim --state."""

    def __init__(self):
        self.last_nonce = None
        self.paid = {}
        self.leecher_case = {}

    def apply(self, doc):
        self.last_nonce = int(doc["claim"]["nonce"])
        for e in doc["receipts"]:
            key = channel_key(e["message"])
            self.paid[key] = int(e["message"]["bytes"])
            self.leecher_case[key] = e["message"]["leecher"]

    def copy(self):
        r = Record()
        r.last_nonce, r.paid, r.leecher_case = self.last_nonce, dict(self.paid), dict(self.leecher_case)
        return r

    def state(self):
        return {"last_nonce": None if self.last_nonce is None else str(self.last_nonce),
                "paid": [{"leecher": self.leecher_case[k], "infohash": k[1], "channel": str(k[2]),
                          "bytes": str(b)} for k, b in sorted(self.paid.items())]}

    def rule5_failures(self, doc):
        """The rule-5 rules `doc` breaks against this record."""
        out = set()
        expected = 1 if self.last_nonce is None else self.last_nonce + 1
        if int(doc["claim"]["nonce"]) != expected:
            out.add("nonce")
        for e in doc["receipts"]:
            if int(e["prevClaimedBytes"]) != self.paid.get(channel_key(e["message"]), 0):
                out.add("prev_claimed_bytes")
        return out


def expected_totals(doc):
    """(totalBytes, amount) recomputed from the entries: docs/protocol.md 5 and 6."""
    total = amount = 0
    for e in doc["receipts"]:
        delta = int(e["message"]["bytes"]) - int(e["prevClaimedBytes"])
        total += delta
        amount += (delta * int(e["ratePerGiB"])) >> GIB_SHIFT
    return total, amount


# ---- daemons and transfers --------------------------------------------------------------------
def claim_file(daemon, nonce):
    return os.path.join(daemon.data_dir, "claims", f"{nonce}.json")


def load(path):
    with open(path) as f:
        return json.load(f)


def seed_torrent(seeder, name, size, seed):
    """Creates a `size`-byte file in the seeder's download dir and a torrent of it; returns
    torrent.create's result (info_hash, torrent)."""
    src = os.path.join(seeder.download_dir, name)
    make_file(src, size, seed=seed)
    return seeder.call("torrent.create", path=src)


def receipted_bytes(seeder, info_hash, leecher_address):
    rows = seeder.call("receipts.list", info_hash=info_hash, leecher=leecher_address, limit=1000)["receipts"]
    return sum(int(r["message"]["bytes"]) for r in rows)


def download(seeder, leecher, made, timeout=120):
    """The leecher downloads `made` from the seeder; waits until the seeder holds receipts for
    every byte the leecher received (the final receipt); returns the receipted byte count."""
    ih = made["info_hash"]
    leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
    leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=timeout, what="download")
    received = leecher.settled(ih, "downloaded_bytes")
    address = leecher.call("node.info")["node_address"]
    seeder.wait_for(lambda: receipted_bytes(seeder, ih, address) >= received, timeout=30,
                    what="the final receipt")
    return receipted_bytes(seeder, ih, address)


# ---- a local chain ----------------------------------------------------------------------------
class LocalChain:
    """A Hardhat node on 127.0.0.1 (started here, stopped by its pid) with the pool and its token
    deployed by contracts/scripts/deploy.js; `run` drives tests/interop/ethers/
    settlement_check.mjs (fund, send, check, balances) against it."""

    def __init__(self):
        self.ethers = ethers_dir()
        subprocess.run([os.path.join(CONTRACTS, "install.sh")], check=True, timeout=600)
        self.port = free_port()
        self.log = open(os.path.join(tempfile.mkdtemp(prefix="seedd-hardhat-"), "hardhat.log"), "w+")
        self.proc = subprocess.Popen(
            ["node", "scripts/hardhat-offline.js", "node", "--hostname", "127.0.0.1", "--port", str(self.port)],
            cwd=CONTRACTS, stdout=self.log, stderr=subprocess.STDOUT,
            env=dict(os.environ, HARDHAT_DISABLE_TELEMETRY_PROMPT="true"))
        self.rpc = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while True:
            self.log.seek(0)
            if "Started HTTP" in self.log.read():
                break
            if self.proc.poll() is not None or time.time() > deadline:
                self.log.seek(0)
                text = self.log.read()[-3000:]
                self.stop()
                raise RuntimeError("hardhat node did not start:\n" + text)
            time.sleep(0.2)
        p = subprocess.run(["node", "scripts/deploy.js", "--rpc", self.rpc], cwd=CONTRACTS,
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            self.stop()
            raise RuntimeError(f"deploy.js failed ({p.returncode}):\n{p.stderr}")
        self.deployed = json.loads(p.stdout.strip().splitlines()[-1])  # pool, token, deployBlock

    @property
    def pool(self):
        return self.deployed["pool"]

    @property
    def token(self):
        return self.deployed["token"]

    def pool_args(self):
        """seedd's options for the pool's EIP-712 domain (receipts, claims, passes)."""
        return ["--pool-chain-id=31337", f"--pool-contract={self.pool}"]

    def chain_args(self, rpc_url=None):
        """pool_args and the chain client, through `rpc_url` (a relay) or straight to the node."""
        return self.pool_args() + [f"--chain-rpc={rpc_url or self.rpc}",
                                   f"--pool-deploy-block={self.deployed['deployBlock']}"]

    def run(self, mode, data):
        """settlement_check.mjs MODE with `data` (and this chain's rpc); returns its report."""
        path = os.path.join(tempfile.mkdtemp(prefix="seedd-settle-"), f"{mode}.json")
        with open(path, "w") as f:
            json.dump(dict(data, rpc=self.rpc), f)
        p = subprocess.run(["node", "settlement_check.mjs", mode, path], cwd=self.ethers,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError(f"settlement_check.mjs {mode} exited {p.returncode}:\n{p.stderr}")
        return json.loads(p.stdout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # by its pid
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
