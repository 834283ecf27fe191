#pragma once
// Guards in front of every RPC request (issue 5): who may connect (rpc_allow_ip), which Host
// and Origin a request may carry (DNS rebinding: transmission's CVE-2018-5702), and a back-off
// for addresses that keep failing authentication.
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace seedd::rpc {

struct GuardOptions {
  std::vector<std::string> allow_cidrs;  // besides loopback, which is always allowed
  std::vector<std::string> host_names;   // rpc_host names and the bind addresses
};

class RequestGuard {
 public:
  /// Throws std::invalid_argument naming a CIDR that does not parse.
  explicit RequestGuard(GuardOptions options);
  /// Loopback, or inside one of the allowed CIDR blocks.
  bool address_allowed(const std::string& remote_address) const;
  /// An IP literal, "localhost", or an allowed name, with or without a port; an absent Host
  /// header is allowed (browsers, the rebinding attack path, always send one).
  bool host_allowed(const std::string& host_header) const;
  /// No Origin, or one whose host passes host_allowed(). "null" is refused.
  bool origin_allowed(const std::string& origin) const;

 private:
  struct Network {
    std::vector<uint8_t> bytes;  // 4 or 16
    int prefix;
  };
  std::vector<Network> m_networks;
  std::vector<std::string> m_names;  // lower-case
};

/// Failed logins per address: the answer to a failure is delayed 250 ms, and longer (doubling,
/// up to MAX_AUTH_DELAY) after AUTH_FAILURES_BEFORE_BACKOFF failures in a row from that address.
/// Other addresses are never slowed. The table is bounded (oldest entry evicted).
constexpr std::chrono::milliseconds BASE_AUTH_DELAY{250};
constexpr std::chrono::milliseconds MAX_AUTH_DELAY{8000};
constexpr int AUTH_FAILURES_BEFORE_BACKOFF = 5;
constexpr size_t MAX_BACKOFF_ENTRIES = 4096;

class AuthBackoff {
 public:
  /// Records a failure and returns how long to hold its answer.
  std::chrono::milliseconds failure(const std::string& address);
  void success(const std::string& address);
  size_t size() const;

 private:
  struct Entry {
    int failures = 0;
    std::chrono::steady_clock::time_point last;
  };
  mutable std::mutex m_mutex;
  std::map<std::string, Entry> m_entries;
};

}  // namespace seedd::rpc
