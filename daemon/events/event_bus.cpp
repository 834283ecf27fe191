#include "daemon/events/event_bus.hpp"

#include <chrono>

namespace seedd::events {

uint64_t EventBus::publish(const std::string& name, nlohmann::json params) {
  std::lock_guard lock(m_mutex);
  Event e;
  e.seq = ++m_last;
  e.name = name;
  if (!params.is_object()) params = nlohmann::json::object();
  params["seq"] = e.seq;
  params["time"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  e.params = std::move(params);
  m_history.push_back(e);
  while (m_history.size() > m_capacity) m_history.pop_front();
  for (auto& [id, listener] : m_listeners) listener(m_history.back());
  return e.seq;
}

Backlog EventBus::backlog_locked(uint64_t since, size_t max) const {
  Backlog b;
  b.last = m_last;
  // A number from the future comes from an earlier run of the daemon: start over, and say so.
  if (since > m_last) {
    b.missed = true;
    since = 0;
  }
  const uint64_t oldest = m_history.empty() ? m_last + 1 : m_history.front().seq;
  if (since + 1 < oldest && since < m_last) b.missed = true;
  for (const auto& e : m_history) {
    if (e.seq <= since) continue;
    if (b.events.size() >= max) break;
    b.events.push_back(e);
  }
  return b;
}

Backlog EventBus::since(uint64_t since, size_t max) const {
  std::lock_guard lock(m_mutex);
  return backlog_locked(since, max);
}

uint64_t EventBus::last() const {
  std::lock_guard lock(m_mutex);
  return m_last;
}

int EventBus::subscribe(uint64_t since, const std::function<void(const Backlog&)>& first, Listener listener) {
  std::lock_guard lock(m_mutex);
  first(backlog_locked(since, SIZE_MAX));
  const int id = m_next_id++;
  m_listeners.emplace(id, std::move(listener));
  return id;
}

void EventBus::unsubscribe(int id) {
  std::lock_guard lock(m_mutex);
  m_listeners.erase(id);
}

}  // namespace seedd::events
