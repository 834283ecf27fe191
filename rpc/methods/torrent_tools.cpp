// torrent.* detail views and controls (issue 7's toolset): recheck, reannounce, move, files,
// trackers. They call the engine's operations, which ask libtorrent: one torrent at a time.
#include "daemon/engine/engine.hpp"
#include "rpc/method_table.hpp"

namespace seedd::rpc {
namespace {

std::string ih(const json& p) { return param_string(p, "info_hash"); }
const ParamSpec kIH{"info_hash", ParamType::info_hash, true, "the torrent's 40-hex info-hash"};

json files(const json& p, Context& ctx) {
  json out = json::array();
  int index = 0;
  for (const auto& f : ctx.engine->files(ih(p)))
    out.push_back({{"index", index++},
                   {"path", f.path},
                   {"size_bytes", std::to_string(f.size)},
                   {"done_bytes", std::to_string(f.done_bytes)},
                   {"priority", f.priority},
                   {"first_piece", f.first_piece},
                   {"last_piece", f.last_piece}});
  return {{"info_hash", ih(p)}, {"files", std::move(out)}};
}

json trackers(const json& p, Context& ctx) {
  json out = json::array();
  for (const auto& t : ctx.engine->trackers(ih(p)))
    out.push_back({{"url", t.url},
                   {"tier", t.tier},
                   {"message", t.message},
                   {"fails", t.fails},
                   {"updating", t.updating},
                   {"verified", t.verified},
                   {"seeds", t.seeds},
                   {"peers", t.peers},
                   {"downloaded", t.downloaded},
                   {"next_announce_at", t.next_announce_time}});
  return {{"info_hash", ih(p)}, {"trackers", std::move(out)}};
}

}  // namespace

void register_torrent_tool_methods(MethodTable& table) {
  table.add({"torrent.reannounce", "Announces the torrent to every tracker (and the DHT) now.", {kIH}, "{info_hash}",
             true, [](const json& p, Context& ctx) {
               ctx.engine->reannounce(ih(p));
               return json{{"info_hash", ih(p)}};
             }});
  table.add({"torrent.move",
             "Moves a torrent's data to another directory under download_dir or data_roots. With move_data "
             "false the data is expected there already and is checked again.",
             {kIH,
              {"location", ParamType::string, true,
               "the new save path; none of the torrent's folders or files there may be a symbolic link leading "
               "out of the allowed directories"},
              {"move_data", ParamType::boolean, false, "move the files (default true)"}},
             "{info_hash, location}", true, [](const json& p, Context& ctx) {
               ctx.engine->move(ih(p), param_string(p, "location"), param_bool(p, "move_data", true));
               return json{{"info_hash", ih(p)}, {"location", param_string(p, "location")}};
             }});
  table.add({"torrent.files",
             "The torrent's files with size, bytes done, priority (0 = skip .. 7, 4 = normal) and piece range; "
             "index is what torrent.set's files takes.",
             {kIH}, "{info_hash, files: [...]}", false, files});
  table.add({"torrent.trackers", "The torrent's trackers with tier, last message, failures and scrape counts.",
             {kIH}, "{info_hash, trackers: [...]}", false, trackers});
}

}  // namespace seedd::rpc
