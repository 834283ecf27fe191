// node.* : facts about this node.
#include "daemon/engine/engine.hpp"
#include "rpc/method_table.hpp"

namespace seedd::rpc {

void register_node_methods(MethodTable& table) {
  table.add({"node.info",
             "Version, libtorrent version, node address, reward pool domain, data directory, listen "
             "endpoints, uptime, and warnings about the configuration (such as a plain-HTTP RPC bound to "
             "the network).",
             {},
             "{version, libtorrent_version, node_address, pool_chain_id, pool_contract, data_dir, "
             "listen, rpc, uptime_seconds, warnings: [string]}",
             false,
             [](const json&, Context& ctx) {
               const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now() - ctx.node->started);
               return json{{"version", SEEDD_VERSION},
                           {"libtorrent_version", Engine::libtorrent_version()},
                           {"node_address", ctx.node->address},
                           {"pool_chain_id", ctx.node->pool_chain_id},
                           {"pool_contract", ctx.node->pool_contract},
                           {"data_dir", ctx.node->data_dir.string()},
                           {"listen", ctx.engine->listen_endpoints()},
                           {"listen_port", ctx.engine->listen_port()},
                           {"rpc", ctx.node->rpc_endpoint},
                           {"uptime_seconds", uptime.count()},
                           {"warnings", ctx.node->warnings}};
             }});
}

}  // namespace seedd::rpc
