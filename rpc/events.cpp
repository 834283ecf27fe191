#include "rpc/events.hpp"

#include <charconv>

#include "daemon/events/event_bus.hpp"
#include "daemon/util/json_input.hpp"

namespace seedd::rpc {
using json = nlohmann::json;

json event_notification(const events::Event& e) {
  return json{{"jsonrpc", "2.0"}, {"method", e.name}, {"params", e.params}};
}

json missed_notification(uint64_t since, uint64_t last) {
  return json{{"jsonrpc", "2.0"},
              {"method", "events.missed"},
              {"params",
               {{"since", since},
                {"last", last},
                {"message", "events after 'since' were dropped from the history (or come from an earlier run): "
                            "re-read the state you follow"}}}};
}

namespace {

/// The value of `name` in the query string of `target`, if it is there.
std::optional<std::string> query_param(const std::string& target, const std::string& name) {
  const auto q = target.find('?');
  if (q == std::string::npos) return std::nullopt;
  size_t pos = q + 1;
  while (pos <= target.size()) {
    const auto amp = std::min(target.find('&', pos), target.size());
    const auto pair = target.substr(pos, amp - pos);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string::npos ? std::string() : pair.substr(eq + 1);
    pos = amp + 1;
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<WebSocketAccept> accept_event_socket(events::EventBus& bus, const std::string& target) {
  std::optional<uint64_t> since;
  if (auto s = query_param(target, "since")) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec != std::errc() || end != s->data() + s->size()) return nullptr;
    since = v;
  }
  auto accept = std::make_shared<WebSocketAccept>();
  accept->open = [&bus, since](std::shared_ptr<WebSocketChannel> channel) -> std::function<void()> {
    std::weak_ptr<WebSocketChannel> weak = channel;
    const uint64_t from = since.value_or(bus.last());
    const int id = bus.subscribe(
        from,
        [&](const events::Backlog& backlog) {
          if (backlog.missed) channel->send(missed_notification(from, backlog.last).dump());
          for (const auto& e : backlog.events) channel->send(event_notification(e).dump());
        },
        [weak](const events::Event& e) {
          if (auto c = weak.lock()) c->send(event_notification(e).dump());
        });
    return [&bus, id] { bus.unsubscribe(id); };
  };
  return accept;
}

std::optional<LongPoll> long_poll_of(const nlohmann::json& request, const events::EventBus& bus) {
  if (!request.is_object()) return std::nullopt;
  auto m = request.find("method");
  if (m == request.end() || !m->is_string() || *m != "events.poll") return std::nullopt;
  auto p = request.find("params");
  if (p == request.end() || !p->is_object()) return std::nullopt;
  auto t = p->find("timeout_ms");
  if (t == p->end() || !t->is_number_integer() || t->get<int64_t>() <= 0) return std::nullopt;
  const auto timeout = std::min(std::chrono::milliseconds(t->get<int64_t>()), kMaxLongPoll);
  auto pinned = request;
  if (!p->contains("since")) pinned["params"]["since"] = bus.last();
  return LongPoll{pinned.dump(), timeout};
}

bool poll_answer_is_empty(const std::string& answer) {
  auto j = json::parse(answer, nullptr, false);
  if (!j.is_object()) return false;
  auto r = j.find("result");
  if (r == j.end() || !r->is_object()) return false;  // an error: answer it
  auto e = r->find("events");
  return e != r->end() && e->is_array() && e->empty() && !r->value("missed", false);
}

}  // namespace seedd::rpc
