#include "daemon/engine/state_files.hpp"

#include <spdlog/spdlog.h>

namespace seedd {

void AwaitedWrites::expect(const std::vector<std::filesystem::path>& paths) {
  std::lock_guard lock(m_mutex);
  for (const auto& path : paths) ++m_awaited[path].callers;
}

bool AwaitedWrites::failed(const std::filesystem::path& path, const std::string& message) {
  std::lock_guard lock(m_mutex);
  auto it = m_awaited.find(path);
  if (it != m_awaited.end()) {
    if (it->second.error.empty()) it->second.error = message;
    return true;
  }
  for (auto& [file, awaited] : m_awaited)
    if (file.parent_path() == path && awaited.error.empty()) awaited.error = message;
  return false;
}

std::string AwaitedWrites::take(const std::vector<std::filesystem::path>& paths) {
  std::lock_guard lock(m_mutex);
  std::string error;
  for (const auto& path : paths) {
    auto it = m_awaited.find(path);
    if (it == m_awaited.end()) continue;
    if (error.empty()) error = it->second.error;
    if (--it->second.callers == 0) m_awaited.erase(it);
  }
  return error;
}

void WriteFailures::failed(const std::string& what) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(m_mutex);
    if (m_count > 0 && now - m_last_at >= kProblemWindow) m_count = 0;
    ++m_count;
    m_last = what;
    m_last_at = now;
  }
  if (const auto held = m_log.allow(now))
    spdlog::get("engine")->error("cannot save {}{}", what,
                                 *held ? " (" + std::to_string(*held) + " more failures not logged)" : std::string());
}

std::optional<std::string> WriteFailures::problem() const {
  std::lock_guard lock(m_mutex);
  if (m_count == 0 || std::chrono::steady_clock::now() - m_last_at >= kProblemWindow) return std::nullopt;
  return "state files: cannot save " + m_last + " (" + std::to_string(m_count) + " failures lately)";
}

}  // namespace seedd
