#include "daemon/util/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace seedd::util {
namespace {

// A positive decimal integer that fits, or nullopt (systemd writes plain decimals).
std::optional<unsigned long long> parse_positive(const char* text) {
  if (!text) return std::nullopt;
  const std::string_view s(text);
  unsigned long long value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0) return std::nullopt;
  return value;
}

}  // namespace

bool sd_notify(const std::string& state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return false;
  const std::string_view name(path);
  // Only AF_UNIX names: an absolute path, or '@' for the abstract namespace. systemd 252 also
  // accepts vsock addresses, which a service on the host never gets.
  if (name.front() != '/' && name.front() != '@') return false;

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (name.size() > sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, name.data(), name.size());
  if (name.front() == '@') addr.sun_path[0] = '\0';  // abstract: no terminating NUL counted
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&addr), len);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  const auto usec = parse_positive(std::getenv("WATCHDOG_USEC"));
  if (!usec) return std::nullopt;
  if (const char* pid_text = std::getenv("WATCHDOG_PID"); pid_text && *pid_text) {
    const auto pid = parse_positive(pid_text);
    if (!pid || *pid != static_cast<unsigned long long>(::getpid())) return std::nullopt;
  }
  return std::chrono::microseconds(*usec);
}

}  // namespace seedd::util
