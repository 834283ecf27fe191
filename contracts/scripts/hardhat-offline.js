#!/usr/bin/env node
// Runs one Hardhat task through Hardhat's library entry, not its CLI. The CLI (`npx hardhat …`)
// asks the network for things outside the task: a banner when on a terminal, and a list of
// releases from GitHub after failed tests. The library entry never does, and the compiler is
// solc-js from node_modules (hardhat.config.js), so a task run this way needs no network at all.
// Usage (cwd anywhere): node scripts/hardhat-offline.js test [files...]
//                       node scripts/hardhat-offline.js node [--hostname H] [--port P]
//                       node scripts/hardhat-offline.js compile
"use strict";
const path = require("path");
process.chdir(path.join(__dirname, ".."));
process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";

const [task, ...rest] = process.argv.slice(2);
const args = {};
const files = [];
for (let i = 0; i < rest.length; i++) {
  const m = /^--([a-z-]+)$/.exec(rest[i]);
  if (m) {
    const key = m[1].replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    args[key] = key === "port" ? Number(rest[++i]) : rest[++i];
  } else files.push(path.resolve(rest[i]));
}
if (task === "test") args.testFiles = files;
if (task === "compile") args.quiet = true;
if (!["test", "node", "compile"].includes(task)) {
  process.stderr.write("usage: hardhat-offline.js test [files...] | node [--hostname H] [--port P] | compile\n");
  process.exit(2);
}

const hre = require("hardhat");
hre
  .run(task, args)
  .then((result) => {
    // `test` answers the number of failed tests; `node` only returns when it stops.
    if (task === "test") process.exit(result === 0 && !process.exitCode ? 0 : 1);
  })
  .catch((e) => {
    process.stderr.write(`${e.stack || e}\n`);
    process.exit(1);
  });
