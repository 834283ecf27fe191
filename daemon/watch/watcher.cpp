#include "daemon/watch/watcher.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "daemon/engine/engine.hpp"
#include "daemon/engine/lt_util.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/bounded_read.hpp"

namespace seedd {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
bool is_torrent_name(const fs::path& p) {
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".torrent" && p.filename().string()[0] != '.';  // dot files: editors' temp files
}
}  // namespace

WatchFolder WatchFolder::parse(const std::string& item) {
  const auto eq = item.rfind('=');
  if (eq == std::string::npos) return {fs::path(item), {}};
  return {fs::path(item.substr(0, eq)), item.substr(eq + 1)};
}

Watcher::Watcher(Engine& engine, std::vector<WatchFolder> folders, std::chrono::seconds poll_interval)
    : m_engine(engine), m_folders(std::move(folders)), m_poll(poll_interval) {}

Watcher::~Watcher() { stop(); }

void Watcher::start() {
  if (m_folders.empty() || m_thread.joinable()) return;
  auto log = spdlog::get("main");
  for (const auto& f : m_folders)
    log->info("watching {}{}{} ({})", f.path.string(), f.label.empty() ? "" : " with label ", f.label,
              m_poll.count() ? "scanned every " + std::to_string(m_poll.count()) + " s" : std::string("inotify"));
  m_thread = std::thread([this] {
    lt_util::name_this_thread("seedd-watch");
    if (m_poll.count() > 0)
      run_poll();
    else
      run_inotify();
  });
}

void Watcher::stop() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
}

void Watcher::take(const fs::path& file, const std::string& label) {
  auto log = spdlog::get("main");
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return;
  std::optional<std::string> bytes;
  std::string suffix;
  try {
    bytes = util::read_regular_file(file, kMaxTorrentFileBytes);
  } catch (const util::FileRefused& e) {
    // Too big to be a .torrent, or a FIFO swapped in after the check above: never read whole.
    log->warn("watch: {}; renamed .invalid", e.what());
    suffix = ".invalid";
  } catch (const std::exception& e) {
    log->warn("watch: cannot read {}: {}", file.string(), e.what());
    return;
  }
  if (!bytes && suffix.empty()) return;  // gone meanwhile
  AddTorrentRequest req;
  if (bytes) req.torrent_bytes = std::move(*bytes);
  if (!label.empty()) req.labels.push_back(label);
  if (suffix.empty()) {
    try {
      bool added = false;
      const auto id = m_engine.add_torrent(req, &added);
      log->info("watch: {} {} from {}", added ? "added" : "already have", id, file.string());
      suffix = ".added";
    } catch (const EngineError& e) {
      if (e.kind != EngineError::Kind::invalid_argument) {
        log->error("watch: cannot add {}: {} (left in place)", file.string(), e.what());
        return;
      }
      log->warn("watch: {} is invalid: {}; renamed .invalid", file.string(), e.what());
      suffix = ".invalid";
    } catch (const std::exception& e) {
      log->error("watch: cannot add {}: {} (left in place)", file.string(), e.what());
      return;
    }
  }
  fs::rename(file, fs::path(file.string() + suffix), ec);
  if (ec) log->error("watch: cannot rename {}: {}", file.string(), ec.message());
  m_seen.erase(file);
}

void Watcher::scan(const WatchFolder& folder, bool stable_only) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(folder.path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (m_stop) return;
    std::error_code fec;
    if (it->is_regular_file(fec) && is_torrent_name(it->path())) files.push_back(it->path());
  }
  for (const auto& file : files) {
    if (m_stop) return;
    if (stable_only) {
      std::error_code fec;
      Seen now{fs::file_size(file, fec), fs::last_write_time(file, fec)};
      if (fec) continue;
      auto seen = m_seen.find(file);
      const bool stable = seen != m_seen.end() && seen->second.size == now.size && seen->second.mtime == now.mtime;
      m_seen[file] = now;
      if (!stable) continue;
    }
    take(file, folder.label);
  }
}

void Watcher::run_poll() {
  while (!m_stop) {
    // Forget files that went away, so the map stays as small as the folders.
    for (auto it = m_seen.begin(); it != m_seen.end();) {
      std::error_code ec;
      it = fs::exists(it->first, ec) ? std::next(it) : m_seen.erase(it);
    }
    for (const auto& f : m_folders) scan(f, true);
    for (auto waited = 0ms; !m_stop && waited < m_poll; waited += 100ms) std::this_thread::sleep_for(100ms);
  }
}

void Watcher::run_inotify() {
  auto log = spdlog::get("main");
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    log->error("watch: inotify unavailable ({}); scanning every 5 s instead", std::strerror(errno));
    m_poll = 5s;
    run_poll();
    return;
  }
  struct Dir {
    fs::path path;
    size_t folder;
  };
  std::unordered_map<int, Dir> dirs;
  std::vector<bool> rooted(m_folders.size(), false);
  constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF;
  // Directories that appeared while running are scanned again a little later: a file found
  // there may still be being written, so it is taken once unchanged between two scans (files
  // closed after the watch was added come as events anyway).
  std::vector<std::pair<std::chrono::steady_clock::time_point, WatchFolder>> rescans;
  // Watches `dir` and every directory below it, then takes the .torrent files already there
  // (they may have arrived before the watch).
  auto watch_tree = [&](const fs::path& dir, size_t folder, bool at_start) {
    std::error_code ec;
    std::vector<fs::path> todo{dir};
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code dec;
      if (it->is_directory(dec) && !it->is_symlink(dec)) todo.push_back(it->path());
    }
    for (const auto& d : todo) {
      const int wd = inotify_add_watch(fd, d.c_str(), kMask);
      if (wd < 0) {
        log->warn("watch: cannot watch {}: {}", d.string(), std::strerror(errno));
        continue;
      }
      dirs[wd] = Dir{d, folder};
    }
    const WatchFolder sub{dir, m_folders[folder].label};
    scan(sub, !at_start);
    if (!at_start) {
      const auto now = std::chrono::steady_clock::now();
      rescans.emplace_back(now + 1s, sub);
      rescans.emplace_back(now + 3s, sub);
    }
  };
  bool first_round = true;
  auto next_root_try = std::chrono::steady_clock::now();
  alignas(inotify_event) char buf[64 * 1024];
  while (!m_stop) {
    if (std::chrono::steady_clock::now() >= next_root_try) {
      // A folder that does not exist (yet: a late mount) is looked for every few seconds.
      for (size_t i = 0; i < m_folders.size(); ++i) {
        if (rooted[i]) continue;
        std::error_code ec;
        if (!fs::is_directory(m_folders[i].path, ec)) continue;
        watch_tree(m_folders[i].path, i, first_round);
        rooted[i] = true;
      }
      first_round = false;
      next_root_try = std::chrono::steady_clock::now() + 5s;
    }
    for (auto it = rescans.begin(); it != rescans.end();) {
      if (std::chrono::steady_clock::now() < it->first) {
        ++it;
        continue;
      }
      const auto folder = it->second;
      it = rescans.erase(it);
      scan(folder, true);
    }
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    const auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) continue;
    for (char* p = buf; p < buf + n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        for (size_t i = 0; i < m_folders.size(); ++i)
          if (rooted[i]) scan(m_folders[i], false);
        continue;
      }
      auto it = dirs.find(ev->wd);
      if (it == dirs.end()) continue;
      const auto dir = it->second;
      if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        inotify_rm_watch(fd, ev->wd);
        dirs.erase(it);
        if (dir.path == m_folders[dir.folder].path) rooted[dir.folder] = false;  // look for it again
        continue;
      }
      if (ev->len == 0) continue;
      const fs::path path = dir.path / ev->name;
      if (ev->mask & IN_ISDIR) {
        if (ev->mask & (IN_CREATE | IN_MOVED_TO)) watch_tree(path, dir.folder, false);
      } else if (is_torrent_name(path)) {
        // A symbolic link is whole once made (ln -s): no close_write follows its IN_CREATE.
        std::error_code ec;
        if ((ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) ||
            ((ev->mask & IN_CREATE) && fs::is_symlink(fs::symlink_status(path, ec))))
          take(path, m_folders[dir.folder].label);
      }
    }
  }
  ::close(fd);
}

}  // namespace seedd
