// An independent check of a seedd claim file (docs/protocol.md sections 3, 5, 6 and 7), written only
// with ethers.js and @openzeppelin/merkle-tree: nothing of seedd's own code.
//
//   node verify_claim.mjs CLAIM.json [--chain-id N] [--pool ADDR] [--state STATE.json]
//
// Rules 1-4 and 6 (passes) always; rule 5 only with --state (the verifier state file format of seedctl
// verify-claim: {"last_nonce": "N" | null, "paid": [{leecher, infohash, channel, bytes}]}).
// Prints one JSON report on stdout: what it recovered and recomputed, and `failures`, a list of
// {rule, detail} with seedd's rule names (claim_verify.hpp kVerifyRules). Exit 0 when the claim
// passes every check, 1 when one fails, 2 when a file cannot be read or the arguments are wrong.
// A malformed field is reported as "malformed" and the checks that need it are skipped; the
// script never dies on what a claim file holds.
import { readFileSync } from "node:fs";

import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { Signature, TypedDataEncoder, getAddress, recoverAddress } from "ethers";

import { CLAIM_TYPES, PASS_TYPES, RECEIPT_TYPES } from "./eip712_types.mjs";

// Bounds of docs/protocol.md section 3.
const GIB_SHIFT = 30n;
const U64_MAX = (1n << 64n) - 1n;
const U256_MAX = (1n << 256n) - 1n;
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

function usage(message) {
  process.stderr.write(`verify_claim: ${message}\n` +
    "usage: node verify_claim.mjs CLAIM.json [--chain-id N] [--pool ADDR] [--state STATE.json]\n");
  process.exit(2);
}

function readJson(what, path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return usage(`cannot read the ${what} ${path}: ${e.message}`);
  }
}

const args = process.argv.slice(2);
let file = null;
let stateFile = null;
let expectedChainId = 31337n;
let expectedPool = "0x0000000000000000000000000000000000000000";
for (let i = 0; i < args.length; ++i) {
  const needValue = () => (i + 1 < args.length ? args[++i] : usage(`${args[i]} needs a value`));
  if (args[i] === "--chain-id") {
    const v = needValue();
    if (!/^[0-9]+$/.test(v)) usage(`--chain-id must be a decimal integer, got ${v}`);
    expectedChainId = BigInt(v);
  } else if (args[i] === "--pool") {
    const v = needValue();
    try {
      expectedPool = getAddress(v);
    } catch {
      usage(`--pool must be an address, got ${v}`);
    }
  } else if (args[i] === "--state") {
    stateFile = needValue();
  } else if (file === null && !args[i].startsWith("--")) {
    file = args[i];
  } else {
    usage(`unexpected argument ${args[i]}`);
  }
}
if (file === null) usage("no claim file");

const doc = readJson("claim file", file);
const failures = [];
const fail = (rule, detail) => failures.push({ rule, detail });

// --- field readers: each returns undefined (and reports "malformed") for a bad value ---------
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
function field(parent, key, path) {
  if (!isObject(parent)) return undefined;  // the parent was reported already
  if (!(key in parent)) {
    fail("malformed", `${path}: missing`);
    return undefined;
  }
  return parent[key];
}
function uint(parent, key, path, max) {
  const v = field(parent, key, path);
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^(0|[1-9][0-9]*)$/.test(v) || BigInt(v) > max) {
    fail("malformed", `${path}: expected a decimal string of at most ${max}, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return BigInt(v);
}
function address(parent, key, path) {
  const v = field(parent, key, path);
  if (v === undefined) return undefined;
  try {
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new Error("not 0x + 40 hex digits");
    return getAddress(v);  // throws on a bad EIP-55 checksum
  } catch (e) {
    fail("malformed", `${path}: expected an address, got ${JSON.stringify(v)} (${e.shortMessage ?? e.message})`);
    return undefined;
  }
}
function hexBytes(value, path, length) {
  const re = length === undefined ? /^0x([0-9a-fA-F]{2})*$/ : new RegExp(`^0x[0-9a-fA-F]{${2 * length}}$`);
  if (typeof value !== "string" || !re.test(value)) {
    fail("malformed", `${path}: expected 0x hex${length === undefined ? "" : ` of ${length} bytes`}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value.toLowerCase();
}
function hexField(parent, key, path, length) {
  const v = field(parent, key, path);
  return v === undefined ? undefined : hexBytes(v, path, length);
}

// docs/protocol.md 2: 65 bytes r‖s‖v, v 27/28, s ≤ n/2; the signer is recovered from the digest.
function recover(digest, signature) {
  if (signature === undefined) return undefined;
  const raw = signature.slice(2);
  if (raw.length !== 130) return { error: `is ${raw.length / 2} bytes, not 65` };
  const v = parseInt(raw.slice(128), 16);
  if (v !== 27 && v !== 28) return { error: `has v = ${v}, not 27 or 28` };
  if (BigInt("0x" + raw.slice(64, 128)) > SECP256K1_HALF_N) return { error: "has s above n/2 (malleable)" };
  try {
    return { signer: recoverAddress(digest, Signature.from(signature)) };
  } catch (e) {
    return { error: `does not recover: ${e.shortMessage ?? e.message}` };
  }
}

const report = { claimDigest: null, claimSigner: null, receipts: [], root: null, totalBytes: null, amount: null };

if (!isObject(doc)) {
  fail("malformed", "the claim file is not a JSON object");
  finish();
}
const version = field(doc, "version", "version");
if (version !== undefined && version !== 1) fail("malformed", `version: expected the number 1, got ${JSON.stringify(version)}`);

// --- rule 1, domain part ------------------------------------------------------------------
const d = field(doc, "domain", "domain");
let domain = { name: "seedd", version: "1", chainId: expectedChainId, verifyingContract: expectedPool };
if (d !== undefined && !isObject(d)) fail("malformed", "domain: expected an object");
if (isObject(d)) {
  const name = field(d, "name", "domain.name");
  const ver = field(d, "version", "domain.version");
  // seedd writes chainId as a decimal string; ethers' own domains hold a number.
  const rawChain = field(d, "chainId", "domain.chainId");
  let chainId;
  if (typeof rawChain === "number" && Number.isSafeInteger(rawChain) && rawChain >= 0) chainId = BigInt(rawChain);
  else if (rawChain !== undefined) chainId = uint(d, "chainId", "domain.chainId", U64_MAX);
  const pool = address(d, "verifyingContract", "domain.verifyingContract");
  if (name !== undefined && name !== "seedd") fail("domain", `domain.name is ${JSON.stringify(name)}, not "seedd"`);
  if (ver !== undefined && ver !== "1") fail("domain", `domain.version is ${JSON.stringify(ver)}, not "1"`);
  if (chainId !== undefined && chainId !== expectedChainId) fail("domain", `domain.chainId is ${chainId}, the verifier's is ${expectedChainId}`);
  if (pool !== undefined && pool !== expectedPool) fail("domain", `domain.verifyingContract is ${pool}, the verifier's is ${expectedPool}`);
  // Digests are taken in the file's own domain, as written: a claim for another pool fails
  // "domain" and nothing else.
  if (typeof name === "string" && typeof ver === "string" && chainId !== undefined && pool !== undefined) {
    domain = { name, version: ver, chainId, verifyingContract: pool };
  }
}

// --- the claim message --------------------------------------------------------------------
const c = field(doc, "claim", "claim");
if (c !== undefined && !isObject(c)) fail("malformed", "claim: expected an object");
const claim = {
  claimant: address(c, "claimant", "claim.claimant"),
  payout: address(c, "payout", "claim.payout"),
  receiptsRoot: hexField(c, "receiptsRoot", "claim.receiptsRoot", 32),
  receiptCount: uint(c, "receiptCount", "claim.receiptCount", U64_MAX),
  totalBytes: uint(c, "totalBytes", "claim.totalBytes", U64_MAX),
  amount: uint(c, "amount", "claim.amount", U256_MAX),
  nonce: uint(c, "nonce", "claim.nonce", U64_MAX),
  createdAt: uint(c, "createdAt", "claim.createdAt", U64_MAX),
};
const claimWhole = Object.values(claim).every((v) => v !== undefined);
const claimSignature = hexField(doc, "signature", "signature");

// --- the receipt entries ------------------------------------------------------------------
const list = field(doc, "receipts", "receipts");
const haveEntries = Array.isArray(list);
if (list !== undefined && !haveEntries) fail("malformed", "receipts: expected an array");
const entries = (haveEntries ? list : []).map((entry, i) => {
  const p = `receipts[${i}]`;
  if (!isObject(entry)) {
    fail("malformed", `${p}: expected an object`);
    return {};
  }
  const m = field(entry, "message", `${p}.message`);
  if (m !== undefined && !isObject(m)) fail("malformed", `${p}.message: expected an object`);
  const message = {
    infohash: hexField(m, "infohash", `${p}.message.infohash`, 20),
    seeder: address(m, "seeder", `${p}.message.seeder`),
    leecher: address(m, "leecher", `${p}.message.leecher`),
    channel: uint(m, "channel", `${p}.message.channel`, U64_MAX),
    bytes: uint(m, "bytes", `${p}.message.bytes`, U64_MAX),
    timestamp: uint(m, "timestamp", `${p}.message.timestamp`, U64_MAX),
  };
  const out = {
    message: Object.values(message).every((v) => v !== undefined) ? message : undefined,
    signature: hexField(entry, "signature", `${p}.signature`),
    prev: uint(entry, "prevClaimedBytes", `${p}.prevClaimedBytes`, U64_MAX),
    rate: uint(entry, "ratePerGiB", `${p}.ratePerGiB`, U256_MAX),
    proof: undefined,
    pass: undefined,
  };
  // Rule 6's fields: all three or none (docs/protocol.md 6, 9).
  if ("passExp" in entry || "passSig" in entry || "passSigner" in entry) {
    const pass = {
      expiresAt: uint(entry, "passExp", `${p}.passExp`, U64_MAX),
      signature: hexField(entry, "passSig", `${p}.passSig`, 65),
      signer: address(entry, "passSigner", `${p}.passSigner`),
    };
    if (Object.values(pass).every((v) => v !== undefined)) out.pass = pass;
  }
  const proof = field(entry, "proof", `${p}.proof`);
  if (proof !== undefined) {
    if (!Array.isArray(proof)) fail("malformed", `${p}.proof: expected an array`);
    else {
      const nodes = proof.map((node, k) => hexBytes(node, `${p}.proof[${k}]`, 32));
      if (nodes.every((n) => n !== undefined)) out.proof = nodes;
    }
  }
  return out;
});

// --- rule 1: the claim signature recovers the claimant ------------------------------------
if (claimWhole) report.claimDigest = TypedDataEncoder.hash(domain, CLAIM_TYPES, claim);
if (claimWhole && claimSignature !== undefined) {
  const r = recover(report.claimDigest, claimSignature);
  if (r.error) fail("claim_signature", `signature ${r.error}`);
  else {
    report.claimSigner = r.signer;
    if (r.signer !== claim.claimant) fail("claim_signature", `signature recovers ${r.signer}, not claim.claimant ${claim.claimant}`);
  }
}

// --- rules 2 and 3 ------------------------------------------------------------------------
const seen = new Map();
entries.forEach((e, i) => {
  const row = { signer: null, digest: null };
  report.receipts.push(row);
  const m = e.message;
  if (m === undefined) return;
  row.digest = TypedDataEncoder.hash(domain, RECEIPT_TYPES, m);
  if (e.signature !== undefined) {
    const r = recover(row.digest, e.signature);
    if (r.error) fail("receipt_signature", `receipts[${i}].signature ${r.error}`);
    else {
      row.signer = r.signer;
      if (r.signer !== m.leecher) fail("receipt_signature", `receipts[${i}].signature recovers ${r.signer}, not leecher ${m.leecher}`);
    }
  }
  if (claim.claimant !== undefined && m.seeder !== claim.claimant) fail("seeder_is_claimant", `receipts[${i}]: seeder ${m.seeder} is not the claimant ${claim.claimant}`);
  if (m.leecher === m.seeder) fail("leecher_is_seeder", `receipts[${i}]: leecher = seeder ${m.seeder}`);
  if (m.channel === 0n) fail("zero_channel", `receipts[${i}]: channel 0`);
  if (e.prev !== undefined && m.bytes < e.prev) fail("bytes_below_prev_claimed", `receipts[${i}]: bytes ${m.bytes} < prevClaimedBytes ${e.prev}`);
  const key = `${m.leecher}/${m.infohash}/${m.channel}`;
  if (seen.has(key)) fail("duplicate_receipt", `receipts[${i}] repeats the channel of receipts[${seen.get(key)}]: ${key}`);
  else seen.set(key, i);
});

// --- rule 4: the count, SimpleMerkleTree's root and every proof, the totals ---------------
if (haveEntries) {
  if (claim.receiptCount !== undefined && claim.receiptCount !== BigInt(entries.length)) {
    fail("receipt_count", `claim.receiptCount is ${claim.receiptCount}, the file holds ${entries.length} receipts`);
  }
  const digests = report.receipts.map((r) => r.digest);
  if (entries.length === 0) {
    fail("receipts_root", "the claim holds no receipts, so it has no Merkle root");
  } else if (digests.every((x) => x !== null)) {
    const tree = SimpleMerkleTree.of(digests);
    report.root = tree.root;
    const rootMatches = claim.receiptsRoot !== undefined && tree.root === claim.receiptsRoot;
    if (claim.receiptsRoot !== undefined && !rootMatches) fail("receipts_root", `claim.receiptsRoot is ${claim.receiptsRoot}, SimpleMerkleTree gives ${tree.root}`);
    entries.forEach((e, i) => {
      if (e.proof === undefined || claim.receiptsRoot === undefined) return;
      const row = report.receipts[i];
      // What a pool checks on chain with OpenZeppelin's MerkleProof.verify: the proof leads from
      // the digest to the root the claim states.
      row.proofVerifies = SimpleMerkleTree.verify(claim.receiptsRoot, digests[i], e.proof);
      if (!row.proofVerifies) fail("receipt_proof", `receipts[${i}].proof does not lead from its digest to claim.receiptsRoot`);
      // And, when the stated root is the tree's, the proof is the one getProof gives.
      if (rootMatches) {
        row.proofIsTreeProof = JSON.stringify(tree.getProof(i)) === JSON.stringify(e.proof);
        if (row.proofVerifies && !row.proofIsTreeProof) fail("receipt_proof", `receipts[${i}].proof is not SimpleMerkleTree.getProof's`);
      }
    });
  }
  let bytesKnown = true;
  let amountKnown = true;
  let totalBytes = 0n;
  let amount = 0n;
  entries.forEach((e) => {
    if (e.message === undefined || e.prev === undefined || e.message.bytes < e.prev) {
      bytesKnown = amountKnown = false;
      return;
    }
    const delta = e.message.bytes - e.prev;
    totalBytes += delta;
    if (e.rate === undefined) amountKnown = false;
    else amount += (delta * e.rate) >> GIB_SHIFT;  // floor: every term is >= 0
  });
  if (bytesKnown) {
    report.totalBytes = totalBytes.toString();
    if (claim.totalBytes !== undefined && claim.totalBytes !== totalBytes) fail("total_bytes", `claim.totalBytes is ${claim.totalBytes}, the receipts give ${totalBytes}`);
  }
  if (amountKnown) {
    report.amount = amount.toString();
    if (amount > U256_MAX) fail("amount", `the receipts give ${amount}, above uint256`);
    else if (claim.amount !== undefined && claim.amount !== amount) fail("amount", `claim.amount is ${claim.amount}, the receipts give ${amount}`);
  }
}

// --- rule 6: each pass is its passSigner's Pass(infohash, leecher, passExp) and covers the receipt
entries.forEach((e, i) => {
  if (e.pass === undefined || e.message === undefined) return;
  const message = { infohash: e.message.infohash, leecher: e.message.leecher, expiresAt: e.pass.expiresAt };
  const r = recover(TypedDataEncoder.hash(domain, PASS_TYPES, message), e.pass.signature);
  report.receipts[i].passSigner = r.signer ?? null;
  if (r.error) fail("pass", `receipts[${i}].passSig ${r.error}`);
  else if (r.signer !== e.pass.signer) fail("pass", `receipts[${i}].passSig recovers ${r.signer}, not passSigner ${e.pass.signer}`);
  if (e.message.timestamp > e.pass.expiresAt) fail("pass", `receipts[${i}]: timestamp ${e.message.timestamp} is after passExp ${e.pass.expiresAt}`);
});

// --- rule 5, with the verifier's record ---------------------------------------------------
if (stateFile !== null) {
  const state = readJson("state file", stateFile);
  let lastNonce = null;
  const paid = new Map();
  try {
    if (state.last_nonce !== undefined && state.last_nonce !== null) lastNonce = BigInt(state.last_nonce);
    for (const p of state.paid ?? []) {
      paid.set(`${getAddress(p.leecher)}/${p.infohash.toLowerCase()}/${BigInt(p.channel)}`, BigInt(p.bytes));
    }
  } catch (e) {
    usage(`the state file ${stateFile} is not a verifier state: ${e.shortMessage ?? e.message}`);
  }
  if (claim.nonce !== undefined) {
    const expected = lastNonce === null ? 1n : lastNonce + 1n;
    if (claim.nonce !== expected) fail("nonce", `claim.nonce is ${claim.nonce}, the verifier expects ${expected}`);
  }
  entries.forEach((e, i) => {
    if (e.message === undefined || e.prev === undefined) return;
    const was = paid.get(`${e.message.leecher}/${e.message.infohash}/${e.message.channel}`) ?? 0n;
    if (e.prev !== was) fail("prev_claimed_bytes", `receipts[${i}].prevClaimedBytes is ${e.prev}, the verifier has ${was} paid on that channel`);
  });
}

finish();

function finish() {
  report.failures = failures;
  report.valid = failures.length === 0;
  process.stdout.write(JSON.stringify(report, (k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
  process.exit(report.valid ? 0 : 1);
}
