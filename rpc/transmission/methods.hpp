#pragma once
// Transmission's method table: one entry per method, with whether it changes anything (a
// read-scope user may not call those), as libtransmission's rpcimpl does. Handlers throw
// Failure; the server turns its text into the response's `result`.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rpc/context.hpp"

namespace seedd::rpc::transmission {

using json = nlohmann::json;
class Server;

/// A request that cannot be done; what() becomes the `result` string.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Call {
  const json& args;  // the request's `arguments` (an object, maybe empty)
  Context& ctx;
  Server& server;
};

struct Method {
  std::string name;
  bool changes_state;
  json (*run)(Call& call);  // what each does is in docs/transmission-rpc.md, "Methods"
};

/// Every method, torrent ones first.
const std::vector<Method>& method_list();
const Method* find_method(std::string_view name);
std::vector<Method> torrent_methods();  // rpc/transmission/torrent_methods.cpp
std::vector<Method> session_methods();  // rpc/transmission/session_methods.cpp

// Arguments as Transmission reads them: a bool may come as true/false or 0/1, an integer as a
// whole JSON number. A wrong type is a Failure naming the argument and the value.
bool has_arg(const json& args, const char* name);
std::optional<bool> arg_bool(const json& args, const char* name);
std::optional<int64_t> arg_int(const json& args, const char* name);
std::optional<double> arg_real(const json& args, const char* name);
std::optional<std::string> arg_string(const json& args, const char* name);
std::optional<std::vector<std::string>> arg_strings(const json& args, const char* name);
std::optional<std::vector<int64_t>> arg_ints(const json& args, const char* name);

}  // namespace seedd::rpc::transmission
