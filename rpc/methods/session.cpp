// session.* : the whole session.
#include "daemon/engine/engine.hpp"
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
             }});
}

}  // namespace seedd::rpc
