// Transmission's session-* methods and free-space.
#include <sys/statvfs.h>

#include <chrono>
#include <set>

#include "config/alt_schedule.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/settings/live_settings.hpp"
#include "rpc/context.hpp"
#include "rpc/transmission/fields.hpp"
#include "rpc/transmission/methods.hpp"
#include "rpc/transmission/server.hpp"

namespace seedd::rpc::transmission {
namespace {

/// What clients read to decide which protocol they speak. The version starts with a
/// Transmission-like number (Sonarr refuses below 2.40, Radarr parses the first number not in
/// parentheses); rpc-version 17 is Transmission 4.0's.
constexpr const char* kTransmissionVersion = "4.0.6";
constexpr int kRpcVersion = 17;
constexpr int kRpcVersionMinimum = 14;
constexpr const char* kRpcVersionSemver = "5.3.0";

struct Space {
  int64_t free = -1, total = -1;
};

Space space_of(const std::filesystem::path& p) {
  struct statvfs st {};
  if (::statvfs(p.c_str(), &st) != 0) return {};
  return {static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize),
          static_cast<int64_t>(st.f_blocks) * static_cast<int64_t>(st.f_frsize)};
}

json units() {
  return {{"memory-bytes", 1024},
          {"memory-units", {"KiB", "MiB", "GiB", "TiB"}},
          {"size-bytes", 1000},
          {"size-units", {"kB", "MB", "GB", "TB"}},
          {"speed-bytes", kSpeedUnitBytes},
          {"speed-units", {"kB/s", "MB/s", "GB/s", "TB/s"}}};
}

/// The limits a user set, whichever are in force now: the normal ones (speed-limit-*) and the
/// alternative ones (alt-speed-*) with their switch and schedule.
struct ConfiguredLimits {
  int64_t upload = 0, download = 0;          // bytes per second, 0 = unlimited
  int64_t alt_upload = 50000, alt_download = 50000;
  bool alt_on = false;                       // the alternative limits are in force now
  std::optional<config::AltSchedule> schedule;
  int max_connections = 0;
};

ConfiguredLimits configured_limits(Call& c) {
  ConfiguredLimits out;
  const auto in_force = c.ctx.engine->rate_limits();
  out.max_connections = in_force.max_connections;
  if (!c.ctx.settings) {  // tests without live settings: what the engine has
    out.upload = in_force.upload;
    out.download = in_force.download;
    return out;
  }
  const auto cfg = c.ctx.settings->current();
  out.upload = static_cast<int64_t>(cfg.get_bytes("upload_limit"));
  out.download = static_cast<int64_t>(cfg.get_bytes("download_limit"));
  out.alt_upload = static_cast<int64_t>(cfg.get_bytes("alt_upload_limit"));
  out.alt_download = static_cast<int64_t>(cfg.get_bytes("alt_download_limit"));
  out.alt_on = c.ctx.settings->alt_limits_active();
  out.schedule = config::parse_alt_schedule(cfg.get_string("alt_schedule"));
  return out;
}

/// Every session-get key with seedd's value. Settings seedd does not have read as off.
json session_values(Call& c) {
  auto& engine = *c.ctx.engine;
  const auto& s = engine.settings();
  const auto limits = configured_limits(c);
  const auto shown_schedule = limits.schedule.value_or(config::AltSchedule{});
  const auto net = engine.network();  // the switches in force (SIGHUP and session.set change them)
  const auto filter = engine.ip_filter_stats();
  const auto download_dir = s.download_dir.string();
  return {
      {"alt-speed-down", limits.alt_download / kSpeedUnitBytes},
      {"alt-speed-enabled", limits.alt_on},
      {"alt-speed-time-begin", shown_schedule.begin_minute},
      {"alt-speed-time-day", shown_schedule.days},
      {"alt-speed-time-enabled", limits.schedule.has_value()},
      {"alt-speed-time-end", shown_schedule.end_minute},
      {"alt-speed-up", limits.alt_upload / kSpeedUnitBytes},
      // seedd's blocklist is the ip_filter file: on while one is loaded.
      {"blocklist-enabled", !filter.path.empty() && filter.error.empty()},
      {"blocklist-size", filter.rules},
      {"blocklist-url", c.ctx.settings ? c.ctx.settings->current().get_string("blocklist_url") : std::string()},
      {"cache-size-mb", 0},
      {"config-dir", c.ctx.node ? c.ctx.node->data_dir.string() : std::string()},
      {"default-trackers", ""},
      {"dht-enabled", net.dht},
      {"download-dir", download_dir},
      {"download-dir-free-space", space_of(s.download_dir).free},
      {"download-queue-enabled", false},
      {"download-queue-size", 5},
      {"encryption", net.encryption == "forced" ? "required" : net.encryption == "disabled" ? "tolerated" : "preferred"},
      {"idle-seeding-limit", kDefaultSeedIdleMinutes},
      {"idle-seeding-limit-enabled", false},
      {"incomplete-dir", download_dir},
      {"incomplete-dir-enabled", false},
      {"lpd-enabled", net.lsd},
      {"peer-limit-global", limits.max_connections},
      {"peer-limit-per-torrent", limits.max_connections},
      {"peer-port", engine.listen_port()},
      {"peer-port-random-on-start", false},
      {"pex-enabled", s.pex},
      {"port-forwarding-enabled", net.upnp || net.natpmp},
      {"queue-stalled-enabled", false},
      {"queue-stalled-minutes", 30},
      {"rename-partial-files", false},
      {"rpc-version", kRpcVersion},
      {"rpc-version-minimum", kRpcVersionMinimum},
      {"rpc-version-semver", kRpcVersionSemver},
      {"script-torrent-added-enabled", false},
      {"script-torrent-added-filename", ""},
      {"script-torrent-done-enabled", false},
      {"script-torrent-done-filename", ""},
      {"script-torrent-done-seeding-enabled", false},
      {"script-torrent-done-seeding-filename", ""},
      {"seed-queue-enabled", false},
      {"seed-queue-size", 10},
      {"seedRatioLimit", real(kDefaultSeedRatio)},
      {"seedRatioLimited", false},
      {"session-id", c.server.session_id()},
      {"speed-limit-down", limits.download / kSpeedUnitBytes},
      {"speed-limit-down-enabled", limits.download > 0},
      {"speed-limit-up", limits.upload / kSpeedUnitBytes},
      {"speed-limit-up-enabled", limits.upload > 0},
      {"start-added-torrents", true},
      {"tcp-enabled", true},
      {"trash-original-torrent-files", false},
      {"units", units()},
      {"utp-enabled", s.utp},
      {"version", std::string(kTransmissionVersion) + " (seedd " SEEDD_VERSION ")"},
  };
}

json session_get(Call& c) {
  auto all = session_values(c);
  const auto fields = arg_strings(c.args, "fields");
  if (!fields || fields->empty()) return all;
  json out = json::object();
  for (const auto& f : *fields)
    if (auto it = all.find(f); it != all.end()) out[f] = *it;
  return out;
}

/// alt-speed-time-*: the schedule as alt_schedule's text ("" = none), or nullopt when the
/// request does not touch it.
std::optional<std::string> schedule_change(const json& a, const ConfiguredLimits& limits) {
  const auto enabled = arg_bool(a, "alt-speed-time-enabled");
  const auto begin = arg_int(a, "alt-speed-time-begin");
  const auto end = arg_int(a, "alt-speed-time-end");
  const auto day = arg_int(a, "alt-speed-time-day");
  if (!enabled && !begin && !end && !day) return std::nullopt;
  for (const auto& [value, name] : {std::pair{begin, "alt-speed-time-begin"}, std::pair{end, "alt-speed-time-end"}})
    if (value && (*value < 0 || *value >= config::kMinutesPerDay))
      throw Failure(std::string("argument '") + name + "' must be 0..1439 (minutes after midnight), not " +
                    std::to_string(*value));
  if (day && (*day < 0 || *day > config::kAltDaysAll))
    throw Failure("argument 'alt-speed-time-day' must be 0..127 (Sunday 1 ... Saturday 64), not " + std::to_string(*day));
  auto schedule = limits.schedule.value_or(config::AltSchedule{});
  if (begin) schedule.begin_minute = static_cast<int>(*begin);
  if (end) schedule.end_minute = static_cast<int>(*end);
  if (day) schedule.days = static_cast<int>(*day);
  // Times sent without the switch change a schedule that is on, and are kept nowhere when it
  // is off (seedd.conf has only alt_schedule, empty when off).
  if (!enabled.value_or(limits.schedule.has_value())) return std::string();
  return config::to_string(schedule);  // "" for no days: never on
}

json session_set(Call& c) {
  auto& engine = *c.ctx.engine;
  const auto& a = c.args;
  const auto current = session_values(c);
  const auto configured = configured_limits(c);
  Engine::RateLimits limits{configured.upload, configured.download, configured.max_connections};
  // The global limits change at run time, in the units of Transmission's `units`.
  auto speed = [&](const char* value_key, const char* flag_key, int64_t& limit) {
    const auto value = arg_int(a, value_key);
    const auto on = arg_bool(a, flag_key);
    if (!value && !on) return;
    if (value && *value < 0) throw Failure(std::string("argument '") + value_key + "' must be 0 or more");
    const bool limited = on.value_or(limit > 0);
    const int64_t kbps = value.value_or(limit > 0 ? limit / kSpeedUnitBytes : 100);
    limit = limited ? kbps * kSpeedUnitBytes : 0;
  };
  speed("speed-limit-up", "speed-limit-up-enabled", limits.upload);
  speed("speed-limit-down", "speed-limit-down-enabled", limits.download);
  if (auto peers = arg_int(a, "peer-limit-global")) {
    if (*peers < 1) throw Failure("argument 'peer-limit-global' must be 1 or more");
    limits.max_connections = static_cast<int>(std::min<int64_t>(*peers, 1 << 30));
  }
  // The alternative limits, their switch and their schedule (alt_* options).
  std::vector<std::pair<std::string, std::string>> alt;
  for (const auto& [key, option] : {std::pair{"alt-speed-up", "alt_upload_limit"}, std::pair{"alt-speed-down", "alt_download_limit"}})
    if (const auto kbps = arg_int(a, key)) {
      if (*kbps < 0) throw Failure(std::string("argument '") + key + "' must be 0 or more");
      alt.emplace_back(option, std::to_string(*kbps * kSpeedUnitBytes));
    }
  if (const auto on = arg_bool(a, "alt-speed-enabled")) alt.emplace_back("alt_speed", *on ? "true" : "false");
  if (const auto schedule = schedule_change(a, configured)) alt.emplace_back("alt_schedule", *schedule);
  if (const auto url = arg_string(a, "blocklist-url")) alt.emplace_back("blocklist_url", *url);
  // Anything else may be sent back unchanged (GUIs send their whole settings page); a change
  // seedd cannot make is refused by name rather than dropped.
  static const std::set<std::string> applied = {"speed-limit-up", "speed-limit-up-enabled", "speed-limit-down",
                                                "speed-limit-down-enabled", "peer-limit-global", "alt-speed-up",
                                                "alt-speed-down", "alt-speed-enabled", "alt-speed-time-enabled",
                                                "alt-speed-time-begin", "alt-speed-time-end", "alt-speed-time-day",
                                                "blocklist-url"};
  static const std::set<std::string> read_only = {"blocklist-size", "config-dir", "rpc-version", "rpc-version-minimum",
                                                  "rpc-version-semver", "session-id", "units", "version",
                                                  "download-dir-free-space"};
  std::string refused;
  for (const auto& [key, value] : a.items()) {
    if (applied.count(key) || read_only.count(key) || value.is_null()) continue;
    auto it = current.find(key);
    if (it == current.end() || *it == value) continue;
    refused += (refused.empty() ? "" : ", ") + key;
  }
  if (!refused.empty())
    throw Failure("session-set: seedd cannot change " + refused +
                  " over RPC (see seedd.conf; nothing was changed)");
  // Through the live settings when there are some, so session.get, session.set and a SIGHUP
  // see the same values.
  if (c.ctx.settings) {
    std::vector<std::pair<std::string, std::string>> changes = {
        {"upload_limit", std::to_string(limits.upload)},
        {"download_limit", std::to_string(limits.download)},
        {"max_connections", std::to_string(limits.max_connections)}};
    changes.insert(changes.end(), alt.begin(), alt.end());
    try {
      c.ctx.settings->set(changes, config::Source::rpc);
    } catch (const config::ConfigError& e) {
      throw Failure(std::string("session-set: ") + e.what());
    }
  } else if (!alt.empty()) {
    throw Failure("session-set: the alternative speed limits need seedd's live settings");
  } else
    engine.apply_rate_limits(limits.upload, limits.download, limits.max_connections);
  return json::object();
}

json session_stats(Call& c) {
  auto& engine = *c.ctx.engine;
  int64_t paused = 0, count = 0;
  engine.visit([&](const TorrentStatus& t) {
    ++count;
    if (activity_of(t) == Activity::stopped) ++paused;
  });
  const auto stats = engine.stats();
  const int64_t uptime = c.ctx.node ? std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::steady_clock::now() - c.ctx.node->started).count()
                                    : 0;
  // seedd keeps no history of past runs: "cumulative" covers the torrents present (their
  // all-time bytes), "current" this run's payload counters.
  return {{"activeTorrentCount", count - paused},
          {"downloadSpeed", stats.download_rate},
          {"pausedTorrentCount", paused},
          {"torrentCount", count},
          {"uploadSpeed", stats.upload_rate},
          {"cumulative-stats",
           {{"downloadedBytes", stats.downloaded_bytes},
            {"filesAdded", count},
            {"secondsActive", uptime},
            {"sessionCount", 1},
            {"uploadedBytes", stats.uploaded_bytes}}},
          {"current-stats",
           {{"downloadedBytes", stats.run_downloaded_bytes},
            {"filesAdded", 0},
            {"secondsActive", uptime},
            {"sessionCount", 1},
            {"uploadedBytes", stats.run_uploaded_bytes}}}};
}

json free_space(Call& c) {
  const auto path = arg_string(c.args, "path");
  if (!path || path->empty()) throw Failure("no path specified");
  const auto resolved = c.ctx.engine->confine_path(*path, "path");
  const auto space = space_of(resolved);
  if (space.free < 0) throw Failure("path: cannot read the free space of '" + path->substr(0, 200) + "'");
  return {{"path", *path}, {"size-bytes", space.free}, {"total_size", space.total}};
}

[[noreturn]] json unsupported(const std::string& why) { throw Failure(why); }

/// seedd's blocklist is the ip_filter file: an update downloads blocklist_url into it when one
/// is set, and reads it again, as a SIGHUP does.
json blocklist_update(Call& c) {
  if (!c.ctx.settings) throw Failure("blocklist-update: seedd's live settings are not available");
  try {
    return {{"blocklist-size", c.ctx.settings->update_blocklist()}};
  } catch (const std::exception& e) {
    throw Failure(std::string("blocklist-update: ") + e.what() +
                  " (set ip_filter, and blocklist_url to download it, in seedd.conf or with session.set)");
  }
}

}  // namespace

std::vector<Method> session_methods() {
  return {
      {"session-get", false, session_get},
      {"session-set", true, session_set},
      {"session-stats", false, session_stats},
      {"free-space", false, free_space},
      {"session-close", true,
       [](Call&) -> json { unsupported("session-close: stop seedd with its service manager (SIGTERM)"); }},
      {"blocklist-update", true, blocklist_update},
      {"port-test", false,
       [](Call&) -> json { unsupported("port-test: seedd does not ask outside services about its port"); }},
  };
}

}  // namespace seedd::rpc::transmission
