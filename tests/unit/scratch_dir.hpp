#pragma once
// Scratch directories for unit tests. They all live under one directory per test process,
// which is removed when the process exits, so a test run leaves nothing behind in /tmp.

#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

namespace seedd::test {

/// The test process's own directory under the system temp dir; removed at exit.
inline const std::filesystem::path& scratch_root() {
  struct Root {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("seedd-unit-" + std::to_string(::getpid()));
    pid_t owner = ::getpid();
    ~Root() {
      if (::getpid() != owner) return;  // a forked child exiting leaves its parent's files
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Root root;
  return root.path;
}

/// A fresh, empty directory `name` under the process's scratch root.
inline std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = scratch_root() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// A fresh directory that is removed again when the object goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) : m_path(fresh_dir(name)) {}
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

 private:
  std::filesystem::path m_path;
};

}  // namespace seedd::test
