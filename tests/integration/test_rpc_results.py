"""Every method's answer matches the result its table entry declares (issue 15, item 2), the
way bitcoind's RPCHelpMan checks a handler's output against its RPCResult. rpc.discover gives
each method's result as a JSON Schema generated from the declaration: objects are closed (a
member the declaration does not name fails), members not marked optional are required, and
null is allowed only where the declaration says nullable. A seeder on a Hardhat chain with the
pool deployed and a leecher that downloads from it make every method answer something real:
receipts, a claim, a bounty, a settlement, passes. Each method of rpc.discover must have been
checked at least once."""
import json
import os
import re
import time
import unittest
import urllib.request

import claimkit as ck
from harness import DaemonTestCase, make_file

RATE = 10**18
BOUNTY = 10**24
ETH = 10**19
SIZE = 2 * ck.MiB


def eth(chain, method, params):
    """One JSON-RPC call to the Hardhat node."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(chain.rpc, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())["result"]


def problems(schema, value, path="result"):
    """What in `value` breaks `schema` (the subset result_schema in rpc/method_table.cpp writes)."""
    if "anyOf" in schema:
        tried = [problems(s, value, path) for s in schema["anyOf"]]
        return [] if any(not p for p in tried) else tried[0]
    kind = schema.get("type")
    if kind is None:
        return []
    ok = {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "null": value is None,
    }[kind]
    if not ok:
        return [f"{path}: {json.dumps(value)[:80]} is not {kind}"]
    out = []
    if kind == "string" and "pattern" in schema and not re.search(schema["pattern"], value):
        out.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if kind == "array":
        for i, item in enumerate(value):
            out += problems(schema["items"], item, f"{path}[{i}]")
    if kind == "object":
        declared = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{path}: declared member '{name}' is missing")
        extra = schema.get("additionalProperties", True)
        for name, member in value.items():
            if name in declared:
                out += problems(declared[name], member, f"{path}.{name}")
            elif extra is False:
                out.append(f"{path}: member '{name}' is not declared")
            elif isinstance(extra, dict):
                out += problems(extra, member, f"{path}.{name}")
    return out


class ResultsMatchTheirDeclarations(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.hardhat = ck.LocalChain()
        self.checked = set()

    def tearDown(self):
        super().tearDown()
        self.hardhat.stop()

    def check(self, daemon, method, **params):
        """Calls `method` and fails when its answer breaks the declared result."""
        result = daemon.call(method, **params)
        found = problems(self.schemas[method], result)
        self.assertFalse(found, f"{method}({params}) answered outside its declaration:\n  " + "\n  ".join(found))
        self.checked.add(method)
        return result

    def test_every_method_answers_as_declared(self):
        h = self.hardhat
        seeder = self.daemon("seeder", *h.chain_args(), f"--reward-rate={RATE}")
        leecher = self.daemon("leecher", *h.pool_args())
        doc = seeder.call("rpc.discover")
        self.schemas = {m["name"]: m["result"]["schema"] for m in doc["methods"]}
        c = lambda method, **params: self.check(seeder, method, **params)  # noqa: E731

        c("rpc.discover")
        c("node.info")
        c("session.stats")
        c("session.port_test")
        c("session.options")
        c("session.get")
        c("session.set", upload_slots=8)
        c("ui.login_link")
        address = c("node.info")["node_address"]
        h.run("fund", {"token": h.token, "mint": {address: str(BOUNTY)}, "eth": {address: str(ETH)}})
        c("chain.info")

        made, _ = self.seed(seeder, SIZE, seed=31, name="film.mkv")
        ih = made["info_hash"]
        self.assertEqual(c("torrent.create", path=os.path.join(seeder.download_dir, "film.mkv"))["existed"], True)
        expires = int(time.time()) + 2 * 86400
        fund = c("bounty.fund", info_hash=ih, amount=str(BOUNTY // 4), rate_per_gib=str(RATE), expires_at=expires)
        c("bounty.top_up", bounty_id=fund["bounty_id"], amount="1000")
        c("bounty.list")
        leecher_address = leecher.call("node.info")["node_address"]
        passes = c("pass.issue", info_hash=ih, leecher=leecher_address, expires_at=expires)["passes"]
        self.check(leecher, "pass.add", **{"pass": passes[0]})
        self.check(leecher, "pass.list")

        self.check(leecher, "torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=120, what="the download")
        seeder.wait_for(lambda: int(seeder.call("earnings.summary")["unclaimed_bytes"]) >= SIZE, timeout=60,
                        what="the receipts of the whole download")

        listed = c("torrent.list")
        c("torrent.list", fields=["name", "state"])
        c("torrent.list", since=listed["cursor"])
        c("torrent.get", info_hash=ih)
        c("torrent.files", info_hash=ih)
        c("torrent.trackers", info_hash=ih)
        c("torrent.peers", info_hash=ih)
        c("torrent.peer_totals", info_hash=ih)
        c("torrent.export", info_hash=ih)
        c("torrent.export", info_hash=ih, out=os.path.join(seeder.download_dir, "film.torrent"))
        c("torrent.set", info_hash=ih, labels=["film"], reward_rate="default")
        c("torrent.reannounce", info_hash=ih)
        c("earnings.summary")
        c("earnings.by_torrent")
        c("earnings.history")
        c("receipts.list")
        c("events.poll", since=0)

        c("rewards.claim", dry_run=True)
        claim = c("rewards.claim")
        c("rewards.list")
        document = c("rewards.get", nonce=claim["nonce"])
        document.pop("settlement", None)
        c("claim.verify", claim=document)
        c("rewards.settle", nonce=claim["nonce"], dry_run=True)
        c("rewards.settle", nonce=claim["nonce"], send=False)
        c("rewards.settle", nonce=claim["nonce"])
        c("rewards.list")
        c("rewards.get", nonce=claim["nonce"])

        # A bounty that expires in a few seconds (by the chain's clock and the node's), to be withdrawn.
        chain_now = int(eth(h, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        expires = max(int(time.time()), chain_now) + 4
        short = c("bounty.fund", info_hash=ih, amount="1000", rate_per_gib=str(RATE), expires_at=expires)
        while time.time() <= expires + 1:
            time.sleep(0.5)
        eth(h, "evm_increaseTime", [5])
        eth(h, "evm_mine", [])
        seeder.wait_for(lambda: any(b["bounty_id"] == short["bounty_id"] for b in seeder.call("bounty.list")["bounties"]),
                        timeout=30, what="the short bounty in the cache")
        c("bounty.withdraw", bounty_id=short["bounty_id"])

        # A second torrent to move, pause, resume, recheck and remove.
        folder = os.path.join(seeder.download_dir, "other")
        make_file(os.path.join(folder, "a.bin"), 64 * 1024, seed=5)
        other = c("torrent.create", path=os.path.join(folder, "a.bin"))["info_hash"]
        seeder.wait_for(lambda: seeder.torrent(other)["state"] == "seeding", timeout=10, what="seeding")
        c("torrent.pause", info_hash=other)
        c("torrent.resume", info_hash=other)
        c("torrent.recheck", info_hash=other)
        c("torrent.move", info_hash=other, location=os.path.join(seeder.download_dir, "moved"))
        c("torrent.remove", info_hash=other)

        self.assertEqual(sorted(set(self.schemas) - self.checked), [], "methods whose answer was never checked")
        print(f"rpc_results: {len(self.checked)} methods answered as their tables declare")


if __name__ == "__main__":
    unittest.main()
