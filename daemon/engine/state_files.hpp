#pragma once
// A torrent's state files (its .torrent and resume file): writing them synchronously for the
// calls that must not answer before the torrent is durable (torrent.create), and keeping
// track of failed writes for /healthz and a log that does not repeat every second while the
// disk is full (issue 16, item 10). Engine-internal.
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include <libtorrent/add_torrent_params.hpp>

#include "daemon/util/log_throttle.hpp"

namespace seedd {

/// Writes `torrent_bytes` to `torrent_file` and the resume data of `atp` to `resume_file`, each
/// atomically and fsynced. On failure removes what it wrote and throws EngineError(io) with the
/// cause ("No space left on device").
void write_state_files_now(const std::filesystem::path& torrent_file, const std::string& torrent_bytes,
                           const std::filesystem::path& resume_file, const lt::add_torrent_params& atp);

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
