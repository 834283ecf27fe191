// node.* : facts about this node.
#include "daemon/engine/engine.hpp"
#include "daemon/engine/listen_port.hpp"
#include "rpc/json_text.hpp"
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
             // Written as text (the keys in nlohmann's order): the most-called method of
             // monitoring scripts, answered on the network thread without building a tree.
             .text_handler = [](const json&, Context& ctx, std::string& out) {
               const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now() - ctx.node->started);
               const auto& listen = ctx.engine->settings().listen;
               const auto requested = requested_listen_port(listen);
               const auto bound = ctx.engine->listen_port();
               using namespace json_text;
               out += R"({"data_dir":)";
               append_string(out, ctx.node->data_dir.native());
               out += R"(,"libtorrent_version":)";
               append_string(out, Engine::libtorrent_version());
               out += R"(,"listen":)";
               append_string_array(out, ctx.engine->listen_endpoints());
               out += R"(,"listen_port":)";
               append_uint(out, bound);
               out += R"(,"listen_port_requested":)";
               if (requested) append_uint(out, *requested);
               else out += "null";
               out += R"(,"node_address":)";
               append_string(out, ctx.node->address);
               out += R"(,"pool_chain_id":)";
               append_uint(out, ctx.node->pool_chain_id);
               out += R"(,"pool_contract":)";
               append_string(out, ctx.node->pool_contract);
               out += R"(,"rpc":)";
               append_string(out, ctx.node->rpc_endpoint);
               out += R"(,"uptime_seconds":)";
               append_int(out, uptime.count());
               out += R"(,"version":)";
               append_string(out, SEEDD_VERSION);
               out += R"(,"warnings":)";
               // The node's warnings as they are; copied only in the rare case of one more.
               if (auto moved = port_moved_warning(requested, bound)) {
                 auto warnings = ctx.node->warnings;
                 warnings.push_back(std::move(*moved));
                 append_string_array(out, warnings);
               } else {
                 append_string_array(out, ctx.node->warnings);
               }
               out += '}';
             },
             .runs_inline = true});
}

}  // namespace seedd::rpc
