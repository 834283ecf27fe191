#include "daemon/util/disk_space.hpp"

#include <sys/statvfs.h>

namespace seedd::util {

std::optional<uint64_t> free_bytes(const std::filesystem::path& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0) return std::nullopt;
  return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

}  // namespace seedd::util
