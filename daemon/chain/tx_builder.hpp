#pragma once
// From a call to a signed transaction ready to commit and broadcast: gas from eth_estimateGas
// (plus a margin), fees from eth_feeHistory under the max_fee_per_gas cap, the account's nonce,
// a balance check that names the address to fund, and the node key's signature. Also the start
// check of issue 13 (the endpoint's chain id and the pool's code).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/chain/rpc_client.hpp"
#include "daemon/chain/tx.hpp"
#include "daemon/crypto/keys.hpp"

namespace seedd::chain {

/// Blocks of fee history read to choose the priority fee.
inline constexpr uint64_t kFeeHistoryBlocks = 10;
/// The percentile of each block's priority fees taken (the median of those is offered).
inline constexpr double kPriorityFeePercentile = 50.0;
/// A base fee can rise 12.5% a block: twice the next base fee covers six full blocks in a row.
inline constexpr unsigned kBaseFeeMultiplier = 2;

struct FeePolicy {
  uint256 max_fee_per_gas_cap = 0;  // config max_fee_per_gas in wei; 0 = no cap
  uint256 min_priority_fee = 0;     // a floor under the observed priority fee
  unsigned gas_margin_percent = 20; // added to eth_estimateGas's figure
};

struct Fees {
  uint256 max_fee_per_gas = 0;
  uint256 max_priority_fee_per_gas = 0;
};

/// The fees cannot fit under the cap: the chain is busier than max_fee_per_gas allows.
class FeeCapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The account cannot pay for the transaction's gas (and value); the message names the address
/// to send ETH to and the amounts in wei.
class InsufficientFunds : public std::runtime_error {
 public:
  InsufficientFunds(const std::string& message, Address account, uint256 needed_wei, uint256 balance_wei)
      : std::runtime_error(message), m_account(account), m_needed(needed_wei), m_balance(balance_wei) {}
  const Address& account() const { return m_account; }
  const uint256& needed_wei() const { return m_needed; }
  const uint256& balance_wei() const { return m_balance; }

 private:
  Address m_account;
  uint256 m_needed, m_balance;
};

/// Fees from a fee history whose last base fee is the next block's: priority = the median of the
/// blocks' first reward percentile (at least policy.min_priority_fee), max fee = 2 × next base
/// fee + priority, lowered to the cap when there is one (the priority fee shrinking to what
/// the cap leaves above the next base fee). FeeCapError when the next base fee alone is above
/// the cap; BadResponse when the history has no base fee.
Fees choose_fees(const FeeHistory& history, const FeePolicy& policy);

/// A transaction built and signed, not yet sent. `max_cost_wei` = gas_limit × max_fee + value:
/// the most it can take from the account.
struct PreparedTx {
  Eip1559Tx tx;
  SignedTx signed_tx;
  uint256 max_cost_wei = 0;
};

/// Builds transactions from the node key's account. Runs chain calls: the chain worker's.
class TxBuilder {
 public:
  /// `client` must outlive the builder; the key is copied.
  TxBuilder(Client& client, const crypto::PrivateKey& key, uint64_t chain_id, FeePolicy policy);

  /// Estimates gas (a revert comes back as the client's RpcError with its reason), chooses fees,
  /// takes `nonce` or else the account's pending nonce, checks the balance (InsufficientFunds)
  /// and signs.
  PreparedTx build(const Address& to, std::vector<uint8_t> data, const uint256& value = 0,
                   std::optional<uint64_t> nonce = std::nullopt);

  const Address& account() const { return m_account; }

 private:
  Client& m_client;
  crypto::PrivateKey m_key;
  Address m_account;
  uint64_t m_chain_id;
  FeePolicy m_policy;
};

/// The start check: std::nullopt when the endpoint's eth_chainId is `expected_chain_id` and
/// `pool` has code; otherwise the message saying which is wrong (seedd exits 2 with it). The
/// client's errors (endpoint down) are thrown.
std::optional<std::string> check_chain_and_pool(Client& client, uint64_t expected_chain_id, const Address& pool);

}  // namespace seedd::chain
