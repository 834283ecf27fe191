#pragma once
// Events for clients that follow the daemon (`GET /ws`, `events.poll`, `seedctl watch`): a
// bounded, numbered history of what happened. Producers publish from any thread; readers ask
// for what came after a sequence number, or subscribe to be told as it happens. Plain C++:
// neither the producers nor this file know about HTTP.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace seedd::events {

/// Events kept for clients that reconnect; older ones are dropped and such a client is told.
constexpr size_t kHistoryCapacity = 4096;

struct Event {
  uint64_t seq = 0;      // 1, 2, ... in publication order, per process
  std::string name;      // "torrent.added", ...
  nlohmann::json params; // includes "seq" and "time" (unix milliseconds)
};

/// What a reader gets after `since`.
struct Backlog {
  std::vector<Event> events;  // seq > since, oldest first, at most `max`
  bool missed = false;        // some events after `since` were dropped (or `since` is from another run)
  uint64_t last = 0;          // the newest seq published so far
};

class EventBus {
 public:
  explicit EventBus(size_t capacity = kHistoryCapacity) : m_capacity(capacity) {}

  /// Records an event and tells the subscribers (under the bus's lock: they must be quick and
  /// must not call the bus). Returns its sequence number.
  uint64_t publish(const std::string& name, nlohmann::json params);

  Backlog since(uint64_t since, size_t max) const;
  uint64_t last() const;

  using Listener = std::function<void(const Event&)>;
  /// Atomically, under the bus's lock: hands the backlog after `since` (all of it) to `first`,
  /// then subscribes `listener`, so a subscriber sees every event once and in order. Returns
  /// the id for unsubscribe().
  int subscribe(uint64_t since, const std::function<void(const Backlog&)>& first, Listener listener);
  void unsubscribe(int id);

 private:
  Backlog backlog_locked(uint64_t since, size_t max) const;

  mutable std::mutex m_mutex;
  size_t m_capacity;
  std::deque<Event> m_history;
  uint64_t m_last = 0;
  int m_next_id = 1;
  std::map<int, Listener> m_listeners;
};

}  // namespace seedd::events
