#include "daemon/settings/live_settings.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"
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
const std::set<std::string> kAccountantOptions = {"vanilla_peers", "vanilla_upload_limit", "credit_window"};
const std::set<std::string> kOtherOptions = {"log_level", "ip_filter"};

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
}

void LiveSettings::tick() {
  std::lock_guard lock(m_mutex);
  const bool on = alt_limits_on(m_live, m_clock());
  if (on == m_alt_on) return;
  spdlog::get("main")->info("alt_schedule: alternative speed limits {} ({})", on ? "on" : "off",
                            m_live.get_string("alt_schedule"));
  m_alt_on = on;
  m_engine.apply_network(network_settings_of(m_live, m_alt_on));
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
  }
  if (accountant && m_accountant)
    m_accountant->apply_runtime_policy(m_live.get_bytes("credit_window"),
                                       vanilla_policy_of(m_live.get_string("vanilla_peers")),
                                       m_live.get_bytes("vanilla_upload_limit"));
  if (reload_ip_filter) m_engine.load_ip_filter(m_live.get_string("ip_filter"));
}

}  // namespace seedd
