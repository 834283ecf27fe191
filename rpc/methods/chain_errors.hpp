#pragma once
// chain::ChainError as the JSON-RPC error the caller sees (chain.cpp and bounty.cpp).
#include "daemon/chain/settler.hpp"
#include "rpc/rpc_error.hpp"

namespace seedd::rpc {

inline RpcError to_rpc_error(const chain::ChainError& e) {
  using K = chain::ChainErrorKind;
  switch (e.kind()) {
    case K::unknown_claim: return RpcError(code::not_found, e.what());
    case K::already_settled: return RpcError(code::already_settled, e.what());
    case K::pending: return RpcError(code::settlement_pending, e.what());
    case K::unreachable: return RpcError(code::chain_unreachable, e.what());
    case K::wrong_chain: return RpcError(code::wrong_chain, e.what());
    case K::no_pool_code: return RpcError(code::pool_without_code, e.what());
    case K::insufficient_funds: return RpcError(code::insufficient_funds, e.what());
    case K::fee_cap: return RpcError(code::insufficient_funds, e.what());
    case K::endpoint: return RpcError(code::endpoint_error, e.what());
    case K::bounty: return RpcError(code::bounty_unavailable, e.what());
    case K::bad_input: return RpcError(code::invalid_params, e.what());
    case K::busy: return RpcError(code::chain_busy, e.what());
  }
  return RpcError(code::internal_error, e.what());
}

/// The settler, or the "settlement is off" error.
inline chain::Settler& settler_of(Context& ctx) {
  if (!ctx.settler)
    throw RpcError(code::unavailable, "settlement is off: set chain_rpc (and pool_contract, pool_chain_id) to use the chain");
  return *ctx.settler;
}

}  // namespace seedd::rpc
