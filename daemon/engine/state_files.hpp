#pragma once
// A torrent's state files (its .torrent and resume file): the failures of writes that a call
// waits for before it answers (torrent.create must not answer before the torrent is durable),
// and keeping track of the other failed writes for /healthz and a log that does not repeat
// every second while the disk is full (issue 16, item 10). Engine-internal.
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/util/log_throttle.hpp"

namespace seedd {

/// State files a caller waits for while the file writer writes or removes them (torrent.create
/// answers only once its files are on disk): the writer's failures for those paths go to that
/// caller rather than to WriteFailures. Any thread.
class AwaitedWrites {
 public:
  /// From now on failures of `paths` are kept for take().
  void expect(const std::vector<std::filesystem::path>& paths);
  /// The writer failed on `path` with `message`: true if a caller awaits it (and will hear).
  /// A directory that could not be synced fails the awaited files in it too, but returns
  /// false: other files of the batch were in it.
  bool failed(const std::filesystem::path& path, const std::string& message);
  /// The first failure kept for `paths` since expect() ("" = none); stops keeping them.
  std::string take(const std::vector<std::filesystem::path>& paths);

 private:
  struct Awaited {
    int callers = 0;
    std::string error;
  };
  std::mutex m_mutex;
  std::map<std::filesystem::path, Awaited> m_awaited;  // guarded by m_mutex
};

/// Failed state file writes: logged at most once per kLogInterval (with the count held back),
/// and reported by problem() until kProblemWindow has passed without one.
class WriteFailures {
 public:
  static constexpr auto kLogInterval = std::chrono::seconds(60);
  static constexpr auto kProblemWindow = std::chrono::seconds(120);

  /// One failed write; `what` names the file and the cause. Any thread.
  void failed(const std::string& what);
  /// "state files: cannot save ... (N failures in the last ...)", or nullopt.
  std::optional<std::string> problem() const;

 private:
  util::LogThrottle m_log{kLogInterval};
  mutable std::mutex m_mutex;
  std::string m_last;  // guarded by m_mutex
  std::chrono::steady_clock::time_point m_last_at{};
  uint64_t m_count = 0;  // failures since the last quiet kProblemWindow
};

}  // namespace seedd
