#include "daemon/chain/tx_builder.hpp"

#include <algorithm>

#include "daemon/chain/quantity.hpp"
#include "daemon/crypto/hex.hpp"

namespace seedd::chain {

Fees choose_fees(const FeeHistory& history, const FeePolicy& policy) {
  if (history.base_fee_per_gas.empty()) throw BadResponse("eth_feeHistory: no base fee in the answer");
  const uint256 next_base = history.base_fee_per_gas.back();

  std::vector<uint256> rewards;
  for (const auto& block : history.reward)
    if (!block.empty()) rewards.push_back(block.front());
  uint256 priority = 0;
  if (!rewards.empty()) {
    std::sort(rewards.begin(), rewards.end());
    priority = rewards[rewards.size() / 2];
  }
  priority = std::max(priority, policy.min_priority_fee);

  Fees f;
  f.max_priority_fee_per_gas = priority;
  f.max_fee_per_gas = next_base * kBaseFeeMultiplier + priority;
  const uint256& cap = policy.max_fee_per_gas_cap;
  if (cap != 0 && f.max_fee_per_gas > cap) {
    if (next_base > cap)
      throw FeeCapError("the next block's base fee of " + crypto::to_decimal(next_base) +
                        " wei is above max_fee_per_gas (" + crypto::to_decimal(cap) +
                        " wei): not sent; raise the cap or wait for a quieter chain");
    // Under the cap the tip gives way first: a smaller tip is slower, a base fee short is never mined.
    f.max_fee_per_gas = cap;
    f.max_priority_fee_per_gas = std::min(priority, cap - next_base);
  }
  return f;
}

TxBuilder::TxBuilder(Client& client, const crypto::PrivateKey& key, uint64_t chain_id, FeePolicy policy)
    : m_client(client), m_key(key), m_account(key.address()), m_chain_id(chain_id), m_policy(std::move(policy)) {}

PreparedTx TxBuilder::build(const Address& to, std::vector<uint8_t> data, const uint256& value, std::optional<uint64_t> nonce) {
  CallRequest call;
  call.from = m_account;
  call.to = to;
  call.data = data;
  call.value = value;
  const uint64_t estimate = m_client.estimate_gas(call);
  const Fees fees = choose_fees(m_client.fee_history(kFeeHistoryBlocks, BlockTag::latest(), {kPriorityFeePercentile}), m_policy);

  PreparedTx p;
  p.tx.chain_id = m_chain_id;
  p.tx.nonce = nonce ? *nonce : m_client.get_transaction_count(m_account, BlockTag::pending_state());
  p.tx.max_priority_fee_per_gas = fees.max_priority_fee_per_gas;
  p.tx.max_fee_per_gas = fees.max_fee_per_gas;
  p.tx.gas_limit = to_u64(uint256(estimate) + uint256(estimate) * m_policy.gas_margin_percent / 100, "the gas limit");
  p.tx.to = to;
  p.tx.value = value;
  p.tx.data = std::move(data);
  p.max_cost_wei = uint256(p.tx.gas_limit) * p.tx.max_fee_per_gas + value;

  const uint256 balance = m_client.get_balance(m_account, BlockTag::pending_state());
  if (balance < p.max_cost_wei) {
    const std::string account = crypto::to_checksum_address(m_account);
    throw InsufficientFunds("the node account " + account + " holds " + crypto::to_decimal(balance) +
                                " wei and this transaction may cost up to " + crypto::to_decimal(p.max_cost_wei) +
                                " wei (gas " + std::to_string(p.tx.gas_limit) + " at up to " +
                                crypto::to_decimal(p.tx.max_fee_per_gas) + " wei" +
                                (value != 0 ? " plus a value of " + crypto::to_decimal(value) + " wei" : "") +
                                "): send ETH to " + account,
                            m_account, p.max_cost_wei, balance);
  }
  p.signed_tx = sign_transaction(p.tx, m_key);
  return p;
}

std::optional<std::string> check_chain_and_pool(Client& client, uint64_t expected_chain_id, const Address& pool) {
  const uint64_t id = client.chain_id();
  if (id != expected_chain_id)
    return "the chain at " + client.endpoint() + " has chain id " + std::to_string(id) + ", but pool_chain_id is " +
           std::to_string(expected_chain_id);
  if (client.get_code(pool).empty())
    return "the pool address " + crypto::to_checksum_address(pool) + " has no code on chain " + std::to_string(id) +
           " at " + client.endpoint() + " (not deployed there, or a wrong address)";
  return std::nullopt;
}

}  // namespace seedd::chain
