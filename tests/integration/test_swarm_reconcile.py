"""Issue 14 item 4: a swarm whose ledgers reconcile. On 127.0.0.1, with a Hardhat chain started
here: a creator seedd (issues passes, funds bounties), 6 seedd seeders, 6 seedd leechers (3 with
the creator's passes) and 2 vanilla clients (transmission-cli and aria2c) on 3 torrents:

    T0  seeders 0-3   the 6 leechers          a bounty that requires the creator's passes
    T1  seeders 2-5   the 6 leechers          an open bounty
    T2  seeders 0,1,4,5  the 6 leechers, transmission-cli and aria2c   no bounty

What it shows:
- For every leecher, the verified bytes that all seeders booked for it (receipts.list) are 99 to
  100 % of the bytes it received from them, by its own counters (torrent.peer_totals, which
  keeps a peer's figures after it disconnects). For no (seeder, torrent, leecher) do the booked
  bytes pass what the seeder sent to that leecher, nor what the leecher received from it.
- Bytes to the vanilla clients are booked as unverified upload only, and nothing else is.
- Every claim passes claim.verify, seedctl verify-claim and the ethers.js checker (with each
  seeder's record of its earlier claims, rule 5).
- Settled on the chain: the pass bounty of T0 pays the pass holders' bytes and nothing else,
  the open bounty of T1 pays every verified byte, T2's items are skipped; each seeder's token
  balance and each bounty's fall (read with ethers.js) is Σ floor(delta × rate / 2^30)
  recomputed here from the claim files.

The seedd leechers get T2's .torrent without the tracker (the info-hash is the same) and run
without PEX, so their only peers are the seeders: aria2c finds the seeders through the tracker,
and the seeders dial transmission-cli (Transmission 3.00 does not dial 127.0.0.1 peers a tracker
gives it). DHT, LSD, UPnP, NAT-PMP and uTP are off in every process (vanilla.py, harness.py)."""
import base64
import os
import time
import unittest

import claimkit as ck
import vanilla
from harness import DaemonTestCase, RpcError, make_file, run_cleanups, sha256_file

SIZE = 4 * ck.MiB
PASS_RATE = 1000000007 * 10**9  # base units per GiB, odd: every floor() matters
OPEN_RATE = 777777781 * 10**9
BOUNTY = 10**30                 # enough that no item is cut by the balance
ETH = 10**19
SEEDERS_OF = {0: (0, 1, 2, 3), 1: (2, 3, 4, 5), 2: (0, 1, 4, 5)}
VANILLA_TORRENT = 2
NOTHING_TO_CLAIM = -32002


class SwarmReconciles(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.cleanups = []
        self.chain = ck.LocalChain()

    def tearDown(self):
        run_cleanups(self.cleanups)
        super().tearDown()
        self.chain.stop()

    def claim_now(self, seeder):
        """rewards.claim; False when there was nothing to claim."""
        try:
            seeder.call("rewards.claim")
            return True
        except RpcError as e:  # expected while nothing new was receipted
            if e.code != NOTHING_TO_CLAIM:
                raise
            return False

    def test_a_swarm_of_seedd_and_vanilla_peers_reconciles_and_settles(self):
        t0 = time.time()
        chain = self.chain
        creator = self.daemon("creator", *chain.chain_args(), "--pex=false")
        creator_addr = creator.call("node.info")["node_address"]
        seeders = [self.daemon(f"seeder{i}", *chain.chain_args(), f"--trusted-pass-signers={creator_addr.lower()}",
                               "--reward-rate=1000000000", "--receipt-interval=64KiB", "--pex=false",
                               # Limited so the transfer lasts long enough for claims along the way.
                               "--rate-limit-lan=true", "--upload-limit=2MiB") for i in range(6)]
        leechers = [self.daemon(f"leecher{i}", *chain.pool_args(), "--pex=false") for i in range(6)]
        holders, others = leechers[:3], leechers[3:]
        addr = {d.name: d.call("node.info")["node_address"] for d in [creator] + seeders + leechers}
        by_addr = {a: n for n, a in addr.items()}
        chain.run("fund", {"token": chain.token, "mint": {creator_addr: str(2 * BOUNTY)},
                           "eth": {a: str(ETH) for n, a in addr.items() if not n.startswith("leecher")}})

        # ---- three torrents: T2 has a tracker for aria2c; the seedd leechers get it without.
        tracker = vanilla.OpenTracker()
        work = os.path.join(creator.base, "content")
        torrents = {}
        for t in range(3):
            src = os.path.join(work, f"t{t}.bin")
            make_file(src, SIZE, seed=140 + t)
            plain, ih = vanilla.make_v1_torrent(src)
            announced = plain
            if t == VANILLA_TORRENT:
                announced, ih2 = vanilla.make_v1_torrent(src, [tracker.announce])
                self.assertEqual(ih2, ih)
            torrents[t] = {"ih": ih, "src": src, "plain": base64.b64encode(plain).decode(),
                           "announced": base64.b64encode(announced).decode(), "announced_bytes": announced}
        tracker.start([torrents[VANILLA_TORRENT]["ih"]])
        self.cleanups.append(tracker.stop)
        ih_of = {t: torrents[t]["ih"] for t in torrents}

        for t, idx in SEEDERS_OF.items():
            for i in idx:
                s = seeders[i]
                os.makedirs(s.download_dir, exist_ok=True)
                os.link(torrents[t]["src"], os.path.join(s.download_dir, f"t{t}.bin"))
                s.call("torrent.add", torrent=torrents[t]["announced"])
        for t, idx in SEEDERS_OF.items():
            for i in idx:
                seeders[i].wait_for(lambda s=seeders[i], ih=ih_of[t]: s.torrent(ih)["state"] == "seeding",
                                    timeout=30, what=f"seeding T{t}")
        tracker.wait_for_seed(ih_of[VANILLA_TORRENT])

        # ---- the creator's bounties: T0 pays pass holders only, T1 anyone; then the passes.
        expires = int(time.time()) + 86400
        creator.call("bounty.fund", info_hash=ih_of[0], amount=str(BOUNTY), rate_per_gib=str(PASS_RATE),
                     expires_at=expires, pass_signer=creator_addr)
        creator.call("bounty.fund", info_hash=ih_of[1], amount=str(BOUNTY), rate_per_gib=str(OPEN_RATE),
                     expires_at=expires)
        bounty_of = {t: creator.call("bounty.list", info_hash=ih_of[t])["bounties"][0]["bounty_id"] for t in (0, 1)}
        for t in range(3):
            issued = creator.call("pass.issue", info_hash=ih_of[t], leechers=[addr[l.name] for l in holders],
                                  expires_at=expires)["passes"]
            for l, doc in zip(holders, issued):
                l.call("pass.add", **{"pass": doc})

        # ---- everyone downloads: the seedd leechers from the torrent's seeders, the vanilla
        # clients T2 (aria2c through the tracker, transmission-cli dialled by the seeders).
        for l in leechers:
            for t, idx in SEEDERS_OF.items():
                l.call("torrent.add", torrent=torrents[t]["plain"], peers=[f"127.0.0.1:{seeders[i].bt_port}" for i in idx])
        vdir = os.path.join(creator.base, "vanilla")
        tfile = os.path.join(vdir, "t2.torrent")
        os.makedirs(vdir, exist_ok=True)
        with open(tfile, "wb") as f:
            f.write(torrents[VANILLA_TORRENT]["announced_bytes"])
        aria = vanilla.Aria2(tfile, os.path.join(vdir, "aria2"))
        self.cleanups.append(aria.stop)
        trc = vanilla.TransmissionCli(tfile, os.path.join(vdir, "transmission"))
        self.cleanups.append(trc.stop)
        trc.wait_listening()
        for i in SEEDERS_OF[VANILLA_TORRENT]:
            seeders[i].call("torrent.add", torrent=torrents[VANILLA_TORRENT]["announced"],
                            peers=[f"127.0.0.1:{trc.port}"])

        # Claims along the way, so that later claims carry prevClaimedBytes (rule 5).
        mid_claims = 0

        def all_done():
            return (all(l.torrent(ih_of[t])["state"] == "seeding" for l in leechers for t in range(3))
                    and aria.finished()
                    and os.path.exists(os.path.join(vdir, "transmission", f"t{VANILLA_TORRENT}.bin")))

        while not all_done():
            for s in seeders:
                mid_claims += self.claim_now(s)
            self.assertLess(time.time() - t0, 240, "the swarm did not finish its downloads in time")
            time.sleep(1)
        self.assertEqual(aria.proc.returncode, 0, aria.log()[-3000:])
        for who in ("aria2", "transmission"):
            self.assertEqual(sha256_file(os.path.join(vdir, who, f"t{VANILLA_TORRENT}.bin")),
                             sha256_file(torrents[VANILLA_TORRENT]["src"]), f"{who} got other bytes")
        trc.stop()  # a seed now: nothing more to take from the seeders
        print(f"\n[swarm] downloads done in {time.time() - t0:.1f}s, {mid_claims} claims along the way")

        # ---- quiet: every seedd-to-seedd connection closed (both ends are seeds) and the books
        # no longer change. Then each seeder claims what is left.
        def quiet_state():
            conns = sum(len(d.call("torrent.peers", info_hash=ih_of[t])["peers"])
                        for d in leechers for t in range(3))
            books = tuple((int(s.torrent(ih_of[t])["uploaded_verified_bytes"]),
                           int(s.torrent(ih_of[t])["uploaded_unverified_bytes"]))
                          for t, idx in SEEDERS_OF.items() for s in (seeders[i] for i in idx))
            return conns, books

        states = []

        def quiet():
            states.append(quiet_state())
            return len(states) >= 3 and states[-1][0] == 0 and states[-1] == states[-3]

        creator.wait_for(quiet, timeout=60, interval=1, what="connections to close and the books to settle")
        for s in seeders:
            self.claim_now(s)

        # ---- the figures: what each seeder sent and each leecher received, per peer
        sent = {}      # (seeder, t, peer address or None) -> bytes
        received = {}  # (leecher, t, peer address) -> bytes
        for t, idx in SEEDERS_OF.items():
            for i in idx:
                for row in seeders[i].call("torrent.peer_totals", info_hash=ih_of[t])["peers"]:
                    sent[(seeders[i].name, t, row["seedd_address"])] = int(row["sent_bytes"])
            for l in leechers:
                for row in l.call("torrent.peer_totals", info_hash=ih_of[t])["peers"]:
                    peer = row["seedd_address"]
                    # A leecher's only peers are the torrent's seeders: no vanilla peer, no leecher.
                    # (A connection closed before its extended handshake, such as one of two
                    # that crossed, is in the row without an address, with no bytes.)
                    if peer is None:
                        self.assertEqual((row["received_bytes"], row["sent_bytes"]), ("0", "0"), (l.name, t, row))
                        continue
                    self.assertIn(by_addr.get(peer), [seeders[i].name for i in idx], (l.name, t, row))
                    received[(l.name, t, peer)] = int(row["received_bytes"])
        booked = {}  # (seeder, t, leecher address) -> verified bytes (latest receipt per channel)
        passes_seen = {}
        for t, idx in SEEDERS_OF.items():
            for i in idx:
                for r in seeders[i].call("receipts.list", info_hash=ih_of[t], limit=1000)["receipts"]:
                    leecher = r["message"]["leecher"]
                    self.assertIn(by_addr.get(leecher), [l.name for l in leechers], r)
                    key = (seeders[i].name, t, leecher)
                    booked[key] = booked.get(key, 0) + int(r["message"]["bytes"])
                    passes_seen.setdefault(by_addr[leecher], set()).add(
                        r["pass"]["signer"] if r["pass"] else None)
        # Passes are kept with the pass holders' channels only.
        for l in holders:
            self.assertEqual(passes_seen[l.name], {creator_addr}, l.name)
        for l in others:
            self.assertEqual(passes_seen[l.name], {None}, l.name)

        # Each seeder's earnings split its verified bytes into the pass holders' and the others'.
        holder_addrs = {addr[l.name] for l in holders}
        for s in seeders:
            summary = s.call("earnings.summary")
            mine = {k: b for k, b in booked.items() if k[0] == s.name}
            self.assertEqual(int(summary["pass_bytes"]), sum(b for k, b in mine.items() if k[2] in holder_addrs), s.name)
            self.assertEqual(int(summary["receipt_bytes"]), sum(b for k, b in mine.items() if k[2] not in holder_addrs), s.name)

        # For no seeder, torrent and leecher is more booked than was sent, or received.
        for (s, t, la), b in booked.items():
            self.assertLessEqual(b, sent.get((s, t, la), 0), f"{s} booked more than it sent to {by_addr[la]} on T{t}")
            self.assertLessEqual(b, received.get((by_addr[la], t, addr[s]), 0),
                                 f"{s} booked more than {by_addr[la]} received from it on T{t}")

        # For every leecher: booked / received from seedd seeders, 99 to 100 %.
        print("[swarm] leecher   received (B)  booked (B)  booked/received")
        for l in leechers:
            got = sum(b for (ln, _, _), b in received.items() if ln == l.name)
            held = sum(b for (_, _, la), b in booked.items() if la == addr[l.name])
            ratio = held / got
            print(f"[swarm] {l.name}  {got:12d}  {held:10d}  {100 * ratio:.3f} %")
            for (ln, t, sa), b in sorted(received.items()):
                if ln == l.name and booked.get((by_addr[sa], t, addr[l.name]), 0) != b:
                    print(f"[swarm]   short: T{t} from {by_addr[sa]}: received {b}, booked "
                          f"{booked.get((by_addr[sa], t, addr[l.name]), 0)}, sent {sent.get((by_addr[sa], t, addr[l.name]))}")
            self.assertGreaterEqual(got, 3 * SIZE, l.name)
            self.assertGreaterEqual(ratio, 0.99, l.name)
            self.assertLessEqual(ratio, 1.0, l.name)

        # ---- vanilla clients: unverified only, and everything unverified went to them
        vanilla_sent = 0
        for t, idx in SEEDERS_OF.items():
            for i in idx:
                s = seeders[i]
                v = sent.get((s.name, t, None), 0)
                row = [r for r in s.call("earnings.by_torrent")["torrents"] if r["info_hash"] == ih_of[t]][0]
                self.assertEqual(int(row["unverified_bytes"]), v, (s.name, t))
                self.assertEqual(int(row["verified_bytes"]),
                                 sum(b for (sn, tt, _), b in booked.items() if sn == s.name and tt == t), (s.name, t))
                if t != VANILLA_TORRENT:
                    self.assertEqual(v, 0, (s.name, t))
                vanilla_sent += v
        # Each client took the whole file, from the seeders or from each other.
        self.assertGreaterEqual(vanilla_sent, SIZE)
        print(f"[swarm] to vanilla clients (unverified): {vanilla_sent} B")

        # ---- every claim passes the three verifiers, rule 5 included
        claims = {}  # seeder name -> [doc]
        for s in seeders:
            record = ck.Record()
            claims[s.name] = []
            for c in s.call("rewards.list", limit=1000)["claims"]:
                path = ck.claim_file(s, c["nonce"])
                doc = ck.load(path)
                self.assertEqual(s.call("claim.verify", claim=doc), {"valid": True, "failures": []}, path)
                code, result = ck.seedctl_verify(path, state=record.state(), pool=chain.pool)
                self.assertEqual((code, result["failures"]), (0, []), path)
                self.assertEqual(ck.ethers_verify(path, state=record.state(), pool=chain.pool)["failures"], [], path)
                self.assertEqual((int(doc["claim"]["totalBytes"]), int(doc["claim"]["amount"])), ck.expected_totals(doc))
                for e in doc["receipts"]:
                    self.assertEqual("passSig" in e, by_addr[e["message"]["leecher"]] in [l.name for l in holders], e)
                record.apply(doc)
                claims[s.name].append(doc)
            # The claims add up to the seeder's books: every receipted byte claimed once.
            claimed = sum(int(d["claim"]["totalBytes"]) for d in claims[s.name])
            self.assertEqual(claimed, sum(b for (sn, _, _), b in booked.items() if sn == s.name), s.name)
        n_claims = sum(len(v) for v in claims.values())
        self.assertGreater(n_claims, len(seeders), "no seeder claimed along the way")

        # ---- settlement: each seeder settles its claims in order
        for s in seeders:
            s.wait_for(lambda s=s: len([b for t in (0, 1) for b in s.call("bounty.list", info_hash=ih_of[t])["bounties"]
                                        if b["live"]]) == 2, timeout=90, interval=1, what="both bounties")
        ih_to_t = {ih_of[t]: t for t in ih_of}
        expected = {}   # seeder name -> tokens
        by_bounty = {0: 0, 1: 0}  # torrent -> tokens its bounty paid
        pass_bytes_paid = 0
        for s in seeders:
            expected[s.name] = 0
            for doc in claims[s.name]:
                nonce = int(doc["claim"]["nonce"])
                want_skipped = []
                pay = 0
                for i, e in enumerate(doc["receipts"]):
                    t = ih_to_t[e["message"]["infohash"][2:].lower()]
                    delta = int(e["message"]["bytes"]) - int(e["prevClaimedBytes"])
                    if t == 0 and e["message"]["leecher"] in holder_addrs:
                        pay += (delta * PASS_RATE) >> ck.GIB_SHIFT
                        by_bounty[0] += (delta * PASS_RATE) >> ck.GIB_SHIFT
                        pass_bytes_paid += delta
                    elif t == 0:
                        want_skipped.append({"index": i, "reason": 5})
                    elif t == 1:
                        pay += (delta * OPEN_RATE) >> ck.GIB_SHIFT
                        by_bounty[1] += (delta * OPEN_RATE) >> ck.GIB_SHIFT
                    else:
                        want_skipped.append({"index": i, "reason": 4})
                dry = s.call("rewards.settle", nonce=nonce, dry_run=True)
                self.assertEqual(int(dry["would_pay"]), pay, (s.name, nonce))
                if pay == 0:  # seedd sends no transaction that pays nothing
                    self.assertEqual(len(want_skipped), len(doc["receipts"]))
                    continue
                st = s.call("rewards.settle", nonce=nonce)["settlement"]
                self.assertEqual(st["state"], "confirmed", st)
                self.assertEqual(int(st["paid"]), pay, (s.name, nonce))
                self.assertEqual([{"index": k["index"], "reason": k["reason"]} for k in st["skipped"]], want_skipped)
                expected[s.name] += pay

        # The pass bounty paid exactly the pass holders' verified bytes of T0.
        self.assertEqual(pass_bytes_paid, sum(b for (_, t, la), b in booked.items() if t == 0 and la in holder_addrs))
        # Read back with ethers.js: token balances and the two bounties.
        report = chain.run("balances", {"pool": chain.pool, "token": chain.token,
                                        "addresses": [addr[s.name] for s in seeders],
                                        "bountyIds": [bounty_of[0], bounty_of[1]]})
        fell = {t: BOUNTY - int(report["bounties"][bounty_of[t]]["balance"]) for t in (0, 1)}
        print(f"[swarm] paid per seeder: {[expected[s.name] for s in seeders]}; bounties fell {fell}")
        for s in seeders:
            self.assertEqual(int(report["tokens"][addr[s.name]]), expected[s.name], s.name)
        self.assertEqual(fell, by_bounty)
        self.assertEqual(fell[0] + fell[1], sum(expected.values()))
        print(f"[swarm] total {time.time() - t0:.1f}s")


if __name__ == "__main__":
    unittest.main()
