// Gas per settled item (docs/benchmarks.md). Not part of `hardhat test` (it lives outside test/):
//   node scripts/hardhat-offline.js test bench/gas.bench.js
// Each case settles the first 1, then (from the same starting state) the first 11 items of one
// 64-receipt claim (Merkle proofs of 6 hashes each), on Hardhat's in-process chain (EDR, cancun),
// and reports the marginal gas per item (g11 - g1) / 10 and the gas of the 1-item transaction.
// Every item has its own leecher (a new key), channel and receipt.
const { ethers } = require("hardhat");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("../test/helpers");

const IH = "0x0123456789abcdef0123456789abcdef01234567";
const RATE = 10n ** 18n;
const N = 64;
const rows = [];

function wallet(i, salt) {
  return new ethers.Wallet(ethers.keccak256(ethers.toUtf8Bytes(`seedd gas ${salt} ${i}`)), ethers.provider);
}

async function base() {
  const [, funder, seeder, passSigner] = await ethers.getSigners();
  const token = await ethers.deployContract("TestToken");
  const pool = await ethers.deployContract("RewardPool", [await token.getAddress()]);
  await token.mint(funder.address, 10n ** 30n);
  await token.connect(funder).approve(await pool.getAddress(), ethers.MaxUint256);
  const exp = BigInt(await time.latest()) + 86400n;
  await pool.connect(funder).fund(IH, 10n ** 29n, RATE, 0n, ethers.ZeroAddress, exp); // 1: open
  await pool.connect(funder).fund(IH, 10n ** 29n, RATE, 1n << 40n, ethers.ZeroAddress, exp); // 2: capped
  await pool.connect(funder).fund(IH, 10n ** 29n, RATE, 0n, passSigner.address, exp); // 3: passes
  const domain = await h.domainOf(pool);
  return { funder, seeder, passSigner, token, pool, domain };
}

async function claimOf(f, { bountyId, bytes, nonce, pass, channelBase = 1 }) {
  const entries = [];
  for (let i = 0; i < N; i++) {
    const leecher = wallet(i, "leecher");
    const msg = h.receipt(IH, f.seeder.address, leecher.address, BigInt(i + channelBase), bytes, 1795305600n + BigInt(nonce));
    const e = { msg, sig: await h.signReceipt(leecher, f.domain, msg), bountyId, rate: RATE };
    if (pass) {
      e.passExp = 1795400000n;
      e.passSig = await h.signPass(f.passSigner, f.domain, IH, leecher.address, e.passExp);
    }
    entries.push(e);
  }
  return h.makeClaim(f.seeder, f.domain, entries, { nonce });
}

const fixtures = {
  open: async () => ({ ...(await base()), bountyId: 1n }),
  capped: async () => ({ ...(await base()), bountyId: 2n }),
  pass: async () => ({ ...(await base()), bountyId: 3n, pass: true }),
  openExisting: async () => {
    const f = { ...(await base()), bountyId: 1n };
    await h.settle(f.pool, await claimOf(f, { bountyId: 1n, bytes: 100n << 20n, nonce: 1 }));
    return f;
  },
  cappedExisting: async () => {
    const f = { ...(await base()), bountyId: 2n };
    await h.settle(f.pool, await claimOf(f, { bountyId: 2n, bytes: 100n << 20n, nonce: 1 }));
    return f;
  },
  passExisting: async () => {
    const f = { ...(await base()), bountyId: 3n, pass: true };
    await h.settle(f.pool, await claimOf(f, { bountyId: 3n, bytes: 100n << 20n, nonce: 1, pass: true }));
    return f;
  },
};

async function measure(label, fixture, channelBase = 1) {
  const gas = {};
  for (const k of [1, 11]) {
    const f = await loadFixture(fixture);
    const c = await claimOf(f, { bountyId: f.bountyId, bytes: 300n << 20n, nonce: 2, pass: f.pass, channelBase });
    const r = await h.settle(f.pool, c, c.items.slice(0, k));
    if (r.skipped.length) throw new Error(`${label}: items skipped ${JSON.stringify(r.skipped)}`);
    gas[k] = r.rcpt.gasUsed;
  }
  rows.push({ case: label, "1 item (tx)": Number(gas[1]), "11 items (tx)": Number(gas[11]), "per item": Number((gas[11] - gas[1]) / 10n) });
}

describe("gas per settled item", function () {
  this.timeout(600000);
  it("new channel, open bounty", () => measure("new channel, open bounty (no cap, no pass)", fixtures.open));
  it("new channel, capped bounty", () => measure("new channel, new leecher, capped bounty", fixtures.capped));
  it("new channel, pass", () => measure("new channel, bounty with passSigner", fixtures.pass));
  it("existing channel, open bounty", () => measure("existing channel, open bounty", fixtures.openExisting));
  it("existing channel, capped bounty", () => measure("existing channel and leecher, capped bounty", fixtures.cappedExisting));
  it("new channel, known leecher, capped bounty", () => measure("new channel, known leecher, capped bounty", fixtures.cappedExisting, 1000));
  it("existing channel, pass", () => measure("existing channel, bounty with passSigner", fixtures.passExisting));
  after(() => {
    console.table(rows);
    console.log("GAS_JSON " + JSON.stringify(rows));
  });
});
