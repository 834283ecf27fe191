"""Issue 4, must-show 2 and 4: two seedd on 127.0.0.1, a transfer with receipts, rewards.claim;
the claim file is valid for claim.verify, for `seedctl verify-claim` (offline, also with the
daemon stopped) and for an independent checker written with ethers.js (verifyTypedData on the
claim and every receipt) and @openzeppelin/merkle-tree (SimpleMerkleTree root and every proof),
installed with `npm ci`. A dry run records nothing; nothing to claim is a clear error. More
transfer after a claim: the next claim pays only the new bytes, its prevClaimedBytes are what
the first one paid, and both verify."""
import os
import time
import unittest

import claimkit as ck
from harness import DaemonTestCase

RATE = 1000000007           # base units per GiB: odd, so every floor() matters
RATE_B = 3 * 10**20 + 1     # torrent B's override, far above uint64
SIZE_A = 8 * ck.MiB         # paced by an upload limit (below), so a claim can land mid-transfer
SIZE_B = 3 * ck.MiB + 12345
NOTHING_TO_CLAIM = -32002


def files_in(directory):
    out = {}
    for name in os.listdir(directory):
        with open(os.path.join(directory, name), "rb") as f:
            out[name] = f.read()
    return out


class ClaimsEndToEnd(DaemonTestCase):
    def setUp(self):
        super().setUp()
        ck.ethers_dir()  # npm ci (cached) before any daemon runs: its time is not the daemons'

    # -- helpers
    def check_valid_everywhere(self, seeder, path, record):
        """The claim file at `path` is valid for claim.verify, for seedctl verify-claim with
        `record`'s state and for the ethers checker with the same state; returns ethers' report."""
        doc = ck.load(path)
        result = seeder.call("claim.verify", claim=doc)
        self.assertEqual(result, {"valid": True, "failures": []}, path)
        code, result = ck.seedctl_verify(path, state=record.state())
        self.assertEqual((code, result["failures"]), (0, []), path)
        report = ck.ethers_verify(path, state=record.state())
        self.assertEqual(report["failures"], [], path)
        self.assertTrue(report["valid"])
        # What ethers recovered and recomputed is what the file states.
        self.assertEqual(report["claimSigner"], doc["claim"]["claimant"])
        self.assertEqual(report["root"], doc["claim"]["receiptsRoot"])
        self.assertEqual(report["totalBytes"], doc["claim"]["totalBytes"])
        self.assertEqual(report["amount"], doc["claim"]["amount"])
        for entry, r in zip(doc["receipts"], report["receipts"]):
            self.assertEqual(r["signer"], entry["message"]["leecher"])
            self.assertTrue(r["proofVerifies"] and r["proofIsTreeProof"], r)
        return report

    def check_claim_shape(self, doc, seeder_addr, leecher_addr, payout, nonce, rates):
        c = doc["claim"]
        self.assertEqual(doc["version"], 1)
        self.assertEqual(doc["domain"], {"name": "seedd", "version": "1", "chainId": "31337",
                                         "verifyingContract": ck.ZERO_ADDRESS})
        self.assertEqual(c["claimant"], seeder_addr)
        self.assertEqual(c["payout"], payout)
        self.assertEqual(c["nonce"], str(nonce))
        self.assertEqual(int(c["receiptCount"]), len(doc["receipts"]))
        self.assertLessEqual(abs(int(c["createdAt"]) - time.time()), 120)
        total, amount = ck.expected_totals(doc)
        self.assertEqual(c["totalBytes"], str(total))
        self.assertEqual(c["amount"], str(amount))
        keys = [ck.channel_key(e["message"]) for e in doc["receipts"]]
        self.assertEqual(len(keys), len(set(keys)), "a channel appears twice")
        for e in doc["receipts"]:
            m = e["message"]
            self.assertEqual(m["seeder"], seeder_addr)
            self.assertEqual(m["leecher"], leecher_addr)
            self.assertNotEqual(m["channel"], "0")
            self.assertEqual(e["ratePerGiB"], str(rates[m["infohash"]]))
            self.assertGreater(int(m["bytes"]), int(e["prevClaimedBytes"]))
            # Every value is a decimal string (integers) or 0x hex (hashes and signatures).
            for k in ("channel", "bytes", "timestamp"):
                self.assertRegex(m[k], r"^(0|[1-9][0-9]*)$")
            self.assertRegex(e["signature"], r"^0x[0-9a-f]{130}$")
            for node in e["proof"]:
                self.assertRegex(node, r"^0x[0-9a-f]{64}$")

    def test_claims_verify_everywhere_and_pay_each_byte_once(self):
        # rate_limit_lan makes the upload limit hold on loopback: about 1 MiB/s here, so a claim
        # lands mid-transfer. Receipts come every min(receipt_interval, credit_window / 4) bytes.
        seeder = self.daemon("seeder", f"--reward-rate={RATE}", "--credit-window=1MiB",
                             "--receipt-interval=512KiB", "--rate-limit-lan=true", "--upload-limit=1MiB")
        leecher = self.daemon("leecher")
        seeder_addr = seeder.call("node.info")["node_address"]
        leecher_addr = leecher.call("node.info")["node_address"]
        claims_dir = os.path.join(seeder.data_dir, "claims")

        # Nothing to claim: a clear error, over RPC and seedctl, and nothing written.
        e = seeder.call_error("rewards.claim")
        self.assertEqual(e.code, NOTHING_TO_CLAIM)
        self.assertIn("nothing to claim", e.message)
        p = seeder.seedctl("claim", check=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("nothing to claim", p.stderr + p.stdout)
        self.assertEqual(seeder.call("rewards.list")["claims"], [])
        self.assertEqual(os.listdir(claims_dir), [])
        # A bad payout is refused before anything happens.
        e = seeder.call_error("rewards.claim", payout="0x1234")
        self.assertEqual(e.code, -32602)

        # ---- torrent A, claimed in the middle of its transfer
        made_a = ck.seed_torrent(seeder, "a.bin", SIZE_A, seed=41)
        ih_a = made_a["info_hash"]
        rates = {"0x" + ih_a: RATE}
        leecher.call("torrent.add", torrent=made_a["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        seeder.wait_for(lambda: ck.receipted_bytes(seeder, ih_a, leecher_addr) >= 2 * ck.MiB,
                        timeout=60, what="2 MiB of receipts")
        self.assertNotEqual(leecher.torrent(ih_a)["state"], "seeding",
                            "the transfer ended before the first claim: the upload limit did not pace it")

        # A dry run shows the claim and records nothing: no ledger row, no file, no channel raised,
        # the nonce is not used up.
        dry = seeder.call("rewards.claim", dry_run=True)
        self.assertTrue(dry["dry_run"])
        self.assertNotIn("file", dry)
        self.assertEqual(dry["claim"]["nonce"], "1")
        self.check_claim_shape(dry, seeder_addr, leecher_addr, seeder_addr, 1, rates)
        self.assertEqual(seeder.call("rewards.list")["claims"], [])
        self.assertEqual(os.listdir(claims_dir), [])
        self.assertTrue(all(r["claimed_bytes"] == "0" for r in seeder.call("receipts.list")["receipts"]))
        self.assertEqual(seeder.call("earnings.summary")["claimed_bytes"], "0")
        self.assertEqual(seeder.call("rewards.claim", dry_run=True)["claim"]["nonce"], "1")

        # ---- claim 1
        c1 = seeder.call("rewards.claim")
        self.assertFalse(c1["dry_run"])
        self.assertEqual(c1["nonce"], 1)
        path1 = ck.claim_file(seeder, 1)
        self.assertEqual(c1["file"], path1)
        doc1 = ck.load(path1)
        self.assertEqual({k: v for k, v in c1.items() if k not in ("nonce", "dry_run", "file")}, doc1)
        self.assertEqual(seeder.call("rewards.get", nonce=1), doc1)
        self.check_claim_shape(doc1, seeder_addr, leecher_addr, seeder_addr, 1, rates)
        self.assertGreaterEqual(int(doc1["claim"]["totalBytes"]), 2 * ck.MiB)
        self.assertLess(int(doc1["claim"]["totalBytes"]), SIZE_A)
        self.assertTrue(all(e["prevClaimedBytes"] == "0" for e in doc1["receipts"]))
        listed = seeder.call("rewards.list")["claims"]
        self.assertEqual(listed, [{"nonce": "1", "created_at": doc1["claim"]["createdAt"],
                                   "payout": seeder_addr, "amount": doc1["claim"]["amount"],
                                   "total_bytes": doc1["claim"]["totalBytes"],
                                   "receipt_count": doc1["claim"]["receiptCount"],
                                   "receipts_root": doc1["claim"]["receiptsRoot"]}])
        # Each claimed channel is raised to the bytes the claim paid.
        claimed = {ck.channel_key(r["message"]): int(r["claimed_bytes"])
                   for r in seeder.call("receipts.list")["receipts"]}
        for e in doc1["receipts"]:
            self.assertEqual(claimed[ck.channel_key(e["message"])], int(e["message"]["bytes"]))

        record = ck.Record()  # the verifier's record before claim 1: nothing
        report = self.check_valid_everywhere(seeder, path1, record)
        self.assertEqual(report["claimSigner"], seeder_addr)
        # seedctl's human output, too.
        p = seeder.seedctl("verify-claim", path1)
        self.assertEqual(p.stdout.strip(), "valid")
        after1 = record.copy()
        after1.apply(doc1)

        # ---- more transfer: the rest of A on the same connection, and torrent B at its own rate
        seeder.wait_for(lambda: ck.receipted_bytes(seeder, ih_a, leecher_addr) >= SIZE_A, timeout=60,
                        what="the rest of torrent A to be receipted")
        made_b = ck.seed_torrent(seeder, "b.bin", SIZE_B, seed=42)
        ih_b = made_b["info_hash"]
        self.assertEqual(seeder.call("torrent.set", info_hash=ih_b, reward_rate=str(RATE_B))["reward_rate"], str(RATE_B))
        rates["0x" + ih_b] = RATE_B
        got_b = ck.download(seeder, leecher, made_b)
        self.assertEqual(got_b, SIZE_B)
        total_a = ck.receipted_bytes(seeder, ih_a, leecher_addr)
        self.assertEqual(total_a, SIZE_A)

        payout = "0x000000000000000000000000000000000000dEaD"
        c2 = seeder.call("rewards.claim", payout=payout)
        self.assertEqual(c2["nonce"], 2)
        path2 = ck.claim_file(seeder, 2)
        doc2 = ck.load(path2)
        self.check_claim_shape(doc2, seeder_addr, leecher_addr, payout, 2, rates)
        # Only the new bytes: each prevClaimedBytes is what claim 1 paid on that channel, and
        # claim 1 + claim 2 pay every receipted byte exactly once.
        for e in doc2["receipts"]:
            self.assertEqual(int(e["prevClaimedBytes"]), after1.paid.get(ck.channel_key(e["message"]), 0))
        continued = [e for e in doc2["receipts"] if int(e["prevClaimedBytes"]) > 0]
        self.assertTrue(continued, "no channel of claim 1 went on into claim 2")
        self.assertEqual(int(doc1["claim"]["totalBytes"]) + int(doc2["claim"]["totalBytes"]), SIZE_A + SIZE_B)
        paid_a = sum(int(e["message"]["bytes"]) - int(e["prevClaimedBytes"])
                     for d in (doc1, doc2) for e in d["receipts"] if e["message"]["infohash"] == "0x" + ih_a)
        self.assertEqual(paid_a, SIZE_A)
        self.assertEqual(int(doc2["claim"]["amount"]), ck.expected_totals(doc2)[1])
        b_entries = [e for e in doc2["receipts"] if e["message"]["infohash"] == "0x" + ih_b]
        self.assertEqual(sum(int(e["message"]["bytes"]) for e in b_entries), SIZE_B)

        # Both verify: the daemon judges each against its record before it; seedctl and ethers
        # against the state a pool holds before each.
        self.check_valid_everywhere(seeder, path1, record)
        self.check_valid_everywhere(seeder, path2, after1)
        # Without the record of claim 1, claim 2 breaks rule 5 (its nonce, its paid channels).
        code, result = ck.seedctl_verify(path2)
        self.assertEqual((code, ck.rules_of(result)), (1, {"nonce", "prev_claimed_bytes"}))
        self.assertEqual(ck.rules_of(ck.ethers_verify(path2, state=ck.Record().state())),
                         {"nonce", "prev_claimed_bytes"})
        summary = seeder.call("earnings.summary")
        self.assertEqual(summary["unclaimed_bytes"], "0")
        self.assertEqual(summary["claimed_bytes"], str(SIZE_A + SIZE_B))
        self.assertEqual(summary["claimed_amount"],
                         str(int(doc1["claim"]["amount"]) + int(doc2["claim"]["amount"])))
        e = seeder.call_error("rewards.claim")
        self.assertEqual(e.code, NOTHING_TO_CLAIM)

        # Offline with the daemon stopped: seedctl needs only the files; a restart keeps them.
        seeder.stop()
        after2 = after1.copy()
        after2.apply(doc2)
        self.assertEqual(ck.seedctl_verify(path1, state=record.state()), (0, {"valid": True, "failures": []}))
        self.assertEqual(ck.seedctl_verify(path2, state=after1.state()), (0, {"valid": True, "failures": []}))
        before = files_in(claims_dir)
        self.assertEqual(sorted(before), ["1.json", "2.json"])
        seeder.start()
        self.assertEqual([c["nonce"] for c in seeder.call("rewards.list")["claims"]], ["1", "2"])
        self.assertEqual(files_in(claims_dir), before)
        self.assertEqual(seeder.call("claim.verify", claim=doc2), {"valid": True, "failures": []})
        e = seeder.call_error("rewards.claim", dry_run=True)
        self.assertEqual(e.code, NOTHING_TO_CLAIM)


if __name__ == "__main__":
    unittest.main(verbosity=2)
