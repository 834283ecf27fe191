// Vectors for seedd's chain client (daemon/chain/), made with ethers.js and
// @openzeppelin/merkle-tree only: the RewardPool and ERC-20 calldata, bounty() return data, the
// pool's event logs, revert data, RLP, and EIP-1559 transactions signed with known keys.
// The pool's ABI below is written out from docs/protocol.md section 8, not from seedd's code.
//
//   node chain_vectors.mjs > tests/vectors/chain.json
//
// Everything is deterministic (fixed keys, fixed times, RFC 6979 signatures), so a rerun gives
// the committed file byte for byte; tests/interop/check_ethers_vectors.py checks that it does.
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, Interface, Transaction, TypedDataEncoder, Wallet, encodeRlp, id, keccak256, toUtf8Bytes } from "ethers";

import { CLAIM_TYPES, RECEIPT_TYPES } from "./eip712_types.mjs";

const POOL_ABI = [
  "function token() view returns (address)",
  "function fund(bytes20 infohash, uint256 amount, uint256 ratePerGiB, uint64 maxBytesPerLeecher, address passSigner, uint64 expiresAt) returns (uint256 bountyId)",
  "function topUp(uint256 bountyId, uint256 amount)",
  "function withdraw(uint256 bountyId)",
  "function bounty(uint256 bountyId) view returns (address funder, bytes20 infohash, uint256 balance, uint256 ratePerGiB, uint64 maxBytesPerLeecher, address passSigner, uint64 expiresAt)",
  // As a JSON fragment: the human-readable parser takes the Receipt field "bytes" for a type.
  {
    type: "function", name: "settle", stateMutability: "nonpayable",
    inputs: [
      { name: "claim", type: "tuple", components: CLAIM_TYPES.Claim },
      { name: "claimSig", type: "bytes" },
      { name: "items", type: "tuple[]", components: [
        { name: "receipt", type: "tuple", components: RECEIPT_TYPES.Receipt },
        { name: "sig", type: "bytes" },
        { name: "proof", type: "bytes32[]" },
        { name: "bountyId", type: "uint256" },
        { name: "passExp", type: "uint64" },
        { name: "passSig", type: "bytes" },
      ] },
    ],
    outputs: [{ name: "paid", type: "uint256" }],
  },
  "event BountyFunded(uint256 indexed bountyId, bytes20 indexed infohash, address indexed funder, uint256 amount, uint256 ratePerGiB, uint64 maxBytesPerLeecher, address passSigner, uint64 expiresAt)",
  "event Settled(address indexed claimant, uint64 indexed nonce, address payout, uint256 paid, uint64 bytesPaid, uint32 itemsPaid, uint32 itemsSkipped)",
  "event ItemSkipped(address indexed claimant, uint64 indexed nonce, uint32 index, uint8 reason)",
  // Not in docs/protocol.md 8: contracts/RewardPool.sol's additions.
  "function lastBountyId() view returns (uint256)",
  "event BountyToppedUp(uint256 indexed bountyId, address indexed from, uint256 amount)",
  "event BountyWithdrawn(uint256 indexed bountyId, address indexed funder, uint256 amount)",
];
const ERC20_ABI = [
  "function approve(address spender, uint256 amount) returns (bool)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function balanceOf(address owner) view returns (uint256)",
];
const PASS_TYPES = {
  Pass: [
    { name: "infohash", type: "bytes20" },
    { name: "leecher", type: "address" },
    { name: "expiresAt", type: "uint64" },
  ],
};

const pool = new Interface(POOL_ABI);
const erc20 = new Interface(ERC20_ABI);
const coder = AbiCoder.defaultAbiCoder();
const MAX_U256 = (1n << 256n) - 1n;
const MAX_U64 = (1n << 64n) - 1n;

const key = (label) => keccak256(toUtf8Bytes(`seedd chain vectors: ${label}`));
const wallet = (label) => new Wallet(key(label));
const seeder = wallet("seeder");
const leechers = [wallet("leecher 0"), wallet("leecher 1")];
const passSigner = wallet("pass signer");
const sender = wallet("sender");
const funder = wallet("funder");
const POOL = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TOKEN = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const domain = { name: "seedd", version: "1", chainId: 31337n, verifyingContract: POOL };

const dec = (v) => v.toString();
const infohash = (label) => keccak256(toUtf8Bytes(label)).slice(0, 42);

// ---- settle() -------------------------------------------------------------------------------
function settleVector(name, receipts, prevClaimed, rates, bountyIds, passes) {
  const signed = receipts.map((r, i) => ({
    message: r,
    signature: leechers[i % 2].signingKey.sign(TypedDataEncoder.hash(domain, RECEIPT_TYPES, r)).serialized,
  }));
  const digests = receipts.map((r) => TypedDataEncoder.hash(domain, RECEIPT_TYPES, r));
  const tree = receipts.length ? SimpleMerkleTree.of(digests) : null;
  let totalBytes = 0n, amount = 0n;
  receipts.forEach((r, i) => {
    const delta = BigInt(r.bytes) - prevClaimed[i];
    totalBytes += delta;
    amount += (delta * rates[i]) >> 30n;
  });
  const claim = {
    claimant: seeder.address,
    payout: funder.address,  // any address: the claim names it
    receiptsRoot: tree ? tree.root : "0x" + "00".repeat(32),
    receiptCount: BigInt(receipts.length),
    totalBytes,
    amount,
    nonce: 3n,
    createdAt: 1767225600n,
  };
  const claimSig = seeder.signingKey.sign(TypedDataEncoder.hash(domain, CLAIM_TYPES, claim)).serialized;
  const items = signed.map((s, i) => {
    const pass = passes[i];
    return {
      receipt: s.message,
      sig: s.signature,
      proof: tree.getProof(digests[i]),
      bountyId: bountyIds[i],
      passExp: pass ? pass.expiresAt : 0n,
      passSig: pass ? passSigner.signingKey.sign(TypedDataEncoder.hash(domain, PASS_TYPES, {
        infohash: s.message.infohash, leecher: s.message.leecher, expiresAt: pass.expiresAt })).serialized : "0x",
    };
  });
  const calldata = pool.encodeFunctionData("settle", [claim, claimSig, items]);
  const asJson = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? dec(v) : v]));
  return {
    name,
    claim: asJson(claim),
    claimSig,
    items: items.map((it) => ({
      receipt: asJson(it.receipt), sig: it.sig, proof: it.proof, bountyId: dec(it.bountyId),
      passExp: dec(it.passExp), passSig: it.passSig,
    })),
    calldata,
  };
}

const receipt = (ih, leecher, channel, bytes, timestamp) =>
  ({ infohash: ih, seeder: seeder.address, leecher: leecher.address, channel, bytes, timestamp });
const settle = [
  settleVector("two items, the second with a pass",
    [receipt(infohash("torrent A"), leechers[0], 0x1234567890abcdefn, 5n * 1024n ** 3n + 17n, 1767225000n),
     receipt(infohash("torrent B"), leechers[1], MAX_U64, 3n * 1024n ** 2n, 1767225100n)],
    [1024n ** 3n, 0n], [1000000000000000000n, 7n], [1n, 2n], [null, { expiresAt: 1767311999n }]),
  settleVector("no items", [], [], [], [], []),
];

// ---- the other calls ------------------------------------------------------------------------
const fundArgs = [
  { infohash: infohash("torrent A"), amount: 10n ** 21n, ratePerGiB: 10n ** 18n, maxBytesPerLeecher: 10n * 1024n ** 3n,
    passSigner: "0x0000000000000000000000000000000000000000", expiresAt: 1798761600n },
  { infohash: infohash("torrent B"), amount: MAX_U256, ratePerGiB: MAX_U256, maxBytesPerLeecher: MAX_U64,
    passSigner: passSigner.address, expiresAt: MAX_U64 },
];
const fund = fundArgs.map((a) => ({
  infohash: a.infohash, amount: dec(a.amount), ratePerGiB: dec(a.ratePerGiB), maxBytesPerLeecher: dec(a.maxBytesPerLeecher),
  passSigner: a.passSigner, expiresAt: dec(a.expiresAt),
  calldata: pool.encodeFunctionData("fund", [a.infohash, a.amount, a.ratePerGiB, a.maxBytesPerLeecher, a.passSigner, a.expiresAt]),
}));
const calls = {
  top_up: { bountyId: "7", amount: dec(5n * 10n ** 20n), calldata: pool.encodeFunctionData("topUp", [7n, 5n * 10n ** 20n]) },
  withdraw: { bountyId: dec(MAX_U256), calldata: pool.encodeFunctionData("withdraw", [MAX_U256]) },
  bounty: { bountyId: "1", calldata: pool.encodeFunctionData("bounty", [1n]) },
  token: { calldata: pool.encodeFunctionData("token", []) },
  last_bounty_id: { calldata: pool.encodeFunctionData("lastBountyId", []) },
  approve: { spender: POOL, amount: dec(MAX_U256), calldata: erc20.encodeFunctionData("approve", [POOL, MAX_U256]) },
  allowance: { owner: funder.address, spender: POOL, calldata: erc20.encodeFunctionData("allowance", [funder.address, POOL]) },
  balance_of: { owner: seeder.address, calldata: erc20.encodeFunctionData("balanceOf", [seeder.address]) },
};

const selectors = {};
for (const f of [...pool.fragments, ...erc20.fragments]) {
  if (f.type === "function") selectors[f.format("sighash")] = f.selector;
  if (f.type === "event") selectors[f.format("sighash")] = f.topicHash;
}

// ---- return data ----------------------------------------------------------------------------
const bountyReturns = [
  [funder.address, infohash("torrent A"), 123456789n * 10n ** 12n, 10n ** 18n, 10n * 1024n ** 3n, "0x0000000000000000000000000000000000000000", 1798761600n],
  [funder.address, infohash("torrent B"), MAX_U256, MAX_U256, MAX_U64, passSigner.address, MAX_U64],
  ["0x0000000000000000000000000000000000000000", "0x" + "00".repeat(20), 0n, 0n, 0n, "0x0000000000000000000000000000000000000000", 0n],
].map((v) => ({
  data: pool.encodeFunctionResult("bounty", v),
  funder: v[0], infohash: v[1], balance: dec(v[2]), ratePerGiB: dec(v[3]), maxBytesPerLeecher: dec(v[4]),
  passSigner: v[5], expiresAt: dec(v[6]),
}));
const uintReturn = { value: dec(987654321987654321n), data: coder.encode(["uint256"], [987654321987654321n]) };
const addressReturn = { value: TOKEN, data: coder.encode(["address"], [TOKEN]) };

// ---- logs -----------------------------------------------------------------------------------
function log(event, values) {
  const { data, topics } = pool.encodeEventLog(event, values);
  return { data, topics };
}
const logs = {
  bounty_funded: fundArgs.map((a, i) => ({
    bountyId: dec(BigInt(i + 1)), infohash: a.infohash, funder: funder.address, amount: dec(a.amount),
    ratePerGiB: dec(a.ratePerGiB), maxBytesPerLeecher: dec(a.maxBytesPerLeecher), passSigner: a.passSigner,
    expiresAt: dec(a.expiresAt),
    ...log("BountyFunded", [BigInt(i + 1), a.infohash, funder.address, a.amount, a.ratePerGiB, a.maxBytesPerLeecher, a.passSigner, a.expiresAt]),
  })),
  settled: [[seeder.address, 3n, funder.address, 5000000000000000000n, 4n * 1024n ** 3n, 1n, 1n],
            [seeder.address, MAX_U64, seeder.address, 0n, 0n, 0n, 4294967295n]].map((v) => ({
    claimant: v[0], nonce: dec(v[1]), payout: v[2], paid: dec(v[3]), bytesPaid: dec(v[4]), itemsPaid: dec(v[5]),
    itemsSkipped: dec(v[6]), ...log("Settled", v),
  })),
  bounty_topped_up: [[7n, sender.address, 5n * 10n ** 20n], [MAX_U256, funder.address, MAX_U256]].map((v) => ({
    bountyId: dec(v[0]), from: v[1], amount: dec(v[2]), ...log("BountyToppedUp", v),
  })),
  bounty_withdrawn: [[1n, funder.address, 0n], [2n, funder.address, 123456789n]].map((v) => ({
    bountyId: dec(v[0]), funder: v[1], amount: dec(v[2]), ...log("BountyWithdrawn", v),
  })),
  item_skipped: [1, 7].map((reason, i) => ({
    claimant: seeder.address, nonce: "3", index: String(i), reason: String(reason),
    ...log("ItemSkipped", [seeder.address, 3n, i, reason]),
  })),
};

// ---- revert data ----------------------------------------------------------------------------
const errors = new Interface(["error Error(string)", "error Panic(uint256)"]);
const revert = [
  { data: errors.encodeErrorResult("Error", ["ERC20: insufficient allowance"]), reason: "ERC20: insufficient allowance" },
  { data: errors.encodeErrorResult("Panic", [0x11n]), reason: "panic 0x11" },
  { data: id("BadClaimSignature()").slice(0, 10), reason: "custom error " + id("BadClaimSignature()").slice(0, 10) },
];

// ---- RLP ------------------------------------------------------------------------------------
const rlpInputs = [
  ["empty string", "0x"], ["byte 0x00", "0x00"], ["byte 0x7f", "0x7f"], ["byte 0x80", "0x80"],
  ["55 bytes", "0x" + "ab".repeat(55)], ["56 bytes", "0x" + "cd".repeat(56)], ["1024 bytes", "0x" + "ef".repeat(1024)],
  ["empty list", []], ["nested lists", [[], [[]], [[], [[]]]]],
  ["list of 60 bytes", ["0x" + "11".repeat(30), "0x" + "22".repeat(28)]],
  ["list over 255 bytes", Array.from({ length: 10 }, (_, i) => "0x" + String(i).padStart(2, "0").repeat(30))],
];
const rlp = rlpInputs.map(([name, input]) => ({ name, input, encoded: encodeRlp(input) }));

// ---- EIP-1559 transactions ------------------------------------------------------------------
const txInputs = [
  ["settle on a local chain", { chainId: 31337n, nonce: 7, maxPriorityFeePerGas: 1500000000n, maxFeePerGas: 30000000000n,
    gasLimit: 500000n, to: POOL, value: 0n, data: settle[0].calldata }],
  ["all zero", { chainId: 1n, nonce: 0, maxPriorityFeePerGas: 0n, maxFeePerGas: 0n, gasLimit: 0n,
    to: "0x0000000000000000000000000000000000000000", value: 0n, data: "0x" }],
  ["single-byte edges", { chainId: 127n, nonce: 127, maxPriorityFeePerGas: 128n, maxFeePerGas: 255n, gasLimit: 256n,
    to: TOKEN, value: 1n, data: "0x00" }],
  ["large values", { chainId: 8453n, nonce: Number.MAX_SAFE_INTEGER, maxPriorityFeePerGas: MAX_U256, maxFeePerGas: MAX_U256,
    gasLimit: MAX_U64, to: TOKEN, value: 10n ** 24n, data: calls.approve.calldata }],
  ["contract creation", { chainId: 11155111n, nonce: 1, maxPriorityFeePerGas: 1n, maxFeePerGas: 2n, gasLimit: 3000000n,
    to: null, value: 0n, data: "0x6080604052" }],
];
const transactions = txInputs.map(([name, fields], i) => {
  const signer = i === 1 ? seeder : sender;
  const tx = Transaction.from({ type: 2, accessList: [], ...fields });
  const unsignedSerialized = tx.unsignedSerialized;
  const unsignedHash = tx.unsignedHash;
  tx.signature = signer.signingKey.sign(unsignedHash);
  return {
    name,
    private_key: signer.privateKey,
    from: signer.address,
    tx: { chainId: dec(fields.chainId), nonce: dec(fields.nonce), maxPriorityFeePerGas: dec(fields.maxPriorityFeePerGas),
      maxFeePerGas: dec(fields.maxFeePerGas), gasLimit: dec(fields.gasLimit), to: fields.to, value: dec(fields.value),
      data: fields.data },
    unsigned_serialized: unsignedSerialized,
    unsigned_hash: unsignedHash,
    y_parity: tx.signature.yParity,
    raw: tx.serialized,
    hash: tx.hash,
  };
});

const keys = Object.fromEntries(Object.entries({ seeder, leecher0: leechers[0], leecher1: leechers[1], passSigner, sender, funder })
  .map(([k, w]) => [k, { private_key: w.privateKey, address: w.address }]));

process.stdout.write(JSON.stringify({
  generator: "tests/interop/ethers/chain_vectors.mjs",
  domain: { chainId: dec(domain.chainId), verifyingContract: POOL },
  keys,
  selectors,
  settle,
  fund,
  calls,
  returns: { bounty: bountyReturns, uint256: uintReturn, address: addressReturn },
  logs,
  revert,
  rlp,
  transactions,
}, null, 2) + "\n");
