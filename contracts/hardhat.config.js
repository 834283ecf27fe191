// Hardhat 2 for seedd's RewardPool. The compiler is solc-js from the npm package `solc` (pinned in
// package-lock.json): Hardhat's own compiler download needs a host that CI cannot reach, so the
// subtask that finds a compiler build is replaced and nothing is downloaded.
process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";

const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");
require("@nomicfoundation/hardhat-ethers");
require("@nomicfoundation/hardhat-chai-matchers");

const SOLC_VERSION = require("solc/package.json").version; // 0.8.30

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }) => {
  if (solcVersion !== SOLC_VERSION) {
    throw new Error(`solc ${solcVersion} asked for, but only the npm package solc ${SOLC_VERSION} is installed`);
  }
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: require("solc").version(), // e.g. 0.8.30+commit.73712a01.Emscripten.clang
  };
});

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun", // OpenZeppelin 5 uses mcopy
      optimizer: { enabled: true, runs: 1000 },
      viaIR: true, // about 3,000 gas less per settled item than the legacy pipeline (docs/benchmarks.md)
    },
  },
  networks: {
    hardhat: { hardfork: "cancun", chainId: 31337 },
    // `npx hardhat run scripts/deploy.js --network localhost` against `npx hardhat node`.
    localhost: { url: process.env.SEEDD_RPC_URL || "http://127.0.0.1:8545" },
  },
  mocha: { timeout: 120000 },
};
