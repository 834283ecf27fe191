#pragma once
// What the daemon publishes on the event bus, from the engine's and the accountant's plain
// C++ interfaces.
#include <cstdint>
#include <map>

#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/events/event_bus.hpp"

namespace seedd::events {

/// torrent.added / torrent.finished / torrent.removed / torrent.error.
void publish_torrent_event(EventBus& bus, const TorrentEvent& event);

/// session.started {torrents, version}: right after the engine started, when it restored
/// torrents from resume files (a restart), with their number; sent instead of a torrent.added
/// for every torrent that was there already. Nothing when there was none.
void publish_session_started(EventBus& bus, const Engine& engine);

/// The accountant's events. receipts.accepted, aggregated: call tick() about once a second;
/// it publishes one event with what was committed since the last tick (receipts, verified
/// bytes in all and per torrent), and nothing when nothing was. claim.created (the claim's
/// summary row and its file): as each claim is recorded, from the accountant's on_claim hook,
/// which this object holds from its construction to its destruction.
class AccountantEvents {
 public:
  AccountantEvents(Accountant& accountant, EventBus& bus);
  ~AccountantEvents();
  AccountantEvents(const AccountantEvents&) = delete;
  AccountantEvents& operator=(const AccountantEvents&) = delete;
  void tick();

 private:
  Accountant& m_accountant;
  EventBus& m_bus;
  uint64_t m_accepted = 0;
  std::map<crypto::InfoHash20, uint64_t> m_verified;
};

/// The name daemon/main.cpp uses.
using ReceiptEvents = AccountantEvents;

}  // namespace seedd::events
