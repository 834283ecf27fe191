#pragma once
// EIP-1559 (type 2) transactions, signed with the node key: what seedd broadcasts with
// eth_sendRawTransaction. Byte-compatible with ethers.js's Transaction (see tests/vectors/chain.json).
#include <cstdint>
#include <optional>
#include <vector>

#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/types.hpp"

namespace seedd::chain {

/// The fields of a type-2 transaction; the access list is always empty.
struct Eip1559Tx {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  crypto::uint256 max_priority_fee_per_gas = 0;
  crypto::uint256 max_fee_per_gas = 0;
  uint64_t gas_limit = 0;
  std::optional<crypto::Address> to;  // std::nullopt: contract creation
  crypto::uint256 value = 0;
  std::vector<uint8_t> data;
};

/// A signed transaction: `raw` is what eth_sendRawTransaction takes, `hash` its transaction hash
/// (keccak256 of `raw`), which is known before it is broadcast.
struct SignedTx {
  std::vector<uint8_t> raw;
  crypto::Bytes32 hash{};
  crypto::Address from{};
  uint8_t y_parity = 0;
  crypto::Bytes32 r{}, s{};
};

/// 0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data,
/// accessList]): the payload that is signed.
std::vector<uint8_t> unsigned_payload(const Eip1559Tx& tx);

/// keccak256(unsigned_payload(tx)): the digest the sender signs.
crypto::Bytes32 signing_hash(const Eip1559Tx& tx);

/// Signs `tx` with `key` (RFC 6979, low s, as ethers.js does): 0x02 ‖ rlp([... , yParity, r, s]).
SignedTx sign_transaction(const Eip1559Tx& tx, const crypto::PrivateKey& key);

}  // namespace seedd::chain
