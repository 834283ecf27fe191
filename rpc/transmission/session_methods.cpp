// Transmission's session-* methods and free-space.
#include <sys/statvfs.h>

#include <chrono>
#include <set>

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
constexpr const char* TRANSMISSION_VERSION = "4.0.6";
constexpr int RPC_VERSION = 17;
constexpr int RPC_VERSION_MINIMUM = 14;
constexpr const char* RPC_VERSION_SEMVER = "5.3.0";

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
          {"speed-bytes", SPEED_UNIT_BYTES},
          {"speed-units", {"kB/s", "MB/s", "GB/s", "TB/s"}}};
}

/// Every session-get key with seedd's value. Settings seedd does not have read as off.
json session_values(Call& c) {
  auto& engine = *c.ctx.engine;
  const auto& s = engine.settings();
  const auto limits = engine.rate_limits();
  const auto net = engine.network();  // the switches in force (SIGHUP and session.set change them)
  const auto filter = engine.ip_filter_stats();
  const auto download_dir = s.download_dir.string();
  return {
      {"alt-speed-down", 50},
      {"alt-speed-enabled", false},
      {"alt-speed-time-begin", 540},
      {"alt-speed-time-day", 127},
      {"alt-speed-time-enabled", false},
      {"alt-speed-time-end", 1020},
      {"alt-speed-up", 50},
      {"blocklist-enabled", !filter.path.empty()},
      {"blocklist-size", filter.rules},
      {"blocklist-url", ""},
      {"cache-size-mb", 0},
      {"config-dir", c.ctx.node ? c.ctx.node->data_dir.string() : std::string()},
      {"default-trackers", ""},
      {"dht-enabled", net.dht},
      {"download-dir", download_dir},
      {"download-dir-free-space", space_of(s.download_dir).free},
      {"download-queue-enabled", false},
      {"download-queue-size", 5},
      {"encryption", net.encryption == "forced" ? "required" : net.encryption == "disabled" ? "tolerated" : "preferred"},
      {"idle-seeding-limit", DEFAULT_SEED_IDLE_MINUTES},
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
      {"rpc-version", RPC_VERSION},
      {"rpc-version-minimum", RPC_VERSION_MINIMUM},
      {"rpc-version-semver", RPC_VERSION_SEMVER},
      {"script-torrent-added-enabled", false},
      {"script-torrent-added-filename", ""},
      {"script-torrent-done-enabled", false},
      {"script-torrent-done-filename", ""},
      {"script-torrent-done-seeding-enabled", false},
      {"script-torrent-done-seeding-filename", ""},
      {"seed-queue-enabled", false},
      {"seed-queue-size", 10},
      {"seedRatioLimit", real(DEFAULT_SEED_RATIO)},
      {"seedRatioLimited", false},
      {"session-id", c.server.session_id()},
      {"speed-limit-down", limits.download / SPEED_UNIT_BYTES},
      {"speed-limit-down-enabled", limits.download > 0},
      {"speed-limit-up", limits.upload / SPEED_UNIT_BYTES},
      {"speed-limit-up-enabled", limits.upload > 0},
      {"start-added-torrents", true},
      {"tcp-enabled", true},
      {"trash-original-torrent-files", false},
      {"units", units()},
      {"utp-enabled", s.utp},
      {"version", std::string(TRANSMISSION_VERSION) + " (seedd " SEEDD_VERSION ")"},
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

json session_set(Call& c) {
  auto& engine = *c.ctx.engine;
  const auto& a = c.args;
  const auto current = session_values(c);
  auto limits = engine.rate_limits();
  // The global limits change at run time, in the units of Transmission's `units`.
  auto speed = [&](const char* value_key, const char* flag_key, int64_t& limit) {
    const auto value = arg_int(a, value_key);
    const auto on = arg_bool(a, flag_key);
    if (!value && !on) return;
    if (value && *value < 0) throw Failure(std::string("argument '") + value_key + "' must be 0 or more");
    const bool limited = on.value_or(limit > 0);
    const int64_t kbps = value.value_or(limit > 0 ? limit / SPEED_UNIT_BYTES : 100);
    limit = limited ? kbps * SPEED_UNIT_BYTES : 0;
  };
  speed("speed-limit-up", "speed-limit-up-enabled", limits.upload);
  speed("speed-limit-down", "speed-limit-down-enabled", limits.download);
  if (auto peers = arg_int(a, "peer-limit-global")) {
    if (*peers < 1) throw Failure("argument 'peer-limit-global' must be 1 or more");
    limits.max_connections = static_cast<int>(std::min<int64_t>(*peers, 1 << 30));
  }
  // Anything else may be sent back unchanged (GUIs send their whole settings page); a change
  // seedd cannot make is refused by name rather than dropped.
  static const std::set<std::string> applied = {"speed-limit-up", "speed-limit-up-enabled", "speed-limit-down",
                                                "speed-limit-down-enabled", "peer-limit-global"};
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
    try {
      c.ctx.settings->set({{"upload_limit", std::to_string(limits.upload)},
                           {"download_limit", std::to_string(limits.download)},
                           {"max_connections", std::to_string(limits.max_connections)}},
                          config::Source::rpc);
    } catch (const config::ConfigError& e) {
      throw Failure(std::string("session-set: ") + e.what());
    }
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

}  // namespace

std::vector<Method> session_methods() {
  return {
      {"session-get", false, session_get, "The session's settings (all, or those in `fields`)."},
      {"session-set", true, session_set,
       "Changes `speed-limit-up`/`-down` (kB/s) with their `-enabled` flags and `peer-limit-global`; other keys "
       "must equal what session-get says."},
      {"session-stats", false, session_stats, "Rates, torrent counts, current and cumulative byte counts."},
      {"free-space", false, free_space, "Free and total bytes of `path` (under download_dir or data_roots)."},
      {"session-close", true,
       [](Call&) -> json { unsupported("session-close: stop seedd with its service manager (SIGTERM)"); },
       "Not supported."},
      {"blocklist-update", true, [](Call&) -> json { unsupported("blocklist-update: seedd has no blocklist"); },
       "Not supported."},
      {"port-test", false,
       [](Call&) -> json { unsupported("port-test: seedd does not ask outside services about its port"); },
       "Not supported."},
  };
}

}  // namespace seedd::rpc::transmission
