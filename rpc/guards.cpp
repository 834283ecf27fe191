#include "rpc/guards.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <boost/asio/ip/address.hpp>

namespace seedd::rpc {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<uint8_t> address_bytes(const boost::asio::ip::address& a) {
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    return {b.begin(), b.end()};
  }
  auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    auto b = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_bytes();
    return {b.begin(), b.end()};
  }
  auto b = v6.to_bytes();
  return {b.begin(), b.end()};
}

/// "host", "host:port", "[v6]:port", "[v6]" -> host (brackets removed).
std::string host_part(const std::string& h) {
  if (!h.empty() && h.front() == '[') {
    const auto close = h.find(']');
    return close == std::string::npos ? std::string() : h.substr(1, close - 1);
  }
  const auto colon = h.find(':');
  if (colon != std::string::npos && h.find(':', colon + 1) == std::string::npos) return h.substr(0, colon);
  return h;  // no port, or a bare IPv6 literal
}

}  // namespace

RequestGuard::RequestGuard(GuardOptions options) {
  for (const auto& cidr : options.allow_cidrs) {
    const auto slash = cidr.find('/');
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(cidr.substr(0, slash), ec);
    if (ec) throw std::invalid_argument("rpc_allow_ip: '" + cidr + "' is not an address or CIDR block");
    Network n{address_bytes(addr), 0};
    const int max = static_cast<int>(n.bytes.size() * 8);
    n.prefix = max;
    if (slash != std::string::npos) {
      try {
        n.prefix = std::stoi(cidr.substr(slash + 1));
      } catch (const std::exception&) {
        n.prefix = -1;
      }
      if (n.prefix < 0 || n.prefix > max) throw std::invalid_argument("rpc_allow_ip: '" + cidr + "' has a bad prefix length");
    }
    m_networks.push_back(std::move(n));
  }
  for (auto& name : options.host_names) m_names.push_back(lower(host_part(name)));
}

bool RequestGuard::address_allowed(const std::string& remote) const {
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(remote, ec);
  if (ec) return false;
  if (addr.is_loopback() || (addr.is_v6() && addr.to_v6().is_v4_mapped() &&
                             boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6()).is_loopback()))
    return true;
  const auto bytes = address_bytes(addr);
  for (const auto& n : m_networks) {
    if (n.bytes.size() != bytes.size()) continue;
    int bits = n.prefix;
    bool match = true;
    for (size_t i = 0; i < bytes.size() && bits > 0; ++i, bits -= 8) {
      const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
      if ((bytes[i] & mask) != (n.bytes[i] & mask)) {
        match = false;
        break;
      }
    }
    if (match) return true;
  }
  return false;
}

bool RequestGuard::host_allowed(const std::string& host_header) const {
  if (host_header.empty()) return true;
  const auto host = lower(host_part(host_header));
  if (host.empty()) return false;
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (!ec) return true;  // an IP literal cannot be rebound
  if (host == "localhost") return true;
  return std::find(m_names.begin(), m_names.end(), host) != m_names.end();
}

bool RequestGuard::origin_allowed(const std::string& origin, const std::string& host_header) const {
  if (origin.empty()) return true;
  const auto sep = origin.find("://");
  if (sep == std::string::npos) return false;  // includes "null"
  std::string rest = origin.substr(sep + 3);
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  const auto host = lower(host_part(rest));
  if (host.empty()) return false;
  if (!host_header.empty() && host == lower(host_part(host_header))) return true;  // same host
  if (host == "localhost" || is_loopback(host)) return true;
  // Unlike in Host, any other IP address is some other machine's page, unless it is ours.
  return std::find(m_names.begin(), m_names.end(), host) != m_names.end();
}

std::string source_key(const std::string& address) {
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(address, ec);
  if (ec) return address;
  const auto bytes = address_bytes(addr);
  if (bytes.size() == 4) return boost::asio::ip::address_v4({bytes[0], bytes[1], bytes[2], bytes[3]}).to_string();
  boost::asio::ip::address_v6::bytes_type prefix{};
  std::copy(bytes.begin(), bytes.begin() + 8, prefix.begin());
  return boost::asio::ip::address_v6(prefix).to_string() + "/64";
}

bool is_loopback(const std::string& address) {
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(address, ec);
  if (ec) return false;
  const auto bytes = address_bytes(addr);
  return bytes.size() == 4 ? bytes[0] == 127 : addr.is_loopback();
}

ConnectionLimiter::ConnectionLimiter(int max_connections, std::function<bool(const std::string&)> allowed)
    : m_max(max_connections), m_allowed(std::move(allowed)) {}

ConnectionLimiter::Verdict ConnectionLimiter::admit(const std::string& address) {
  if (m_allowed && !m_allowed(address)) return Verdict::not_allowed;
  const bool loopback = is_loopback(address);
  std::lock_guard lock(m_mutex);
  if (m_open >= m_max) return Verdict::server_full;
  if (!loopback) {
    if (m_open_remote >= m_max - kLoopbackReservedConnections) return Verdict::server_full;
    auto& n = m_per_source[source_key(address)];
    if (n >= kMaxConnectionsPerAddress) return Verdict::source_full;
    ++n;
    ++m_open_remote;
  }
  ++m_open;
  return Verdict::admitted;
}

void ConnectionLimiter::release(const std::string& address) {
  const bool loopback = is_loopback(address);
  std::lock_guard lock(m_mutex);
  --m_open;
  if (loopback) return;
  --m_open_remote;
  const auto it = m_per_source.find(source_key(address));
  if (it != m_per_source.end() && --it->second <= 0) m_per_source.erase(it);
}

int ConnectionLimiter::open() const {
  std::lock_guard lock(m_mutex);
  return m_open;
}

std::chrono::milliseconds AuthBackoff::failure(const std::string& address_) {
  const auto address = source_key(address_);
  std::lock_guard lock(m_mutex);
  auto it = m_entries.find(address);
  if (it == m_entries.end()) {
    if (m_entries.size() >= kMaxBackoffEntries) {
      auto oldest = std::min_element(m_entries.begin(), m_entries.end(),
                                     [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
      m_entries.erase(oldest);
    }
    it = m_entries.emplace(address, Entry{}).first;
  }
  auto& e = it->second;
  ++e.failures;
  e.last = std::chrono::steady_clock::now();
  auto delay = kBaseAuthDelay;
  if (e.failures > kAuthFailuresBeforeBackoff) {
    const int doublings = std::min(e.failures - kAuthFailuresBeforeBackoff, 10);
    delay = std::min(kMaxAuthDelay, kBaseAuthDelay * (1 << doublings));
  }
  e.locked_until = e.last + delay;
  return delay;
}

std::optional<std::chrono::milliseconds> AuthBackoff::locked(const std::string& address) const {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(m_mutex);
  if (m_entries.empty()) return std::nullopt;  // no failure anywhere: no address to parse
  const auto it = m_entries.find(source_key(address));
  if (it == m_entries.end() || it->second.locked_until <= now) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(it->second.locked_until - now);
}

void AuthBackoff::success(const std::string& address) {
  std::lock_guard lock(m_mutex);
  if (m_entries.empty()) return;  // the common case: no failure to forget, no address to parse
  m_entries.erase(source_key(address));
}

bool LogRateLimit::allow(uint64_t& suppressed, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(m_mutex);
  if (now - m_window_start >= m_interval) {
    m_window_start = now;
    m_written = 0;
  }
  if (m_written >= m_lines) {
    ++m_suppressed;
    return false;
  }
  ++m_written;
  suppressed = std::exchange(m_suppressed, 0);
  return true;
}

size_t AuthBackoff::size() const {
  std::lock_guard lock(m_mutex);
  return m_entries.size();
}

}  // namespace seedd::rpc
