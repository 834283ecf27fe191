"""Issue 14, items 1 and 2 and its bad input: passes (docs/protocol.md 9) between real seedd
processes on 127.0.0.1. A creator issues passes with its node key (pass.issue, seedctl pass
issue); a leecher loads one (seedctl pass add), keeps it across a restart and shows it in its
extended handshake; a seeder that lists the creator in trusted_pass_signers serves it in the pass
lane (torrent.peers), keeps the pass with the channel and puts it beside the leecher's receipts
in its claim, which claim.verify, seedctl verify-claim and the ethers.js checker accept; a
leecher without a pass is in the receipt lane and its receipts carry none. Earnings split the
verified bytes into pass bytes and other receipted bytes.

Bad input, each refused with a clear RPC error or a counted violation on the wire, and nothing
else changed: a forged, expired, malformed pass or one for another leecher (pass.add); on the
wire a pass by a signer that funds nothing and is not trusted, for another torrent, replayed by
another peer, forged, expired, and a malformed seedd.pass (hand-made peers, btpeer.py)."""
import json
import os
import time
import unittest

import btpeer
import claimkit as ck
from harness import DaemonTestCase

INVALID_PARAMS = -32602
SIZE = 6 * ck.MiB  # paced by the seeder's upload limit, so both leechers are connected at once


def peer_row(seeder, info_hash, predicate):
    for row in seeder.call("torrent.peers", info_hash=info_hash)["peers"]:
        if predicate(row):
            return row
    return None


def local_endpoint(peer):
    host, port = peer.sock.getsockname()[:2]
    return f"{host}:{port}"


def wire_pass(doc):
    """The `seedd.pass` dictionary of a pass document: exp and the 65-byte sig."""
    return {"exp": int(doc["expiresAt"]), "sig": bytes.fromhex(doc["signature"][2:])}


def random_address():
    return "0x" + os.urandom(20).hex()


class Passes(DaemonTestCase):
    def setUp(self):
        super().setUp()
        ck.ethers_dir()  # npm ci (cached) before any daemon runs

    def issue(self, creator, info_hash, leecher, expires_at):
        return creator.call("pass.issue", info_hash=info_hash, leecher=leecher, expires_at=expires_at)["passes"][0]

    def test_passes_from_creator_to_claim_and_every_bad_pass_refused(self):
        creator = self.daemon("creator")
        creator_addr = creator.call("node.info")["node_address"]
        seeder = self.daemon("seeder", f"--trusted-pass-signers={creator_addr.lower()}", "--rate-limit-lan=true",
                             "--upload-limit=1MiB", "--credit-window=1MiB", "--receipt-interval=256KiB",
                             "--pex=false")
        # No PEX: each leecher gets every byte from the seeder, so what it received is what the
        # seeder must have receipted.
        viewer = self.daemon("viewer", "--pex=false")  # will hold a pass
        other = self.daemon("other", "--pex=false")    # will not
        viewer_addr = viewer.call("node.info")["node_address"]
        other_addr = other.call("node.info")["node_address"]
        made, _ = self.seed(seeder, SIZE, seed=14)
        ih = made["info_hash"]
        made2, _ = self.seed(seeder, 100000, seed=15, name="other.bin")
        ih2 = made2["info_hash"]
        now = int(time.time())

        # ---- the creator issues passes: seedctl for one viewer, pass.issue for a list
        p = creator.seedctl("pass", "issue", ih, viewer_addr, "--days=1")
        lines = p.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stdout)
        viewer_pass = json.loads(lines[0])
        self.assertEqual(set(viewer_pass), {"infohash", "leecher", "expiresAt", "signer", "signature"})
        self.assertEqual(viewer_pass["infohash"], "0x" + ih)
        self.assertEqual(viewer_pass["leecher"], viewer_addr)
        self.assertEqual(viewer_pass["signer"], creator_addr)
        self.assertAlmostEqual(int(viewer_pass["expiresAt"]), now + 86400, delta=120)
        bulk = creator.call("pass.issue", info_hash=ih, leechers=[viewer_addr, other_addr], expires_at=now + 3600)["passes"]
        self.assertEqual([d["leecher"] for d in bulk], [viewer_addr, other_addr])
        self.assertTrue(all(d["signer"] == creator_addr for d in bulk))
        # At most 1000 leechers a call (kMaxPassesPerIssue): 1000 are signed, 1001 refused.
        many = [random_address() for _ in range(1001)]
        self.assertEqual(len(creator.call("pass.issue", info_hash=ih, leechers=many[:1000], expires_at=now + 60)["passes"]), 1000)
        e = creator.call_error("pass.issue", info_hash=ih, leechers=many, expires_at=now + 60)
        self.assertEqual(e.code, INVALID_PARAMS)
        self.assertIn("at most 1000", e.message)
        # pass.issue's own bad input
        for params, needle in (({"leecher": viewer_addr, "expires_at": now - 10}, "expires_at"),
                               ({"leecher": viewer_addr, "leechers": [other_addr], "expires_at": now + 60}, "one of"),
                               ({"leecher": "0x1234", "expires_at": now + 60}, "leecher")):
            e = creator.call_error("pass.issue", info_hash=ih, **params)
            self.assertEqual(e.code, INVALID_PARAMS, params)
            self.assertIn(needle, e.message)

        # ---- the viewer refuses every bad pass with a clear error, and keeps none of them
        forged = dict(viewer_pass, expiresAt=str(int(viewer_pass["expiresAt"]) + 86400))
        # pass.issue wants an expiry in the future: +1 could be gone before the call arrives.
        short = self.issue(creator, ih, viewer_addr, int(time.time()) + 3)
        viewer.wait_for(lambda: time.time() > int(short["expiresAt"]) + 1, timeout=15, what="the short pass to expire")
        for doc, needle in ((forged, "not pass.signer"),
                            (bulk[1], "pass.leecher"),      # the other leecher's pass
                            (short, "pass.expiresAt"),      # expired
                            ({"infohash": "0x12", "leecher": viewer_addr}, "pass.infohash")):
            e = viewer.call_error("pass.add", **{"pass": doc})
            self.assertEqual(e.code, INVALID_PARAMS, doc)
            self.assertIn(needle, e.message)
        self.assertEqual(viewer.call("pass.list")["passes"], [])
        bad_file = os.path.join(viewer.base, "forged.json")
        with open(bad_file, "w") as f:
            json.dump(forged, f)
        p = viewer.seedctl("pass", "add", bad_file, check=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("pass refused", p.stderr)

        # ---- the good one, from the file the creator handed over; it survives a restart
        good_file = os.path.join(viewer.base, "pass.json")
        with open(good_file, "w") as f:
            f.write(lines[0] + "\n")
        p = viewer.seedctl("pass", "add", good_file)
        self.assertIn("added", p.stdout)
        held = viewer.call("pass.list")["passes"]
        self.assertEqual(len(held), 1)
        self.assertEqual({k: held[0][k] for k in viewer_pass}, viewer_pass)
        self.assertFalse(held[0]["expired"])
        self.assertEqual(held[0]["info_hash"], ih)
        viewer.terminate()
        viewer.start()
        self.assertEqual(viewer.call("pass.list")["passes"], held)

        # ---- on the wire: hand-made peers show bad passes to the seeder
        peers = []

        def show(pass_dict, address=None):
            peer = btpeer.Peer(seeder.bt_port, ih, address=address or random_address(),
                               seedd_extra={"pass": pass_dict} if pass_dict is not None else None)
            peers.append(peer)
            peer.wait_handshake()
            return peer

        x = random_address()
        good_x = self.issue(creator, ih, x, int(time.time()) + 3600)
        control = show(wire_pass(good_x), x)  # a valid pass: the mechanism works
        untrusted = show(wire_pass(self.issue(other, ih, random_address(), int(time.time()) + 3600)))
        y = random_address()
        other_torrent = show(wire_pass(self.issue(creator, ih2, y, int(time.time()) + 3600)), y)
        replayed = show(wire_pass(viewer_pass))  # the viewer's pass, from another address
        # Forged: the creator's signature with a later expiry (it recovers someone else).
        forged_peer = show(dict(wire_pass(good_x), exp=int(good_x["expiresAt"]) + 86400), x)
        z = random_address()
        soon = self.issue(creator, ih, z, int(time.time()) + 3)
        seeder.wait_for(lambda: time.time() > int(soon["expiresAt"]) + 1, timeout=15, what="z's pass to expire")
        expired = show(wire_pass(soon), z)
        malformed_sig = show({"exp": 5, "sig": b"short"})
        malformed_type = show(b"not a dictionary")
        vanilla = btpeer.Peer(seeder.bt_port, ih, speak_seedd=False)
        peers.append(vanilla)

        expected = {control: ("pass", "valid"), untrusted: ("receipt", "invalid"),
                    other_torrent: ("receipt", "invalid"), replayed: ("receipt", "invalid"),
                    forged_peer: ("receipt", "invalid"), expired: ("receipt", "expired"),
                    malformed_sig: ("receipt", "invalid"), malformed_type: ("receipt", "invalid"),
                    vanilla: ("vanilla", "none")}

        def lanes_as_expected():
            for peer, want in expected.items():
                row = peer_row(seeder, ih, lambda r: r["endpoint"] == local_endpoint(peer))
                if row is None or (row["lane"], row["pass"]) != want:
                    return None
            return True

        seeder.wait_for(lanes_as_expected, timeout=20, what="each hand-made peer's lane and pass state")
        row = peer_row(seeder, ih, lambda r: r["endpoint"] == local_endpoint(control))
        self.assertEqual(row["pass_expires_at"], int(good_x["expiresAt"]))
        self.assertEqual(row["seedd_address"].lower(), x)
        # Each is counted by its reason once its batch is committed (right after the check).
        want = {"pass_unknown_signer": 4,  # untrusted, other torrent, replayed, forged
                "pass_expired": 1, "pass_malformed": 2, "pass_bad_signature": 0}
        seeder.wait_for(lambda: {k: seeder.call("earnings.summary")["rejected"][k] for k in want} == want,
                        timeout=10, what=f"rejections {want}")
        # One bad pass is one violation: the peers are still connected, served as receipting peers.
        for peer in expected:
            self.assertTrue(peer.pump(0.2), "the seeder dropped a peer over one bad pass")
            row = peer_row(seeder, ih, lambda r: r["endpoint"] == local_endpoint(peer))
            want_violations = 0 if peer in (control, vanilla) else 1
            self.assertEqual(row["violations"], want_violations, (expected[peer], row))

        # ---- the viewer and the other leecher download, paced: both connected at once
        for leecher in (viewer, other):
            leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])

        def both_in_their_lanes():
            v = peer_row(seeder, ih, lambda r: r["seedd_address"] == viewer_addr)
            o = peer_row(seeder, ih, lambda r: r["seedd_address"] == other_addr)
            return v and o and (v["lane"], v["pass"], o["lane"], o["pass"]) == ("pass", "valid", "receipt", "none")

        seeder.wait_for(both_in_their_lanes, timeout=30, what="the viewer in the pass lane and the other in the receipt lane")
        v = peer_row(seeder, ih, lambda r: r["seedd_address"] == viewer_addr)
        self.assertEqual(v["pass_expires_at"], int(viewer_pass["expiresAt"]))
        self.assertNotEqual(viewer.torrent(ih)["state"], "seeding", "the download ended before the lanes were seen")
        for peer in peers:
            peer.close()

        received = {}
        for leecher, addr in ((viewer, viewer_addr), (other, other_addr)):
            leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=120, what="download")
            got = leecher.settled(ih, "downloaded_bytes")
            seeder.wait_for(lambda: ck.receipted_bytes(seeder, ih, addr) >= got, timeout=30, what="the final receipt")
            received[addr] = ck.receipted_bytes(seeder, ih, addr)

        # ---- receipts.list keeps the pass with the viewer's channels only
        for r in seeder.call("receipts.list", info_hash=ih, limit=1000)["receipts"]:
            if r["message"]["leecher"] == viewer_addr:
                self.assertEqual(r["pass"], {"expires_at": int(viewer_pass["expiresAt"]), "signer": creator_addr})
            else:
                self.assertIsNone(r["pass"])

        # ---- earnings split the verified bytes
        summary = seeder.call("earnings.summary")
        self.assertEqual(int(summary["pass_bytes"]), received[viewer_addr])
        self.assertEqual(int(summary["receipt_bytes"]), received[other_addr])
        self.assertEqual(int(summary["verified_bytes"]), received[viewer_addr] + received[other_addr])
        row = [t for t in seeder.call("earnings.by_torrent")["torrents"] if t["info_hash"] == ih][0]
        self.assertEqual(int(row["pass_bytes"]), received[viewer_addr])

        # ---- the claim carries the pass beside each of the viewer's receipts, and verifies
        claim = seeder.call("rewards.claim")
        path = ck.claim_file(seeder, claim["nonce"])
        doc = ck.load(path)
        with_pass = [e for e in doc["receipts"] if "passSig" in e]
        without = [e for e in doc["receipts"] if "passSig" not in e]
        self.assertTrue(with_pass and without)
        for e in with_pass:
            self.assertEqual(e["message"]["leecher"], viewer_addr)
            self.assertEqual(e["passExp"], viewer_pass["expiresAt"])
            self.assertEqual(e["passSig"], viewer_pass["signature"])
            self.assertEqual(e["passSigner"], creator_addr)
        for e in without:
            self.assertEqual(e["message"]["leecher"], other_addr)
            self.assertNotIn("passExp", e)
            self.assertNotIn("passSigner", e)
        self.assertEqual(sum(int(e["message"]["bytes"]) for e in with_pass), received[viewer_addr])
        self.assertEqual(seeder.call("claim.verify", claim=doc), {"valid": True, "failures": []})
        code, result = ck.seedctl_verify(path)
        self.assertEqual((code, result["failures"]), (0, []))
        report = ck.ethers_verify(path)
        self.assertEqual(report["failures"], [])
        for entry, r in zip(doc["receipts"], report["receipts"]):
            if "passSig" in entry:
                self.assertEqual(r["passSigner"], creator_addr)

        # A pass made longer in the file fails rule 6 by name, for all three verifiers.
        tampered = json.loads(json.dumps(doc))
        i = doc["receipts"].index(with_pass[0])
        tampered["receipts"][i]["passExp"] = str(int(viewer_pass["expiresAt"]) + 1)
        tampered_path = os.path.join(seeder.base, "tampered.json")
        with open(tampered_path, "w") as f:
            json.dump(tampered, f)
        result = seeder.call("claim.verify", claim=tampered)
        self.assertFalse(result["valid"])
        self.assertEqual({f["rule"] for f in result["failures"]}, {"pass"})
        code, result = ck.seedctl_verify(tampered_path)
        self.assertEqual({f["rule"] for f in result["failures"]}, {"pass"})
        self.assertEqual({f["rule"] for f in ck.ethers_verify(tampered_path)["failures"]}, {"pass"})


if __name__ == "__main__":
    unittest.main()
