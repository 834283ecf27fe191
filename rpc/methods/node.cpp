// node.* : facts about this node.
#include "daemon/engine/engine.hpp"
#include "daemon/engine/listen_port.hpp"
#include "rpc/method_table.hpp"

namespace seedd::rpc {

void register_node_methods(MethodTable& table) {
  table.add({.name = "node.info",
             .description = "Version, libtorrent version, node address, reward pool domain, data directory, listen "
             "endpoints, the BitTorrent port bound and the one asked for (libtorrent takes the next free port "
             "when that one is taken: a warning says so), uptime, and warnings about the configuration (such "
             "as a plain-HTTP RPC bound to the network).",
             .result = res::obj("", {res::str("version"), res::str("libtorrent_version"), res::str("node_address"),
                                     res::integer("pool_chain_id"), res::str("pool_contract"), res::str("data_dir"),
                                     res::strings("listen", "the BitTorrent listen endpoints"),
                                     res::integer("listen_port", "the port bound"),
                                     res::integer("listen_port_requested").or_null(),
                                     res::str("rpc", "the RPC endpoint"), res::integer("uptime_seconds"),
                                     res::strings("warnings", "about the configuration")}),
             .handler = [](const json&, Context& ctx) {
               const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now() - ctx.node->started);
               const auto& listen = ctx.engine->settings().listen;
               const auto requested = requested_listen_port(listen);
               const auto bound = ctx.engine->listen_port();
               auto warnings = ctx.node->warnings;
               if (auto moved = port_moved_warning(listen, bound)) warnings.push_back(*moved);
               return json{{"version", SEEDD_VERSION},
                           {"libtorrent_version", Engine::libtorrent_version()},
                           {"node_address", ctx.node->address},
                           {"pool_chain_id", ctx.node->pool_chain_id},
                           {"pool_contract", ctx.node->pool_contract},
                           {"data_dir", ctx.node->data_dir.string()},
                           {"listen", ctx.engine->listen_endpoints()},
                           {"listen_port", bound},
                           {"listen_port_requested", requested ? json(*requested) : json(nullptr)},
                           {"rpc", ctx.node->rpc_endpoint},
                           {"uptime_seconds", uptime.count()},
                           {"warnings", warnings}};
             },
             .runs_inline = true});
}

}  // namespace seedd::rpc
