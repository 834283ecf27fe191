// The EIP-712 types of docs/protocol.md 2, 3 and 6, written out from the protocol (not from seedd's
// code), shared by the independent checker and the test forger.
export const RECEIPT_TYPES = {
  Receipt: [
    { name: "infohash", type: "bytes20" },
    { name: "seeder", type: "address" },
    { name: "leecher", type: "address" },
    { name: "channel", type: "uint64" },
    { name: "bytes", type: "uint64" },
    { name: "timestamp", type: "uint64" },
  ],
};

export const CLAIM_TYPES = {
  Claim: [
    { name: "claimant", type: "address" },
    { name: "payout", type: "address" },
    { name: "receiptsRoot", type: "bytes32" },
    { name: "receiptCount", type: "uint64" },
    { name: "totalBytes", type: "uint64" },
    { name: "amount", type: "uint256" },
    { name: "nonce", type: "uint64" },
    { name: "createdAt", type: "uint64" },
  ],
};

export const PASS_TYPES = {
  Pass: [
    { name: "infohash", type: "bytes20" },
    { name: "leecher", type: "address" },
    { name: "expiresAt", type: "uint64" },
  ],
};
