#pragma once
// Every RPC method is one entry: name, description, params schema, result, whether it changes
// anything, and its handler. Dispatch, validation, `rpc.discover` and the docs all walk the
// same table, so they cannot drift apart (bitcoind's RPCHelpMan, transmission's method table).
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rpc/context.hpp"
#include "rpc/rpc_error.hpp"

namespace seedd::rpc {

using json = nlohmann::json;

enum class ParamType {
  string,
  boolean,
  integer,       // a JSON integer
  uint64,        // a JSON integer >= 0 or a decimal string (values past 2^53)
  info_hash,     // 40 hex digits
  string_array,
  object,
  any,
};

struct ParamSpec {
  std::string name;
  ParamType type;
  bool required;
  std::string description;
};

using Handler = std::function<json(const json& params, Context& ctx)>;
/// A handler that writes its result as JSON text itself, appended to `out` (big answers:
/// torrent.list); what it appended is dropped if it throws.
using TextHandler = std::function<void(const json& params, Context& ctx, std::string& out)>;

struct MethodSpec {
  std::string name;  // noun.verb
  std::string description;
  std::vector<ParamSpec> params;
  std::string result;  // a short description of the result
  bool changes_state;  // read-scope callers may not call it
  Handler handler;  // or, instead:
  TextHandler text_handler = nullptr;
  /// Reads memory only and answers in microseconds: run on the HTTP network thread that read
  /// the request, without the hand-over to a worker (Router::handle_inline).
  bool runs_inline = false;
};

class MethodTable {
 public:
  /// Adds a method; the reference (valid until the next add) sets its optional flags.
  MethodSpec& add(MethodSpec spec);
  const MethodSpec* find(std::string_view name) const;
  const std::vector<MethodSpec>& all() const { return m_methods; }

 private:
  std::vector<MethodSpec> m_methods;
};

/// The table of every namespace, built once.
const MethodTable& method_table();

/// Checks `params` (an object, with null members meaning absent) against `spec`; throws
/// RpcError(invalid_params) naming the first bad or unknown param.
void validate_params(const MethodSpec& spec, const json& params);

/// The OpenRPC document of the table.
json openrpc_document(const MethodTable& table);

/// One registration function per namespace (rpc/methods/<namespace>.cpp).
void register_node_methods(MethodTable& table);
void register_torrent_methods(MethodTable& table);
void register_session_methods(MethodTable& table);
void register_rpc_methods(MethodTable& table);
void register_accounting_methods(MethodTable& table);
void register_session_get_method(MethodTable& table);  // rpc/methods/session_get.cpp
void register_events_methods(MethodTable& table);      // rpc/methods/events.cpp
void register_chain_methods(MethodTable& table);       // rpc/methods/chain.cpp: chain.info, rewards.settle
void register_bounty_methods(MethodTable& table);      // rpc/methods/bounty.cpp
void register_pass_methods(MethodTable& table);        // rpc/methods/pass.cpp
void register_ui_methods(MethodTable& table);          // rpc/methods/ui.cpp: ui.login_link

// Param access helpers for handlers (params were validated already).
std::string param_string(const json& params, const char* name, const std::string& fallback = {});
bool param_bool(const json& params, const char* name, bool fallback = false);
int64_t param_int(const json& params, const char* name, int64_t fallback);
bool has_param(const json& params, const char* name);

}  // namespace seedd::rpc
