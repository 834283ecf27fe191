#include "daemon/engine/path_guard.hpp"

#include <sys/stat.h>

#include <set>
#include <system_error>

#include <libtorrent/create_torrent.hpp>

#include "daemon/engine/engine.hpp"
#include "daemon/util/bounded_read.hpp"

namespace seedd::path_guard {
namespace fs = std::filesystem;
using K = EngineError::Kind;

std::vector<fs::path> resolve_roots(const fs::path& download_dir, const std::vector<fs::path>& data_roots) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& root : {std::vector<fs::path>{download_dir}, data_roots})
    for (const auto& r : root) {
      auto resolved = fs::weakly_canonical(r, ec);
      if (!ec) out.push_back(std::move(resolved));
    }
  return out;
}

bool is_under(const fs::path& resolved, const fs::path& root) {
  auto rit = root.begin();
  auto pit = resolved.begin();
  for (; rit != root.end() && pit != resolved.end() && *rit == *pit; ++rit, ++pit) {}
  // "/a/b/" iterates as "/", "a", "b", "": a trailing empty part matches too.
  return rit == root.end() || (std::next(rit) == root.end() && rit->empty());
}

namespace {
/// Where `p` leads, every symbolic link followed, dangling ones too (a link to a file that does
/// not exist yet is where libtorrent would create it): weakly_canonical alone stops at them.
fs::path resolve(const fs::path& p, std::error_code& ec) {
  constexpr int kMaxLinks = 40;  // the kernel's own limit (ELOOP)
  fs::path t = p;
  for (int i = 0; i < kMaxLinks && fs::is_symlink(fs::symlink_status(t, ec)); ++i) {
    const auto next = fs::read_symlink(t, ec);
    if (ec) return {};
    t = next.is_absolute() ? next : t.parent_path() / next;
  }
  return fs::weakly_canonical(t, ec);
}

bool under_any(const fs::path& resolved, const std::vector<fs::path>& roots) {
  for (const auto& r : roots)
    if (is_under(resolved, r)) return true;
  return false;
}
}  // namespace

fs::path confine(const fs::path& path, const fs::path& download_dir, const std::vector<fs::path>& roots,
                 bool have_data_roots, const std::string& what) {
  if (path.empty()) throw EngineError(K::invalid_argument, what + ": empty path");
  // The system calls stop at a NUL, so the checks below would judge a different path than the
  // one libtorrent is handed; no real path holds one.
  if (path.native().find('\0') != std::string::npos) throw EngineError(K::invalid_argument, what + ": contains a NUL byte");
  for (const auto& part : path)
    if (part == "..") throw EngineError(K::invalid_argument, what + ": '" + path.string() + "' contains '..'");
  const fs::path abs = path.is_absolute() ? path : download_dir / path;
  std::error_code ec;
  const fs::path resolved = resolve(abs, ec);
  if (ec) throw EngineError(K::invalid_argument, what + ": cannot resolve '" + path.string() + "'");
  if (under_any(resolved, roots)) return resolved;
  throw EngineError(K::invalid_argument, what + ": '" + path.string() +
                                             "' is outside the allowed directories (download_dir" +
                                             (have_data_roots ? ", data_roots" : "") + ")");
}

void require_directory_or_absent(const fs::path& dir, const std::string& what) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) return;
  throw EngineError(K::invalid_argument,
                    what + ": '" + dir.string() + "' is " + util::file_kind_name(st.st_mode) + ", not a directory");
}

std::string link_leaving_roots(const fs::path& save_path, const lt::file_storage& files,
                               const std::vector<fs::path>& roots) {
  std::set<fs::path> seen;  // each folder once: a torrent of 10,000 files has few folders
  std::error_code ec;
  for (const auto i : files.file_range()) {
    if (files.pad_file_at(i)) continue;
    fs::path p = save_path;
    for (const auto& part : fs::path(files.file_path(i))) {
      p /= part;
      if (!seen.insert(p).second) continue;
      if (!fs::is_symlink(fs::symlink_status(p, ec))) continue;
      const auto target = resolve(p, ec);
      if (ec || !under_any(target, roots))
        return "'" + p.string() + "' is a symbolic link to '" + (ec ? fs::read_symlink(p, ec) : target).string() + "'";
    }
  }
  return {};
}

void confine_files(const fs::path& save_path, const lt::file_storage& files, const std::vector<fs::path>& roots,
                   const std::string& what) {
  const auto escape = link_leaving_roots(save_path, files, roots);
  if (!escape.empty())
    throw EngineError(K::invalid_argument,
                      what + ": " + escape + ", outside the allowed directories; the torrent's files would go there "
                             "(to allow it, add the link's target to data_roots)");
}

void add_files_inside(lt::file_storage& files, const fs::path& path, const std::vector<fs::path>& roots,
                      const std::string& what) {
  std::string escape;
  // libtorrent asks about every folder and file before it stats it (and follows links): the
  // same walk it hashes and seeds from.
  lt::add_files(files, path.string(), [&](const std::string& name) {
    if (!escape.empty()) return false;
    std::error_code ec;
    const fs::path p(name);
    if (!fs::is_symlink(fs::symlink_status(p, ec))) return true;
    const auto target = resolve(p, ec);
    if (!ec && under_any(target, roots)) return true;
    escape = "'" + name + "' is a symbolic link to '" + (ec ? fs::read_symlink(p, ec) : target).string() + "'";
    return false;
  });
  if (!escape.empty())
    throw EngineError(K::invalid_argument,
                      what + ": " + escape + ", outside the allowed directories; torrent.create does not follow it "
                             "(to allow it, add the link's target to data_roots)");
}

}  // namespace seedd::path_guard
