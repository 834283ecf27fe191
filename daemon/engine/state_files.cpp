#include "daemon/engine/state_files.hpp"

#include <vector>

#include <libtorrent/write_resume_data.hpp>
#include <spdlog/spdlog.h>

#include "daemon/engine/engine.hpp"
#include "daemon/util/atomic_file.hpp"

namespace seedd {

void write_state_files_now(const std::filesystem::path& torrent_file, const std::string& torrent_bytes,
                           const std::filesystem::path& resume_file, const lt::add_torrent_params& atp) {
  const auto resume = lt::write_resume_data_buf(atp);
  std::vector<util::FileWrite> files{{torrent_file, torrent_bytes}, {resume_file, std::string(resume.begin(), resume.end())}};
  std::string error;
  util::write_files_atomic(files, 0644, [&](const std::filesystem::path& path, const std::string& message) {
    if (error.empty()) error = message;
  });
  if (error.empty()) return;
  util::remove_files({torrent_file, resume_file}, [](const std::filesystem::path&, const std::string&) {});
  throw EngineError(EngineError::Kind::io, "cannot save the torrent's state files: " + error);
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
