// session.* : the whole session.
#include "daemon/engine/engine.hpp"
#include "daemon/engine/listen_port.hpp"
#include "rpc/method_table.hpp"

namespace seedd::rpc {

void register_session_methods(MethodTable& table) {
  table.add({"session.stats",
             "Global rates and totals: payload bytes per second up and down, all-time payload bytes of "
             "the torrents present, torrent and peer counts.",
             {},
             "{upload_rate, download_rate, uploaded_bytes, downloaded_bytes, torrents, peers}",
             false,
             [](const json&, Context& ctx) {
               const auto s = ctx.engine->stats();
               return json{{"upload_rate", s.upload_rate},
                           {"download_rate", s.download_rate},
                           {"uploaded_bytes", std::to_string(s.uploaded_bytes)},
                           {"downloaded_bytes", std::to_string(s.downloaded_bytes)},
                           {"torrents", s.num_torrents},
                           {"peers", s.num_peers}};
             }})
      .runs_inline = true;
  table.add({"session.port_test",
             "Whether peers can reach the BitTorrent port, as far as the node itself can tell: the port "
             "asked for and the one bound (port_moved when libtorrent took the next free one), whether "
             "UPnP and NAT-PMP are on, and every mapping they reported (external_port, or the error). It "
             "sends nothing itself.",
             {},
             "{listen_port, listen_port_requested, port_moved, warnings: [string], upnp, natpmp, "
             "mappings: [{transport, protocol, local_address, external_port, error}]}",
             false,
             [](const json&, Context& ctx) {
               const auto& listen = ctx.engine->settings().listen;
               const auto requested = requested_listen_port(listen);
               const auto bound = ctx.engine->listen_port();
               const auto moved = port_moved_warning(listen, bound);
               const auto network = ctx.engine->network();
               json mappings = json::array();
               json warnings = json::array();
               if (moved) warnings.push_back(*moved);
               for (const auto& m : ctx.engine->port_mappings()) {
                 mappings.push_back({{"transport", m.transport},
                                     {"protocol", m.protocol},
                                     {"local_address", m.local_address},
                                     {"external_port", m.external_port},
                                     {"error", m.error}});
                 if (m.external_port > 0 && m.external_port != bound)
                   warnings.push_back(m.transport + " mapped external port " + std::to_string(m.external_port) +
                                      " to " + std::to_string(bound) + ": peers must be told the external one");
               }
               if (!network.upnp && !network.natpmp)
                 warnings.push_back("UPnP and NAT-PMP are off: forward port " + std::to_string(bound) +
                                    " (TCP and UDP) by hand if this node is behind a NAT");
               return json{{"listen_port", bound},
                           {"listen_port_requested", requested ? json(*requested) : json(nullptr)},
                           {"port_moved", moved.has_value()},
                           {"warnings", std::move(warnings)},
                           {"upnp", network.upnp},
                           {"natpmp", network.natpmp},
                           {"mappings", std::move(mappings)}};
             }});
}

}  // namespace seedd::rpc
