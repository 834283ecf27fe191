// torrent.* detail views and controls (issue 7's toolset): recheck, reannounce, move, files,
// trackers, export. They call the engine's operations, which ask libtorrent: one torrent at a time.
#include <filesystem>

#include "daemon/engine/engine.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/base64.hpp"
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
                   {"endpoint", t.endpoint},
                   {"seeds", t.seeds},
                   {"peers", t.peers},
                   {"downloaded", t.downloaded},
                   {"next_announce_at", t.next_announce_time}});
  return {{"info_hash", ih(p)}, {"trackers", std::move(out)}};
}

/// torrent.export: the .torrent as base64, or written to `out` under download_dir or a data
/// root (never over a file that is there: it could be some torrent's data).
json export_torrent(const json& p, Context& ctx) {
  const auto bytes = ctx.engine->torrent_file(ih(p));
  const auto name = ctx.engine->get(ih(p));
  json out = {{"info_hash", ih(p)}, {"name", name ? name->name : ih(p)}, {"size_bytes", bytes.size()}};
  if (!has_param(p, "out")) {
    out["torrent"] = util::base64_encode(bytes);
    return out;
  }
  const auto path = ctx.engine->confine_path(param_string(p, "out"), "out");
  std::error_code ec;
  if (std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found)
    throw invalid_params("param 'out': " + path.string() + " exists already");
  try {
    util::write_file_atomic(path, bytes);
  } catch (const std::exception& e) {
    throw RpcError(code::io_error, "param 'out': cannot write " + path.string() + ": " + e.what());
  }
  out["file"] = path.string();
  return out;
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
  table.add({"torrent.export",
             "The torrent's .torrent file, as kept in data_dir/torrents/ (made from its metadata until that is "
             "written): its info dict unchanged, so any client sees the same info-hash. As base64 in `torrent`, "
             "or with `out` written to that path under download_dir or data_roots (which must not exist yet) "
             "and named in `file`. A magnet without its metadata yet has none.",
             {kIH, {"out", ParamType::string, false, "a new file under download_dir or data_roots"}},
             "{info_hash, name, size_bytes, torrent | file}", true, export_torrent});
  table.add({"torrent.trackers",
             "The torrent's trackers with tier, last message, failures and scrape counts. libtorrent announces "
             "from each listen address: the state shown is the one of the local `endpoint` that got an answer, "
             "else of those that failed (an announce skipped as unreachable from an address counts only when "
             "every one was).",
             {kIH}, "{info_hash, trackers: [...]}", false, trackers});
}

}  // namespace seedd::rpc
