// Test helper: turns an edited seedd claim file back into a well-formed, correctly signed one,
// with ethers.js and @openzeppelin/merkle-tree only. Tests use it to make claims whose ONLY
// fault is the one under test (a replayed nonce, a wrong prevClaimedBytes, a repeated receipt):
// a claimant who holds the node key can sign anything, so the verifier must catch those by rule.
//
//   node forge_claim.mjs CLAIM.json KEYFILE [--sign-only]
//
// KEYFILE holds the claimant's private key as hex (seedd's node.key). Without --sign-only the
// receipts' Merkle root and proofs, receiptCount, totalBytes and amount are recomputed from the
// receipt entries (docs/protocol.md 6) first; the claimant becomes the key's address. Writes the
// claim file JSON to stdout. Exit 2 on bad arguments or an unreadable file.
import { readFileSync } from "node:fs";

import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { TypedDataEncoder, Wallet } from "ethers";

import { CLAIM_TYPES, RECEIPT_TYPES } from "./eip712_types.mjs";

function usage(message) {
  process.stderr.write(`forge_claim: ${message}\nusage: node forge_claim.mjs CLAIM.json KEYFILE [--sign-only]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const signOnly = args.includes("--sign-only");
const files = args.filter((a) => a !== "--sign-only");
if (files.length !== 2) usage("expected CLAIM.json and KEYFILE");
let doc, wallet;
try {
  doc = JSON.parse(readFileSync(files[0], "utf8"));
  const hex = readFileSync(files[1], "utf8").trim();
  wallet = new Wallet(hex.startsWith("0x") ? hex : "0x" + hex);
} catch (e) {
  usage(e.message);
}

const domain = { ...doc.domain, chainId: BigInt(doc.domain.chainId) };
if (!signOnly) {
  const digests = doc.receipts.map((e) => TypedDataEncoder.hash(domain, RECEIPT_TYPES, e.message));
  const tree = SimpleMerkleTree.of(digests);
  let totalBytes = 0n;
  let amount = 0n;
  doc.receipts.forEach((e, i) => {
    e.proof = tree.getProof(i);
    const delta = BigInt(e.message.bytes) - BigInt(e.prevClaimedBytes);
    totalBytes += delta;
    amount += (delta * BigInt(e.ratePerGiB)) >> 30n;
  });
  doc.claim.claimant = wallet.address;
  doc.claim.receiptsRoot = tree.root;
  doc.claim.receiptCount = String(doc.receipts.length);
  doc.claim.totalBytes = totalBytes.toString();
  doc.claim.amount = amount.toString();
}
doc.signature = await wallet.signTypedData(domain, CLAIM_TYPES, doc.claim);
process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
