#include "app/rpc_settings.hpp"

namespace seedd::app {

std::vector<rpc::RpcAuthEntry> rpc_users_of(const config::Config& cfg) {
  std::vector<rpc::RpcAuthEntry> users;
  for (const auto& entry : cfg.get_list("rpc_auth")) {
    auto e = rpc::RpcAuthEntry::parse(entry);
    if (!e) throw config::ConfigError("option 'rpc_auth': an entry is not valid: expected user:salt$hmac[:read|:admin]");
    users.push_back(*e);
  }
  return users;
}

rpc::GuardOptions guard_options_of(const config::Config& cfg, const std::vector<rpc::RpcAuthEntry>& users) {
  // qBittorrent's CVE-2023-30801 was a default password on an RPC open to the network: refuse
  // to start rather than expose it.
  rpc::GuardOptions guard;
  guard.allow_cidrs = cfg.get_list("rpc_allow_ip");
  guard.host_names = cfg.get_list("rpc_host");
  for (const auto& ep : cfg.get_endpoints("rpc_bind")) {
    guard.host_names.push_back(ep.host);
    if (!ep.is_loopback() && (guard.allow_cidrs.empty() || users.empty()))
      throw config::ConfigError("option 'rpc_bind': value '" + ep.host +
                                "' is not a loopback address: binding RPC to the network needs rpc_allow_ip "
                                "and at least one rpc_auth user (make one with: seedctl rpcauth USER)");
  }
  return guard;
}

rpc::HttpServerOptions http_server_options_of(const config::Config& cfg) {
  // Half a TLS setup would mean plain HTTP where the user asked for HTTPS: refuse it.
  if (cfg.get_string("rpc_tls_cert").empty() != cfg.get_string("rpc_tls_key").empty())
    throw config::ConfigError(std::string("option '") +
                              (cfg.get_string("rpc_tls_cert").empty() ? "rpc_tls_cert" : "rpc_tls_key") +
                              "': not set, but its pair is: HTTPS needs both rpc_tls_cert and rpc_tls_key");
  rpc::HttpServerOptions ho;
  ho.bind = cfg.get_endpoints("rpc_bind");
  ho.threads = static_cast<int>(cfg.get_int("rpc_threads"));
  ho.tls_cert = cfg.get_string("rpc_tls_cert");
  ho.tls_key = cfg.get_string("rpc_tls_key");
  return ho;
}

std::vector<std::string> plain_http_warnings(const config::Config& cfg) {
  // Basic auth over plain HTTP sends the password as is: say so wherever someone looks.
  std::vector<std::string> warnings;
  if (!cfg.get_string("rpc_tls_cert").empty() && !cfg.get_string("rpc_tls_key").empty()) return warnings;
  for (const auto& ep : cfg.get_endpoints("rpc_bind"))
    if (!ep.is_loopback())
      warnings.push_back("RPC on " + ep.host + " is plain HTTP: passwords cross the network in clear text; "
                         "set rpc_tls_cert and rpc_tls_key");
  return warnings;
}

}  // namespace seedd::app
