#include "daemon/engine/lt_util.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <pthread.h>

#include <libtorrent/hex.hpp>

namespace seedd::lt_util {

lt::sha1_hash id_bytes(const lt::info_hash_t& ih) {
  if (ih.has_v1()) return ih.v1;
  lt::sha1_hash out;
  std::copy_n(ih.v2.data(), 20, out.data());
  return out;
}

std::string id_of(const lt::info_hash_t& ih) { return lt::aux::to_hex(id_bytes(ih)); }

std::string normalize_id(const std::string& id) {
  std::string out = id;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string endpoint_string(const lt::address& addr, int port) {
  if (addr.is_v6()) return "[" + addr.to_string() + "]:" + std::to_string(port);
  return addr.to_string() + ":" + std::to_string(port);
}

std::optional<lt::tcp::endpoint> parse_endpoint(const std::string& s) {
  std::string host, port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') return std::nullopt;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (err != std::errc() || end != port.data() + port.size() || port.empty() || value == 0 || value > 65535)
    return std::nullopt;
  lt::error_code ec;
  auto addr = lt::make_address(host, ec);
  if (ec) return std::nullopt;
  return lt::tcp::endpoint(addr, static_cast<uint16_t>(value));
}

void name_this_thread(const char* name) { ::pthread_setname_np(::pthread_self(), name); }

}  // namespace seedd::lt_util
