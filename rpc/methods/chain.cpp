// chain.* : the node's view of the pool's chain (rewards.settle is in rewards.cpp).
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

}  // namespace

void register_chain_methods(MethodTable& table) {
  table.add({.name = "chain.info",
             .description = "The pool's chain as this node sees it: chain id, head block, pool and token, the node "
                            "account with its ETH and token balances (decimal strings of wei and base units), "
                            "settlements pending, tokens paid.",
             .result = res::obj("", {res::integer("chain_id"), res::integer("expected_chain_id"), res::str("endpoint"),
                                     res::integer("head_block"), res::str("pool"), res::integer("pool_deploy_block"),
                                     res::str("account"), res::dec("eth_balance"), res::integer("settlements_pending"),
                                     res::dec("tokens_paid"), res::integer("bounties_known"),
                                     res::str("token", "when the pool has told its token").opt(),
                                     res::dec("token_balance", "when the pool has told its token").opt()}),
             .handler = chain_info});
}

}  // namespace seedd::rpc
