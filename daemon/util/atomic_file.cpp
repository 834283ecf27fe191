#include "daemon/util/atomic_file.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace seedd::util {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  int get() const { return m_fd; }
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }

 private:
  int m_fd;
};

}  // namespace

void fsync_directory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) throw_errno("cannot fsync directory", dir);
}

void write_file_atomic(const std::filesystem::path& path, std::string_view contents,
                       unsigned mode) {
  const auto dir = path.parent_path();
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto tmp = path.string() + ".tmp." + std::to_string(rng() % 1000000000ULL);
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) throw_errno("cannot create", tmp);
  auto fail = [&](const std::string& what) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    throw_errno(what, tmp);
  };
  // The umask may have cut bits from `mode`; secrets must be exactly what was asked for.
  if (::fchmod(fd.get(), mode) != 0) fail("cannot chmod");
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    const ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail("cannot fsync");
  if (::close(fd.release()) != 0) fail("cannot close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename onto " + path.string() + ":");
  fsync_directory(dir);
}

namespace {
// Open temp files at once in write_files_atomic(): well under the usual 1,024 descriptors.
constexpr size_t kMaxOpenInBatch = 256;
// fsyncs issued at once in write_files_atomic(), and the files it takes to use another thread.
// The filesystem commits concurrent fsyncs together, so a few at once cost each file less
// (docs/benchmarks.md, "Seeding at NAS scale", has the figures).
constexpr size_t kMaxSyncThreads = 8;
constexpr size_t kFilesPerSyncThread = 8;

/// fsyncs every descriptor in `fds` that is not -1; returns errno (or 0) for each.
std::vector<int> fsync_all(const std::vector<int>& fds) {
  std::vector<int> errors(fds.size(), 0);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k = next++; k < fds.size(); k = next++)
      if (fds[k] >= 0 && ::fsync(fds[k]) != 0) errors[k] = errno;
  };
  std::vector<std::thread> helpers;
  const size_t wanted = std::min(kMaxSyncThreads, fds.size() / kFilesPerSyncThread);
  try {
    for (size_t h = 1; h < wanted; ++h) helpers.emplace_back(work);
  } catch (const std::system_error&) {
    // Out of threads (a tasks limit): the ones there are, and this one, do it all.
  }
  work();
  for (auto& t : helpers) t.join();
  return errors;
}

/// fsyncs each directory in `dirs` once (renames or removals in them become durable).
void fsync_directories(std::vector<std::filesystem::path>& dirs, const FileErrorSink& on_error) {
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  for (const auto& dir : dirs) {
    try {
      fsync_directory(dir);
    } catch (const std::exception& e) {
      on_error(dir, e.what());
    }
  }
}

bool write_all(int fd, std::string_view contents) {
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}
}  // namespace

size_t write_files_atomic(std::vector<FileWrite>& files, unsigned mode, const FileErrorSink& on_error) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  size_t written = 0;
  for (size_t begin = 0; begin < files.size(); begin += kMaxOpenInBatch) {
    const size_t end = std::min(files.size(), begin + kMaxOpenInBatch);
    struct Temp {
      size_t index;
      std::string tmp;
      int fd;
    };
    std::vector<Temp> temps;
    auto fail = [&](Temp& t, const char* what) {
      const std::string message = std::string(what) + " " + t.tmp + ": " + std::strerror(errno);
      if (t.fd >= 0) ::close(t.fd);
      t.fd = -1;
      ::unlink(t.tmp.c_str());
      on_error(files[t.index].path, message);
    };
    for (size_t i = begin; i < end; ++i) {
      Temp t{i, files[i].path.string() + ".tmp." + std::to_string(rng() % 1000000000ULL), -1};
      t.fd = ::open(t.tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
      if (t.fd < 0) {
        on_error(files[i].path, "cannot create " + t.tmp + ": " + std::strerror(errno));
        continue;
      }
      if (::fchmod(t.fd, mode) != 0) fail(t, "cannot chmod");
      else if (!write_all(t.fd, files[i].contents)) fail(t, "cannot write");
      temps.push_back(std::move(t));
    }
    std::vector<int> fds;
    for (const auto& t : temps) fds.push_back(t.fd);
    const auto sync_errors = fsync_all(fds);
    std::vector<std::filesystem::path> dirs;
    for (size_t k = 0; k < temps.size(); ++k) {
      auto& t = temps[k];
      if (t.fd < 0) continue;
      if (sync_errors[k] != 0) {
        errno = sync_errors[k];
        fail(t, "cannot fsync");
        continue;
      }
      const int fd = t.fd;
      t.fd = -1;
      if (::close(fd) != 0) {
        fail(t, "cannot close");
        continue;
      }
      const auto& path = files[t.index].path;
      if (::rename(t.tmp.c_str(), path.c_str()) != 0) {
        fail(t, "cannot rename onto its target:");
        continue;
      }
      ++written;
      dirs.push_back(path.parent_path());
    }
    fsync_directories(dirs, on_error);
  }
  return written;
}

void remove_files(const std::vector<std::filesystem::path>& paths, const FileErrorSink& on_error) {
  std::vector<std::filesystem::path> dirs;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::remove(path, ec) || !ec) dirs.push_back(path.parent_path());
    else on_error(path, "cannot remove: " + ec.message());
  }
  fsync_directories(dirs, on_error);
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("cannot open", path);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void ensure_directory(const std::filesystem::path& dir, unsigned mode) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::system_error(ec, "cannot create directory " + dir.string());
  ::chmod(dir.c_str(), mode);
}

}  // namespace seedd::util
