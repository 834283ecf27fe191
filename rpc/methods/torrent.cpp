// torrent.* : adding, making, listing and controlling torrents.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <set>

#include "daemon/engine/engine.hpp"
#include "daemon/engine/torrent_states.hpp"
#include "daemon/util/base64.hpp"
#include "rpc/json_text.hpp"
#include "rpc/method_table.hpp"
#include "rpc/torrent_json.hpp"

namespace seedd::rpc {
namespace {

std::vector<std::string> string_list(const json& params, const char* name) {
  std::vector<std::string> out;
  if (has_param(params, name))
    for (const auto& v : params[name]) out.push_back(v.get<std::string>());
  return out;
}

bool all_of_set(const std::string& s, const char* set) { return s.find_first_not_of(set) == std::string::npos; }

/// libtorrent decodes a btih it cannot read (partly hex, bad base32) into a made-up hash and
/// adds that torrent; every info-hash of a magnet is checked here first.
void check_magnet(const std::string& uri) {
  const auto query = uri.find('?');
  if (query == std::string::npos) return;  // libtorrent names what is wrong
  size_t pos = query + 1;
  while (pos <= uri.size()) {
    const auto end = std::min(uri.find('&', pos), uri.size());
    const auto item = uri.substr(pos, end - pos);
    pos = end + 1;
    const auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    std::string key = item.substr(0, eq);
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key != "xt" && key.rfind("xt.", 0) != 0) continue;
    std::string value;
    const auto raw = item.substr(eq + 1);
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
        value += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        value += raw[i];
      }
    }
    std::string urn = value.substr(0, 9);
    for (auto& c : urn) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto hash = value.substr(std::min<size_t>(9, value.size()));
    const auto shown = "'" + hash.substr(0, 80) + (hash.size() > 80 ? "...'" : "'");
    if (urn == "urn:btih:" && !((hash.size() == 40 && all_of_set(hash, "0123456789abcdefABCDEF")) ||
                                (hash.size() == 32 && all_of_set(hash, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz234567"))))
      throw invalid_params("param 'magnet': info-hash " + shown + " is neither 40 hex digits nor 32 base32 characters");
    if (urn == "urn:btmh:" && !(hash.size() == 68 && hash.compare(0, 4, "1220") == 0 &&
                                all_of_set(hash, "0123456789abcdefABCDEF")))
      throw invalid_params("param 'magnet': info-hash " + shown + " is not a SHA-256 multihash (1220 and 64 hex digits)");
  }
}

json add(const json& params, Context& ctx) {
  AddTorrentRequest req;
  const int sources = has_param(params, "magnet") + has_param(params, "torrent") + has_param(params, "path");
  if (sources != 1) throw invalid_params("give exactly one of 'magnet', 'torrent' (base64) or 'path'");
  if (has_param(params, "magnet")) {
    req.magnet = param_string(params, "magnet");
    check_magnet(*req.magnet);
  }
  if (has_param(params, "torrent")) {
    auto bytes = util::base64_decode(param_string(params, "torrent"));
    if (!bytes || bytes->empty()) throw invalid_params("param 'torrent' is not valid base64");
    req.torrent_bytes = std::move(*bytes);
  }
  if (has_param(params, "path")) req.torrent_path = param_string(params, "path");
  if (has_param(params, "save_path")) req.save_path = param_string(params, "save_path");
  req.paused = param_bool(params, "paused");
  req.peers = string_list(params, "peers");
  bool added = false;
  const auto id = ctx.engine->add_torrent(req, &added);
  return {{"info_hash", id}, {"existed", !added}};
}

TorrentVersion torrent_version(const json& params) {
  const auto v = param_string(params, "version", "v1");
  if (v == "v1") return TorrentVersion::v1;
  if (v == "v2") return TorrentVersion::v2;
  if (v == "hybrid") return TorrentVersion::hybrid;
  throw invalid_params("param 'version': must be v1, v2 or hybrid, got '" + v.substr(0, 40) + "'");
}

json create(const json& params, Context& ctx) {
  CreateTorrentRequest req;
  req.path = param_string(params, "path");
  req.trackers = string_list(params, "trackers");
  req.comment = param_string(params, "comment");
  req.version = torrent_version(params);
  const auto made = ctx.engine->create_torrent(req);
  return {{"info_hash", made.info_hash},
          {"magnet", made.magnet},
          {"torrent", util::base64_encode(made.torrent_bytes)},
          {"existed", made.existed}};
}

// Written as text straight from the engine's snapshot: at 10,000 torrents, copying the
// snapshot and building a json tree took most of the call's time and left megabytes of freed
// heap in each RPC thread.
void list(const json& params, Context& ctx, std::string& out) {
  std::set<std::string> fields;
  for (const auto& f : string_list(params, "fields")) {
    if (!is_torrent_field(f)) throw invalid_params("param 'fields': unknown field '" + f + "'");
    fields.insert(f);
  }
  const auto state = param_string(params, "state");
  if (has_param(params, "state") && !is_torrent_state(state))
    throw invalid_params("param 'state': unknown state '" + state.substr(0, 40) + "' (one of " +
                         torrent_states_text() + ")");
  const auto label = param_string(params, "label");
  const auto since = param_string(params, "since");
  if (has_param(params, "since")) {
    const auto dot = since.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == since.size() || since.size() > 40 ||
        !all_of_set(since.substr(0, dot), "0123456789") || !all_of_set(since.substr(dot + 1), "0123456789"))
      throw invalid_params("param 'since': not a cursor from torrent.list (expected digits.digits)");
  }
  const TorrentJsonWriter write(fields);
  const bool by_label = has_param(params, "label");
  // Room for an answer as big as the last one, so the text is not copied as it grows.
  static std::atomic<size_t> last_size{0};
  out.reserve(out.size() + last_size.load() + 1024);
  const auto start = out.size();
  out += "{\"torrents\":[";
  bool first = true;
  const auto delta = ctx.engine->visit_since(since, [&](const TorrentStatus& t) {
    if (!state.empty() && t.state != state) return;
    if (by_label && std::find(t.labels.begin(), t.labels.end(), label) == t.labels.end()) return;
    if (!first) out += ',';
    first = false;
    write.write(out, t, ctx);
  });
  out += "],\"cursor\":";
  json_text::append_string(out, delta.cursor);
  if (has_param(params, "since")) {
    out += ",\"full\":";
    json_text::append_bool(out, delta.full);
    out += ",\"removed\":";
    json_text::append_string_array(out, delta.removed);
  }
  out += '}';
  last_size = out.size() - start;
}

std::string info_hash(const json& params) { return param_string(params, "info_hash"); }

json get(const json& params, Context& ctx) {
  auto t = ctx.engine->get(info_hash(params));
  if (!t) throw RpcError(code::not_found, "info_hash: no torrent " + info_hash(params));
  return torrent_to_json(*t, ctx, {});
}

const ParamSpec kInfoHash{"info_hash", ParamType::info_hash, true, "the torrent's 40-hex info-hash"};

}  // namespace

void register_torrent_tool_methods(MethodTable& table);  // torrent_tools.cpp

void register_torrent_methods(MethodTable& table) {
  register_torrent_tool_methods(table);
  table.add({"torrent.add",
             "Adds a torrent from a magnet URI, a base64 .torrent or the path of a .torrent file under an "
             "allowed directory, and starts it. Adding one that is present changes nothing (but connects to "
             "the peers given) and answers existed: true.",
             {{"magnet", ParamType::string, false, "a magnet URI"},
              {"torrent", ParamType::string, false, "the .torrent file, base64"},
              {"path", ParamType::string, false,
               "a .torrent file under download_dir or data_roots: a regular file (not a FIFO or device) of at "
               "most 100 MiB"},
              {"save_path", ParamType::string, false,
               "where the data goes (default download_dir); must be under an allowed directory, and none of the "
               "torrent's folders or files there may be a symbolic link leading out of the allowed directories"},
              {"paused", ParamType::boolean, false, "add it paused"},
              {"peers", ParamType::string_array, false, "peers to connect to at once, as \"ip:port\""}},
             "{info_hash, existed}", true, add});
  table.add({"torrent.create",
             "Makes a torrent of a file or directory under download_dir or data_roots and seeds it. A symbolic "
             "link in it that leads out of those directories is refused (-32602 naming the link), not skipped; "
             "links that stay inside are followed. The .torrent and resume file are on disk before it answers: "
             "when they cannot be written (-32004) there is no torrent. When the same torrent is there "
             "already it answers existed: true and adds nothing.",
             {{"path", ParamType::string, true, "the file or directory"},
              {"trackers", ParamType::string_array, false, "announce URLs"},
              {"comment", ParamType::string, false, "the torrent's comment"},
              {"version", ParamType::string, false,
               "v1 (default: every client reads it), v2 (BEP 52: libtorrent 2.x clients only) or hybrid "
               "(both; clients that know only v1 mishandle it)"}},
             "{info_hash, magnet, torrent (base64), existed}", true, create});
  table.add({"torrent.list",
             "Every torrent from the state snapshot (never waits on the engine), or with since only what "
             "changed; every answer carries a cursor for the next since.",
             {{"fields", ParamType::string_array, false, "only these fields (info_hash is always there)"},
              {"state", ParamType::string, false, "only torrents in this state, one of: " + torrent_states_text()},
              {"label", ParamType::string, false, "only torrents with this label"},
              {"since", ParamType::string, false,
               "a cursor from an earlier torrent.list: only the torrents changed since then, and the ids "
               "removed since then in 'removed'. 'full' is true when the cursor is from another run or too "
               "old, and then 'torrents' holds every torrent"}},
             "{torrents: [torrent], cursor, removed (with since), full (with since)}", false, nullptr, list});
  table.add({"torrent.get", "One torrent's state, progress, rates and totals.", {kInfoHash}, "torrent", false, get})
      .runs_inline = true;
  table.add({"torrent.pause", "Pauses a torrent (it stays paused across restarts).", {kInfoHash}, "{info_hash}", true,
             [](const json& p, Context& ctx) {
               ctx.engine->pause(info_hash(p));
               return json{{"info_hash", info_hash(p)}};
             }});
  table.add({"torrent.resume", "Resumes a paused torrent.", {kInfoHash}, "{info_hash}", true,
             [](const json& p, Context& ctx) {
               ctx.engine->resume(info_hash(p));
               return json{{"info_hash", info_hash(p)}};
             }});
  table.add({"torrent.recheck",
             "Checks a torrent's data again (a full hash check). A torrent in missing_data looks for its "
             "files now and stays missing_data if they are not there; with redownload it is started anyway "
             "and downloads its data again into its save path.",
             {kInfoHash, {"redownload", ParamType::boolean, false,
                          "for a torrent in missing_data: fetch the missing data again instead of waiting for it"}},
             "{info_hash}", true, [](const json& p, Context& ctx) {
               ctx.engine->recheck(info_hash(p), param_bool(p, "redownload"));
               return json{{"info_hash", info_hash(p)}};
             }});
  table.add({"torrent.remove", "Removes a torrent, and its data with delete_data.",
             {kInfoHash, {"delete_data", ParamType::boolean, false, "also delete the downloaded files"}},
             "{info_hash}", true, [](const json& p, Context& ctx) {
               ctx.engine->remove(info_hash(p), param_bool(p, "delete_data"));
               return json{{"info_hash", info_hash(p)}};
             }});
}

}  // namespace seedd::rpc
