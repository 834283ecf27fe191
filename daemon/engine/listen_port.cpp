#include "daemon/engine/listen_port.hpp"

#include "daemon/util/endpoint.hpp"

namespace seedd {

std::optional<uint16_t> requested_listen_port(const std::string& listen) {
  const auto first = util::Endpoint::parse(std::string_view(listen).substr(0, listen.find(',')));
  if (!first || first->port == 0) return std::nullopt;
  return first->port;
}

std::optional<std::string> port_moved_warning(const std::string& listen, uint16_t bound_port) {
  return port_moved_warning(requested_listen_port(listen), bound_port);
}

std::optional<std::string> port_moved_warning(std::optional<uint16_t> requested, uint16_t bound_port) {
  if (!requested || bound_port == 0 || bound_port == *requested) return std::nullopt;
  return "BitTorrent port " + std::to_string(*requested) + " was taken: listening on " + std::to_string(bound_port) +
         " instead; port forwards and firewall rules for " + std::to_string(*requested) +
         " do not reach seedd (free the port, or set listen)";
}

}  // namespace seedd
