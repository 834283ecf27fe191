#pragma once
// A log line that would repeat while a fault lasts (a full disk: every 600 ms) is let through
// once per interval, with the count of the ones held back (issue 16, item 10).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace seedd::util {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogThrottle(Clock::duration interval) : m_interval(interval) {}

  /// Call once per occurrence. Returns how many occurrences were held back since the last one
  /// let through when this one should be logged, or nullopt when it should not.
  std::optional<uint64_t> allow(Clock::time_point now = Clock::now()) {
    std::lock_guard lock(m_mutex);
    if (m_logged_once && now - m_last < m_interval) {
      ++m_held;
      return std::nullopt;
    }
    m_logged_once = true;
    m_last = now;
    const uint64_t held = m_held;
    m_held = 0;
    return held;
  }

  /// The fault is over: the next occurrence is logged at once.
  void reset() {
    std::lock_guard lock(m_mutex);
    m_logged_once = false;
    m_held = 0;
  }

 private:
  std::mutex m_mutex;
  Clock::duration m_interval;
  Clock::time_point m_last{};
  bool m_logged_once = false;
  uint64_t m_held = 0;
};

}  // namespace seedd::util
