#pragma once
// Guards in front of every RPC request (issue 5): who may connect (rpc_allow_ip), which Host
// and Origin a request may carry (DNS rebinding: transmission's CVE-2018-5702), and a back-off
// for addresses that keep failing authentication.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
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
  /// No Origin; or one whose host is the Host header's (same host: the page came from seedd),
  /// loopback, "localhost" or an allowed name. Any other IP address is refused: a page served
  /// by another machine of the LAN must not drive the RPC. "null" is refused.
  bool origin_allowed(const std::string& origin, const std::string& host_header = "") const;

 private:
  struct Network {
    std::vector<uint8_t> bytes;  // 4 or 16
    int prefix;
  };
  std::vector<Network> m_networks;
  std::vector<std::string> m_names;  // lower-case
};

/// What an address is counted as for the per-source limits: an IPv4 address (IPv4-mapped IPv6
/// included) as itself, an IPv6 address as its /64, which one LAN host holds whole (so it cannot
/// rotate addresses past the limits). Anything else is returned unchanged.
std::string source_key(const std::string& address);
/// Whether the address is a loopback one (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104).
bool is_loopback(const std::string& address);

/// Connections from one source (source_key), except loopback ones, which only the overall cap
/// bounds: a LAN host cannot take every slot.
constexpr int kMaxConnectionsPerAddress = 64;
/// Slots only loopback clients may take: the local admin (seedctl) gets in while the LAN has
/// taken every other one. Non-loopback clients together get kMaxConnections minus these.
constexpr int kLoopbackReservedConnections = 64;

/// Who may hold one of the server's `max_connections` connection slots. An address outside the
/// allow-list is refused before it counts. Thread-safe.
class ConnectionLimiter {
 public:
  enum class Verdict { admitted, not_allowed, source_full, server_full };
  /// `allowed`: the allow-list (RequestGuard::address_allowed); null allows every address.
  ConnectionLimiter(int max_connections, std::function<bool(const std::string&)> allowed);
  /// Takes a slot for a new connection from `address` when admitted; release() gives it back.
  Verdict admit(const std::string& address);
  void release(const std::string& address);
  int open() const;

 private:
  const int m_max;
  std::function<bool(const std::string&)> m_allowed;
  mutable std::mutex m_mutex;
  int m_open = 0;         // all connections
  int m_open_remote = 0;  // the non-loopback ones
  std::map<std::string, int> m_per_source;  // non-loopback, by source_key
};

/// Failed logins per address: the answer to a failure is delayed 250 ms, and longer (doubling,
/// up to kMaxAuthDelay) after kAuthFailuresBeforeBackoff failures in a row from that address.
/// Other addresses are never slowed. The table is bounded (oldest entry evicted). Until a
/// failure's delay has passed, the address is locked: its further attempts are refused (429)
/// without their password being checked, so parallel connections gain no guesses; one source
/// (source_key) gets at most one guess per delay, down to 1 per kMaxAuthDelay.
constexpr std::chrono::milliseconds kBaseAuthDelay{250};
constexpr std::chrono::milliseconds kMaxAuthDelay{8000};
constexpr int kAuthFailuresBeforeBackoff = 5;
constexpr size_t kMaxBackoffEntries = 4096;

class AuthBackoff {
 public:
  /// Records a failure and returns how long to hold its answer; the address is locked as long.
  std::chrono::milliseconds failure(const std::string& address);
  /// How long the address stays locked, or nothing when it may try a password now.
  std::optional<std::chrono::milliseconds> locked(const std::string& address) const;
  void success(const std::string& address);
  size_t size() const;

 private:
  struct Entry {
    int failures = 0;
    std::chrono::steady_clock::time_point last;
    std::chrono::steady_clock::time_point locked_until;
  };
  mutable std::mutex m_mutex;
  std::map<std::string, Entry> m_entries;  // by source_key
};

/// Lines of the "authentication failed" warning per kAuthLogInterval; the ones over it are
/// counted and the count is given with the next line written.
constexpr int kAuthLogLinesPerInterval = 10;
constexpr std::chrono::seconds kAuthLogInterval{60};

/// A log line that may be written at most `lines` times per `interval`. Thread-safe.
class LogRateLimit {
 public:
  LogRateLimit(int lines, std::chrono::steady_clock::duration interval) : m_lines(lines), m_interval(interval) {}
  /// Whether to write the line now; when it is, `suppressed` is how many were not written
  /// since the last one that was.
  bool allow(uint64_t& suppressed, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

 private:
  const int m_lines;
  const std::chrono::steady_clock::duration m_interval;
  std::mutex m_mutex;
  std::chrono::steady_clock::time_point m_window_start{};
  int m_written = 0;
  uint64_t m_suppressed = 0;
};

}  // namespace seedd::rpc
