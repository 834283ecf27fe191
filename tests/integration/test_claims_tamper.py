"""Issue 4, must-show 3: a real claim (two seedd, two torrents at two rates) is changed one field
at a time, for every field of the claim and of a receipt entry; each copy fails with the name of
the rule that field belongs to (docs/protocol.md 7, as claim_verify.hpp spells them) and with no
other, in claim.verify on the daemon, in `seedctl verify-claim` offline and in the independent
ethers.js checker. A repeated receipt fails duplicate_receipt; a replayed nonce and a wrong
prevClaimedBytes fail rule 5, also in claims re-signed with the node key, whose only fault is
that one (a claimant can sign anything: the verifier must catch it by rule)."""
import copy
import json
import os
import tempfile
import unittest

import btpeer
import claimkit as ck
from harness import Daemon

RATE = 999999937            # base units per GiB (a prime: every floor() matters)
RATE_B = 5 * 10**19 + 3     # torrent B's override
KNOWN_RULES = set().union(*ck.RULES.values()) | {"malformed"}


def other_address():
    return btpeer.address_of(os.urandom(32).hex())


def flip_first_byte(hex_string):
    raw = bytearray.fromhex(hex_string[2:])
    raw[0] ^= 0x01
    return "0x" + raw.hex()


def break_checksum(address):
    """The address with one letter's case swapped: a bad EIP-55 checksum."""
    for i in range(2, len(address)):
        if address[i].isalpha():
            return address[:i] + address[i].swapcase() + address[i + 1:]
    raise ValueError(f"{address} has no letter to swap")


def totals_rules(doc):
    """total_bytes and/or amount when the entries no longer add up to what the claim states."""
    total, amount = ck.expected_totals(doc)
    out = set()
    if str(total) != doc["claim"]["totalBytes"]:
        out.add("total_bytes")
    if str(amount) != doc["claim"]["amount"]:
        out.add("amount")
    return out


def rule5(record, doc):
    """Record.rule5_failures, skipping what does not parse (verifiers report that as malformed
    and cannot judge it against their record)."""
    out = set()
    try:
        nonce = int(doc["claim"]["nonce"])
        expected = 1 if record.last_nonce is None else record.last_nonce + 1
        if nonce != expected:
            out.add("nonce")
    except (KeyError, ValueError, TypeError):
        pass
    for e in doc.get("receipts", []):
        try:
            key = ck.channel_key(e["message"])
            int(e["message"]["bytes"])
            if int(e["prevClaimedBytes"]) != record.paid.get(key, 0):
                out.add("prev_claimed_bytes")
        except (KeyError, ValueError, TypeError, AttributeError):
            pass
    return out


class ClaimTampering(unittest.TestCase):
    def setUp(self):
        self.daemons = []
        self.tmp = tempfile.TemporaryDirectory()
        ck.ethers_dir()

    def tearDown(self):
        for d in self.daemons:
            d.stop()
        self.tmp.cleanup()

    def daemon(self, name, *args):
        d = Daemon(name, extra_args=args)
        self.daemons.append(d)
        return d.start()

    def write(self, name, doc):
        path = os.path.join(self.tmp.name, name.replace("/", "_").replace(" ", "_") + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=2)
        return path

    def verify_three_ways(self, name, doc, expected_offline, expected_daemon, record, ethers_exact=True):
        """claim.verify on the seeder must report exactly `expected_daemon`; seedctl offline and
        the ethers checker, both with `record`'s state, exactly `expected_offline` (ethers: at
        least, when not `ethers_exact`)."""
        path = self.write(name, doc)
        with self.subTest(case=name):
            got = self.seeder.call("claim.verify", claim=doc)
            self.assertEqual(got["valid"], not expected_daemon)
            self.assertEqual(ck.rules_of(got), expected_daemon, f"claim.verify: {got['failures']}")
            self.assertLessEqual(ck.rules_of(got), KNOWN_RULES)
            for f in got["failures"]:
                self.assertTrue(f["detail"], f)
            code, got = ck.seedctl_verify(path, state=record.state())
            self.assertEqual(code, 1 if expected_offline else 0)
            self.assertEqual(ck.rules_of(got), expected_offline, f"seedctl: {got['failures']}")
            report = ck.ethers_verify(path, state=record.state())
            self.assertEqual(report["valid"], not expected_offline)
            if ethers_exact:
                self.assertEqual(ck.rules_of(report), expected_offline, f"ethers: {report['failures']}")
            else:
                self.assertLessEqual(expected_offline, ck.rules_of(report), f"ethers: {report['failures']}")

    def test_every_changed_field_fails_its_rule(self):
        self.seeder = seeder = self.daemon("seeder", f"--reward-rate={RATE}")
        leecher = self.daemon("leecher")
        seeder_addr = seeder.call("node.info")["node_address"]
        key_file = os.path.join(seeder.data_dir, "node.key")
        made_a = ck.seed_torrent(seeder, "a.bin", 3 * ck.MiB, seed=51)
        made_b = ck.seed_torrent(seeder, "b.bin", 2 * ck.MiB + 777, seed=52)
        seeder.call("torrent.set", info_hash=made_b["info_hash"], reward_rate=str(RATE_B))
        ck.download(seeder, leecher, made_a)
        ck.download(seeder, leecher, made_b)
        seeder.call("rewards.claim")
        doc = ck.load(ck.claim_file(seeder, 1))
        self.assertGreaterEqual(len(doc["receipts"]), 2)
        self.assertTrue(all(e["proof"] for e in doc["receipts"]), "Merkle proofs should not be empty")

        empty = ck.Record()        # the record before claim 1
        after1 = ck.Record()       # after it
        after1.apply(doc)

        # The untouched file is valid everywhere.
        self.verify_three_ways("original", doc, set(), set(), empty)

        x = other_address()
        e0 = lambda d: d["receipts"][0]  # noqa: E731
        m0 = lambda d: d["receipts"][0]["message"]  # noqa: E731
        digest_rules = {"receipt_signature", "receipts_root", "receipt_proof"}
        cases = [
            # (name, change, rules of 1-4 and malformed, ethers_exact)
            ("claim.claimant", lambda d: d["claim"].update(claimant=x), {"claim_signature", "seeder_is_claimant"}, True),
            ("claim.payout", lambda d: d["claim"].update(payout=x), {"claim_signature"}, True),
            ("claim.receiptsRoot", lambda d: d["claim"].update(receiptsRoot="0x" + "11" * 32),
             {"claim_signature", "receipts_root", "receipt_proof"}, True),
            ("claim.receiptCount", lambda d: d["claim"].update(receiptCount=str(int(d["claim"]["receiptCount"]) + 1)),
             {"claim_signature", "receipt_count"}, True),
            ("claim.totalBytes", lambda d: d["claim"].update(totalBytes=str(int(d["claim"]["totalBytes"]) + 1)),
             {"claim_signature", "total_bytes"}, True),
            ("claim.amount", lambda d: d["claim"].update(amount=str(int(d["claim"]["amount"]) + 1)),
             {"claim_signature", "amount"}, True),
            ("claim.nonce", lambda d: d["claim"].update(nonce="2"), {"claim_signature"}, True),
            ("claim.createdAt", lambda d: d["claim"].update(createdAt=str(int(d["claim"]["createdAt"]) + 1)),
             {"claim_signature"}, True),
            ("signature r", lambda d: d.update(signature=flip_first_byte(d["signature"])), {"claim_signature"}, True),
            ("signature v", lambda d: d.update(signature=d["signature"][:-2] + "1d"), {"claim_signature"}, True),
            # Digests are taken in the file's domain: signed in another one, no signature holds.
            ("domain.chainId", lambda d: d["domain"].update(chainId="1"), {"domain", "claim_signature"} | digest_rules, True),
            ("domain.verifyingContract", lambda d: d["domain"].update(verifyingContract=x),
             {"domain", "claim_signature"} | digest_rules, True),
            # seedd knows one name and version, "seedd" and "1", and hashes in those; ethers hashes
            # in the file's, so its signatures fail there as well.
            ("domain.name", lambda d: d["domain"].update(name="seedd2"), {"domain"}, False),
            ("domain.version", lambda d: d["domain"].update(version="2"), {"domain"}, False),
            ("version", lambda d: d.update(version=2), {"malformed"}, True),
            ("receipt.message.infohash", lambda d: m0(d).update(infohash="0x" + "ee" * 20), digest_rules, True),
            ("receipt.message.seeder", lambda d: m0(d).update(seeder=x), digest_rules | {"seeder_is_claimant"}, True),
            ("receipt.message.leecher", lambda d: m0(d).update(leecher=x), digest_rules, True),
            ("receipt.message.leecher=seeder", lambda d: m0(d).update(leecher=seeder_addr),
             digest_rules | {"leecher_is_seeder"}, True),
            ("receipt.message.channel", lambda d: m0(d).update(channel=str(int(m0(d)["channel"]) ^ 1)), digest_rules, True),
            ("receipt.message.channel=0", lambda d: m0(d).update(channel="0"), digest_rules | {"zero_channel"}, True),
            ("receipt.message.bytes", lambda d: m0(d).update(bytes=str(int(m0(d)["bytes"]) + (1 << 30))),
             digest_rules | {"total_bytes", "amount"}, True),
            ("receipt.message.timestamp", lambda d: m0(d).update(timestamp=str(int(m0(d)["timestamp"]) + 1)),
             digest_rules, True),
            ("receipt.signature r", lambda d: e0(d).update(signature=flip_first_byte(e0(d)["signature"])),
             {"receipt_signature"}, True),
            ("receipt.signature of another receipt", lambda d: e0(d).update(signature=d["receipts"][1]["signature"]),
             {"receipt_signature"}, True),
            ("receipt.prevClaimedBytes", lambda d: e0(d).update(prevClaimedBytes="4096"), {"total_bytes", "amount"}, True),
            ("receipt.prevClaimedBytes above bytes",
             lambda d: e0(d).update(prevClaimedBytes=str(int(m0(d)["bytes"]) + 1)), {"bytes_below_prev_claimed"}, True),
            ("receipt.ratePerGiB", lambda d: e0(d).update(ratePerGiB=str(int(e0(d)["ratePerGiB"]) + (1 << 30))),
             {"amount"}, True),
            ("receipt.proof emptied", lambda d: e0(d).update(proof=[]), {"receipt_proof"}, True),
            ("receipt.proof node", lambda d: e0(d)["proof"].__setitem__(0, "0x" + "22" * 32), {"receipt_proof"}, True),
            ("receipt.proof of another receipt", lambda d: e0(d).update(proof=d["receipts"][1]["proof"]),
             {"receipt_proof"}, True),
            ("receipt repeated", lambda d: d["receipts"].append(copy.deepcopy(e0(d))),
             {"duplicate_receipt", "receipt_count", "receipts_root", "total_bytes", "amount"}, True),
            ("receipt left out", lambda d: d["receipts"].pop(),
             {"receipt_count", "receipts_root", "total_bytes", "amount"}, True),
            ("no receipts", lambda d: d.update(receipts=[]),
             {"receipt_count", "receipts_root", "total_bytes", "amount"}, True),
            ("malformed claim.amount", lambda d: d["claim"].update(amount="-1"), {"malformed"}, True),
            ("malformed receipt.message.bytes", lambda d: m0(d).update(bytes="12x"), {"malformed"}, True),
            ("malformed receipt.message.leecher checksum",
             lambda d: m0(d).update(leecher=break_checksum(m0(d)["leecher"])),
             {"malformed"}, True),
            ("missing receipt.ratePerGiB", lambda d: e0(d).pop("ratePerGiB"), {"malformed"}, True),
            ("missing claim", lambda d: d.pop("claim"), {"malformed"}, True),
        ]
        fields_covered = set()
        for name, change, base, exact in cases:
            tampered = copy.deepcopy(doc)
            change(tampered)
            self.assertNotEqual(tampered, doc, name)
            fields_covered.add(name.split(" ")[0].split("=")[0].replace("malformed ", ""))
            if name.endswith("prevClaimedBytes"):
                base = base & totals_rules(tampered)
            # Offline, the pool's record is empty: claim 1 is the next claim. The daemon judges
            # its own recorded claim against its record before it, and any other claim of its
            # key (a changed claim message is another claim) against everything it recorded.
            expected_offline = base | rule5(empty, tampered)
            own = tampered.get("claim", {}).get("claimant") == seeder_addr
            daemon_record = after1 if own and tampered["claim"] != doc["claim"] else empty
            expected_daemon = base | rule5(daemon_record, tampered)
            self.verify_three_ways(name, tampered, expected_offline, expected_daemon, empty, exact)
        # Every field of the claim and of a receipt entry was changed at least once.
        for f in ("claimant", "payout", "receiptsRoot", "receiptCount", "totalBytes", "amount", "nonce", "createdAt"):
            self.assertIn("claim." + f, fields_covered)
        for f in ("infohash", "seeder", "leecher", "channel", "bytes", "timestamp"):
            self.assertIn("receipt.message." + f, fields_covered)
        for f in ("signature", "prevClaimedBytes", "ratePerGiB", "proof"):
            self.assertIn("receipt." + f, fields_covered)

        # A repeated receipt in a claim that is otherwise perfect (root, proofs, totals
        # recomputed, re-signed with the node key) fails duplicate_receipt alone offline.
        forged = copy.deepcopy(doc)
        forged["receipts"].append(copy.deepcopy(forged["receipts"][0]))
        forged = ck.forge(forged, key_file)
        self.verify_three_ways("re-signed claim with a repeated receipt", forged, {"duplicate_receipt"},
                               {"duplicate_receipt"} | rule5(after1, forged), empty)

        # ---- rule 5. A pool that paid claim 1 refuses it a second time.
        self.verify_three_ways("claim 1 replayed to a pool that paid it", doc,
                               {"nonce", "prev_claimed_bytes"}, set(), after1)
        # The same claim, re-signed with a new createdAt: a new claim that reuses nonce 1 and
        # pays the same bytes again. Only the record can tell.
        replay = copy.deepcopy(doc)
        replay["claim"]["createdAt"] = str(int(doc["claim"]["createdAt"]) + 60)
        replay = ck.forge(replay, key_file, sign_only=True)
        self.verify_three_ways("claim 1 re-signed (offline, empty record)", replay, set(),
                               {"nonce", "prev_claimed_bytes"}, empty)
        self.verify_three_ways("claim 1 re-signed (record after claim 1)", replay,
                               {"nonce", "prev_claimed_bytes"}, {"nonce", "prev_claimed_bytes"}, after1)

        # Claim 2 is due once more bytes are receipted: its dry run is a valid claim, and a copy
        # whose only fault is a reused nonce or a wrong prevClaimedBytes fails that rule alone.
        made_c = ck.seed_torrent(seeder, "c.bin", ck.MiB + 99, seed=53)
        ck.download(seeder, leecher, made_c)
        dry = seeder.call("rewards.claim", dry_run=True)
        due = {k: v for k, v in dry.items() if k not in ("nonce", "dry_run")}
        self.assertEqual(due["claim"]["nonce"], "2")
        self.verify_three_ways("claim 2 (dry run)", due, set(), set(), after1)
        reused = copy.deepcopy(due)
        reused["claim"]["nonce"] = "1"
        reused = ck.forge(reused, key_file, sign_only=True)
        self.verify_three_ways("claim 2 with the used nonce 1", reused, {"nonce"}, {"nonce"}, after1)
        skipped = copy.deepcopy(due)
        skipped["claim"]["nonce"] = "3"
        skipped = ck.forge(skipped, key_file, sign_only=True)
        self.verify_three_ways("claim 2 with nonce 3", skipped, {"nonce"}, {"nonce"}, after1)
        wrong_prev = copy.deepcopy(due)
        wrong_prev["receipts"][0]["prevClaimedBytes"] = "4096"
        wrong_prev = ck.forge(wrong_prev, key_file)
        self.verify_three_ways("claim 2 with a wrong prevClaimedBytes", wrong_prev,
                               {"prev_claimed_bytes"}, {"prev_claimed_bytes"}, after1)
        # Claim 2 carrying a channel of claim 1 again from 0: paying its bytes twice.
        twice = copy.deepcopy(due)
        again = copy.deepcopy(doc["receipts"][0])
        twice["receipts"].append(again)
        twice = ck.forge(twice, key_file)
        self.verify_three_ways("claim 2 paying a channel of claim 1 again", twice,
                               {"prev_claimed_bytes"}, {"prev_claimed_bytes"}, after1)
        # Nothing of this changed the ledger: claim 2 is still due, with nonce 2.
        self.assertEqual([c["nonce"] for c in seeder.call("rewards.list")["claims"]], ["1"])
        self.assertEqual(seeder.call("rewards.claim")["nonce"], 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
