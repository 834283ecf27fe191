#pragma once
// host:port as users write it and seedd prints it (IPv6 in brackets): the one parser and the
// one formatter for rpc_bind, listen, peers given to torrent.add and the endpoints seedd shows.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seedd::util {

/// A host and a port. host is an IPv4 or IPv6 literal (no brackets) or "localhost".
struct Endpoint {
  std::string host;
  uint16_t port = 0;

  /// "1.2.3.4:80", "[::1]:80" or "localhost:80" (host case-insensitive, IPv6 made canonical);
  /// nullopt for anything else, an IPv6 address without brackets included (its port would be
  /// ambiguous: "::1:80"). Port 0 parses: for a listener it means "pick one".
  static std::optional<Endpoint> parse(std::string_view text);

  /// "host:port", an IPv6 host in brackets.
  std::string to_string() const;

  /// localhost, 127.0.0.0/8 or ::1.
  bool is_loopback() const;

  bool operator==(const Endpoint&) const = default;
};

/// The endpoints as text, joined by `separator`.
std::string join_endpoints(const std::vector<Endpoint>& endpoints, char separator = ',');

}  // namespace seedd::util
