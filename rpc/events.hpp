#pragma once
// Following the daemon over HTTP: the `/ws` WebSocket and the long-poll form of `events.poll`.
// Both read the EventBus; events go out as JSON-RPC notifications
// {"jsonrpc":"2.0","method":"torrent.added","params":{"seq":N,"time":ms,...}}.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "rpc/http_server.hpp"

namespace seedd::events {
class EventBus;
struct Event;
}  // namespace seedd::events

namespace seedd::rpc {

/// The longest an `events.poll` may wait.
constexpr std::chrono::milliseconds kMaxLongPoll{60000};
/// The most events one `events.poll` answer carries.
constexpr size_t kMaxPollEvents = 1000;

/// The notification text of one event.
nlohmann::json event_notification(const events::Event& e);
/// What a follower is told when events it asked for were dropped from the bounded history.
nlohmann::json missed_notification(uint64_t since, uint64_t last);

/// Accepts a WebSocket at `/ws?since=N` (N omitted: only what happens from now on).
std::shared_ptr<WebSocketAccept> accept_event_socket(events::EventBus& bus, const std::string& target);

/// For a single JSON-RPC request to `events.poll` with `timeout_ms` > 0: the request with its
/// `since` pinned (so every re-dispatch asks the same question) and the time to wait. Nothing
/// for any other body (batches included: there it answers at once).
struct LongPoll {
  std::string body;
  std::chrono::milliseconds timeout;
};
std::optional<LongPoll> long_poll_of(const nlohmann::json& request, const events::EventBus& bus);

/// True if the JSON-RPC answer to events.poll carries no events (so a long poll keeps waiting).
bool poll_answer_is_empty(const std::string& answer);

}  // namespace seedd::rpc
