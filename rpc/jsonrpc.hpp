#pragma once
// JSON-RPC 2.0 dispatch: a request body in, a response body out (or nothing, for
// notifications). Knows nothing of HTTP.
#include <optional>
#include <string>
#include <string_view>

#include "rpc/context.hpp"
#include "daemon/util/json_input.hpp"

namespace seedd::rpc {

class MethodTable;

/// Largest batch accepted; a longer one is an invalid request as a whole.
constexpr size_t kMaxBatchLength = 100;

/// Handles one POST body. Returns the response body, or nullopt when every request in it was
/// a notification (the HTTP layer then answers 204 with no body).
std::optional<std::string> handle_jsonrpc(std::string_view body, Context& ctx, const MethodTable& table);
/// The same for a body parse_untrusted_json() has already read (refused ones answered as above).
std::optional<std::string> handle_jsonrpc(util::JsonInput in, Context& ctx, const MethodTable& table);

/// Whether the parsed body is one request (not a batch) for a method marked `runs_inline`;
/// anything else, a refused body included, is for a worker.
bool jsonrpc_runs_inline(const util::JsonInput& in, const MethodTable& table);

}  // namespace seedd::rpc
