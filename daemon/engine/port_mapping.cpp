#include "daemon/engine/port_mapping.hpp"

#include <libtorrent/alert_types.hpp>

namespace seedd {

namespace {
std::string transport_name(lt::portmap_transport t) { return t == lt::portmap_transport::upnp ? "upnp" : "natpmp"; }
}  // namespace

bool PortMappings::record(const lt::alert* a) {
  if (auto* ok = lt::alert_cast<lt::portmap_alert>(a)) {
    PortMapping m;
    m.transport = transport_name(ok->map_transport);
    m.protocol = ok->map_protocol == lt::portmap_protocol::tcp ? "tcp" : "udp";
    m.local_address = lt::address(ok->local_address).to_string();
    m.external_port = ok->external_port;
    std::lock_guard lock(m_mutex);
    m_mappings[{m.transport, m.local_address, static_cast<int>(ok->mapping)}] = std::move(m);
    return true;
  }
  if (auto* err = lt::alert_cast<lt::portmap_error_alert>(a)) {
    const auto transport = transport_name(err->map_transport);
    const auto local = lt::address(err->local_address).to_string();
    std::lock_guard lock(m_mutex);
    auto& m = m_mappings[{transport, local, static_cast<int>(err->mapping)}];
    m.transport = transport;
    m.local_address = local;
    m.external_port = 0;
    m.error = err->error.message();
    return true;
  }
  return false;
}

std::vector<PortMapping> PortMappings::snapshot() const {
  std::lock_guard lock(m_mutex);
  std::vector<PortMapping> out;
  for (const auto& [key, m] : m_mappings) out.push_back(m);
  return out;
}

}  // namespace seedd
