#pragma once
// What UPnP and NAT-PMP made of the BitTorrent port (session.port_test): one entry per
// mapping libtorrent reported, with the external port or the error. Plain C++ for the API;
// record() takes libtorrent's alerts.
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace libtorrent {
struct alert;
}

namespace seedd {

/// One port mapping on one local network: mapped (external_port > 0) or failed (error).
struct PortMapping {
  std::string transport;      // "upnp" or "natpmp"
  std::string protocol;       // "tcp", "udp" or "" (an error names no protocol)
  std::string local_address;  // the network the mapper runs on
  int external_port = 0;      // 0 until mapped
  std::string error;          // the last failure; empty once mapped
};

/// The latest state of every mapping. The engine's thread records, RPC threads read.
class PortMappings {
 public:
  /// Records `a` when it is a portmap_alert or portmap_error_alert; false for any other alert.
  bool record(const libtorrent::alert* a);
  std::vector<PortMapping> snapshot() const;

 private:
  mutable std::mutex m_mutex;
  // (transport, local address, libtorrent's mapping index) -> state; guarded by m_mutex
  std::map<std::tuple<std::string, std::string, int>, PortMapping> m_mappings;
};

}  // namespace seedd
