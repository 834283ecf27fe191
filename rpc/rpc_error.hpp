#pragma once
#include <stdexcept>
#include <string>

namespace seedd::rpc {

/// JSON-RPC 2.0 error codes: the standard ones and seedd's own (-32000 .. -32099).
namespace code {
constexpr int parse_error = -32700;
constexpr int invalid_request = -32600;
constexpr int method_not_found = -32601;
constexpr int invalid_params = -32602;
constexpr int internal_error = -32603;
constexpr int not_found = -32001;        // no such torrent, claim, ...
constexpr int nothing_to_claim = -32002;
constexpr int forbidden = -32003;        // the caller's scope does not allow this method
constexpr int io_error = -32004;
constexpr int shutting_down = -32005;
constexpr int unavailable = -32006;      // the feature is off or not configured
// Settlement on chain (issue 13).
constexpr int already_settled = -32010;     // the claim was settled and nothing was skipped
constexpr int settlement_pending = -32011;  // a settlement of the claim is not mined yet
constexpr int chain_unreachable = -32012;   // no answer from chain_rpc
constexpr int wrong_chain = -32013;         // chain_rpc is on another chain than pool_chain_id
constexpr int pool_without_code = -32014;   // pool_contract has no code there
constexpr int insufficient_funds = -32015;  // the node account lacks ETH for gas, or tokens
constexpr int endpoint_error = -32016;      // the endpoint answered with an error, or a revert
constexpr int bounty_unavailable = -32017;  // no such bounty, expired or dry
constexpr int chain_busy = -32018;          // the chain worker is full or did not answer in time
}  // namespace code

/// What a handler throws; only the dispatcher turns it into a response.
struct RpcError : std::runtime_error {
  RpcError(int code, const std::string& message) : std::runtime_error(message), code(code) {}
  int code;
};

inline RpcError invalid_params(const std::string& message) { return RpcError(code::invalid_params, message); }

}  // namespace seedd::rpc
