// Makes tests/vectors/pass.json with ethers.js only: the EIP-712 Pass of docs/protocol.md 9
// (type string, type hash, struct hashes, digests and signatures) in the domain of
// tests/vectors/eip712.json, with its keys. seedd's unit tests reproduce every byte of it, and
// the contract tests check RewardPool.passDigest against it.
//
//   node pass_vectors.mjs tests/vectors/eip712.json > tests/vectors/pass.json
// (ctest interop.pass_vectors reruns it and compares.)
import { readFileSync } from "node:fs";

import { TypedDataEncoder, Wallet, keccak256, toUtf8Bytes, version } from "ethers";

import { PASS_TYPES } from "./eip712_types.mjs";

const base = JSON.parse(readFileSync(process.argv[2], "utf8"));
const wallets = base.keys.map((k) => new Wallet(k.private_key));
const typeString = "Pass(bytes20 infohash,address leecher,uint64 expiresAt)";

// The creator (key 2) gives passes to the vector receipts' leechers for their torrents; one
// pass expires at the largest uint64, one at 0, one is signed by another key.
const cases = [
  { signer: 2, message: { infohash: base.receipts[0].message.infohash, leecher: base.receipts[0].message.leecher, expiresAt: "1795309200" } },
  { signer: 2, message: { infohash: base.receipts[2].message.infohash, leecher: base.receipts[2].message.leecher, expiresAt: "18446744073709551615" } },
  { signer: 2, message: { infohash: base.receipts[0].message.infohash, leecher: base.keys[0].address, expiresAt: "0" } },
  { signer: 0, message: { infohash: base.receipts[0].message.infohash, leecher: base.receipts[0].message.leecher, expiresAt: "1795309200" } },
];

const passes = [];
for (const c of cases) {
  const wallet = wallets[c.signer];
  passes.push({
    message: c.message,
    struct_hash: TypedDataEncoder.from(PASS_TYPES).hash(c.message),
    digest: TypedDataEncoder.hash(base.domain, PASS_TYPES, c.message),
    signature: await wallet.signTypedData(base.domain, PASS_TYPES, c.message),
    signer: wallet.address,
    signer_key: c.signer,
  });
}
// The same pass in another pool's domain has another digest (and signature).
const otherDomain = { ...base.domain, verifyingContract: "0x00000000000000000000000000000000000000aa" };
const out = {
  about: `EIP-712 Pass (docs/protocol.md 9) in the domain of eip712.json, keys by index into eip712.json's keys; generated with ethers ${version} by tests/interop/ethers/pass_vectors.mjs`,
  domain: base.domain,
  type_string: typeString,
  type_hash: keccak256(toUtf8Bytes(typeString)),
  passes,
  other_domain: { domain: otherDomain, digest_of_pass_0: TypedDataEncoder.hash(otherDomain, PASS_TYPES, cases[0].message) },
};
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
