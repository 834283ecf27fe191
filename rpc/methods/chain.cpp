// chain.info and rewards.settle: the node's view of the pool's chain, and settling a claim.
#include "daemon/chain/settler.hpp"
#include "daemon/crypto/hex.hpp"
#include "rpc/method_table.hpp"
#include "rpc/methods/chain_errors.hpp"

namespace seedd::rpc {
namespace {

json chain_info(const json&, Context& ctx) {
  auto& s = settler_of(ctx);
  try {
    return s.info();
  } catch (const chain::ChainError& e) {
    throw to_rpc_error(e);
  }
}

json rewards_settle(const json& params, Context& ctx) {
  auto& s = settler_of(ctx);
  const int64_t nonce = param_int(params, "nonce", 0);
  if (nonce < 1) throw invalid_params("param 'nonce' must be >= 1");
  try {
    return s.settle(static_cast<uint64_t>(nonce), param_bool(params, "dry_run"), param_bool(params, "send", true));
  } catch (const chain::ChainError& e) {
    throw to_rpc_error(e);
  }
}

}  // namespace

void register_chain_methods(MethodTable& table) {
  table.add({"chain.info",
             "The pool's chain as this node sees it: chain id, head block, pool and token, the node account with "
             "its ETH and token balances (decimal strings of wei and base units), settlements pending, tokens paid.",
             {}, "{chain_id, head_block, pool, token, account, eth_balance, token_balance, ...}", false, chain_info});
  table.add({"rewards.settle",
             "Settles a claim on the pool (docs/protocol.md 8): each receipt is paid from the live bounty of its "
             "info-hash with the best rate and a balance. Simulates with eth_call first: dry_run stops there and "
             "answers what would be paid and each item's skip reason. send: false answers {to, data} for any "
             "wallet to send. Otherwise the node signs, commits the transaction to the ledger, broadcasts it and "
             "follows it to its receipt (settlement: state, tx, block, paid, items_paid, items_skipped).",
             {{"nonce", ParamType::integer, true, "the claim's nonce"},
              {"dry_run", ParamType::boolean, false, "simulate only"},
              {"send", ParamType::boolean, false, "false: answer {to, data} instead of sending (default true)"}},
             "{nonce, would_pay, items: [...], settlement | to, data}", true, rewards_settle});
}

}  // namespace seedd::rpc
