#pragma once
// The settings in force while seedd runs, and the one place that changes them: SIGHUP (reload)
// and session.set both apply through here, so the two cannot disagree about what is in force.
// seedd never writes the user's config file: a change made here lasts until the next SIGHUP
// (which re-reads the file) or restart.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace seedd {

class Engine;
class Accountant;

/// Thread-safe: the main thread (SIGHUP) and RPC threads (session.set) call it.
class LiveSettings {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  /// `accountant` may be null (tests without one). Throws std::logic_error if the registry
  /// marks an option runtime that this class does not know how to apply. `clock` tells the
  /// time alt_schedule is read against (tests pass their own; default: the system clock).
  /// Puts the alternative limits in force if alt_speed or alt_schedule says so now.
  LiveSettings(const config::Config& initial, Engine& engine, Accountant* accountant, Clock clock = {});

  /// session.set: `changes` are (option name, value text) pairs. Every name must be a runtime
  /// option and every value valid; all are checked before any is applied, so a bad one
  /// changes nothing. Throws config::ConfigError naming the option (and value, unless secret).
  void set(const std::vector<std::pair<std::string, std::string>>& changes, config::Source source);

  /// SIGHUP: applies every runtime option whose value in `fresh` differs from the one in force,
  /// logs every other changed option as not applied until restart, and reads the ip_filter
  /// file again even when its path did not change (its contents may have).
  void reload(const config::Config& fresh);

  /// Waits for a scheduled blocklist download under way (stop()).
  ~LiveSettings();
  /// Waits for a scheduled blocklist download under way, and starts no other: call before the
  /// engine stops, since the download ends by loading the filter into it.
  void stop();
  LiveSettings(const LiveSettings&) = delete;
  LiveSettings& operator=(const LiveSettings&) = delete;

  /// Called every second or so (the main loop): when alt_schedule's window opens or closes,
  /// switches the engine between the normal and the alternative limits; when a blocklist_url
  /// download is due, starts it on a thread of its own.
  void tick();

  /// Transmission's blocklist-update: downloads blocklist_url into the ip_filter file when a
  /// URL is set (download_blocklist()), then reads the ip_filter file again. Returns the rules
  /// in force. Throws std::runtime_error when no ip_filter is set or the download fails (the
  /// file and the filter in force stay as they were).
  int64_t update_blocklist();

  /// Whether the alternative rate limits are in force (alt_speed, or alt_schedule's window as
  /// of the last change or tick()).
  bool alt_limits_active() const;

  /// A copy of the settings in force.
  config::Config current() const;

  /// Names of the options set() accepts, in registry order.
  static std::vector<std::string> runtime_options();

 private:
  // m_mutex held; `changed` are option names whose value in m_live is new.
  void apply(const std::vector<std::string>& changed, bool reload_ip_filter);
  /// Tells the accountant the upload limit, rate_limit_lan and upload slots in force, which the
  /// lanes divide (whenever the engine's network settings change).
  void apply_lane_limits();
  // m_mutex held: the next blocklist_url download, `now` or one interval from now (none
  // without a URL, or with interval 0 unless `now`).
  void schedule_blocklist(bool now);

  // m_mutex guards everything below but the thread and its flag; it is held while a change is
  // applied, so changes queue.
  mutable std::mutex m_mutex;
  config::Config m_live;
  Engine& m_engine;
  Accountant* m_accountant;
  Clock m_clock;
  bool m_alt_on = false;  // the engine has the alternative limits
  std::chrono::system_clock::time_point m_next_blocklist_update{};  // {} = none scheduled
  bool m_stopped = false;
  // The scheduled blocklist download, one at a time (started by tick(), joined by stop()).
  std::thread m_blocklist_thread;
  std::atomic<bool> m_blocklist_running{false};
};

}  // namespace seedd
