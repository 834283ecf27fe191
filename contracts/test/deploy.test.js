// The path issue 13's end-to-end test takes: a local chain started as its own process
// (scripts/hardhat-offline.js node), then scripts/deploy.js against it, then the node stopped by
// its pid. Checks the JSON that deploy.js prints against the chain.
const { spawn, execFile } = require("child_process");
const net = require("net");
const path = require("path");
const { expect } = require("chai");
const { ethers } = require("ethers");

const ROOT = path.join(__dirname, "..");

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 120000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args.join(" ")}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe("local chain and deploy script (for the end-to-end test)", function () {
  this.timeout(120000);
  let node;
  let rpc;

  before(async function () {
    const port = await freePort();
    rpc = `http://127.0.0.1:${port}`;
    node = spawn(process.execPath, ["scripts/hardhat-offline.js", "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`node did not start:\n${out}`)), 60000);
      const onData = (d) => {
        out += d;
        if (out.includes(`Started HTTP and WebSocket JSON-RPC server at ${rpc}/`)) {
          clearTimeout(t);
          resolve();
        }
      };
      node.stdout.on("data", onData);
      node.stderr.on("data", onData);
      node.once("exit", (code) => reject(new Error(`node exited (${code}):\n${out}`)));
    });
    node.stdout.resume();
    node.stderr.resume();
  });

  after(async function () {
    if (node && node.exitCode === null) {
      const exited = new Promise((r) => node.once("exit", r));
      node.kill("SIGTERM");
      await exited;
    }
  });

  it("deploys the pool (at the vectors' address on a fresh chain) and the token, mints and sends ether", async function () {
    const holder = "0x5E5735d1f3bD57EBAE7cB7149756DBf214AB9f43";
    const out = JSON.parse(await run(["scripts/deploy.js", "--rpc", rpc, "--mint", `${holder}=1000`, "--eth", `${holder}=12345`]));
    expect(out.chainId).to.equal(31337);
    expect(out.pool).to.equal("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const provider = new ethers.JsonRpcProvider(rpc, undefined, { staticNetwork: true });
    try {
      const pool = new ethers.Contract(out.pool, require(out.poolAbi).abi, provider);
      const token = new ethers.Contract(out.token, require(out.tokenAbi).abi, provider);
      expect(await pool.token()).to.equal(out.token);
      expect(await token.balanceOf(holder)).to.equal(1000n);
      expect(await provider.getBalance(holder)).to.equal(12345n);
      const deployTxBlock = await provider.getBlock(out.deployBlock);
      const codeBefore = await provider.getCode(out.pool, out.deployBlock - 1);
      expect(codeBefore).to.equal("0x");
      expect(await provider.getCode(out.pool, out.deployBlock)).to.not.equal("0x");
      expect(deployTxBlock.number).to.equal(out.deployBlock);
      // a second deployment with an explicit key (Hardhat's account 1) and an existing token
      const mnemonic = "test test test test test test test test test test test junk"; // Hardhat's default accounts
      const key1 = ethers.HDNodeWallet.fromPhrase(mnemonic, undefined, "m/44'/60'/0'/0/1").privateKey;
      const second = JSON.parse(await run(["scripts/deploy.js", "--rpc", rpc, "--key", key1, "--token", out.token]));
      expect(second.deployer).to.equal(new ethers.Wallet(key1).address);
      expect(second.token).to.equal(out.token);
      expect(second.pool).to.not.equal(out.pool);
    } finally {
      provider.destroy();
    }
  });
});
