// Shared pieces of the RewardPool tests: PROTOCOL.md's EIP-712 types exactly as seedd signs them,
// claims built the way seedd builds them (section 6), and items as settle() takes them.
const { ethers } = require("hardhat");
const { SimpleMerkleTree } = require("@openzeppelin/merkle-tree");

const RECEIPT_TYPES = {
  Receipt: [
    { name: "infohash", type: "bytes20" },
    { name: "seeder", type: "address" },
    { name: "leecher", type: "address" },
    { name: "channel", type: "uint64" },
    { name: "bytes", type: "uint64" },
    { name: "timestamp", type: "uint64" },
  ],
};
const CLAIM_TYPES = {
  Claim: [
    { name: "claimant", type: "address" },
    { name: "payout", type: "address" },
    { name: "receiptsRoot", type: "bytes32" },
    { name: "receiptCount", type: "uint64" },
    { name: "totalBytes", type: "uint64" },
    { name: "amount", type: "uint256" },
    { name: "nonce", type: "uint64" },
    { name: "createdAt", type: "uint64" },
  ],
};
const PASS_TYPES = {
  Pass: [
    { name: "infohash", type: "bytes20" },
    { name: "leecher", type: "address" },
    { name: "expiresAt", type: "uint64" },
  ],
};

const REASON = { PROOF: 1, PARTIES: 2, SIGNATURE: 3, BOUNTY: 4, PASS: 5, NOTHING_NEW: 6, EXHAUSTED: 7 };
const GiB = 1n << 30n;
const MiB = 1n << 20n;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function domainOf(pool, chainId) {
  const net = await ethers.provider.getNetwork();
  return {
    name: "seedd",
    version: "1",
    chainId: chainId ?? net.chainId,
    verifyingContract: typeof pool === "string" ? pool : await pool.getAddress(),
  };
}

function receiptDigest(domain, msg) {
  return ethers.TypedDataEncoder.hash(domain, RECEIPT_TYPES, msg);
}

/** A receipt message: infohash, seeder, leecher (addresses), channel, bytes, timestamp. */
function receipt(infohash, seeder, leecher, channel, bytes, timestamp) {
  return { infohash, seeder, leecher, channel: BigInt(channel), bytes: BigInt(bytes), timestamp: BigInt(timestamp) };
}

async function signReceipt(leecherSigner, domain, msg) {
  return leecherSigner.signTypedData(domain, RECEIPT_TYPES, msg);
}

async function signPass(passSigner, domain, infohash, leecher, expiresAt) {
  return passSigner.signTypedData(domain, PASS_TYPES, { infohash, leecher, expiresAt: BigInt(expiresAt) });
}

/** The same signature with s' = n - s and v flipped: valid for plain ecrecover, high-s. */
function malleate(sig) {
  const s = ethers.Signature.from(sig);
  const highS = SECP256K1_N - BigInt(s.s);
  const v = s.v === 27 ? 28 : 27;
  return ethers.concat([s.r, ethers.toBeHex(highS, 32), ethers.toBeHex(v, 1)]);
}

/**
 * Builds and signs a claim over `entries` ({ msg, sig, bountyId?, passExp?, passSig?, rate?, prev? }).
 * `digestDomain` is the domain of the receipts' digests in the Merkle tree (default: `domain`).
 * Returns { claim, claimSig, items } with items in the order of `entries`.
 */
async function makeClaim(claimantSigner, domain, entries, opts = {}) {
  const digestDomain = opts.digestDomain ?? domain;
  const digests = entries.map((e) => receiptDigest(digestDomain, e.msg));
  const tree = SimpleMerkleTree.of(digests);
  let totalBytes = 0n;
  let amount = 0n;
  for (const e of entries) {
    const delta = e.msg.bytes - (e.prev ?? 0n);
    totalBytes += delta;
    amount += (delta * (e.rate ?? 0n)) / GiB;
  }
  const claim = {
    claimant: await claimantSigner.getAddress(),
    payout: opts.payout ?? (await claimantSigner.getAddress()),
    receiptsRoot: tree.root,
    receiptCount: BigInt(entries.length),
    totalBytes: opts.totalBytes ?? totalBytes,
    amount: opts.amount ?? amount,
    nonce: BigInt(opts.nonce ?? 1),
    createdAt: BigInt(opts.createdAt ?? 1795306000),
  };
  const claimSig = await claimantSigner.signTypedData(opts.claimDomain ?? domain, CLAIM_TYPES, claim);
  const items = entries.map((e, i) => item(e.msg, e.sig, tree.getProof(digests[i]), e.bountyId ?? 1n, e.passExp, e.passSig));
  return { claim, claimSig, items, tree, digests };
}

/** settle()'s Item, positional (the ABI names the Receipt's `bytes` field `bytes_`). */
function item(msg, sig, proof, bountyId, passExp = 0n, passSig = "0x") {
  return [
    [msg.infohash, msg.seeder, msg.leecher, msg.channel, msg.bytes, msg.timestamp],
    sig,
    proof,
    BigInt(bountyId),
    BigInt(passExp ?? 0n),
    passSig ?? "0x",
  ];
}

function claimTuple(c) {
  return [c.claimant, c.payout, c.receiptsRoot, c.receiptCount, c.totalBytes, c.amount, c.nonce, c.createdAt];
}

/** Sends settle() and returns { tx, rcpt, paid, settled, skipped: [[index, reason]...] }. */
async function settle(pool, c, items, sender) {
  const p = sender ? pool.connect(sender) : pool;
  const tx = await p.settle(claimTuple(c.claim), c.claimSig, items ?? c.items);
  const rcpt = await tx.wait();
  const skipped = [];
  let settled;
  for (const log of rcpt.logs) {
    let ev;
    try {
      ev = pool.interface.parseLog(log);
    } catch {
      continue;
    }
    if (!ev) continue;
    if (ev.name === "ItemSkipped") skipped.push([Number(ev.args.index), Number(ev.args.reason)]);
    if (ev.name === "Settled") settled = ev.args;
  }
  return { tx, rcpt, paid: settled.paid, settled, skipped };
}

function pay(delta, rate) {
  return (BigInt(delta) * BigInt(rate)) / GiB;
}

module.exports = {
  RECEIPT_TYPES, CLAIM_TYPES, PASS_TYPES, REASON, GiB, MiB, SECP256K1_N,
  domainOf, receiptDigest, receipt, signReceipt, signPass, malleate, makeClaim, item, claimTuple, settle, pay,
};
