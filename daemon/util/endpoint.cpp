#include "daemon/util/endpoint.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <netinet/in.h>

namespace seedd::util {

std::optional<Endpoint> Endpoint::parse(std::string_view s) {
  std::string host;
  std::string_view port_text;
  unsigned char bytes[16];
  if (s.starts_with('[')) {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return std::nullopt;
    host = std::string(s.substr(1, close - 1));
    port_text = s.substr(close + 2);
    if (::inet_pton(AF_INET6, host.c_str(), bytes) != 1) return std::nullopt;
    char canonical[INET6_ADDRSTRLEN];
    host = ::inet_ntop(AF_INET6, bytes, canonical, sizeof canonical);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = std::string(s.substr(0, colon));
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    port_text = s.substr(colon + 1);
    if (host != "localhost" && ::inet_pton(AF_INET, host.c_str(), bytes) != 1) return std::nullopt;
  }
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  unsigned port = 0;
  std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port > 65535) return std::nullopt;
  return Endpoint{std::move(host), static_cast<uint16_t>(port)};
}

std::string Endpoint::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool Endpoint::is_loopback() const {
  if (host == "localhost") return true;
  unsigned char bytes[16];
  if (::inet_pton(AF_INET, host.c_str(), bytes) == 1) return bytes[0] == 127;
  if (::inet_pton(AF_INET6, host.c_str(), bytes) == 1) {
    in6_addr a{};
    std::copy_n(bytes, 16, a.s6_addr);
    return IN6_IS_ADDR_LOOPBACK(&a);
  }
  return false;
}

std::string join_endpoints(const std::vector<Endpoint>& endpoints, char separator) {
  std::string out;
  for (const auto& e : endpoints) {
    if (!out.empty()) out += separator;
    out += e.to_string();
  }
  return out;
}

}  // namespace seedd::util
