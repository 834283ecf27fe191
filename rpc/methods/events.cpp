// events.* : what happened, for clients that cannot hold a WebSocket (curl, cron scripts).
#include <stdexcept>

#include "daemon/events/event_bus.hpp"
#include "rpc/events.hpp"
#include "rpc/method_table.hpp"

namespace seedd::rpc {

void register_events_methods(MethodTable& table) {
  table.add({.name = "events.poll",
             .description = "Events after sequence number `since` (the same notifications as the /ws WebSocket: "
             "session.started, torrent.added, torrent.finished, torrent.removed, torrent.error, receipts.accepted, "
             "claim.created). Without `since`, only events from now on. With `timeout_ms` > 0 in a single "
             "request, waits up to that long (at most " + std::to_string(kMaxLongPoll.count()) + ") for one; in a batch it answers at once. "
             "`missed` is true when events after `since` were dropped from the bounded history (or "
             "`since` is from an earlier run of the daemon): re-read the state you follow. Pass `next` "
             "as `since` to the following call.",
             .params = {{"since", ParamType::uint64, false, "the last sequence number you have seen"},
              {"timeout_ms", ParamType::integer, false, "how long to wait for an event, 0-" + std::to_string(kMaxLongPoll.count()) + " (default 0)"},
              {"limit", ParamType::integer, false, "at most this many events, 1-" + std::to_string(kMaxPollEvents) + " (default " + std::to_string(kMaxPollEvents) + ")"}},
             .result = res::obj(
                 "", {res::arr("events", res::obj("", {res::str("method"),
                                                       res::any("params", "{seq, time, ...}: the event's params")})),
                      res::integer("next", "the since of the following call"),
                      res::boolean("missed", "events after since were dropped"),
                      res::integer("last", "the newest sequence number")}),
             .handler = [](const json& params, Context& ctx) {
               if (!ctx.events) throw RpcError(code::internal_error, "events are not available");
               const auto timeout = param_int(params, "timeout_ms", 0);
               if (timeout < 0 || timeout > kMaxLongPoll.count())
                 throw invalid_params("param 'timeout_ms' must be between 0 and " + std::to_string(kMaxLongPoll.count()));
               const auto limit = param_int(params, "limit", static_cast<int64_t>(kMaxPollEvents));
               if (limit < 1 || limit > static_cast<int64_t>(kMaxPollEvents))
                 throw invalid_params("param 'limit' must be between 1 and " + std::to_string(kMaxPollEvents));
               uint64_t since = ctx.events->last();
               if (has_param(params, "since")) {
                 const auto& s = params["since"];
                 try {
                   since = s.is_string() ? std::stoull(s.get<std::string>()) : s.get<uint64_t>();
                 } catch (const std::out_of_range&) {
                   throw invalid_params("param 'since' is past 2^64");
                 }
               }
               const auto backlog = ctx.events->since(since, static_cast<size_t>(limit));
               json list = json::array();
               for (const auto& e : backlog.events) {
                 auto n = event_notification(e);
                 list.push_back(json{{"method", n["method"]}, {"params", n["params"]}});
               }
               const uint64_t next = backlog.events.empty() ? (backlog.missed ? 0 : since) : backlog.events.back().seq;
               return json{{"events", std::move(list)}, {"next", next}, {"missed", backlog.missed}, {"last", backlog.last}};
             }});
}

}  // namespace seedd::rpc
