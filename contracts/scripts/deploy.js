#!/usr/bin/env node
// Deploys a RewardPool and the test token it pays in (TestToken, anyone may mint) to a chain
// reached by JSON-RPC, e.g. a local `npx hardhat node`, and prints one line of JSON:
//   {"chainId":31337,"rpc":"…","deployer":"0x…","token":"0x…","pool":"0x…","deployBlock":2,
//    "tokenAbi":"…/TestToken.json","poolAbi":"…/RewardPool.json"}
// Usage: node scripts/deploy.js --rpc http://127.0.0.1:8545 [--key 0xPRIVATE_KEY]
//          [--mint 0xADDRESS=AMOUNT]... [--eth 0xADDRESS=WEI]... [--token 0xEXISTING_TOKEN]
// Without --key the node's first unlocked account sends (Hardhat's node has 20). --mint gives
// test tokens (base units), --eth sends ether for gas, --token reuses a deployed ERC-20 (no mint).
// Compiles first (solc-js, offline) when the artifacts are missing.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const { ethers } = require("ethers");

const ROOT = path.join(__dirname, "..");
const ART = path.join(ROOT, "artifacts", "contracts");
const POOL_ART = path.join(ART, "RewardPool.sol", "RewardPool.json");
const TOKEN_ART = path.join(ART, "mocks", "TestToken.sol", "TestToken.json");

function usage(msg) {
  process.stderr.write(`deploy.js: ${msg}\nusage: node scripts/deploy.js --rpc URL [--key HEX] [--mint ADDR=AMOUNT]... [--eth ADDR=WEI]... [--token ADDR]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const a = { rpc: process.env.SEEDD_RPC_URL, key: process.env.SEEDD_DEPLOYER_KEY, mint: [], eth: [], token: undefined };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (v === undefined) usage(`${k} needs a value`);
    i++;
    if (k === "--rpc") a.rpc = v;
    else if (k === "--key") a.key = v;
    else if (k === "--token") a.token = v;
    else if (k === "--mint" || k === "--eth") {
      const [addr, amount] = v.split("=");
      if (!ethers.isAddress(addr) || !/^\d+$/.test(amount ?? "")) usage(`${k} wants ADDRESS=INTEGER, got ${v}`);
      a[k.slice(2)].push([ethers.getAddress(addr), BigInt(amount)]);
    } else usage(`unknown option ${k}`);
  }
  if (!a.rpc) usage("--rpc is required");
  return a;
}

function artifacts() {
  if (!fs.existsSync(POOL_ART) || !fs.existsSync(TOKEN_ART)) {
    const p = spawnSync(process.execPath, [path.join(__dirname, "hardhat-offline.js"), "compile"], {
      cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    });
    if (p.status !== 0) throw new Error(`hardhat compile failed (${p.status})`);
  }
  return { pool: JSON.parse(fs.readFileSync(POOL_ART)), token: JSON.parse(fs.readFileSync(TOKEN_ART)) };
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const art = artifacts();
  const provider = new ethers.JsonRpcProvider(a.rpc, undefined, { staticNetwork: true, polling: true, pollingInterval: 100 });
  const signer = a.key ? new ethers.NonceManager(new ethers.Wallet(a.key, provider)) : await provider.getSigner(0);
  const deployer = await signer.getAddress();
  const { chainId } = await provider.getNetwork();

  // The pool first, then the token at the address its constructor was given: on a fresh
  // `hardhat node` the pool is then 0x5FbDB2315678afecb367f032d93F642f64180aa3, the
  // verifyingContract of PROTOCOL.md's vectors (shared/vectors/eip712.json).
  const nonce = await provider.getTransactionCount(deployer, "pending");
  const tokenAddr = a.token ? ethers.getAddress(a.token) : ethers.getCreateAddress({ from: deployer, nonce: nonce + 1 });
  const pool = await new ethers.ContractFactory(art.pool.abi, art.pool.bytecode, signer).deploy(tokenAddr, { nonce });
  const deployRcpt = await pool.deploymentTransaction().wait();
  let token;
  if (!a.token) {
    token = await new ethers.ContractFactory(art.token.abi, art.token.bytecode, signer).deploy({ nonce: nonce + 1 });
    await token.waitForDeployment();
    if ((await token.getAddress()) !== tokenAddr) throw new Error("the token did not land where the pool expects it");
  } else if ((await provider.getCode(tokenAddr)) === "0x") {
    throw new Error(`--token ${tokenAddr} has no code`);
  }
  for (const [to, amount] of a.mint) {
    if (!token) throw new Error("--mint needs the test token (no --token)");
    await (await token.mint(to, amount)).wait();
  }
  for (const [to, value] of a.eth) await (await signer.sendTransaction({ to, value })).wait();

  const out = {
    chainId: Number(chainId),
    rpc: a.rpc,
    deployer,
    token: tokenAddr,
    pool: await pool.getAddress(),
    deployBlock: deployRcpt.blockNumber,
    tokenAbi: TOKEN_ART,
    poolAbi: POOL_ART,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
  provider.destroy();
}

main().catch((e) => {
  process.stderr.write(`deploy.js: ${e.stack || e}\n`);
  process.exit(1);
});
