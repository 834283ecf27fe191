#pragma once
// Watch folders (option watch_dir): .torrent files dropped into a folder or any folder below it
// are added and seeded, with the folder's label. An added file is renamed <name>.added, a bad
// one <name>.invalid (the reason is logged). inotify by default; a polling mode for NFS and
// CIFS, where inotify does not see changes made by other machines.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace seedd {

class Engine;

struct WatchFolder {
  std::filesystem::path path;
  std::string label;  // empty = none

  /// A watch_dir option item: "path" or "path=label" (split at the last '=').
  static WatchFolder parse(const std::string& item);
};

class Watcher {
 public:
  /// poll_interval 0 = inotify; otherwise the folders are scanned this often, and a file is
  /// taken once its size and time were the same at two scans in a row (not still being copied).
  Watcher(Engine& engine, std::vector<WatchFolder> folders, std::chrono::seconds poll_interval);
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  void start();
  void stop();

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime{};
  };
  void run_inotify();
  void run_poll();
  /// Every .torrent under `folder`; with `stable_only`, only those unchanged since the last scan.
  void scan(const WatchFolder& folder, bool stable_only);
  void take(const std::filesystem::path& file, const std::string& label);

  Engine& m_engine;
  std::vector<WatchFolder> m_folders;
  std::chrono::seconds m_poll;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  std::map<std::filesystem::path, Seen> m_seen;  // poll mode; watcher thread only
};

}  // namespace seedd
