#include "daemon/util/bounded_read.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace seedd::util {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void check_stat(const struct stat& st, const std::filesystem::path& path, uint64_t max_bytes) {
  if (!S_ISREG(st.st_mode))
    throw FileRefused("'" + path.string() + "' is " + file_kind_name(st.st_mode) + ", not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    throw FileRefused("'" + path.string() + "' is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                      std::to_string(max_bytes));
}

}  // namespace

std::string file_kind_name(unsigned st_mode) {
  switch (st_mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFLNK: return "a symbolic link";
  }
  return "not a file";
}

std::optional<std::string> read_regular_file(const std::filesystem::path& path, uint64_t max_bytes) {
  // stat first, so that a device is not even opened (open() alone can act on some); fstat
  // after, in case the name was swapped meanwhile. O_NONBLOCK: a FIFO swapped in between does
  // not block open(), and it makes no difference to a regular file.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("cannot stat", path);
  }
  check_stat(st, path, max_bytes);
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
  if (fd.fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("cannot open", path);
  }
  if (::fstat(fd.fd, &st) != 0) throw_errno("cannot stat", path);
  check_stat(st, path, max_bytes);
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t used = 0;
  auto read_some = [&](char* into, size_t n) -> size_t {
    for (;;) {
      const ssize_t got = ::read(fd.fd, into, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) throw_errno("cannot read", path);
    }
  };
  while (used < out.size()) {
    const size_t n = read_some(out.data() + used, out.size() - used);
    if (n == 0) break;  // it shrank meanwhile
    used += n;
  }
  out.resize(used);
  // It may have grown since fstat: read on, but never past the limit.
  char buf[65536];
  while (const size_t n = read_some(buf, sizeof buf)) {
    if (out.size() + n > max_bytes)
      throw FileRefused("'" + path.string() + "' grew past the limit of " + std::to_string(max_bytes) + " bytes");
    out.append(buf, n);
  }
  return out;
}

}  // namespace seedd::util
