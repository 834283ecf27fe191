// the protocol's vectors (tests/vectors/eip712.json, made with ethers.js and OpenZeppelin's
// merkle-tree) against the contract itself. Their domain's verifyingContract, 0x5FbDB231…0aa3, is
// the address of the first contract that Hardhat's first account deploys on a fresh chain
// 31337: the test resets the chain and deploys the real RewardPool there, so the digests below
// are the ones the pool computes in its own domain, and the vector claim is settled for real.
const fs = require("fs");
const path = require("path");
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { reset, time } = require("@nomicfoundation/hardhat-network-helpers");
const { SimpleMerkleTree } = require("@openzeppelin/merkle-tree");
const h = require("./helpers");

function findVectors() {
  const candidates = [
    process.env.SEEDD_VECTORS,
    path.join(__dirname, "..", "..", "tests", "vectors", "eip712.json"), // <repo>/tests/vectors
  ].filter(Boolean);
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(`tests/vectors/eip712.json not found (tried ${candidates.join(", ")}; set SEEDD_VECTORS)`);
}

const V = JSON.parse(fs.readFileSync(findVectors(), "utf8"));
const asReceipt = (m) => h.receipt(m.infohash, m.seeder, m.leecher, m.channel, m.bytes, m.timestamp);
const asTuple = (m) => [m.infohash, m.seeder, m.leecher, BigInt(m.channel), BigInt(m.bytes), BigInt(m.timestamp)];

describe("the protocol's vectors (tests/vectors/eip712.json)", function () {
  let pool, token, deployer;

  before(async function () {
    await reset(); // a fresh chain 31337: account 0 at nonce 0
    [deployer] = await ethers.getSigners();
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(0);
    const tokenAddr = ethers.getCreateAddress({ from: deployer.address, nonce: 1 });
    pool = await ethers.deployContract("RewardPool", [tokenAddr]); // nonce 0
    token = await ethers.deployContract("TestToken"); // nonce 1
    expect(await token.getAddress()).to.equal(tokenAddr);
  });

  it("the pool sits at the vectors' verifyingContract on their chain", async function () {
    expect(await pool.getAddress()).to.equal(V.domain.verifyingContract);
    const d = await pool.eip712Domain();
    expect([d.name, d.version, d.chainId, d.verifyingContract]).to.deep.equal([
      V.domain.name, V.domain.version, BigInt(V.domain.chainId), V.domain.verifyingContract,
    ]);
  });

  it("type hashes and domain separator", async function () {
    expect(await pool.RECEIPT_TYPEHASH()).to.equal(V.type_hashes.Receipt);
    expect(await pool.CLAIM_TYPEHASH()).to.equal(V.type_hashes.Claim);
    expect(ethers.keccak256(ethers.toUtf8Bytes(V.type_strings.Receipt))).to.equal(V.type_hashes.Receipt);
    expect(await pool.domainSeparator()).to.equal(V.domain_separator);
  });

  it("the contract's digest of every vector receipt and of the claim equals the vector's", async function () {
    for (const r of V.receipts) {
      expect(await pool.receiptDigest(asTuple(r.message))).to.equal(r.digest);
      // and the test's own types (helpers.js) agree with ethers' vectors
      expect(h.receiptDigest(V.domain, asReceipt(r.message))).to.equal(r.digest);
    }
    const m = V.claim.message;
    const claim = [m.claimant, m.payout, m.receiptsRoot, BigInt(m.receiptCount), BigInt(m.totalBytes), BigInt(m.amount), BigInt(m.nonce), BigInt(m.createdAt)];
    expect(await pool.claimDigest(claim)).to.equal(V.claim.digest);
  });

  it("the vectors' Merkle root is OpenZeppelin's, and the pool settles the vector claim by it", async function () {
    const tree = SimpleMerkleTree.of(V.merkle.leaves);
    expect(tree.root).to.equal(V.merkle.root);
    expect(V.claim.message.receiptsRoot).to.equal(V.merkle.root);
    expect(tree.getProof(V.merkle.leaves[0])).to.deep.equal(V.merkle.proof_of_leaf_0);

    // Bounties for the vectors' two infohashes; the second can pay 5 tokens only.
    const RATE = 10n ** 18n;
    const [, funder] = await ethers.getSigners();
    await token.mint(funder.address, 10n ** 24n);
    await token.connect(funder).approve(await pool.getAddress(), ethers.MaxUint256);
    const exp = BigInt(await time.latest()) + 86400n;
    const ih0 = V.receipts[0].message.infohash;
    const ih2 = V.receipts[2].message.infohash;
    await pool.connect(funder).fund(ih0, 10n ** 21n, RATE, 0n, ethers.ZeroAddress, exp); // 1
    await pool.connect(funder).fund(ih2, 5n * RATE, RATE, 0n, ethers.ZeroAddress, exp); // 2
    expect(BigInt(V.receipts[0].message.timestamp)).to.be.lessThanOrEqual(exp);

    const c = { claim: { ...V.claim.message }, claimSig: V.claim.signature };
    for (const k of ["receiptCount", "totalBytes", "amount", "nonce", "createdAt"]) c.claim[k] = BigInt(c.claim[k]);
    const proof = (r) => tree.getProof(r.digest);
    const bad = V.invalid_receipts;
    const items = [
      h.item(asReceipt(bad[0].message), bad[0].signature, proof(V.receipts[0]), 1n), // high-s: 3
      h.item(asReceipt(bad[1].message), bad[1].signature, proof(V.receipts[1]), 1n), // bytes+1: 1
      h.item(asReceipt(V.receipts[0].message), V.receipts[0].signature, proof(V.receipts[0]), 1n),
      h.item(asReceipt(V.receipts[1].message), V.receipts[1].signature, proof(V.receipts[1]), 1n),
      h.item(asReceipt(V.receipts[2].message), V.receipts[2].signature, proof(V.receipts[2]), 2n),
    ];
    const r = await h.settle(pool, c, items);
    expect(r.skipped).to.deep.equal([[0, h.REASON.SIGNATURE], [1, h.REASON.PROOF]]);
    const MiB = h.MiB;
    const expected = h.pay(MiB, RATE) + h.pay(49n * MiB, RATE) + 5n * RATE;
    expect(r.paid).to.equal(expected);
    expect(r.settled.claimant).to.equal(V.claim.signer);
    expect(r.settled.payout).to.equal(V.claim.message.payout);
    expect(r.settled.bytesPaid).to.equal(50n * MiB + 5n * h.GiB);
    expect(await token.balanceOf(V.claim.message.payout)).to.equal(expected);
    expect((await pool.bounty(2n)).balance).to.equal(0n);
    // sent again: nothing new on the first channel, the second bounty is dry
    const again = await h.settle(pool, c, items.slice(2));
    expect(again.skipped).to.deep.equal([[0, 6], [1, 6], [2, 7]]);
    expect(again.paid).to.equal(0n);
  });
});

// The Pass vectors (tests/vectors/pass.json, made with ethers.js, reproduced byte for byte by
// seedd's C++ in tests/unit/test_passes.cpp) against the pool: its passDigest is the vectors'
// digest, and settle() takes a vector pass of the bounty's passSigner and skips one by another.
describe("the protocol's pass vectors (tests/vectors/pass.json)", function () {
  const P = JSON.parse(fs.readFileSync(path.join(path.dirname(findVectors()), "pass.json"), "utf8"));
  let pool, token;

  before(async function () {
    await reset();
    const [deployer] = await ethers.getSigners();
    const tokenAddr = ethers.getCreateAddress({ from: deployer.address, nonce: 1 });
    pool = await ethers.deployContract("RewardPool", [tokenAddr]);
    token = await ethers.deployContract("TestToken");
    expect(await pool.getAddress()).to.equal(P.domain.verifyingContract);
  });

  it("PASS_TYPEHASH and passDigest equal the vectors'", async function () {
    expect(await pool.PASS_TYPEHASH()).to.equal(P.type_hash);
    for (const p of P.passes) {
      const m = p.message;
      expect(await pool.passDigest(m.infohash, m.leecher, BigInt(m.expiresAt))).to.equal(p.digest);
      expect(ethers.verifyTypedData(P.domain, h.PASS_TYPES, m, p.signature)).to.equal(p.signer);
    }
  });

  it("settle() pays a receipt with the vector pass of the bounty's passSigner, not one by another key", async function () {
    const RATE = 10n ** 18n;
    const [, funder] = await ethers.getSigners();
    await token.mint(funder.address, 10n ** 24n);
    await token.connect(funder).approve(await pool.getAddress(), ethers.MaxUint256);
    const exp = BigInt(await time.latest()) + 86400n;
    const r1 = V.receipts[1];  // leecher key 1, torrent ih0, signed before pass 0 expires
    const good = P.passes[0];  // by key 2
    const other = P.passes[3]; // the same pass, by key 0
    expect(good.message.leecher).to.equal(r1.message.leecher);
    expect(BigInt(r1.message.timestamp)).to.be.lessThanOrEqual(BigInt(good.message.expiresAt));
    await pool.connect(funder).fund(r1.message.infohash, 10n ** 21n, RATE, 0n, good.signer, exp); // 1
    const tree = SimpleMerkleTree.of(V.merkle.leaves);
    const c = { claim: { ...V.claim.message }, claimSig: V.claim.signature };
    for (const k of ["receiptCount", "totalBytes", "amount", "nonce", "createdAt"]) c.claim[k] = BigInt(c.claim[k]);
    const proof = tree.getProof(r1.digest);
    const passExp = BigInt(good.message.expiresAt);
    const r = await h.settle(pool, c, [
      h.item(asReceipt(r1.message), r1.signature, proof, 1n, passExp, other.signature), // wrong signer: 5
      h.item(asReceipt(r1.message), r1.signature, proof, 1n, passExp, good.signature),
    ]);
    expect(r.skipped).to.deep.equal([[0, h.REASON.PASS]]);
    expect(r.paid).to.equal(h.pay(50n * h.MiB, RATE));
  });
});
