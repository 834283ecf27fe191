#pragma once
// The RPC server's settings, taken from the configuration. They live in app/ because they are
// rpc/ types: daemon/settings/ builds the settings of the parts below the RPC.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "rpc/auth.hpp"
#include "rpc/guards.hpp"
#include "rpc/http_server.hpp"

namespace seedd::app {

/// rpc_auth's users. Throws config::ConfigError for an entry that does not parse.
std::vector<rpc::RpcAuthEntry> rpc_users_of(const config::Config& cfg);

/// rpc_allow_ip and the host names a request may name (rpc_host and rpc_bind's hosts). An RPC
/// reachable from the network needs both an allow-list and a password of its own: throws
/// config::ConfigError for an rpc_bind that is not loopback without them.
rpc::GuardOptions guard_options_of(const config::Config& cfg, const std::vector<rpc::RpcAuthEntry>& users);

/// rpc_bind, rpc_threads and the TLS files; the callbacks stay unset.
rpc::HttpServerOptions http_server_options_of(const config::Config& cfg);

/// One warning per rpc_bind endpoint that sends passwords in clear text over the network.
std::vector<std::string> plain_http_warnings(const config::Config& cfg);

}  // namespace seedd::app
