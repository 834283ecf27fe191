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

/// The JSON type of a result value. `decimal` is a string of digits (integers that can pass
/// 2^53); `map` is an object with any keys whose values share one declaration.
enum class ResultType { string, decimal, boolean, integer, number, object, array, map, any };

/// One value of a method's result, declared in its table entry (bitcoind's RPCResult): the
/// result itself, an object's member (with its key), an array's element or a map's value.
/// rpc.discover's result schemas and docs/rpc.md are generated from it, and
/// tests/integration/test_rpc_results.py holds every method's answer against it: an object
/// has exactly its declared members (an undeclared one fails), less those marked optional.
struct Result {
  Result() = default;
  /// A result described in words only, not checked: for tables that tests build.
  Result(const char* description) : description(description) {}  // NOLINT: implicit on purpose

  ResultType type = ResultType::any;
  std::string name;  // an object member's key; empty for the result, an element or a value
  std::string description;
  std::vector<Result> inner;  // object: its members; array: its element; map: its value
  bool optional = false;  // may be absent
  bool nullable = false;  // may be null

  /// A copy that may be absent.
  Result opt() const;
  /// A copy that may be null.
  Result or_null() const;
};

/// Builders for the table entries: `res::obj("", {res::str("info_hash"), res::boolean("existed")})`.
namespace res {
Result str(std::string name, std::string description = {});
Result dec(std::string name, std::string description = {});
Result boolean(std::string name, std::string description = {});
Result integer(std::string name, std::string description = {});
Result number(std::string name, std::string description = {});
Result any(std::string name, std::string description = {});
Result obj(std::string name, std::vector<Result> members, std::string description = {});
Result arr(std::string name, Result element, std::string description = {});
Result map(std::string name, Result value, std::string description = {});
/// An array of strings.
Result strings(std::string name, std::string description = {});
}  // namespace res

/// The JSON Schema of a declared result: objects closed (additionalProperties false), required
/// members listed, nullable values as anyOf [value, null].
json result_schema(const Result& result);

using Handler = std::function<json(const json& params, Context& ctx)>;
/// A handler that writes its result as JSON text itself, appended to `out` (big answers:
/// torrent.list); what it appended is dropped if it throws.
using TextHandler = std::function<void(const json& params, Context& ctx, std::string& out)>;

struct MethodSpec {
  std::string name{};  // noun.verb
  std::string description{};
  std::vector<ParamSpec> params{};
  Result result;        // what it answers
  bool changes_state = false;  // read-scope callers may not call it
  Handler handler = nullptr;  // or, instead:
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

/// One registration function per namespace, each in rpc/methods/<namespace>.cpp and called
/// in this order by method_table().
void register_node_methods(MethodTable& table);
void register_torrent_methods(MethodTable& table);
void register_session_methods(MethodTable& table);
void register_earnings_methods(MethodTable& table);
void register_receipts_methods(MethodTable& table);
void register_rewards_methods(MethodTable& table);
void register_claim_methods(MethodTable& table);
void register_events_methods(MethodTable& table);
void register_chain_methods(MethodTable& table);
void register_bounty_methods(MethodTable& table);
void register_pass_methods(MethodTable& table);
void register_ui_methods(MethodTable& table);
void register_rpc_methods(MethodTable& table);

// Param access helpers for handlers (params were validated already).
std::string param_string(const json& params, const char* name, const std::string& fallback = {});
bool param_bool(const json& params, const char* name, bool fallback = false);
int64_t param_int(const json& params, const char* name, int64_t fallback);
bool has_param(const json& params, const char* name);

}  // namespace seedd::rpc
