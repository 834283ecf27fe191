#include "daemon/engine/listen_port.hpp"

#include <charconv>

namespace seedd {

std::optional<uint16_t> requested_listen_port(const std::string& listen) {
  const auto item = listen.substr(0, listen.find(','));
  const auto colon = item.rfind(':');
  if (colon == std::string::npos || (item.find(']') != std::string::npos && colon < item.find(']')))
    return std::nullopt;
  unsigned port = 0;
  const char* first = item.data() + colon + 1;
  const char* last = item.data() + item.size();
  const auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port == 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

std::optional<std::string> port_moved_warning(const std::string& listen, uint16_t bound_port) {
  const auto requested = requested_listen_port(listen);
  if (!requested || bound_port == 0 || bound_port == *requested) return std::nullopt;
  return "BitTorrent port " + std::to_string(*requested) + " was taken: listening on " + std::to_string(bound_port) +
         " instead; port forwards and firewall rules for " + std::to_string(*requested) +
         " do not reach seedd (free the port, or set listen)";
}

}  // namespace seedd
