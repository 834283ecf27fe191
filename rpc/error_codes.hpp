#pragma once
// The error codes of rpc_error.hpp with their meaning for users: docs/rpc.md's list of errors is
// generated from this table (tests/tools/gen_docs.cpp). A header of its own, so that a change of
// wording does not rebuild every file that throws an RpcError.
#include <array>

#include "rpc/rpc_error.hpp"

namespace seedd::rpc {

/// What each code means, in the words docs/rpc.md shows (tests/tools/gen_docs.cpp).
struct ErrorCodeText {
  int code;
  const char* meaning;
};
inline constexpr auto kErrorCodes = std::to_array<ErrorCodeText>({
    {code::parse_error, "parse error"},
    {code::invalid_request, "invalid request"},
    {code::method_not_found, "method not found"},
    {code::invalid_params, "invalid params (the message names the param)"},
    {code::internal_error, "internal error"},
    {code::not_found, "not found"},
    {code::nothing_to_claim, "nothing to claim"},
    {code::forbidden, "forbidden (read scope)"},
    {code::io_error, "I/O error"},
    {code::shutting_down, "shutting down"},
    {code::unavailable, "unavailable (the feature is off or not configured; for the chain methods, chain_rpc is not set)"},
    {code::already_settled, "claim already settled"},
    {code::settlement_pending, "settlement pending"},
    {code::chain_unreachable, "chain unreachable"},
    {code::wrong_chain, "wrong chain id"},
    {code::pool_without_code, "pool without code"},
    {code::insufficient_funds, "too little ETH for gas (or tokens to fund)"},
    {code::endpoint_error, "endpoint error (with the revert reason)"},
    {code::bounty_unavailable, "bounty unknown, expired or dry"},
    {code::chain_busy, "chain worker busy or too slow"},
});

}  // namespace seedd::rpc
