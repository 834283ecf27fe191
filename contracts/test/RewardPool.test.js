// RewardPool (PROTOCOL.md 8-9): every item rule and reason code, bounties, passes, re-entrancy.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { loadFixture, time } = require("@nomicfoundation/hardhat-network-helpers");
const h = require("./helpers");
const { REASON, GiB, MiB } = h;

const IH = "0x0123456789abcdef0123456789abcdef01234567";
const IH2 = "0xc9e15763f722f23e98a29decdfae341b98d53056";
const RATE = 10n ** 18n; // 1 token (18 decimals) per GiB
const FUNDS = 1000n * 10n ** 18n;
const TS = 1795305600n; // receipts' timestamps (2026-11-22)

async function deployPool(tokenName = "TestToken") {
  const token = await ethers.deployContract(tokenName);
  const pool = await ethers.deployContract("RewardPool", [await token.getAddress()]);
  return { token, pool };
}

async function poolFixture() {
  const [deployer, funder, seeder, leecher, leecher2, payout, passSigner, other] = await ethers.getSigners();
  const { token, pool } = await deployPool();
  await token.mint(funder.address, 10n * FUNDS);
  await token.connect(funder).approve(await pool.getAddress(), ethers.MaxUint256);
  const now = BigInt(await time.latest());
  const expiresAt = now + 30n * 86400n; // receipts at TS (before now) count until then
  const domain = await h.domainOf(pool);
  return { deployer, funder, seeder, leecher, leecher2, payout, passSigner, other, token, pool, now, expiresAt, domain };
}

async function fund(f, { infohash = IH, amount = FUNDS, rate = RATE, cap = 0n, passSigner = ethers.ZeroAddress, expiresAt } = {}) {
  const tx = await f.pool.connect(f.funder).fund(infohash, amount, rate, cap, passSigner, expiresAt ?? f.expiresAt);
  const rcpt = await tx.wait();
  const ev = rcpt.logs.map((l) => f.pool.interface.parseLog(l)).find((e) => e && e.name === "BountyFunded");
  return ev.args.bountyId;
}

/** A signed receipt entry for makeClaim. */
async function entry(f, { leecher = f.leecher, seeder = f.seeder, infohash = IH, channel = 7n, bytes = 100n * MiB, ts = TS, bountyId = 1n, domain = f.domain, signer } = {}) {
  const msg = h.receipt(infohash, seeder.address ?? seeder, leecher.address ?? leecher, channel, bytes, ts);
  const sig = await h.signReceipt(signer ?? leecher, domain, msg);
  return { msg, sig, bountyId, rate: RATE };
}

describe("RewardPool", function () {
  describe("ABI (PROTOCOL.md 8, as written there)", function () {
    it("has section 8's functions, events and struct layouts", async function () {
      const { interface: i } = await ethers.getContractFactory("RewardPool");
      const R = "(bytes20,address,address,uint64,uint64,uint64)";
      const C = "(address,address,bytes32,uint64,uint64,uint256,uint64,uint64)";
      const fns = {
        "token()": "address",
        "fund(bytes20,uint256,uint256,uint64,address,uint64)": "uint256",
        "topUp(uint256,uint256)": "",
        "withdraw(uint256)": "",
        "bounty(uint256)": "address,bytes20,uint256,uint256,uint64,address,uint64",
        [`settle(${C},bytes,(${R},bytes,bytes32[],uint256,uint64,bytes)[])`]: "uint256",
      };
      for (const [sig, outs] of Object.entries(fns)) {
        const f = i.getFunction(sig);
        expect(f, sig).to.not.equal(null);
        expect(f.outputs.map((o) => o.type).join(","), sig).to.equal(outs);
      }
      expect(i.getFunction("settle").selector).to.equal("0xe0673543");
      const bountyOut = i.getFunction("bounty").outputs.map((o) => o.name);
      expect(bountyOut).to.deep.equal(["funder", "infohash", "balance", "ratePerGiB", "maxBytesPerLeecher", "passSigner", "expiresAt"]);
      const events = {
        BountyFunded: ["uint256 indexed bountyId", "bytes20 indexed infohash", "address indexed funder", "uint256 amount", "uint256 ratePerGiB", "uint64 maxBytesPerLeecher", "address passSigner", "uint64 expiresAt"],
        Settled: ["address indexed claimant", "uint64 indexed nonce", "address payout", "uint256 paid", "uint64 bytesPaid", "uint32 itemsPaid", "uint32 itemsSkipped"],
        ItemSkipped: ["address indexed claimant", "uint64 indexed nonce", "uint32 index", "uint8 reason"],
      };
      for (const [name, params] of Object.entries(events)) {
        const e = i.getEvent(name);
        expect(e.inputs.map((p) => `${p.type}${p.indexed ? " indexed" : ""} ${p.name}`), name).to.deep.equal(params);
      }
      expect(i.getEvent("Settled").topicHash).to.equal(ethers.id("Settled(address,uint64,address,uint256,uint64,uint32,uint32)"));
    });
  });

  describe("deployment and bounties", function () {
    it("reports its token and its EIP-712 domain", async function () {
      const f = await loadFixture(poolFixture);
      expect(await f.pool.token()).to.equal(await f.token.getAddress());
      const d = await f.pool.eip712Domain();
      expect(d.name).to.equal("seedd");
      expect(d.version).to.equal("1");
      expect(d.chainId).to.equal(31337n);
      expect(d.verifyingContract).to.equal(await f.pool.getAddress());
      expect(await f.pool.domainSeparator()).to.equal(ethers.TypedDataEncoder.hashDomain(f.domain));
    });

    it("refuses the zero token", async function () {
      const factory = await ethers.getContractFactory("RewardPool");
      await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "ZeroToken");
    });

    it("fund takes the amount with transferFrom, emits BountyFunded and bounty() reads it back", async function () {
      const f = await loadFixture(poolFixture);
      const poolAddr = await f.pool.getAddress();
      await expect(f.pool.connect(f.funder).fund(IH, FUNDS, RATE, 5n * GiB, f.passSigner.address, f.expiresAt))
        .to.emit(f.pool, "BountyFunded")
        .withArgs(1n, IH, f.funder.address, FUNDS, RATE, 5n * GiB, f.passSigner.address, f.expiresAt)
        .and.to.emit(f.token, "Transfer").withArgs(f.funder.address, poolAddr, FUNDS);
      expect(await f.token.balanceOf(poolAddr)).to.equal(FUNDS);
      const b = await f.pool.bounty(1n);
      expect([b.funder, b.infohash, b.balance, b.ratePerGiB, b.maxBytesPerLeecher, b.passSigner, b.expiresAt]).to.deep.equal([
        f.funder.address, IH, FUNDS, RATE, 5n * GiB, f.passSigner.address, f.expiresAt,
      ]);
      // several bounties may fund one infohash; ids rise
      expect(await fund(f)).to.equal(2n);
      expect(await f.pool.lastBountyId()).to.equal(2n);
    });

    it("fund refuses a zero rate, a past expiry and a missing approval", async function () {
      const f = await loadFixture(poolFixture);
      await expect(f.pool.connect(f.funder).fund(IH, FUNDS, 0n, 0n, ethers.ZeroAddress, f.expiresAt)).to.be.revertedWithCustomError(f.pool, "ZeroRate");
      await expect(f.pool.connect(f.funder).fund(IH, FUNDS, RATE, 0n, ethers.ZeroAddress, f.now)).to.be.revertedWithCustomError(f.pool, "AlreadyExpired");
      await expect(f.pool.connect(f.other).fund(IH, FUNDS, RATE, 0n, ethers.ZeroAddress, f.expiresAt)).to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance");
    });

    it("topUp adds to a live bounty from anyone, not to an unknown or expired one", async function () {
      const f = await loadFixture(poolFixture);
      const id = await fund(f, { amount: 10n });
      await f.token.mint(f.other.address, 1000n);
      await f.token.connect(f.other).approve(await f.pool.getAddress(), 1000n);
      await expect(f.pool.connect(f.other).topUp(id, 990n)).to.emit(f.pool, "BountyToppedUp").withArgs(id, f.other.address, 990n);
      expect((await f.pool.bounty(id)).balance).to.equal(1000n);
      await expect(f.pool.connect(f.other).topUp(99n, 1n)).to.be.revertedWithCustomError(f.pool, "NoSuchBounty");
      await time.increaseTo(f.expiresAt + 1n);
      await expect(f.pool.connect(f.other).topUp(id, 10n)).to.be.revertedWithCustomError(f.pool, "AlreadyExpired");
    });

    it("withdraw: funder only, only after expiresAt, returns the rest once", async function () {
      const f = await loadFixture(poolFixture);
      const id = await fund(f);
      const e = await entry(f, { bytes: 3n * GiB });
      const c = await h.makeClaim(f.seeder, f.domain, [e], { payout: f.payout.address });
      await h.settle(f.pool, c);
      const rest = FUNDS - 3n * RATE;
      expect((await f.pool.bounty(id)).balance).to.equal(rest);
      await expect(f.pool.connect(f.funder).withdraw(id)).to.be.revertedWithCustomError(f.pool, "NotExpired");
      await time.setNextBlockTimestamp(f.expiresAt); // expiresAt itself still counts as live
      await expect(f.pool.connect(f.funder).withdraw(id)).to.be.revertedWithCustomError(f.pool, "NotExpired");
      await expect(f.pool.connect(f.other).withdraw(id)).to.be.revertedWithCustomError(f.pool, "NotFunder");
      await expect(f.pool.connect(f.funder).withdraw(77n)).to.be.revertedWithCustomError(f.pool, "NoSuchBounty");
      const before = await f.token.balanceOf(f.funder.address);
      await expect(f.pool.connect(f.funder).withdraw(id)).to.emit(f.pool, "BountyWithdrawn").withArgs(id, f.funder.address, rest);
      expect(await f.token.balanceOf(f.funder.address)).to.equal(before + rest);
      expect((await f.pool.bounty(id)).balance).to.equal(0n);
      await f.pool.connect(f.funder).withdraw(id); // nothing left: pays 0
      expect(await f.token.balanceOf(f.funder.address)).to.equal(before + rest);
      expect(await f.token.balanceOf(await f.pool.getAddress())).to.equal(0n);
      // a receipt of the bounty's lifetime settled after the withdrawal finds no balance
      const late = await h.makeClaim(f.seeder, f.domain, [await entry(f, { channel: 8n, bytes: GiB })], { nonce: 2 });
      const r = await h.settle(f.pool, late);
      expect(r.skipped).to.deep.equal([[0, REASON.EXHAUSTED]]);
    });
  });

  describe("settle", function () {
    it("pays floor(delta x rate / 2^30) per item to the payout once, lowers the balance, emits Settled", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const e1 = await entry(f, { channel: 1n, bytes: 1234567n });
      const e2 = await entry(f, { leecher: f.leecher2, channel: 2n, bytes: 3n * GiB + 5n });
      const c = await h.makeClaim(f.seeder, f.domain, [e1, e2], { payout: f.payout.address, nonce: 4 });
      const expected = h.pay(1234567n, RATE) + h.pay(3n * GiB + 5n, RATE);
      expect(await f.pool.settle.staticCall(h.claimTuple(c.claim), c.claimSig, c.items)).to.equal(expected);
      const tx = f.pool.connect(f.other).settle(h.claimTuple(c.claim), c.claimSig, c.items); // anyone may send it
      await expect(tx).to.emit(f.pool, "Settled").withArgs(f.seeder.address, 4n, f.payout.address, expected, 1234567n + 3n * GiB + 5n, 2, 0);
      await expect(tx).to.not.emit(f.pool, "ItemSkipped");
      expect(await f.token.balanceOf(f.payout.address)).to.equal(expected);
      expect((await f.pool.bounty(1n)).balance).to.equal(FUNDS - expected);
      const rcpt = await (await tx).wait();
      const transfers = rcpt.logs.filter((l) => l.address === f.token.target);
      expect(transfers.length).to.equal(1); // one transfer for the whole claim
      const key = await f.pool.channelKey(f.leecher.address, f.seeder.address, IH, 1n);
      expect(key).to.equal(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "address", "bytes20", "uint64"], [f.leecher.address, f.seeder.address, IH, 1n])));
      expect(await f.pool.paidBytes(key)).to.equal(1234567n);
    });

    it("a one-receipt claim (root = the leaf, empty proof) pays", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const c = await h.makeClaim(f.seeder, f.domain, [await entry(f)]);
      expect(c.items[0][2]).to.deep.equal([]);
      expect(c.claim.receiptsRoot).to.equal(c.digests[0]);
      const r = await h.settle(f.pool, c);
      expect(r.paid).to.equal(h.pay(100n * MiB, RATE));
    });

    it("a bad claim signature reverts the whole call", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const c = await h.makeClaim(f.seeder, f.domain, [await entry(f)]);
      const t = h.claimTuple(c.claim);
      // signed by someone else
      const byOther = await f.other.signTypedData(f.domain, h.CLAIM_TYPES, c.claim);
      await expect(f.pool.settle(t, byOther, c.items)).to.be.revertedWithCustomError(f.pool, "BadClaimSignature");
      // a field changed after signing (payout redirected)
      const redirected = [...t];
      redirected[1] = f.other.address;
      await expect(f.pool.settle(redirected, c.claimSig, c.items)).to.be.revertedWithCustomError(f.pool, "BadClaimSignature");
      // high-s, short, wrong v
      await expect(f.pool.settle(t, h.malleate(c.claimSig), c.items)).to.be.revertedWithCustomError(f.pool, "BadClaimSignature");
      await expect(f.pool.settle(t, ethers.dataSlice(c.claimSig, 0, 64), c.items)).to.be.revertedWithCustomError(f.pool, "BadClaimSignature");
      const v0 = ethers.concat([ethers.dataSlice(c.claimSig, 0, 64), "0x00"]);
      await expect(f.pool.settle(t, v0, c.items)).to.be.revertedWithCustomError(f.pool, "BadClaimSignature");
      // signed for another pool
      const otherDomain = { ...f.domain, verifyingContract: f.other.address };
      const foreign = await f.seeder.signTypedData(otherDomain, h.CLAIM_TYPES, c.claim);
      await expect(f.pool.settle(t, foreign, c.items)).to.be.revertedWithCustomError(f.pool, "BadClaimSignature");
      expect(await f.token.balanceOf(f.seeder.address)).to.equal(0n);
    });

    it("reason 1: a receipt whose digest is not in receiptsRoot (bytes raised after the claim, wrong proof)", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const e1 = await entry(f, { channel: 1n });
      const e2 = await entry(f, { channel: 2n, bytes: 5n * MiB });
      const c = await h.makeClaim(f.seeder, f.domain, [e1, e2]);
      // the claim file edited: bytes raised, and the leecher's signature forged to match does not help
      const raised = { ...e1.msg, bytes: e1.msg.bytes + 1n };
      const raisedSig = await h.signReceipt(f.leecher, f.domain, raised);
      const items = [
        h.item(raised, raisedSig, c.items[0][2], 1n),
        h.item(e2.msg, e2.sig, c.items[0][2], 1n), // another receipt's proof
        h.item(e2.msg, e2.sig, [], 1n), // no proof
        c.items[1],
      ];
      const r = await h.settle(f.pool, c, items);
      expect(r.skipped).to.deep.equal([[0, REASON.PROOF], [1, REASON.PROOF], [2, REASON.PROOF]]);
      expect(r.paid).to.equal(h.pay(5n * MiB, RATE));
      expect(r.settled.itemsPaid).to.equal(1n);
      expect(r.settled.itemsSkipped).to.equal(3n);
    });

    it("reason 2: seeder is not the claimant, leecher is the seeder, channel 0", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const notMine = await entry(f, { seeder: f.other, channel: 1n });
      const self = await entry(f, { leecher: f.seeder, channel: 2n });
      const ch0 = await entry(f, { channel: 0n });
      const good = await entry(f, { channel: 3n });
      const c = await h.makeClaim(f.seeder, f.domain, [notMine, self, ch0, good]);
      const r = await h.settle(f.pool, c);
      expect(r.skipped).to.deep.equal([[0, REASON.PARTIES], [1, REASON.PARTIES], [2, REASON.PARTIES]]);
      expect(r.paid).to.equal(h.pay(100n * MiB, RATE));
    });

    it("reason 3: a signature by another key, high-s, wrong v, wrong length", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const wrongKey = await entry(f, { channel: 1n, signer: f.leecher2 });
      const hs = await entry(f, { channel: 2n });
      const highS = h.malleate(hs.sig);
      // plain ecrecover accepts the malleated signature: only the low-s rule rejects it
      // (the ecrecover precompile, address 1: hash, v, r, s)
      const input = ethers.concat([h.receiptDigest(f.domain, hs.msg), ethers.zeroPadValue(ethers.dataSlice(highS, 64), 32), ethers.dataSlice(highS, 0, 64)]);
      const rec = await ethers.provider.call({ to: "0x0000000000000000000000000000000000000001", data: input });
      expect(ethers.getAddress(ethers.dataSlice(rec, 12))).to.equal(f.leecher.address);
      const badV = await entry(f, { channel: 3n });
      const badLen = await entry(f, { channel: 4n });
      const empty = await entry(f, { channel: 5n });
      const c = await h.makeClaim(f.seeder, f.domain, [wrongKey, hs, badV, badLen, empty]);
      const items = [...c.items];
      items[1] = h.item(hs.msg, highS, items[1][2], 1n);
      items[2] = h.item(badV.msg, ethers.concat([ethers.dataSlice(badV.sig, 0, 64), "0x01"]), items[2][2], 1n);
      items[3] = h.item(badLen.msg, ethers.concat([badLen.sig, "0x00"]), items[3][2], 1n);
      items[4] = h.item(empty.msg, "0x", items[4][2], 1n);
      const r = await h.settle(f.pool, c, items);
      expect(r.skipped).to.deep.equal([[0, 3], [1, 3], [2, 3], [3, 3], [4, 3]]);
      expect(r.paid).to.equal(0n);
      // the low-s original of the high-s one pays
      const again = await h.settle(f.pool, c, [c.items[1]]);
      expect(again.paid).to.equal(h.pay(100n * MiB, RATE));
    });

    it("reason 4: unknown bounty, a bounty of another infohash, a receipt after expiresAt", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f); // 1: IH
      await fund(f, { infohash: IH2 }); // 2: IH2
      await fund(f, { expiresAt: BigInt(await time.latest()) + 1000n }); // 3: IH, expires soon
      const exp3 = (await f.pool.bounty(3n)).expiresAt;
      const unknown = await entry(f, { channel: 1n, bountyId: 9n });
      const zero = await entry(f, { channel: 2n, bountyId: 0n });
      const otherIh = await entry(f, { channel: 3n, bountyId: 2n });
      const late = await entry(f, { channel: 4n, bountyId: 3n, ts: exp3 + 1n });
      const atExpiry = await entry(f, { channel: 5n, bountyId: 3n, ts: exp3 });
      const c = await h.makeClaim(f.seeder, f.domain, [unknown, zero, otherIh, late, atExpiry]);
      const r = await h.settle(f.pool, c);
      expect(r.skipped).to.deep.equal([[0, 4], [1, 4], [2, 4], [3, 4]]);
      expect(r.paid).to.equal(h.pay(100n * MiB, RATE));
    });

    it("reason 6: a claim sent twice pays once; an older receipt of a paid channel pays nothing", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const e1 = await entry(f, { channel: 1n, bytes: 10n * MiB });
      const e2 = await entry(f, { channel: 2n, bytes: 20n * MiB });
      const c = await h.makeClaim(f.seeder, f.domain, [e1, e2], { payout: f.payout.address });
      const first = await h.settle(f.pool, c);
      expect(first.paid).to.equal(h.pay(30n * MiB, RATE));
      const second = await h.settle(f.pool, c, undefined, f.other);
      expect(second.paid).to.equal(0n);
      expect(second.skipped).to.deep.equal([[0, 6], [1, 6]]);
      expect(second.settled.itemsPaid).to.equal(0n);
      expect(await f.token.balanceOf(f.payout.address)).to.equal(first.paid);
      // the same channel's earlier receipt (lower bytes) in a later claim
      const older = await entry(f, { channel: 1n, bytes: 9n * MiB, ts: TS - 10n });
      const c2 = await h.makeClaim(f.seeder, f.domain, [older], { nonce: 2 });
      expect((await h.settle(f.pool, c2)).skipped).to.deep.equal([[0, 6]]);
    });

    it("a channel's later receipt pays only the new bytes, across claims and across bounties", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f); // 1
      await fund(f, { rate: 2n * RATE }); // 2: same infohash, better rate
      const a = await entry(f, { channel: 1n, bytes: 10n * MiB });
      const c1 = await h.makeClaim(f.seeder, f.domain, [a]);
      expect((await h.settle(f.pool, c1)).paid).to.equal(h.pay(10n * MiB, RATE));
      const b = await entry(f, { channel: 1n, bytes: 25n * MiB, ts: TS + 60n, bountyId: 2n });
      const c2 = await h.makeClaim(f.seeder, f.domain, [b], { nonce: 2 });
      expect((await h.settle(f.pool, c2)).paid).to.equal(h.pay(15n * MiB, 2n * RATE));
      // the first claim's receipt against the other bounty: already paid
      const c3 = await h.makeClaim(f.seeder, f.domain, [{ ...a, bountyId: 2n }], { nonce: 3 });
      expect((await h.settle(f.pool, c3)).skipped).to.deep.equal([[0, 6]]);
    });

    it("a claim split over several transactions pays the same as one", async function () {
      const build = async (f) => {
        await fund(f);
        await fund(f, { infohash: IH2, rate: 3n * RATE, cap: 40n * MiB });
        const es = [];
        for (let i = 0; i < 6; i++) {
          const leecher = i % 2 ? f.leecher : f.leecher2;
          const infohash = i % 3 ? IH : IH2;
          es.push(await entry(f, { leecher, infohash, channel: BigInt(100 + i), bytes: BigInt(7 + i) * MiB + BigInt(i), bountyId: infohash === IH ? 1n : 2n }));
        }
        return h.makeClaim(f.seeder, f.domain, es, { payout: f.payout.address });
      };
      let f = await loadFixture(poolFixture);
      let c = await build(f);
      const whole = await h.settle(f.pool, c);
      const wholeBal = [await f.token.balanceOf(f.payout.address), (await f.pool.bounty(1n)).balance, (await f.pool.bounty(2n)).balance];
      f = await loadFixture(poolFixture);
      c = await build(f);
      const parts = [[c.items[4]], [c.items[0], c.items[5]], [c.items[1], c.items[2], c.items[3]]];
      let sum = 0n;
      for (const p of parts) sum += (await h.settle(f.pool, c, p)).paid;
      const partsBal = [await f.token.balanceOf(f.payout.address), (await f.pool.bounty(1n)).balance, (await f.pool.bounty(2n)).balance];
      expect(sum).to.equal(whole.paid);
      expect(partsBal).to.deep.equal(wholeBal);
      expect(whole.paid).to.be.greaterThan(0n);
      // and the whole claim after its parts pays nothing more
      expect((await h.settle(f.pool, c)).paid).to.equal(0n);
    });

    it("reason 7: the per-leecher cap counts over channels and claims, per bounty", async function () {
      const f = await loadFixture(poolFixture);
      const cap = 50n * MiB;
      await fund(f, { cap }); // 1
      await fund(f); // 2: no cap
      const a = await entry(f, { channel: 1n, bytes: 30n * MiB });
      const b = await entry(f, { channel: 2n, bytes: 30n * MiB }); // cut to 20 MiB
      const other = await entry(f, { leecher: f.leecher2, channel: 3n, bytes: 30n * MiB }); // its own cap
      const c1 = await h.makeClaim(f.seeder, f.domain, [a, b, other]);
      const r1 = await h.settle(f.pool, c1);
      expect(r1.skipped).to.deep.equal([]);
      expect(r1.paid).to.equal(h.pay(30n * MiB, RATE) + h.pay(20n * MiB, RATE) + h.pay(30n * MiB, RATE));
      expect(r1.settled.bytesPaid).to.equal(80n * MiB);
      expect(await f.pool.leecherPaidBytes(1n, f.leecher.address)).to.equal(cap);
      // channel 2 holds 10 MiB unpaid: the capped bounty skips it, the uncapped one pays it
      const more = await entry(f, { channel: 4n, bytes: MiB });
      const c2 = await h.makeClaim(f.seeder, f.domain, [more, b], { nonce: 2 });
      const r2 = await h.settle(f.pool, c2);
      expect(r2.skipped).to.deep.equal([[0, 7], [1, 7]]);
      const c3 = await h.makeClaim(f.seeder, f.domain, [{ ...b, bountyId: 2n }], { nonce: 3 });
      expect((await h.settle(f.pool, c3)).paid).to.equal(h.pay(10n * MiB, RATE));
      expect(await f.pool.leecherPaidBytes(2n, f.leecher.address)).to.equal(0n); // uncapped: not counted
    });

    it("reason 7: an exhausted balance cuts delta to what it pays for, then skips", async function () {
      const f = await loadFixture(poolFixture);
      const small = h.pay(15n * MiB, RATE) + 7n; // 15 MiB and a bit
      await fund(f, { amount: small });
      const a = await entry(f, { channel: 1n, bytes: 10n * MiB });
      const b = await entry(f, { channel: 2n, bytes: 10n * MiB }); // only ~5 MiB left
      const c = await entry(f, { channel: 3n, bytes: 10n * MiB });
      const cl = await h.makeClaim(f.seeder, f.domain, [a, b, c], { payout: f.payout.address });
      const r = await h.settle(f.pool, cl);
      const cutBytes = ((small - h.pay(10n * MiB, RATE)) * GiB) / RATE;
      expect(r.paid).to.equal(h.pay(10n * MiB, RATE) + h.pay(cutBytes, RATE));
      expect(r.paid).to.be.lessThanOrEqual(small);
      expect(r.skipped).to.deep.equal([[2, 7]]);
      expect(r.settled.bytesPaid).to.equal(10n * MiB + cutBytes);
      const key = await f.pool.channelKey(f.leecher.address, f.seeder.address, IH, 2n);
      expect(await f.pool.paidBytes(key)).to.equal(cutBytes); // the rest stays claimable
      expect((await f.pool.bounty(1n)).balance).to.equal(small - r.paid);
      // a top-up pays the rest of channel 2 and channel 3
      await f.pool.connect(f.funder).topUp(1n, FUNDS);
      const r2 = await h.settle(f.pool, cl, [cl.items[1], cl.items[2]]);
      expect(r2.settled.bytesPaid).to.equal(20n * MiB - cutBytes);
    });

    it("stops at the first failed rule, in the order of section 8", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f, { passSigner: f.passSigner.address });
      // bad proof and bad signature and no pass: 1
      const e = await entry(f, { channel: 1n, signer: f.other, bountyId: 9n });
      const c = await h.makeClaim(f.seeder, f.domain, [e]);
      const r = await h.settle(f.pool, c, [h.item(e.msg, e.sig, [ethers.ZeroHash], 9n)]);
      expect(r.skipped).to.deep.equal([[0, 1]]);
      // parties and signature: 2
      const e2 = await entry(f, { leecher: f.seeder, channel: 2n, signer: f.other });
      expect((await h.settle(f.pool, await h.makeClaim(f.seeder, f.domain, [e2]))).skipped).to.deep.equal([[0, 2]]);
      // signature and bounty: 3
      expect((await h.settle(f.pool, c)).skipped).to.deep.equal([[0, 3]]);
      // bounty and pass: 4
      const e4 = await entry(f, { channel: 4n, bountyId: 9n });
      expect((await h.settle(f.pool, await h.makeClaim(f.seeder, f.domain, [e4]))).skipped).to.deep.equal([[0, 4]]);
    });

    it("receipts signed for another pool: reason 3 in a claim for this pool, reason 1 in a claim of the other's digests", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const { pool: otherPool } = await deployPool();
      const otherDomain = await h.domainOf(otherPool);
      const foreign = await entry(f, { channel: 1n, domain: otherDomain });
      // The seeder puts it in a claim for this pool: this pool's digest is in the root, the
      // leecher's signature (made in the other domain) does not recover the leecher here.
      const c = await h.makeClaim(f.seeder, f.domain, [foreign]);
      expect((await h.settle(f.pool, c)).skipped).to.deep.equal([[0, REASON.SIGNATURE]]);
      // A root of the other domain's digests (claim signed for this pool): no proof holds.
      const c2 = await h.makeClaim(f.seeder, f.domain, [foreign], { digestDomain: otherDomain, nonce: 2 });
      expect((await h.settle(f.pool, c2)).skipped).to.deep.equal([[0, REASON.PROOF]]);
    });

    it("receipts signed for another chain: the same, reason 3 or 1", async function () {
      const f = await loadFixture(poolFixture);
      await fund(f);
      const mainnet = { ...f.domain, chainId: 1n };
      const foreign = await entry(f, { channel: 1n, domain: mainnet });
      expect((await h.settle(f.pool, await h.makeClaim(f.seeder, f.domain, [foreign]))).skipped).to.deep.equal([[0, 3]]);
      expect((await h.settle(f.pool, await h.makeClaim(f.seeder, f.domain, [foreign], { digestDomain: mainnet }))).skipped).to.deep.equal([[0, 1]]);
      // the whole claim signed on another chain's domain reverts
      const wholly = await h.makeClaim(f.seeder, mainnet, [foreign]);
      await expect(f.pool.settle(h.claimTuple(wholly.claim), wholly.claimSig, wholly.items)).to.be.revertedWithCustomError(f.pool, "BadClaimSignature");
    });
  });

  describe("passes (section 9)", function () {
    async function passFixture() {
      const f = await poolFixture();
      await fund(f, { passSigner: f.passSigner.address }); // 1
      f.passExp = TS + 3600n;
      return f;
    }

    async function passed(f, e, { signer = f.passSigner, leecher = f.leecher.address, exp = f.passExp, infohash = IH, domain = f.domain } = {}) {
      return { ...e, passExp: exp, passSig: await h.signPass(signer, domain, infohash, leecher, exp) };
    }

    it("a valid pass pays; required and missing, wrong key, expired, another leecher's or torrent's: reason 5", async function () {
      const f = await loadFixture(passFixture);
      const ok = await passed(f, await entry(f, { channel: 1n }));
      const missing = await entry(f, { channel: 2n });
      const wrongKey = await passed(f, await entry(f, { channel: 3n }), { signer: f.other });
      const expired = await passed(f, await entry(f, { channel: 4n, ts: TS + 3601n }));
      const othersPass = await passed(f, await entry(f, { channel: 5n }), { leecher: f.leecher2.address });
      const otherTorrent = await passed(f, await entry(f, { channel: 6n }), { infohash: IH2 });
      const otherPool = await passed(f, await entry(f, { channel: 7n }), { domain: { ...f.domain, verifyingContract: f.other.address } });
      const expLied = { ...(await passed(f, await entry(f, { channel: 8n, ts: TS + 4000n }))), passExp: TS + 5000n }; // exp raised after signing
      const atExp = await passed(f, await entry(f, { channel: 9n, ts: TS + 3600n }));
      const highS = await passed(f, await entry(f, { channel: 10n }));
      highS.passSig = h.malleate(highS.passSig);
      const c = await h.makeClaim(f.seeder, f.domain, [ok, missing, wrongKey, expired, othersPass, otherTorrent, otherPool, expLied, atExp, highS]);
      const r = await h.settle(f.pool, c);
      expect(r.skipped).to.deep.equal([[1, 5], [2, 5], [3, 5], [4, 5], [5, 5], [6, 5], [7, 5], [9, 5]]);
      expect(r.paid).to.equal(2n * h.pay(100n * MiB, RATE));
    });

    it("an open bounty (passSigner 0) ignores passes, even bad ones", async function () {
      const f = await loadFixture(passFixture);
      await fund(f); // 2: open
      const e = await entry(f, { channel: 1n, bountyId: 2n });
      const withJunk = { ...e, passExp: 1n, passSig: "0x1234" };
      const r = await h.settle(f.pool, await h.makeClaim(f.seeder, f.domain, [withJunk]));
      expect(r.skipped).to.deep.equal([]);
      expect(r.paid).to.equal(h.pay(100n * MiB, RATE));
    });
  });

  describe("re-entrancy", function () {
    async function reentrantFixture() {
      const [, funder, seeder, leecher, , payout] = await ethers.getSigners();
      const { token, pool } = await deployPool("ReentrantToken");
      await token.mint(funder.address, FUNDS);
      await token.connect(funder).approve(await pool.getAddress(), ethers.MaxUint256);
      const now = BigInt(await time.latest());
      const f = { funder, seeder, leecher, payout, token, pool, now, expiresAt: now + 86400n, domain: await h.domainOf(pool) };
      f.leecher2 = leecher;
      await fund(f);
      return f;
    }

    it("a token that calls settle again from its transfer is stopped by the guard; the claim pays once", async function () {
      const f = await loadFixture(reentrantFixture);
      const c = await h.makeClaim(f.seeder, f.domain, [await entry(f, { channel: 1n })], { payout: f.payout.address });
      const data = f.pool.interface.encodeFunctionData("settle", [h.claimTuple(c.claim), c.claimSig, c.items]);
      await f.token.arm(await f.pool.getAddress(), data);
      const r = await h.settle(f.pool, c);
      expect(await f.token.reentryAttempted()).to.equal(true);
      expect(await f.token.reentrySucceeded()).to.equal(false);
      const err = await f.token.reentryError();
      expect(err).to.equal(f.pool.interface.getError("ReentrancyGuardReentrantCall").selector);
      expect(r.paid).to.equal(h.pay(100n * MiB, RATE));
      expect(await f.token.balanceOf(f.payout.address)).to.equal(r.paid);
      expect((await f.pool.bounty(1n)).balance).to.equal(FUNDS - r.paid);
    });

    it("a token that calls withdraw from settle's transfer is stopped too", async function () {
      const f = await loadFixture(reentrantFixture);
      const c = await h.makeClaim(f.seeder, f.domain, [await entry(f, { channel: 2n })], { payout: f.payout.address });
      await f.token.arm(await f.pool.getAddress(), f.pool.interface.encodeFunctionData("withdraw", [1n]));
      await h.settle(f.pool, c);
      expect(await f.token.reentrySucceeded()).to.equal(false);
      expect(await f.token.reentryError()).to.equal(f.pool.interface.getError("ReentrancyGuardReentrantCall").selector);
    });
  });
});
