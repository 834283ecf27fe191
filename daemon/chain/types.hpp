#pragma once
// What the chain client exchanges with an endpoint, as plain structs (no JSON, no Beast), so
// that the ledger, the RPC methods and the tests can hold them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/crypto/types.hpp"

namespace seedd::chain {

using crypto::Address;
using crypto::Bytes32;
using crypto::uint256;

/// An event log (eth_getLogs, a transaction receipt).
struct Log {
  Address address{};            // the contract that emitted it
  std::vector<Bytes32> topics;  // topics[0]: the event's signature hash
  std::vector<uint8_t> data;
  uint64_t block_number = 0;
  Bytes32 block_hash{};
  Bytes32 transaction_hash{};
  uint64_t log_index = 0;
  bool removed = false;  // true when a reorg dropped it
};

/// eth_getLogs's filter: one contract, an inclusive block range, and topics by position
/// (std::nullopt = any value at that position).
struct LogFilter {
  Address address{};
  uint64_t from_block = 0;
  uint64_t to_block = 0;
  std::vector<std::optional<Bytes32>> topics;
};

/// A call or a transaction to simulate (eth_call, eth_estimateGas).
struct CallRequest {
  std::optional<Address> from;
  Address to{};
  std::vector<uint8_t> data;
  uint256 value = 0;
  std::optional<uint64_t> gas;
};

/// Which state a read sees: "latest" (the default), "pending" (the account nonce that counts
/// transactions waiting in the pool) or a block number.
struct BlockTag {
  std::optional<uint64_t> number;
  bool pending = false;
  static BlockTag latest() { return {}; }
  static BlockTag pending_state() { return {std::nullopt, true}; }
  static BlockTag at(uint64_t n) { return {n, false}; }
};

/// eth_getTransactionReceipt's answer for a mined transaction.
struct TxReceipt {
  Bytes32 transaction_hash{};
  uint64_t block_number = 0;
  Bytes32 block_hash{};
  bool success = false;  // status 1
  uint64_t gas_used = 0;
  uint256 effective_gas_price = 0;
  std::optional<Address> contract_address;
  std::vector<Log> logs;
};

/// eth_feeHistory's answer: base fees of blocks oldest_block .. oldest_block + n (one more than
/// the blocks asked for: the next block's), and per block the priority fees at the percentiles
/// asked for.
struct FeeHistory {
  uint64_t oldest_block = 0;
  std::vector<uint256> base_fee_per_gas;
  std::vector<std::vector<uint256>> reward;
};

}  // namespace seedd::chain
