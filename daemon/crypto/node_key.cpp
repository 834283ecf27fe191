#include "daemon/crypto/node_key.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/util/atomic_file.hpp"

namespace seedd::crypto {

namespace {

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// The key file's contents, or nullopt when it does not exist. The mode is checked on the open
// descriptor, so the file that was checked is the file that is read.
std::optional<std::string> read_key_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw std::system_error(errno, std::generic_category(),
                            "cannot open node key file " + file.string());
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot stat node key file " + file.string());
  }
  if (!S_ISREG(st.st_mode)) {
    throw std::runtime_error("node key file " + file.string() + " is not a regular file");
  }
  // A secret others can read is no longer a secret: refuse rather than silently chmod, so the
  // operator learns that it may have leaked.
  if ((st.st_mode & 077) != 0) {
    throw std::runtime_error("node key file " + file.string() +
                             " is readable by group or others (mode " + octal_mode(st.st_mode) +
                             "); run chmod 600 " + file.string());
  }

  std::string contents;
  char buf[256];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(),
                              "cannot read node key file " + file.string());
    }
    if (n == 0) break;
    contents.append(buf, static_cast<size_t>(n));
    if (contents.size() > 4096) break;  // far beyond any valid key; reported as malformed
  }
  return contents;
}

}  // namespace

PrivateKey load_or_create_node_key(const std::filesystem::path& file) {
  auto contents = read_key_file(file);
  if (!contents) {
    PrivateKey key = PrivateKey::generate();
    util::write_file_atomic(file, key.to_hex() + "\n", 0600);
    return key;
  }
  std::string_view text = *contents;
  const auto end = text.find_last_not_of(" \t\r\n");
  text = end == std::string_view::npos ? std::string_view{} : text.substr(0, end + 1);
  auto key = PrivateKey::from_hex(text);
  std::fill(contents->begin(), contents->end(), '\0');  // do not leave the secret on the heap
  // The message never quotes the contents: they may be a key with a typo.
  if (!key) {
    throw std::runtime_error("node key file " + file.string() +
                             " is malformed: expected 64 hex digits of a valid secp256k1 "
                             "private key (optionally 0x-prefixed)");
  }
  return *key;
}

}  // namespace seedd::crypto
