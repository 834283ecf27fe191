#pragma once
// What RPC handlers may reach: the parts of the daemon, through plain C++ interfaces.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rpc/scope.hpp"

namespace seedd {
class Engine;
class Accountant;
class LiveSettings;
namespace config {
class Config;
}
namespace events {
class EventBus;
}
namespace chain {
class Settler;
}

namespace rpc {
class WebSessions;

/// Facts about this node fixed at start.
struct NodeFacts {
  std::string address;  // EIP-55
  std::filesystem::path data_dir;
  std::string rpc_endpoint;
  uint64_t pool_chain_id = 31337;
  std::string pool_contract;
  std::string payout_address;  // EIP-55; the node address when payout_address is not set
  std::vector<std::string> warnings;  // about the configuration, shown by node.info
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};


/// Handed to every handler. The pointers outlive the RPC server.
struct Context {
  Engine* engine = nullptr;
  Accountant* accountant = nullptr;  // null in builds/tests without the accountant
  const NodeFacts* node = nullptr;
  events::EventBus* events = nullptr;  // null in tests without one
  LiveSettings* settings = nullptr;    // null in tests without one: session.set then refuses
  chain::Settler* settler = nullptr;   // null when chain_rpc is empty: settlement is off
  WebSessions* web = nullptr;          // the web page's logins; the Router sets it
  Scope scope = Scope::admin;  // of the authenticated caller
};

}  // namespace rpc
}  // namespace seedd
