#include "daemon/settings/live_settings.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/settings/blocklist_download.hpp"
#include "daemon/settings/settings_of.hpp"
#include "daemon/util/logging.hpp"

namespace seedd {
namespace {

// What each runtime option acts on. A runtime option missing from all three is a bug that the
// constructor refuses, so the registry cannot promise a live change nobody makes.
const std::set<std::string> kEngineOptions = {"upload_limit", "download_limit", "max_connections", "dht", "lsd",
                                              "upnp", "natpmp", "rate_limit_lan", "upload_slots", "encryption",
                                              "proxy", "alt_upload_limit", "alt_download_limit", "alt_speed",
                                              "alt_schedule"};
const std::set<std::string> kAccountantOptions = {"vanilla_peers", "vanilla_upload_limit", "credit_window",
                                                  "lane_weights"};
const std::set<std::string> kOtherOptions = {"log_level", "ip_filter", "blocklist_url", "blocklist_update_interval"};

// A value for a log line: secrets never appear.
std::string shown(const config::OptionDef& def, const std::string& text) {
  return def.secret ? (text.empty() ? "(unset)" : "(secret)") : "'" + text + "'";
}

}  // namespace

LiveSettings::LiveSettings(const config::Config& initial, Engine& engine, Accountant* accountant, Clock clock)
    : m_live(initial), m_engine(engine), m_accountant(accountant),
      m_clock(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })) {
  for (const auto& name : runtime_options())
    if (!kEngineOptions.count(name) && !kAccountantOptions.count(name) && !kOtherOptions.count(name))
      throw std::logic_error("option '" + name + "' is marked runtime but nothing applies it while running");
  m_alt_on = alt_limits_on(m_live, m_clock());
  if (m_alt_on) m_engine.apply_network(network_settings_of(m_live, true));
  apply_lane_limits();
  // A blocklist_url whose file is not there yet is fetched at once.
  std::error_code ec;
  const auto filter = m_live.get_string("ip_filter");
  schedule_blocklist(!filter.empty() && !std::filesystem::exists(filter, ec));
}

LiveSettings::~LiveSettings() { stop(); }

void LiveSettings::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopped = true;
  }
  if (m_blocklist_thread.joinable()) m_blocklist_thread.join();
}

void LiveSettings::schedule_blocklist(bool now) {
  const auto interval = std::chrono::seconds(m_live.get_int("blocklist_update_interval"));
  if (m_live.get_string("blocklist_url").empty() || (!now && interval.count() == 0))
    m_next_blocklist_update = {};
  else
    m_next_blocklist_update = m_clock() + (now ? std::chrono::seconds(0) : interval);
}

int64_t LiveSettings::update_blocklist() {
  std::string url, path;
  {
    std::lock_guard lock(m_mutex);
    url = m_live.get_string("blocklist_url");
    path = m_live.get_string("ip_filter");
  }
  if (path.empty())
    throw std::runtime_error("no ip_filter is set (seedd's blocklist is the ip_filter file" +
                             std::string(url.empty() ? "" : ", which blocklist_url downloads into") + ")");
  // The download runs without the lock: session.set and SIGHUP go on meanwhile.
  if (!url.empty()) download_blocklist(url, path);
  set({{"ip_filter", path}}, config::Source::rpc);
  const auto stats = m_engine.ip_filter_stats();
  if (!stats.error.empty()) throw std::runtime_error(stats.error);
  return stats.rules;
}
void LiveSettings::tick() {
  std::lock_guard lock(m_mutex);
  if (!m_stopped && m_next_blocklist_update != std::chrono::system_clock::time_point{} &&
      m_clock() >= m_next_blocklist_update && !m_blocklist_running) {
    schedule_blocklist(false);
    if (m_blocklist_thread.joinable()) m_blocklist_thread.join();  // the last one has finished
    m_blocklist_running = true;
    m_blocklist_thread = std::thread([this] {
      auto log = spdlog::get("main");
      try {
        log->info("blocklist_url: updated, {} rules in force", update_blocklist());
      } catch (const std::exception& e) {
        log->warn("blocklist_url: update failed, the blocklist stays as it was: {}", e.what());
      }
      m_blocklist_running = false;
    });
  }
  const bool on = alt_limits_on(m_live, m_clock());
  if (on == m_alt_on) return;
  spdlog::get("main")->info("alt_schedule: alternative speed limits {} ({})", on ? "on" : "off",
                            m_live.get_string("alt_schedule"));
  m_alt_on = on;
  m_engine.apply_network(network_settings_of(m_live, m_alt_on));
  apply_lane_limits();
}

void LiveSettings::apply_lane_limits() {
  if (!m_accountant) return;
  const auto n = network_settings_of(m_live, m_alt_on);
  m_accountant->set_lane_limits(static_cast<uint64_t>(std::max<int64_t>(0, n.upload_limit)), n.rate_limit_lan,
                                n.upload_slots);
}

bool LiveSettings::alt_limits_active() const {
  std::lock_guard lock(m_mutex);
  return m_alt_on;
}

std::vector<std::string> LiveSettings::runtime_options() {
  std::vector<std::string> out;
  for (const auto& def : config::option_table())
    if (def.runtime) out.emplace_back(def.name);
  return out;
}

config::Config LiveSettings::current() const {
  std::lock_guard lock(m_mutex);
  return m_live;
}

void LiveSettings::set(const std::vector<std::pair<std::string, std::string>>& changes, config::Source source) {
  std::lock_guard lock(m_mutex);
  config::Config next = m_live;
  std::vector<std::string> changed;
  for (const auto& [name, text] : changes) {
    const auto* def = config::find_option(name);
    if (!def) throw config::ConfigError("option '" + name + "': no such option");
    if (!def->runtime)
      throw config::ConfigError("option '" + name + "': cannot change while seedd runs (set it in seedd.conf and restart)");
    next.set(name, text, source);  // throws ConfigError naming the option
    if (option_text(next, *def) != option_text(m_live, *def) &&
        std::find(changed.begin(), changed.end(), name) == changed.end())
      changed.push_back(name);
  }
  auto log = spdlog::get("main");
  for (const auto& name : changed) {
    const auto& def = *config::find_option(name);
    log->info("{}: option '{}' changed from {} to {}", config::to_string(source), name,
              shown(def, option_text(m_live, def)), shown(def, option_text(next, def)));
  }
  m_live = std::move(next);
  // A session.set of ip_filter with the same path still re-reads the file: that is what a
  // caller who names it wants.
  const bool ip_filter_named = std::any_of(changes.begin(), changes.end(), [](const auto& c) { return c.first == "ip_filter"; });
  apply(changed, ip_filter_named);
}

void LiveSettings::reload(const config::Config& fresh) {
  std::lock_guard lock(m_mutex);
  auto log = spdlog::get("main");
  // The new log level first, so a reload that makes the log more verbose also shows itself.
  if (fresh.get_string("log_level") != m_live.get_string("log_level"))
    util::set_log_level(fresh.get_string("log_level"));
  std::vector<std::string> changed;
  for (const auto& def : config::option_table()) {
    const auto before = option_text(m_live, def);
    const auto after = option_text(fresh, def);
    if (before == after) continue;
    if (!def.runtime) {
      log->warn("SIGHUP: option '{}' changed{} but is not applied until seedd restarts", def.name,
                def.secret ? "" : " to '" + after + "'");
      continue;
    }
    log->info("SIGHUP: option '{}' changed from {} to {}", def.name, shown(def, before), shown(def, after));
    m_live.set(def.name, after, fresh.source(def.name));
    changed.emplace_back(def.name);
  }
  if (changed.empty()) log->info("SIGHUP: no option changed");
  apply(changed, true);
}

void LiveSettings::apply(const std::vector<std::string>& changed, bool reload_ip_filter) {
  bool engine = false, accountant = false;
  for (const auto& name : changed) {
    if (kEngineOptions.count(name)) engine = true;
    if (kAccountantOptions.count(name)) accountant = true;
    if (name == "log_level") util::set_log_level(m_live.get_string("log_level"));
    if (name == "ip_filter") reload_ip_filter = true;
  }
  if (engine) {
    m_alt_on = alt_limits_on(m_live, m_clock());
    m_engine.apply_network(network_settings_of(m_live, m_alt_on));
    apply_lane_limits();
  }
  if (accountant && m_accountant)
    m_accountant->apply_runtime_policy(m_live.get_bytes("credit_window"),
                                       vanilla_policy_of(m_live.get_string("vanilla_peers")),
                                       m_live.get_bytes("vanilla_upload_limit"),
                                       accountant::parse_lane_weights(m_live.get_string("lane_weights")).value());
  if (reload_ip_filter) m_engine.load_ip_filter(m_live.get_string("ip_filter"));
  const bool url_changed = std::find(changed.begin(), changed.end(), "blocklist_url") != changed.end();
  if (url_changed || std::find(changed.begin(), changed.end(), "blocklist_update_interval") != changed.end())
    schedule_blocklist(url_changed);
}

}  // namespace seedd
