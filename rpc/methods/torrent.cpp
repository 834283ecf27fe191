// torrent.* : adding, making, listing, inspecting and controlling torrents. Each calls the
// engine (and for peers, peer_totals and reward_rate the accountant) for one torrent at a time.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <climits>
#include <cmath>
#include <filesystem>
#include <set>

#include "daemon/accountant/accountant.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/engine/torrent_states.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/base64.hpp"
#include "rpc/json_text.hpp"
#include "rpc/method_table.hpp"
#include "rpc/methods/common.hpp"
#include "rpc/peer_rows.hpp"
#include "rpc/torrent_json.hpp"

namespace seedd::rpc {
namespace {

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
    if (!state.empty() && state_name(t.state) != state) return;
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


json files(const json& p, Context& ctx) {
  json out = json::array();
  int index = 0;
  for (const auto& f : ctx.engine->files(info_hash(p)))
    out.push_back({{"index", index++},
                   {"path", f.path},
                   {"size_bytes", std::to_string(f.size)},
                   {"done_bytes", std::to_string(f.done_bytes)},
                   {"priority", f.priority},
                   {"first_piece", f.first_piece},
                   {"last_piece", f.last_piece}});
  return {{"info_hash", info_hash(p)}, {"files", std::move(out)}};
}

json trackers(const json& p, Context& ctx) {
  json out = json::array();
  for (const auto& t : ctx.engine->trackers(info_hash(p)))
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
  return {{"info_hash", info_hash(p)}, {"trackers", std::move(out)}};
}

/// torrent.export: the .torrent as base64, or written to `out` under download_dir or a data
/// root (never over a file that is there: it could be some torrent's data).
json export_torrent(const json& p, Context& ctx) {
  const auto bytes = ctx.engine->torrent_file(info_hash(p));
  const auto name = ctx.engine->get(info_hash(p));
  json out = {{"info_hash", info_hash(p)}, {"name", name ? name->name : info_hash(p)}, {"size_bytes", bytes.size()}};
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


json peers(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const auto ih = info_hash_bytes(params);
  if (!ctx.engine->get(param_string(params, "info_hash")))
    throw RpcError(code::not_found, "info_hash: no torrent " + param_string(params, "info_hash"));
  std::vector<PeerStatus> live;
  try {
    live = ctx.engine->peers(param_string(params, "info_hash"));
  } catch (const EngineError&) {  // parked (missing_data): no connections
  }
  const json rows = peer_rows(acc.peers(ih), live);
  return {{"peers", rows}};
}

json peer_totals(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const auto ih = info_hash_bytes(params);
  if (!ctx.engine->get(param_string(params, "info_hash")))
    throw RpcError(code::not_found, "info_hash: no torrent " + param_string(params, "info_hash"));
  json rows = json::array();
  for (const auto& t : acc.peer_totals(ih))
    rows.push_back({{"seedd_address", t.address ? json(crypto::to_checksum_address(*t.address)) : json(nullptr)},
                    {"sent_bytes", std::to_string(t.sent_bytes)},
                    {"received_bytes", std::to_string(t.received_bytes)},
                    {"connections", t.connections}});
  return {{"peers", rows}};
}

/// torrent.set's engine part: labels, limits, seeding limits, file priorities, trackers. Every
/// param is read and type-checked before anything changes.
void torrent_set_engine(const json& params, Context& ctx) {
  const auto id = param_string(params, "info_hash");
  TorrentSettings s;
  if (has_param(params, "labels")) s.labels = params["labels"].get<std::vector<std::string>>();
  if (has_param(params, "upload_limit")) s.upload_limit = param_int(params, "upload_limit", 0);
  if (has_param(params, "download_limit")) s.download_limit = param_int(params, "download_limit", 0);
  if (has_param(params, "max_connections")) {
    const auto v = param_int(params, "max_connections", 0);
    if (v < 0 || v > 65535) throw invalid_params("param 'max_connections' must be 0 (none) to 65535");
    s.max_connections = static_cast<int32_t>(v);
  }
  if (has_param(params, "seed_ratio_limit")) {
    const auto& v = params["seed_ratio_limit"];
    if (!v.is_number() || v.get<double>() > 1e9 || (v.get<double>() < 0 && v.get<double>() != -1))
      throw invalid_params("param 'seed_ratio_limit' must be a ratio >= 0 (e.g. 1.5) or -1 (none)");
    s.seed_ratio_limit_permille = v.get<double>() < 0 ? -1 : static_cast<int64_t>(std::llround(v.get<double>() * 1000));
  }
  if (has_param(params, "seed_idle_limit_minutes")) s.seed_idle_limit_minutes = param_int(params, "seed_idle_limit_minutes", -1);
  std::vector<std::pair<int, int>> priorities;
  if (has_param(params, "files")) {
    const auto& files = params["files"];
    if (!files.is_array()) throw invalid_params("param 'files' must be an array of {index, priority}");
    for (const auto& f : files) {
      if (!f.is_object() || !f.contains("index") || !f.contains("priority") || !f["index"].is_number_integer() ||
          !f["priority"].is_number_integer())
        throw invalid_params("param 'files' must be an array of {index, priority} with integers");
      const auto index = f["index"].get<int64_t>(), prio = f["priority"].get<int64_t>();
      if (index < 0 || index > INT32_MAX) throw invalid_params("param 'files': index out of range");
      if (prio < 0 || prio > 7) throw invalid_params("param 'files': priority must be 0 (skip) to 7");
      priorities.emplace_back(static_cast<int>(index), static_cast<int>(prio));
    }
  }
  std::optional<std::vector<std::pair<std::string, int>>> trackers;
  if (has_param(params, "trackers")) {
    const auto& list = params["trackers"];
    if (!list.is_array()) throw invalid_params("param 'trackers' must be an array of URLs or {url, tier}");
    trackers.emplace();
    for (const auto& t : list) {
      if (t.is_string()) {
        trackers->emplace_back(t.get<std::string>(), 0);
      } else if (t.is_object() && t.contains("url") && t["url"].is_string() &&
                 (!t.contains("tier") || t["tier"].is_number_integer())) {
        const auto tier = t.value("tier", int64_t{0});
        if (tier < 0 || tier > 255) throw invalid_params("param 'trackers': tier must be 0 to 255");
        trackers->emplace_back(t["url"].get<std::string>(), static_cast<int>(tier));
      } else {
        throw invalid_params("param 'trackers' must be an array of URLs or {url, tier}");
      }
    }
  }
  if (s.labels || s.upload_limit || s.download_limit || s.max_connections || s.seed_ratio_limit_permille ||
      s.seed_idle_limit_minutes)
    ctx.engine->set_torrent(id, s);
  if (!priorities.empty()) ctx.engine->set_file_priorities(id, priorities);
  if (trackers) ctx.engine->replace_trackers(id, *trackers);
}

json torrent_set(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const auto ih = info_hash_bytes(params);
  if (!ctx.engine->get(param_string(params, "info_hash")))
    throw RpcError(code::not_found, "info_hash: no torrent " + param_string(params, "info_hash"));
  torrent_set_engine(params, ctx);
  if (has_param(params, "reward_rate")) {
    const auto text = param_string(params, "reward_rate");
    if (text == "default") {
      acc.set_reward_rate(ih, std::nullopt);
    } else {
      auto rate = crypto::parse_decimal_u256(text);
      if (!rate) throw invalid_params("param 'reward_rate' must be a decimal integer of base units per GiB, or \"default\"");
      acc.set_reward_rate(ih, *rate);
    }
  }
  return {{"info_hash", param_string(params, "info_hash")}, {"reward_rate", crypto::to_decimal(acc.reward_rate(ih))}};
}


Result info_hash_result() { return res::obj("", {res::str("info_hash")}); }

}  // namespace

void register_torrent_methods(MethodTable& table) {
  table.add({.name = "torrent.add",
             .description =
                 "Adds a torrent from a magnet URI, a base64 .torrent or the path of a .torrent file under an "
                 "allowed directory, and starts it. Adding one that is present changes nothing (but connects to "
                 "the peers given) and answers existed: true.",
             .params = {{"magnet", ParamType::string, false, "a magnet URI"},
                        {"torrent", ParamType::string, false, "the .torrent file, base64"},
                        {"path", ParamType::string, false,
                         "a .torrent file under download_dir or data_roots: a regular file (not a FIFO or device) of "
                         "at most 100 MiB"},
                        {"save_path", ParamType::string, false,
                         "where the data goes (default download_dir); must be under an allowed directory, and none of "
                         "the torrent's folders or files there may be a symbolic link leading out of the allowed "
                         "directories"},
                        {"paused", ParamType::boolean, false, "add it paused"},
                        {"peers", ParamType::string_array, false, "peers to connect to at once, as \"ip:port\""}},
             .result = res::obj("", {res::str("info_hash"), res::boolean("existed", "it was there already")}),
             .changes_state = true,
             .handler = add});
  table.add({.name = "torrent.create",
             .description =
                 "Makes a torrent of a file or directory under download_dir or data_roots and seeds it. A symbolic "
                 "link in it that leads out of those directories is refused (-32602 naming the link), not skipped; "
                 "links that stay inside are followed. The .torrent and resume file are on disk before it answers: "
                 "when they cannot be written (-32004) there is no torrent. When the same torrent is there "
                 "already it answers existed: true and adds nothing.",
             .params = {{"path", ParamType::string, true, "the file or directory"},
                        {"trackers", ParamType::string_array, false, "announce URLs"},
                        {"comment", ParamType::string, false, "the torrent's comment"},
                        {"version", ParamType::string, false,
                         "v1 (default: every client reads it), v2 (BEP 52: libtorrent 2.x clients only) or hybrid "
                         "(both; clients that know only v1 mishandle it)"}},
             .result = res::obj("", {res::str("info_hash"), res::str("magnet"),
                                     res::str("torrent", "the .torrent file, base64"), res::boolean("existed")}),
             .changes_state = true,
             .handler = create});
  table.add({.name = "torrent.list",
             .description = "Every torrent from the state snapshot (never waits on the engine), or with since only "
                            "what changed; every answer carries a cursor for the next since.",
             .params = {{"fields", ParamType::string_array, false, "only these fields (info_hash is always there)"},
                        {"state", ParamType::string, false,
                         "only torrents in this state, one of: " + torrent_states_text()},
                        {"label", ParamType::string, false, "only torrents with this label"},
                        {"since", ParamType::string, false,
                         "a cursor from an earlier torrent.list: only the torrents changed since then, and the ids "
                         "removed since then in 'removed'. 'full' is true when the cursor is from another run or too "
                         "old, and then 'torrents' holds every torrent"}},
             .result = res::obj("", {res::arr("torrents", res::obj("", torrent_result_fields(false))),
                                     res::str("cursor", "for the next since"),
                                     res::strings("removed", "with since: info-hashes removed since then").opt(),
                                     res::boolean("full", "with since: torrents holds every torrent").opt()}),
             .text_handler = list});
  table.add({.name = "torrent.get",
             .description = "One torrent's state, progress, rates and totals.",
             .params = {kInfoHashParam},
             .result = res::obj("", torrent_result_fields(true)),
             .handler = get,
             .runs_inline = true});
  table.add({.name = "torrent.pause",
             .description = "Pauses a torrent (it stays paused across restarts).",
             .params = {kInfoHashParam},
             .result = info_hash_result(),
             .changes_state = true,
             .handler = [](const json& p, Context& ctx) {
               ctx.engine->pause(info_hash(p));
               return json{{"info_hash", info_hash(p)}};
             }});
  table.add({.name = "torrent.resume",
             .description = "Resumes a paused torrent.",
             .params = {kInfoHashParam},
             .result = info_hash_result(),
             .changes_state = true,
             .handler = [](const json& p, Context& ctx) {
               ctx.engine->resume(info_hash(p));
               return json{{"info_hash", info_hash(p)}};
             }});
  table.add({.name = "torrent.recheck",
             .description =
                 "Checks a torrent's data again (a full hash check). A torrent in missing_data looks for its "
                 "files now and stays missing_data if they are not there; with redownload it is started anyway "
                 "and downloads its data again into its save path.",
             .params = {kInfoHashParam,
                        {"redownload", ParamType::boolean, false,
                         "for a torrent in missing_data: fetch the missing data again instead of waiting for it"}},
             .result = info_hash_result(),
             .changes_state = true,
             .handler = [](const json& p, Context& ctx) {
               ctx.engine->recheck(info_hash(p), param_bool(p, "redownload"));
               return json{{"info_hash", info_hash(p)}};
             }});
  table.add({.name = "torrent.remove",
             .description = "Removes a torrent, and its data with delete_data.",
             .params = {kInfoHashParam,
                        {"delete_data", ParamType::boolean, false, "also delete the downloaded files"}},
             .result = info_hash_result(),
             .changes_state = true,
             .handler = [](const json& p, Context& ctx) {
               ctx.engine->remove(info_hash(p), param_bool(p, "delete_data"));
               return json{{"info_hash", info_hash(p)}};
             }});
  table.add({.name = "torrent.reannounce",
             .description = "Announces the torrent to every tracker (and the DHT) now.",
             .params = {kInfoHashParam},
             .result = info_hash_result(),
             .changes_state = true,
             .handler = [](const json& p, Context& ctx) {
               ctx.engine->reannounce(info_hash(p));
               return json{{"info_hash", info_hash(p)}};
             }});
  table.add({.name = "torrent.move",
             .description = "Moves a torrent's data to another directory under download_dir or data_roots. With "
                            "move_data false the data is expected there already and is checked again.",
             .params = {kInfoHashParam,
                        {"location", ParamType::string, true,
                         "the new save path; none of the torrent's folders or files there may be a symbolic link "
                         "leading out of the allowed directories"},
                        {"move_data", ParamType::boolean, false, "move the files (default true)"}},
             .result = res::obj("", {res::str("info_hash"), res::str("location")}),
             .changes_state = true,
             .handler = [](const json& p, Context& ctx) {
               ctx.engine->move(info_hash(p), param_string(p, "location"), param_bool(p, "move_data", true));
               return json{{"info_hash", info_hash(p)}, {"location", param_string(p, "location")}};
             }});
  table.add({.name = "torrent.files",
             .description = "The torrent's files with size, bytes done, priority (0 = skip .. 7, 4 = normal) and "
                            "piece range; index is what torrent.set's files takes.",
             .params = {kInfoHashParam},
             .result = res::obj("", {res::str("info_hash"),
                                     res::arr("files", res::obj("", {res::integer("index"), res::str("path"),
                                                                     res::dec("size_bytes"), res::dec("done_bytes"),
                                                                     res::integer("priority"),
                                                                     res::integer("first_piece"),
                                                                     res::integer("last_piece")}))}),
             .handler = files});
  table.add({.name = "torrent.export",
             .description =
                 "The torrent's .torrent file, as kept in data_dir/torrents/ (made from its metadata until that is "
                 "written): its info dict unchanged, so any client sees the same info-hash. As base64 in `torrent`, "
                 "or with `out` written to that path under download_dir or data_roots (which must not exist yet) "
                 "and named in `file`. A magnet without its metadata yet has none.",
             .params = {kInfoHashParam, {"out", ParamType::string, false, "a new file under download_dir or data_roots"}},
             .result = res::obj("", {res::str("info_hash"), res::str("name"), res::integer("size_bytes"),
                                     res::str("torrent", "base64, without out").opt(),
                                     res::str("file", "the path written, with out").opt()}),
             .changes_state = true,
             .handler = export_torrent});
  table.add({.name = "torrent.trackers",
             .description =
                 "The torrent's trackers with tier, last message, failures and scrape counts. libtorrent announces "
                 "from each listen address: the state shown is the one of the local `endpoint` that got an answer, "
                 "else of those that failed (an announce skipped as unreachable from an address counts only when "
                 "every one was).",
             .params = {kInfoHashParam},
             .result = res::obj(
                 "", {res::str("info_hash"),
                      res::arr("trackers",
                               res::obj("", {res::str("url"), res::integer("tier"), res::str("message", "empty when fine"),
                                             res::integer("fails", "failed announces in a row"), res::boolean("updating"),
                                             res::boolean("verified", "answered at least once"),
                                             res::str("endpoint", "the local endpoint whose result this is"),
                                             res::integer("seeds", "-1 = unknown"), res::integer("peers", "-1 = unknown"),
                                             res::integer("downloaded", "-1 = unknown"),
                                             res::integer("next_announce_at", "unix seconds, 0 = none scheduled")}))}),
             .handler = trackers});
  table.add({.name = "torrent.peers",
             .description =
                 "The torrent's connected peers: client, seedd address (null for vanilla peers), bytes sent and "
                 "received, bytes receipted, unreceipted credit, whether we choke it (choked: it may not download "
                 "from us now) and whether it is interested in our pieces; lane (pass: its pass counts, receipt: a "
                 "seedd peer that signs receipts, vanilla: any other client), pass (none, checking, valid, expired "
                 "or invalid: the pass it showed in its handshake) and pass_expires_at (of a valid pass); violations "
                 "(receipts and passes that broke a rule on this connection; three close it); upload_rate and "
                 "download_rate (bytes per second to and from it), its progress (0 to 1), connection (tcp or utp), "
                 "encrypted, and direction (incoming or outgoing). The lanes share the upload by lane_weights.",
             .params = {kInfoHashParam},
             .result = res::obj(
                 "", {res::arr("peers",
                               res::obj("", {res::str("endpoint"), res::str("client"), res::str("seedd_address").or_null(),
                                             res::dec("sent_bytes"), res::dec("received_bytes"),
                                             res::dec("receipted_bytes"), res::dec("unreceipted_bytes"),
                                             res::boolean("choked"), res::boolean("interested"), res::str("lane"),
                                             res::integer("violations"), res::str("pass"),
                                             res::integer("pass_expires_at").or_null(), res::integer("upload_rate"),
                                             res::integer("download_rate"), res::number("progress"),
                                             res::str("connection").or_null(), res::boolean("encrypted"),
                                             res::str("direction").or_null()}))}),
             .handler = peers});
  table.add({.name = "torrent.peer_totals",
             .description =
                 "Payload bytes sent to and received from each peer of the torrent since seedd started, closed "
                 "connections included (torrent.peers lists live connections only): one row per seedd address "
                 "(all of that node's connections), and one with seedd_address null for every vanilla peer "
                 "together; connections is how many connections a row sums. Closed connections' rows are kept for "
                 "up to " + with_commas(Accountant::kMaxPeerTotalRows) +
                 " peers over all torrents; past that the row that moved the fewest bytes is dropped for a new one.",
             .params = {kInfoHashParam},
             .result = res::obj("", {res::arr("peers", res::obj("", {res::str("seedd_address").or_null(),
                                                                    res::dec("sent_bytes"), res::dec("received_bytes"),
                                                                    res::integer("connections")}))}),
             .handler = peer_totals});
  table.add({.name = "torrent.set",
             .description =
                 "Changes a torrent's settings: labels, rate and connection limits, seeding limits, file "
                 "priorities, trackers, reward_rate. Each is kept across restarts; an absent param is left as it is.",
             .params = {kInfoHashParam,
                        {"labels", ParamType::string_array, false, "replaces the labels (no comma or control character)"},
                        {"upload_limit", ParamType::integer, false, "bytes per second, 0 = none"},
                        {"download_limit", ParamType::integer, false, "bytes per second, 0 = none"},
                        {"max_connections", ParamType::integer, false, "peer connections of this torrent, 0 = none"},
                        {"seed_ratio_limit", ParamType::any, false,
                         "pause once uploaded/downloaded reaches it (e.g. 1.5); -1 = never"},
                        {"seed_idle_limit_minutes", ParamType::integer, false,
                         "pause after seeding this long without upload; -1 = never"},
                        {"files", ParamType::any, false,
                         "file priorities as [{index, priority}] (torrent.files' index; 0 = skip .. 7, 4 = normal)"},
                        {"trackers", ParamType::any, false,
                         "replaces the trackers: [url] or [{url, tier}]; [] removes them all"},
                        {"reward_rate", ParamType::string, false, "decimal base units per GiB, or \"default\""}},
             .result = res::obj("", {res::str("info_hash"), res::dec("reward_rate", "base units per GiB")}),
             .changes_state = true,
             .handler = torrent_set});
}

}  // namespace seedd::rpc
