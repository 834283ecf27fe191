"""Issue 13, must-show 5: settlement on a real chain, every part real. A Hardhat node on
127.0.0.1 (started here, stopped by its pid), the pool and its token deployed by
contracts/scripts/deploy.js; a creator seedd creates a torrent and funds a bounty with
`seedctl fund`; two seedd seeders and three seedd leechers download it; the seeders claim and
settle with `seedctl settle`. An independent ethers.js script (tests/interop/ethers/
settlement_check.mjs) then checks that each payout's token balance is Σ floor(delta × rate / 2^30)
recomputed from the claim files, that the bounty fell by the same, and that the Settled events
match rewards.list. Then: settling again pays 0; a claim file edited to raise a receipt's bytes
gets that item skipped with reason 1; kill -9 of a seeder at random moments around settlement
pays no claim twice and loses none; a chain endpoint that is down leaves the settlement pending
with a clear error, and it completes once the chain is back.

seedd reaches the chain through a small HTTP relay in this test (ChainRelay), so that the test
can take the endpoint down and bring it back while the chain keeps its state."""
import http.server
import json
import os
import random
import signal
import subprocess
import threading
import time
import unittest
import urllib.request

import claimkit as ck
from harness import DaemonTestCase, free_port

RATE = 1000000007 * 10**9      # base units per GiB, odd: every floor() matters
BOUNTY = 10**30                # enough that no item is cut by the balance
SIZE = 32 * ck.MiB         # at 2 MiB/s a seeder: long enough for 20+ claims along the way
ETH = 10**19
ALREADY_SETTLED, PENDING, UNREACHABLE = -32010, -32011, -32012
KILL_ROUNDS = int(os.environ.get("SEEDD_SETTLE_KILL_ROUNDS", "20"))


class ChainRelay:
    """Forwards JSON-RPC POSTs to the chain. down(): nothing listens (connection refused);
    drop_sends: eth_sendRawTransaction gets no answer (the connection is closed)."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = free_port()
        self.drop_sends = False
        self.server = None
        self.up()

    def up(self):
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle(self):
                try:
                    super().handle()
                except OSError:  # a seedd killed with -9 mid-request
                    pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if relay.drop_sends and b"eth_sendRawTransaction" in body:
                    self.close_connection = True
                    return
                req = urllib.request.Request(relay.upstream, data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=30) as r:
                    data = r.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


class SettlementEndToEnd(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.local = ck.LocalChain()
        self.rpc = self.local.rpc
        self.chain = self.local.deployed
        self.relay = ChainRelay(self.rpc)

    def tearDown(self):
        super().tearDown()
        self.relay.down()
        self.local.stop()

    # -- helpers
    def ethers_run(self, mode, data):
        return self.local.run(mode, data)

    def pool_args(self):
        return self.local.pool_args()

    def chain_args(self):
        return self.local.chain_args(self.relay.url)

    def settle_cli(self, daemon, *args, check=True):
        p = daemon.seedctl("settle", *args, check=False)
        if check:
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p

    def settled_claims(self, daemon):
        return {c["nonce"]: c["settlement"] for c in daemon.call("rewards.list", limit=1000)["claims"]}

    # -- the test
    def test_settlement_end_to_end(self):
        t0 = time.time()
        creator = self.daemon("creator", *self.chain_args(), f"--reward-rate={RATE}", "--pex=false")
        seeders = [self.daemon(f"seeder{i}", *self.chain_args(), f"--reward-rate={RATE}", "--credit-window=1MiB",
                               "--receipt-interval=256KiB", "--pex=false",
                               # rate_limit_lan makes the limit hold on loopback: the transfer
                               # lasts long enough for many claims along the way.
                               "--rate-limit-lan=true", "--upload-limit=2MiB") for i in (1, 2)]
        # No PEX: the leechers download from the two seeders only, not from each other.
        leechers = [self.daemon(f"leecher{i}", *self.pool_args(), "--pex=false") for i in (1, 2, 3)]
        addr = {d.name: d.call("node.info")["node_address"] for d in [creator] + seeders + leechers}
        self.ethers_run("fund", {"token": self.chain["token"], "mint": {addr["creator"]: str(2 * BOUNTY)},
                                 "eth": {addr[n]: str(ETH) for n in ("creator", "seeder1", "seeder2")}})

        # chain.info / seedctl balance: the node account, its ETH and tokens.
        info = creator.call("chain.info")
        self.assertEqual((info["chain_id"], info["pool"], info["token"]), (31337, self.chain["pool"], self.chain["token"]))
        self.assertEqual((info["eth_balance"], info["token_balance"]), (str(ETH), str(2 * BOUNTY)))
        self.assertIn("token_balance", creator.seedctl("balance").stdout)

        # The creator makes the torrent and funds its bounty with seedctl fund.
        made = ck.seed_torrent(creator, "content.bin", SIZE, seed=13)
        ih = made["info_hash"]
        creator.wait_for(lambda: creator.torrent(ih)["state"] == "seeding", timeout=30, what="creator seeding")
        p = creator.seedctl("fund", ih, f"--amount={BOUNTY}", f"--rate={RATE}", "--days=2")
        self.assertIn("funded", p.stdout)
        bounties = creator.call("bounty.list", info_hash=ih)["bounties"]
        self.assertEqual(len(bounties), 1, bounties)
        bounty_id = bounties[0]["bounty_id"]
        self.assertEqual((bounties[0]["balance"], bounties[0]["rate_per_gib"], bounties[0]["seeding"]),
                         (str(BOUNTY), str(RATE), True))
        table = creator.seedctl("bounties").stdout
        self.assertIn(ih[:8], table)
        print("\n[settlement] seedctl fund:\n" + p.stdout + "[settlement] seedctl bounties:\n" + table)

        # Two seeders take it from the creator, three leechers from the two seeders.
        for s in seeders:
            s.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{creator.bt_port}"])
        for s in seeders:
            s.wait_for(lambda s=s: s.torrent(ih)["state"] == "seeding", timeout=120, what="seeder has the data")
        for l in leechers:
            l.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{s.bt_port}" for s in seeders])
        # The seeders claim again and again while the leechers download: claims for the kill rounds.
        s1, s2 = seeders
        # Seeder 2 claims less often, so that its claims hold several receipts (the edited file).
        rounds = 0
        while not all(l.torrent(ih)["state"] == "seeding" for l in leechers):
            for s in seeders if rounds % 8 == 7 else [s1]:
                try:
                    s.call("rewards.claim")
                except Exception:
                    pass
            rounds += 1
            time.sleep(0.1)
        # The seeders hold the leechers' last receipts, as far as they come: a leecher that
        # finished may drop its connections (two seeds) before receipting the last bytes under
        # the receipt interval. The checks below use the claim files, whatever they cover.
        received = {l.name: l.settled(ih, "downloaded_bytes") for l in leechers}
        try:
            s1.wait_for(lambda: all(sum(ck.receipted_bytes(s, ih, addr[l.name]) for s in seeders) >= received[l.name]
                                    for l in leechers), timeout=10, interval=0.5, what="final receipts")
        except AssertionError:
            short = {l.name: received[l.name] - sum(ck.receipted_bytes(s, ih, addr[l.name]) for s in seeders)
                     for l in leechers}
            print(f"[settlement] bytes received but not receipted: {short}")
        for s in seeders:
            try:
                s.call("rewards.claim")
            except Exception:
                pass
        s1_claims = [c["nonce"] for c in s1.call("rewards.list", limit=1000)["claims"]]
        s2_claims = [c["nonce"] for c in s2.call("rewards.list", limit=1000)["claims"]]
        self.assertGreaterEqual(len(s1_claims), 3, "too few claims during the transfer")
        self.assertGreaterEqual(len(s2_claims), 2, "too few claims during the transfer")
        print(f"\n[settlement] transfer done in {time.time() - t0:.1f}s; claims: seeder1 {len(s1_claims)}, "
              f"seeder2 {len(s2_claims)}")

        # ---- seeder 1 settles its first claim with seedctl settle
        before = int(creator.call("bounty.list", info_hash=ih)["bounties"][0]["balance"])
        self.assertEqual(before, BOUNTY)
        dry = s1.call("rewards.settle", nonce=1, dry_run=True)
        self.assertTrue(all(i["skip_reason"] is None for i in dry["items"]), dry)
        p = self.settle_cli(s1, "1")
        print("[settlement] seedctl settle 1:\n" + p.stdout)
        self.assertIn("confirmed", p.stdout)
        st = self.settled_claims(s1)["1"]
        self.assertEqual((st["state"], st["paid"], st["items_skipped"]), ("confirmed", dry["would_pay"], 0))
        print("[settlement] seeder1 seedctl balance:\n" + s1.seedctl("balance").stdout)

        # ---- seeder 2: the file of its first claim with two receipts or more is edited to raise
        # receipt 0's bytes; that item is skipped with reason 1 (proof) and the others are paid.
        # The true file then pays the rest. (A claim that would pay nothing is not sent at all.)
        tamper = next(int(n) for n in s2_claims if len(ck.load(ck.claim_file(s2, n))["receipts"]) >= 2)
        for n in range(1, tamper):  # in order: receipts are cumulative
            self.settle_cli(s2, str(n))
        c2 = {"nonce": tamper}
        path2 = ck.claim_file(s2, c2["nonce"])
        original = ck.load(path2)
        tampered = json.loads(json.dumps(original))
        tampered["receipts"][0]["message"]["bytes"] = str(int(tampered["receipts"][0]["message"]["bytes"]) + 4096)
        with open(path2, "w") as f:
            json.dump(tampered, f)
        print("[settlement] seedctl settle --dry-run (tampered file):\n" +
              self.settle_cli(s2, "--dry-run", str(c2["nonce"])).stdout)
        p = self.settle_cli(s2, str(c2["nonce"]))
        print("[settlement] seedctl settle (tampered file):\n" + p.stdout)
        st = self.settled_claims(s2)[str(c2["nonce"])]
        self.assertEqual(st["state"], "confirmed", st)
        self.assertEqual(st["skipped"], [{"index": 0, "reason": 1, "reason_name": "proof"}], p.stdout)
        self.assertEqual(st["items_paid"], len(original["receipts"]) - 1)
        with open(path2, "w") as f:
            json.dump(original, f)
        p = self.settle_cli(s2, str(c2["nonce"]))
        st = self.settled_claims(s2)[str(c2["nonce"])]
        self.assertEqual((st["state"], st["items_paid"]), ("confirmed", 1), p.stdout)
        self.assertEqual([k["reason"] for k in st["skipped"]], [6] * (len(original["receipts"]) - 1))

        # ---- settling again pays 0: refused by seedd, and sent by another wallet the pool pays 0.
        e = s1.call_error("rewards.settle", nonce=1)
        self.assertEqual(e.code, ALREADY_SETTLED, e.message)
        self.assertIn("already settled", e.message)
        p = self.settle_cli(s1, "1", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("already settled", p.stderr)
        again = s1.call("rewards.settle", nonce=1, send=False)
        self.assertEqual(again["would_pay"], "0")
        self.assertTrue(all(i["skip_reason"] == 6 for i in again["items"]), again)
        sent = self.ethers_run("send", {"to": again["to"], "data": again["data"], "account": 5})
        self.assertEqual(sent["status"], 1)
        self.assertEqual(sent["settled"]["paid"], "0")
        self.assertEqual(sent["skipped"], [{"index": i, "reason": 6} for i in range(len(again["items"]))])

        # ---- kill -9 of a seeder at random moments around settlement, one claim a round
        rng = random.Random(int(os.environ.get("SEEDD_SETTLE_SEED", "1313")))
        claims_to_kill_around = [(s1, int(n)) for n in s1_claims[1:-1]] + [(s2, int(n)) for n in s2_claims if int(n) > tamper]
        claims_to_kill_around.sort(key=lambda t: (t[1], t[0].name))  # the last of seeder 1 is for the chain-down part
        print(f"[settlement] kill -9 rounds over {len(claims_to_kill_around)} claims (target {KILL_ROUNDS})")
        # Seeder 2's edited claim (its last settlement skipped items, so it may be sent again) would
        # pay nothing now: nothing is sent, and the error says why.
        e = s2.call_error("rewards.settle", nonce=tamper)
        self.assertEqual(e.code, ALREADY_SETTLED, e.message)
        self.assertIn("would be paid nothing", e.message)
        kill_log = []
        for d, nonce in claims_to_kill_around[:KILL_ROUNDS]:
            env = dict(os.environ, SEEDD_DATA_DIR=d.data_dir, SEEDD_RPC_URL=d.url)
            cli = subprocess.Popen([os.path.abspath(os.environ.get("SEEDCTL_BIN", "build/seedctl")), "settle", str(nonce)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            delay = rng.uniform(0.0, 0.1)
            time.sleep(delay)
            d.kill9()
            cli.communicate(timeout=30)
            d.start()
            first = self.settled_claims(d)[str(nonce)]
            # Whatever was committed is rebroadcast and followed; what was not is settled again.
            d.wait_for(lambda: (self.settled_claims(d)[str(nonce)] or {}).get("state") != "pending",
                       timeout=60, what=f"claim {nonce} not pending")
            st = self.settled_claims(d)[str(nonce)]
            kill_log.append((d.name, nonce, round(delay, 3), first["state"] if first else "none",
                             st["state"] if st else "none"))
            if st is None or st["state"] != "confirmed":
                self.settle_cli(d, str(nonce))
        print(f"[settlement] {len(kill_log)} kill -9 rounds (seeder, nonce, delay s, state at restart, after following): {kill_log}")
        for d, n in claims_to_kill_around:
            st = self.settled_claims(d)[str(n)]
            if st is None or st["state"] != "confirmed":
                self.settle_cli(d, str(n))
            st = self.settled_claims(d)[str(n)]
            self.assertEqual(st["state"], "confirmed", st)
        # That no claim was paid twice and none was lost is the ethers check below: every
        # payout's balance is exactly Σ floor(delta × rate / 2^30) over all its claim files.

        # ---- the chain endpoint down: the broadcast gets no answer, so the settlement stays
        # pending with a clear error; with the endpoint gone entirely the API still answers at
        # once, settle says "unreachable"; once the chain is back it completes by itself.
        last = int(s1_claims[-1])
        self.relay.drop_sends = True
        e = s1.call_error("rewards.settle", nonce=last)
        self.assertEqual(e.code, UNREACHABLE, e.message)
        self.assertIn("pending", e.message)
        self.relay.down()
        st = self.settled_claims(s1)[str(last)]
        self.assertEqual(st["state"], "pending")
        t = time.time()
        s1.call("node.info")
        self.assertLess(time.time() - t, 1.0)
        e = s1.call_error("rewards.settle", nonce=last)
        self.assertEqual(e.code, PENDING, e.message)
        e = s1.call_error("chain.info")
        self.assertEqual(e.code, UNREACHABLE, e.message)
        print(f"[settlement] endpoint down: {e.message}")
        # kill -9 while it is pending and the endpoint is down: seedd starts all the same (it
        # seeds; settlement waits), the settlement is still pending, and is rebroadcast from the
        # ledger once the endpoint is back.
        s1.kill9()
        s1.start()
        self.assertEqual(self.settled_claims(s1)[str(last)]["state"], "pending")
        self.assertIn("does not answer", s1.read_log())
        self.relay.drop_sends = False
        self.relay.up()
        s1.wait_for(lambda: self.settled_claims(s1)[str(last)]["state"] == "confirmed", timeout=60,
                    what="the pending settlement to complete")

        # ---- the independent check: every payout, the bounty, the Settled events.
        payouts = []
        for s in seeders:
            claims = []
            for c in s.call("rewards.list", limit=1000)["claims"]:
                claims.append({"file": ck.claim_file(s, c["nonce"])})
            payouts.append({"address": addr[s.name], "claims": claims})
        report = self.ethers_run("check", {"pool": self.chain["pool"], "token": self.chain["token"],
                                           "bountyId": bounty_id, "bountyBefore": str(BOUNTY),
                                           "payouts": payouts})
        print(f"[settlement] ethers check: {json.dumps(report['payouts'])} bounty {report['bounty']}")
        for p in report["payouts"]:
            self.assertGreater(int(p["expected"]), 0)
            self.assertEqual(p["balance"], p["expected"], p)
        self.assertEqual(report["bounty"]["fell"], report["bounty"]["expected"])
        # The Settled events match rewards.list: every confirmed settlement has its event.
        events = {e["tx"]: e for e in report["events"]}
        for s in seeders:
            for c in s.call("rewards.list", limit=1000)["claims"]:
                st = c["settlement"]
                if st is None or st["state"] != "confirmed":
                    continue
                ev = events[st["tx"]]
                self.assertEqual((ev["claimant"], ev["nonce"], ev["paid"], ev["block"], ev["itemsPaid"], ev["itemsSkipped"]),
                                 (addr[s.name], c["nonce"], st["paid"], st["block"], st["items_paid"], st["items_skipped"]))
        metrics = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{s1.rpc_port}/metrics", headers={"Authorization": s1.auth_header()})).read().decode()
        self.assertIn("seedd_settlements_pending 0", metrics)
        self.assertIn(f"seedd_tokens_paid_total {report['payouts'][0]['balance']}", metrics)
        print(f"[settlement] total {time.time() - t0:.1f}s")

    def test_bad_chain_setups_and_a_poor_account_get_clear_errors(self):
        # A wrong chain id, and a pool address without code, stop the start with exit code 2
        # and a message that says which.
        for name, args, words in (
                ("wrongchain", ["--pool-chain-id=1", f"--pool-contract={self.chain['pool']}"], "chain id 31337"),
                ("nocode", ["--pool-chain-id=31337", "--pool-contract=0x000000000000000000000000000000000000dEaD"],
                 "has no code")):
            d = self.daemon(name, *args, f"--chain-rpc={self.relay.url}", start=False)
            d.start(wait=False)
            code = d.proc.wait(timeout=30)
            d.log.close()
            self.assertEqual(code, 2, d.read_log())
            self.assertIn(words, d.read_log())
        # Settlement off: the chain methods say so.
        off = self.daemon("off", *self.pool_args())
        self.assertEqual(off.call_error("chain.info").code, -32006)
        # An account with tokens and no ETH: bounty.fund names the address to fund.
        poor = self.daemon("poor", *self.chain_args())
        address = poor.call("node.info")["node_address"]
        self.ethers_run("fund", {"token": self.chain["token"], "mint": {address: "1000"}})
        e = poor.call_error("bounty.fund", info_hash="ab" * 20, amount="1000", rate_per_gib="1",
                            expires_at=int(time.time()) + 3600)
        self.assertEqual(e.code, -32015, e.message)
        self.assertIn(address, e.message)
        # More tokens than it holds: named too.
        e = poor.call_error("bounty.fund", info_hash="ab" * 20, amount="1001", rate_per_gib="1",
                            expires_at=int(time.time()) + 3600)
        self.assertEqual(e.code, -32015, e.message)
        self.assertIn("holds 1000", e.message)
        # An unknown nonce.
        self.assertEqual(poor.call_error("rewards.settle", nonce=5).code, -32001)
        p = poor.seedctl("settle", "5", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no claim 5", p.stderr)

    def test_a_creator_tops_up_and_withdraws_what_is_left_after_expiry(self):
        creator = self.daemon("creator", *self.chain_args())
        address = creator.call("node.info")["node_address"]
        self.ethers_run("fund", {"token": self.chain["token"], "mint": {address: "5000"}, "eth": {address: str(ETH)}})
        expires = int(time.time()) + 25
        p = creator.seedctl("fund", "cd" * 20, "--amount=3000", "--rate=7", f"--expires={expires}")
        self.assertIn("funded", p.stdout)
        bounty_id = creator.call("bounty.list", info_hash="cd" * 20)["bounties"][0]["bounty_id"]
        p = creator.seedctl("top-up", bounty_id, "--amount=1500")
        print("\n[settlement] seedctl top-up:\n" + p.stdout)
        self.assertIn("topped up", p.stdout)
        (b,) = creator.call("bounty.list", info_hash="cd" * 20)["bounties"]
        self.assertEqual(b["balance"], "4500")
        self.assertEqual(creator.call("chain.info")["token_balance"], "500")
        # More than the account holds, an unknown bounty, and a withdraw before expiry: refused.
        self.assertIn("holds 500", creator.call_error("bounty.top_up", bounty_id=bounty_id, amount="501").message)
        self.assertIn("no bounty 99", creator.call_error("bounty.withdraw", bounty_id="99").message)
        p = creator.seedctl("withdraw", bounty_id, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("withdraw only after", p.stderr)
        self.assertEqual(creator.call("bounty.list", info_hash="cd" * 20)["bounties"][0]["balance"], "4500")
        # After expiry the rest comes back to the node account.
        time.sleep(max(0.0, expires + 2 - time.time()))
        p = creator.seedctl("withdraw", bounty_id)
        print("[settlement] seedctl withdraw:\n" + p.stdout)
        self.assertIn("went back", p.stdout)
        self.assertEqual(creator.call("chain.info")["token_balance"], "5000")
        self.assertEqual(creator.call("bounty.list", info_hash="cd" * 20)["bounties"][0]["balance"], "0")

    def test_auto_settle_claims_and_settles_once_the_expected_payout_passes_the_minimum(self):
        creator = self.daemon("creator", *self.chain_args(), "--pex=false")
        seeder = self.daemon("seeder", *self.chain_args(), "--auto-settle=true", f"--settle-min-amount={RATE // 1000}",
                             f"--reward-rate={RATE}", "--pex=false")
        leecher = self.daemon("leecher", *self.pool_args(), "--pex=false")
        ca, sa = creator.call("node.info")["node_address"], seeder.call("node.info")["node_address"]
        self.ethers_run("fund", {"token": self.chain["token"], "mint": {ca: str(BOUNTY)},
                                 "eth": {ca: str(ETH), sa: str(ETH)}})
        made = ck.seed_torrent(creator, "auto.bin", 2 * ck.MiB, seed=5)
        ih = made["info_hash"]
        creator.wait_for(lambda: creator.torrent(ih)["state"] == "seeding", timeout=30, what="creator seeding")
        creator.call("bounty.fund", info_hash=ih, amount=str(BOUNTY), rate_per_gib=str(RATE),
                     expires_at=int(time.time()) + 86400)
        seeder.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{creator.bt_port}"])
        seeder.wait_for(lambda: seeder.torrent(ih)["state"] == "seeding", timeout=60, what="seeder has the data")
        ck.download(seeder, leecher, made)
        # Nobody calls rewards.claim or rewards.settle: seedd does both by itself.
        claims = seeder.wait_for(lambda: [c for c in seeder.call("rewards.list")["claims"]
                                          if (c["settlement"] or {}).get("state") == "confirmed"],
                                 timeout=90, interval=1, what="an auto-settled claim")
        self.assertGreater(int(claims[0]["settlement"]["paid"]), 0)
        rows = seeder.call("earnings.by_torrent")["torrents"]
        self.assertEqual([r["bounty_rate_per_gib"] for r in rows if r["info_hash"] == ih], [str(RATE)])
        self.assertIn("expected_bounty_amount", seeder.call("earnings.summary"))

    def test_a_pass_bounty_pays_only_pass_holders_and_an_open_bounty_pays_all_verified_bytes(self):
        # Issue 14: the creator funds a bounty whose passSigner is its node address and gives
        # one viewer a pass; the seeder learns the bounty from the chain (no trusted_pass_signers)
        # and serves the viewer in the pass lane; its claim carries the pass beside the viewer's
        # receipts. Settled: the pool pays the viewer's bytes only (the other leecher's items are
        # skipped, reason 5). Then an open bounty: settled again, it pays the other's bytes.
        creator = self.daemon("creator", *self.chain_args(), "--pex=false")
        seeder = self.daemon("seeder", *self.chain_args(), "--pex=false", "--rate-limit-lan=true", "--upload-limit=2MiB")
        viewer = self.daemon("viewer", *self.pool_args(), "--pex=false")
        other = self.daemon("other", *self.pool_args(), "--pex=false")
        addr = {d.name: d.call("node.info")["node_address"] for d in (creator, seeder, viewer, other)}
        self.ethers_run("fund", {"token": self.chain["token"], "mint": {addr["creator"]: str(2 * BOUNTY)},
                                 "eth": {addr["creator"]: str(ETH), addr["seeder"]: str(ETH)}})
        made = ck.seed_torrent(seeder, "passes.bin", 4 * ck.MiB, seed=21)
        ih = made["info_hash"]
        seeder.wait_for(lambda: seeder.torrent(ih)["state"] == "seeding", timeout=30, what="seeding")
        pass_rate, open_rate = RATE, RATE // 7
        p = creator.seedctl("fund", ih, f"--amount={BOUNTY}", f"--rate={pass_rate}", "--days=2",
                            f"--pass-signer={addr['creator']}")
        self.assertIn("funded", p.stdout)
        issued = creator.call("pass.issue", info_hash=ih, leecher=addr["viewer"], expires_at=int(time.time()) + 86400)
        viewer.call("pass.add", **{"pass": issued["passes"][0]})
        seeder.wait_for(lambda: [b for b in seeder.call("bounty.list", info_hash=ih)["bounties"]
                                 if b["pass_signer"] == addr["creator"] and b["live"]],
                        timeout=90, interval=1, what="the seeder to know the pass bounty")

        for leecher in (viewer, other):
            leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        lanes = {}

        def both_seen():
            for row in seeder.call("torrent.peers", info_hash=ih)["peers"]:
                if row["seedd_address"] in (addr["viewer"], addr["other"]):
                    lanes[row["seedd_address"]] = row["lane"]
            return len(lanes) == 2
        seeder.wait_for(both_seen, timeout=60, what="both leechers connected")
        self.assertEqual(lanes, {addr["viewer"]: "pass", addr["other"]: "receipt"})
        for leecher in (viewer, other):
            got = ck.download(seeder, leecher, made)
            self.assertGreater(got, 0)

        seeder.call("rewards.claim")
        doc = ck.load(ck.claim_file(seeder, 1))
        self.assertEqual(seeder.call("claim.verify", claim=doc)["valid"], True)
        self.assertEqual(ck.ethers_verify(ck.claim_file(seeder, 1), pool=self.chain["pool"])["failures"], [])
        for e in doc["receipts"]:
            self.assertEqual("passSig" in e, e["message"]["leecher"] == addr["viewer"], e)
        viewer_items = [e for e in doc["receipts"] if e["message"]["leecher"] == addr["viewer"]]
        other_items = [e for e in doc["receipts"] if e["message"]["leecher"] == addr["other"]]
        self.assertTrue(viewer_items and other_items)

        # The pass bounty pays the viewer's items and skips the other's (reason 5, pass).
        first = seeder.call("rewards.settle", nonce=1)
        reasons = {i["leecher"]: set() for i in first["items"]}
        for i in first["items"]:
            reasons[i["leecher"]].add(i["skip_reason"])
        self.assertEqual(reasons, {addr["viewer"]: {None}, addr["other"]: {5}}, first["items"])
        expected_first = sum((int(e["message"]["bytes"]) * pass_rate) >> 30 for e in viewer_items)
        self.assertEqual(first["settlement"]["state"], "confirmed", first)
        self.assertEqual(int(first["settlement"]["paid"]), expected_first)

        # An open bounty: settled again, the claim pays the other leecher's bytes, and nothing twice.
        creator.call("bounty.fund", info_hash=ih, amount=str(BOUNTY), rate_per_gib=str(open_rate),
                     expires_at=int(time.time()) + 86400)
        seeder.wait_for(lambda: len([b for b in seeder.call("bounty.list", info_hash=ih)["bounties"] if b["live"]]) == 2,
                        timeout=90, interval=1, what="the seeder to know the open bounty")
        second = seeder.call("rewards.settle", nonce=1)
        self.assertEqual(second["settlement"]["state"], "confirmed", second)
        for i in second["items"]:
            self.assertEqual(i["skip_reason"], None if i["leecher"] == addr["other"] else 6, i)
        expected_second = sum((int(e["message"]["bytes"]) * open_rate) >> 30 for e in other_items)
        self.assertEqual(int(second["settlement"]["paid"]), expected_second)
        # Paid to the claim's payout, the seeder's node address: the token balance says so.
        self.assertEqual(int(seeder.call("chain.info")["token_balance"]), expected_first + expected_second)


if __name__ == "__main__":
    unittest.main()
