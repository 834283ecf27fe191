// An independent check of seedd's settlements on a chain (issue 13, end-to-end test), written
// with ethers.js only: nothing of seedd's code judges seedd here.
//   node settlement_check.mjs fund  INPUT.json   mint test tokens and send ETH from the node's
//                                                first unlocked account
//   node settlement_check.mjs send  INPUT.json   send {to, data} (rewards.settle send:false) from
//                                                an unlocked account, print the Settled event
//   node settlement_check.mjs check INPUT.json   recompute payouts from the claim files and compare
//                                                with token balances, the bounty and Settled logs
//   node settlement_check.mjs balances INPUT.json  token balances of `addresses` and the state of
//                                                `bountyIds` (balance, rate, passSigner), as read
//                                                from the chain
// INPUT.json and the report (stdout) are JSON; integers are decimal strings.
import fs from "node:fs";
import { ethers } from "ethers";

const POOL_ABI = [
  "function bounty(uint256) view returns (address funder, bytes20 infohash, uint256 balance, uint256 ratePerGiB, uint64 maxBytesPerLeecher, address passSigner, uint64 expiresAt)",
  "event Settled(address indexed claimant, uint64 indexed nonce, address payout, uint256 paid, uint64 bytesPaid, uint32 itemsPaid, uint32 itemsSkipped)",
  "event ItemSkipped(address indexed claimant, uint64 indexed nonce, uint32 index, uint8 reason)",
];
const TOKEN_ABI = [
  "function mint(address to, uint256 amount)",
  "function balanceOf(address) view returns (uint256)",
];

const [mode, inputPath] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(inputPath, "utf8"));
const provider = new ethers.JsonRpcProvider(input.rpc, undefined, { staticNetwork: true, polling: true, pollingInterval: 100 });

async function fund() {
  const signer = await provider.getSigner(0);
  const token = new ethers.Contract(input.token, TOKEN_ABI, signer);
  for (const [to, amount] of Object.entries(input.mint || {})) await (await token.mint(to, BigInt(amount))).wait();
  for (const [to, wei] of Object.entries(input.eth || {})) await (await signer.sendTransaction({ to, value: BigInt(wei) })).wait();
  return { ok: true };
}

async function send() {
  const signer = await provider.getSigner(input.account || 1);
  const rcpt = await (await signer.sendTransaction({ to: input.to, data: input.data })).wait();
  const pool = new ethers.Interface(POOL_ABI);
  const out = { tx: rcpt.hash, status: rcpt.status, settled: null, skipped: [] };
  for (const log of rcpt.logs) {
    if (log.address.toLowerCase() !== input.to.toLowerCase()) continue;
    const p = pool.parseLog(log);
    if (p?.name === "Settled") out.settled = { paid: p.args.paid.toString(), itemsPaid: Number(p.args.itemsPaid), itemsSkipped: Number(p.args.itemsSkipped) };
    if (p?.name === "ItemSkipped") out.skipped.push({ index: Number(p.args.index), reason: Number(p.args.reason) });
  }
  return out;
}

// Σ floor(delta × rate / 2^30) over a claim file's receipts, delta = bytes − prevClaimedBytes,
// rate = the bounty's; `exclude` lists receipt indexes not paid (tampered ones).
function expectedOf(doc, rate, exclude = []) {
  let sum = 0n;
  doc.receipts.forEach((r, i) => {
    if (exclude.includes(i)) return;
    const delta = BigInt(r.message.bytes) - BigInt(r.prevClaimedBytes);
    sum += (delta * rate) >> 30n;
  });
  return sum;
}

async function check() {
  const pool = new ethers.Contract(input.pool, POOL_ABI, provider);
  const token = new ethers.Contract(input.token, TOKEN_ABI, provider);
  const b = await pool.bounty(BigInt(input.bountyId));
  const rate = b.ratePerGiB;
  const report = { payouts: [], bounty: {}, events: [] };
  let total = 0n;
  for (const p of input.payouts) {
    let expected = 0n;
    for (const c of p.claims) expected += expectedOf(JSON.parse(fs.readFileSync(c.file, "utf8")), rate, c.exclude || []);
    const balance = await token.balanceOf(p.address);
    total += expected;
    report.payouts.push({ address: p.address, expected: expected.toString(), balance: balance.toString() });
  }
  report.bounty = { before: input.bountyBefore, now: b.balance.toString(), fell: (BigInt(input.bountyBefore) - b.balance).toString(), expected: total.toString() };
  const logs = await pool.queryFilter(pool.filters.Settled(), input.fromBlock || 0, "latest");
  for (const l of logs)
    report.events.push({
      tx: l.transactionHash, block: l.blockNumber, claimant: l.args.claimant, nonce: l.args.nonce.toString(),
      payout: l.args.payout, paid: l.args.paid.toString(), bytesPaid: l.args.bytesPaid.toString(),
      itemsPaid: Number(l.args.itemsPaid), itemsSkipped: Number(l.args.itemsSkipped),
    });
  return report;
}

async function balances() {
  const pool = new ethers.Contract(input.pool, POOL_ABI, provider);
  const token = new ethers.Contract(input.token, TOKEN_ABI, provider);
  const out = { tokens: {}, bounties: {} };
  for (const a of input.addresses || []) out.tokens[a] = (await token.balanceOf(a)).toString();
  for (const id of input.bountyIds || []) {
    const b = await pool.bounty(BigInt(id));
    out.bounties[id] = { infohash: b.infohash, balance: b.balance.toString(), ratePerGiB: b.ratePerGiB.toString(),
                         passSigner: b.passSigner };
  }
  return out;
}

const run = { fund, send, check, balances }[mode];
if (!run) {
  process.stderr.write("usage: node settlement_check.mjs fund|send|check|balances INPUT.json\n");
  process.exit(2);
}
run().then((r) => { process.stdout.write(JSON.stringify(r) + "\n"); provider.destroy(); })
  .catch((e) => { process.stderr.write(`settlement_check: ${e.stack || e}\n`); process.exit(1); });
