#pragma once
// systemd's notification protocol without libsystemd: one datagram to $NOTIFY_SOCKET per
// message (sd_notify(3)). Outside systemd (no NOTIFY_SOCKET) every call is a cheap no-op, so
// the daemon calls it unconditionally.
#include <chrono>
#include <optional>
#include <string>

namespace seedd::util {

/// Sends `state` (newline-separated assignments such as "READY=1" or "STATUS=seeding 3") to
/// $NOTIFY_SOCKET: a path, or an abstract socket name written with a leading '@'. Returns true
/// if the datagram was sent; false when NOTIFY_SOCKET is unset or unusable, or sending failed.
/// Never throws; safe to call from any thread.
bool sd_notify(const std::string& state);

/// The watchdog interval systemd expects pings within (WATCHDOG_USEC), or nullopt when the
/// watchdog is off: WATCHDOG_USEC unset, not a positive integer, or WATCHDOG_PID set to a
/// process other than this one (the variable was inherited from a parent).
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace seedd::util
