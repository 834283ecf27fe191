// Transmission's torrent-* and queue-* methods, on the engine's operations.
#include <algorithm>
#include <chrono>
#include <set>

#include "daemon/engine/engine.hpp"
#include "daemon/util/base64.hpp"
#include "daemon/util/clock.hpp"
#include "rpc/context.hpp"
#include "rpc/transmission/fields.hpp"
#include "rpc/transmission/methods.hpp"
#include "rpc/transmission/server.hpp"

namespace seedd::rpc::transmission {
namespace {

Selection selected(Call& c) {
  const auto it = c.args.find("ids");
  const json ids = it == c.args.end() ? json(nullptr) : *it;
  try {
    return c.server.registry().select(c.ctx.engine->list(), ids, Registry::Clock::now());
  } catch (const std::invalid_argument& e) {
    throw Failure(e.what());
  }
}

/// Runs `op` on every selected torrent. One that was removed meanwhile is skipped, as
/// Transmission skips ids it does not know.
template <typename Op>
json for_each_selected(Call& c, Op op) {
  for (const auto& t : selected(c).torrents) {
    try {
      op(t.status.info_hash.hex());
    } catch (const EngineError& e) {
      if (e.kind != EngineError::Kind::not_found) throw;
    }
  }
  return json::object();
}

json torrent_get(Call& c) {
  const auto fields = arg_strings(c.args, "fields");
  if (!fields) throw Failure("no fields specified");
  const auto format = arg_string(c.args, "format").value_or("objects");
  if (format != "objects" && format != "table")
    throw Failure("argument 'format' must be \"objects\" or \"table\", not \"" + format.substr(0, 40) + "\"");
  // Known names, once each, in the order asked; unknown ones are left out, as Transmission does.
  std::vector<std::string> names;
  std::set<std::string> seen;
  const auto& known = torrent_field_names();
  for (const auto& f : *fields)
    if (std::find(known.begin(), known.end(), f) != known.end() && seen.insert(f).second) names.push_back(f);

  auto sel = selected(c);
  SessionFacts facts;
  facts.now_unix = util::unix_now();
  facts.torrents_dir = c.ctx.node ? c.ctx.node->data_dir / "torrents" : std::filesystem::path();
  if (seen.count("peer-limit") || seen.count("maxConnectedPeers")) facts.global_peer_limit = c.ctx.engine->rate_limits().max_connections;

  json torrents = json::array();
  if (format == "table") torrents.push_back(names);
  for (const auto& t : sel.torrents) {
    TorrentView view(t, *c.ctx.engine, facts);
    if (format == "table") {
      json row = json::array();
      for (const auto& n : names) row.push_back(*view.field(n));
      torrents.push_back(std::move(row));
    } else {
      json obj = json::object();
      for (const auto& n : names) obj[n] = *view.field(n);
      torrents.push_back(std::move(obj));
    }
  }
  json out = {{"torrents", std::move(torrents)}};
  if (sel.recently_active) out["removed"] = sel.removed;
  return out;
}

/// Transmission's file lists: indices, an empty list meaning every file.
struct FileChoices {
  std::optional<std::vector<int64_t>> wanted, unwanted, high, normal, low;
  bool any() const { return wanted || unwanted || high || normal || low; }
  static FileChoices from(const json& args) {
    return {arg_ints(args, "files-wanted"), arg_ints(args, "files-unwanted"), arg_ints(args, "priority-high"),
            arg_ints(args, "priority-normal"), arg_ints(args, "priority-low")};
  }
};

/// New libtorrent priorities for the files of one torrent. libtorrent has one number where
/// Transmission has a priority and a wanted flag: an unwanted file is 0 whatever its priority.
void apply_files(Engine& engine, const std::string& hash, const FileChoices& fc) {
  if (!fc.any()) return;
  const auto files = engine.files(hash);
  std::vector<int> prio;
  for (const auto& f : files) prio.push_back(f.priority);
  auto each = [&](const std::optional<std::vector<int64_t>>& list, auto fn) {
    if (!list) return;
    if (list->empty()) {
      for (size_t i = 0; i < prio.size(); ++i) fn(prio[i]);
      return;
    }
    for (const auto i : *list) {
      if (i < 0 || static_cast<size_t>(i) >= prio.size())
        throw Failure("file index " + std::to_string(i) + " is out of range (the torrent has " +
                      std::to_string(prio.size()) + " files)");
      fn(prio[static_cast<size_t>(i)]);
    }
  };
  each(fc.high, [](int& p) { if (p > 0) p = lt_priority(1); });
  each(fc.normal, [](int& p) { if (p > 0) p = lt_priority(0); });
  each(fc.low, [](int& p) { if (p > 0) p = lt_priority(-1); });
  each(fc.unwanted, [](int& p) { p = 0; });
  each(fc.wanted, [](int& p) { if (p == 0) p = lt_priority(0); });
  std::vector<std::pair<int, int>> changes;
  for (size_t i = 0; i < prio.size(); ++i)
    if (prio[i] != files[i].priority) changes.emplace_back(static_cast<int>(i), prio[i]);
  engine.set_file_priorities(hash, changes);
}

json torrent_add(Call& c) {
  auto& engine = *c.ctx.engine;
  AddTorrentRequest req;
  const auto metainfo = arg_string(c.args, "metainfo");
  const auto filename = arg_string(c.args, "filename");
  std::string source;  // Transmission's name of the argument that held the torrent
  if (metainfo && !metainfo->empty()) {
    auto bytes = util::base64_decode(*metainfo);
    if (!bytes || bytes->empty()) throw Failure("argument 'metainfo' is not valid base64");
    req.torrent_bytes = std::move(*bytes);
    source = "metainfo";
  } else if (filename && !filename->empty()) {
    source = "filename";
    if (filename->rfind("magnet:", 0) == 0) {
      req.magnet = *filename;
    } else if (filename->rfind("http://", 0) == 0 || filename->rfind("https://", 0) == 0) {
      throw Failure("filename: seedd does not fetch .torrent URLs; send the file's contents as 'metainfo'");
    } else {
      req.torrent_path = engine.confine_path(*filename, "filename");
    }
  } else {
    throw Failure("no filename or metainfo specified");
  }
  if (auto dir = arg_string(c.args, "download-dir"); dir && !dir->empty())
    req.save_path = engine.confine_path(*dir, "download-dir");
  req.paused = arg_bool(c.args, "paused").value_or(false);
  req.labels = arg_strings(c.args, "labels").value_or(std::vector<std::string>{});
  const auto peer_limit = arg_int(c.args, "peer-limit");
  const auto files = FileChoices::from(c.args);
  arg_int(c.args, "bandwidthPriority");  // checked, no effect (docs/transmission-rpc.md)

  bool added = false;
  std::string hash;
  try {
    hash = engine.add_torrent(req, &added);
  } catch (const EngineError& e) {
    // The engine names its own arguments (torrent, path, magnet): say which of ours was wrong.
    std::string msg = e.what();
    for (const char* ours : {"torrent: ", "path: ", "magnet: "})
      if (msg.rfind(ours, 0) == 0) msg = source + ": " + msg.substr(std::string(ours).size());
    throw Failure(msg);
  }
  if (added) {
    TorrentSettings s;
    if (peer_limit) s.max_connections = static_cast<int32_t>(std::max<int64_t>(*peer_limit, 0));
    if (s.max_connections) engine.set_torrent(hash, s);
    try {
      apply_files(engine, hash, files);
    } catch (const Failure&) {
      // The torrent is added; only the file choices failed (a magnet has no files yet).
    }
  }
  const auto t = engine.get(hash);
  const auto id = TorrentId::from_hex(hash);  // the engine's own info-hash: always one
  json info = {{"hashString", hash}, {"id", id ? json(c.server.registry().id_of(*id)) : json()}, {"name", t ? t->name : hash}};
  return {{added ? "torrent-added" : "torrent-duplicate", std::move(info)}};
}

/// One kB/s limit of torrent-set: Transmission sends a value and an on/off flag, either alone.
std::optional<int64_t> speed_limit(const json& args, const char* value_key, const char* flag_key, int64_t current) {
  const auto value = arg_int(args, value_key);
  const auto on = arg_bool(args, flag_key);
  if (!value && !on) return std::nullopt;
  if (value && *value < 0) throw Failure(std::string("argument '") + value_key + "' must be 0 or more");
  const bool limited = on.value_or(current > 0);
  const int64_t kbps = value.value_or(current > 0 ? current / kSpeedUnitBytes : 100);
  return limited ? kbps * kSpeedUnitBytes : 0;
}

json torrent_set(Call& c) {
  auto& engine = *c.ctx.engine;
  const auto& a = c.args;
  // Everything is read and checked before any torrent changes.
  const auto labels = arg_strings(a, "labels");
  const auto ratio = arg_real(a, "seedRatioLimit");
  const auto ratio_mode = arg_int(a, "seedRatioMode");
  const auto idle = arg_int(a, "seedIdleLimit");
  const auto idle_mode = arg_int(a, "seedIdleMode");
  const auto peer_limit = arg_int(a, "peer-limit");
  const auto location = arg_string(a, "location");
  const auto honors = arg_bool(a, "honorsSessionLimits");
  const auto tracker_add = arg_strings(a, "trackerAdd");
  const auto tracker_remove = arg_ints(a, "trackerRemove");
  const auto tracker_list = arg_string(a, "trackerList");
  const auto files = FileChoices::from(a);
  arg_int(a, "bandwidthPriority");  // checked, no effect
  arg_int(a, "queuePosition");      // checked, no effect
  if (ratio && *ratio < 0) throw Failure("argument 'seedRatioLimit' must be 0 or more");
  if (idle && *idle < 0) throw Failure("argument 'seedIdleLimit' must be 0 or more");
  for (const auto& [mode, name] : {std::pair{ratio_mode, "seedRatioMode"}, std::pair{idle_mode, "seedIdleMode"}})
    if (mode && (*mode < 0 || *mode > 2)) throw Failure(std::string("argument '") + name + "' must be 0, 1 or 2");
  if (honors && !*honors)
    throw Failure("honorsSessionLimits: seedd cannot exempt a torrent from the global speed limits");
  if (has_arg(a, "trackerReplace")) throw Failure("trackerReplace: use trackerList (the whole list) instead");
  if (location) engine.confine_path(*location, "location");

  return for_each_selected(c, [&](const std::string& hash) {
    const auto now = engine.get(hash);
    if (!now) return;
    TorrentSettings s;
    s.labels = labels;
    s.upload_limit = speed_limit(a, "uploadLimit", "uploadLimited", now->upload_limit);
    s.download_limit = speed_limit(a, "downloadLimit", "downloadLimited", now->download_limit);
    if (peer_limit) s.max_connections = static_cast<int32_t>(std::max<int64_t>(*peer_limit, 0));
    if (ratio || ratio_mode) {
      // Mode 1 is this torrent's limit; 0 (the session's) and 2 (none) are both "no limit" here.
      const bool own = ratio_mode ? *ratio_mode == 1 : now->seed_ratio_limit_permille >= 0;
      const double value = ratio ? *ratio
                                 : now->seed_ratio_limit_permille >= 0 ? now->seed_ratio_limit_permille / 1000.0
                                                                       : kDefaultSeedRatio;
      s.seed_ratio_limit_permille = own ? static_cast<int64_t>(std::llround(value * 1000)) : -1;
    }
    if (idle || idle_mode) {
      const bool own = idle_mode ? *idle_mode == 1 : now->seed_idle_limit_minutes >= 0;
      const int64_t value = idle.value_or(now->seed_idle_limit_minutes >= 0 ? now->seed_idle_limit_minutes
                                                                            : kDefaultSeedIdleMinutes);
      s.seed_idle_limit_minutes = own ? value : -1;
    }
    engine.set_torrent(hash, s);
    apply_files(engine, hash, files);
    if (tracker_add || tracker_remove || tracker_list) {
      std::vector<std::pair<std::string, int>> list;
      if (tracker_list) {
        int tier = 0;
        bool blank = false;
        size_t pos = 0;
        while (pos <= tracker_list->size()) {
          const auto end = std::min(tracker_list->find('\n', pos), tracker_list->size());
          auto line = tracker_list->substr(pos, end - pos);
          while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
          pos = end + 1;
          if (line.empty()) {
            blank = true;
            continue;
          }
          if (blank && !list.empty()) ++tier;
          blank = false;
          list.emplace_back(line, tier);
        }
      } else {
        const auto current = engine.trackers(hash);
        for (size_t i = 0; i < current.size(); ++i) {
          const bool drop = tracker_remove && std::find(tracker_remove->begin(), tracker_remove->end(),
                                                        static_cast<int64_t>(i)) != tracker_remove->end();
          if (!drop) list.emplace_back(current[i].url, current[i].tier);
        }
        int next_tier = list.empty() ? 0 : list.back().second + 1;
        for (const auto& url : tracker_add.value_or(std::vector<std::string>{})) list.emplace_back(url, next_tier++);
      }
      engine.replace_trackers(hash, list);
    }
    if (location) engine.move(hash, *location, true);
  });
}

json torrent_set_location(Call& c) {
  const auto location = arg_string(c.args, "location");
  if (!location || location->empty()) throw Failure("no location specified");
  const bool move = arg_bool(c.args, "move").value_or(false);
  c.ctx.engine->confine_path(*location, "location");  // checked once, before anything moves
  return for_each_selected(c, [&](const std::string& hash) { c.ctx.engine->move(hash, *location, move); });
}

json torrent_remove(Call& c) {
  const bool delete_data = arg_bool(c.args, "delete-local-data").value_or(false);
  return for_each_selected(c, [&](const std::string& hash) { c.ctx.engine->remove(hash, delete_data); });
}

/// queue-move-*: accepted with no effect (the ids are checked): seedd does not reorder its queue
/// (active_seeds, active_downloads); libtorrent takes the queued torrents in turns.
json queue_move(Call& c) {
  selected(c);
  return json::object();
}

}  // namespace

std::vector<Method> torrent_methods() {
  return {
      {"torrent-get", false, torrent_get},
      {"torrent-add", true, torrent_add},
      {"torrent-start", true,
       [](Call& c) { return for_each_selected(c, [&](const std::string& h) { c.ctx.engine->resume(h); }); }},
      {"torrent-start-now", true,
       [](Call& c) { return for_each_selected(c, [&](const std::string& h) { c.ctx.engine->resume(h); }); }},
      {"torrent-stop", true,
       [](Call& c) { return for_each_selected(c, [&](const std::string& h) { c.ctx.engine->pause(h); }); }},
      {"torrent-verify", true,
       [](Call& c) { return for_each_selected(c, [&](const std::string& h) { c.ctx.engine->recheck(h); }); }},
      {"torrent-reannounce", true,
       [](Call& c) { return for_each_selected(c, [&](const std::string& h) { c.ctx.engine->reannounce(h); }); }},
      {"torrent-remove", true, torrent_remove},
      {"torrent-set", true, torrent_set},
      {"torrent-set-location", true, torrent_set_location},
      {"torrent-rename-path", true, [](Call&) -> json { throw Failure("torrent-rename-path is not supported by seedd"); }},
      {"queue-move-top", true, queue_move},
      {"queue-move-up", true, queue_move},
      {"queue-move-down", true, queue_move},
      {"queue-move-bottom", true, queue_move},
  };
}

}  // namespace seedd::rpc::transmission
