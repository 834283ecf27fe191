#include "rpc/guards.hpp"

#include <algorithm>
#include <stdexcept>

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

bool RequestGuard::origin_allowed(const std::string& origin) const {
  if (origin.empty()) return true;
  const auto sep = origin.find("://");
  if (sep == std::string::npos) return false;  // includes "null"
  std::string rest = origin.substr(sep + 3);
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  return !rest.empty() && host_allowed(rest);
}

std::chrono::milliseconds AuthBackoff::failure(const std::string& address) {
  std::lock_guard lock(m_mutex);
  auto it = m_entries.find(address);
  if (it == m_entries.end()) {
    if (m_entries.size() >= MAX_BACKOFF_ENTRIES) {
      auto oldest = std::min_element(m_entries.begin(), m_entries.end(),
                                     [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
      m_entries.erase(oldest);
    }
    it = m_entries.emplace(address, Entry{}).first;
  }
  auto& e = it->second;
  ++e.failures;
  e.last = std::chrono::steady_clock::now();
  if (e.failures <= AUTH_FAILURES_BEFORE_BACKOFF) return BASE_AUTH_DELAY;
  const int doublings = std::min(e.failures - AUTH_FAILURES_BEFORE_BACKOFF, 10);
  return std::min(MAX_AUTH_DELAY, BASE_AUTH_DELAY * (1 << doublings));
}

void AuthBackoff::success(const std::string& address) {
  std::lock_guard lock(m_mutex);
  m_entries.erase(address);
}

size_t AuthBackoff::size() const {
  std::lock_guard lock(m_mutex);
  return m_entries.size();
}

}  // namespace seedd::rpc
