#include "daemon/events/sources.hpp"

#include <string>

#include "daemon/crypto/hex.hpp"

namespace seedd::events {

void publish_torrent_event(EventBus& bus, const TorrentEvent& event) {
  nlohmann::json params{{"info_hash", event.info_hash}, {"name", event.name}};
  switch (event.kind) {
    case TorrentEvent::Kind::added: bus.publish("torrent.added", std::move(params)); break;
    case TorrentEvent::Kind::finished: bus.publish("torrent.finished", std::move(params)); break;
    case TorrentEvent::Kind::removed: bus.publish("torrent.removed", std::move(params)); break;
    case TorrentEvent::Kind::error:
      params["error"] = event.error;
      bus.publish("torrent.error", std::move(params));
      break;
  }
}

void publish_session_started(EventBus& bus, const Engine& engine) {
  size_t torrents = 0;
  engine.visit([&torrents](const TorrentStatus&) { ++torrents; });
  // A first start has nothing to restore: its first event stays the first torrent.added.
  if (torrents == 0) return;
  bus.publish("session.started", {{"torrents", torrents}, {"version", SEEDD_VERSION}});
}

AccountantEvents::AccountantEvents(Accountant& accountant, EventBus& bus) : m_accountant(accountant), m_bus(bus) {
  m_accepted = accountant.receipts_accepted();
  for (const auto& [ih, books] : accountant.all_books()) m_verified[ih] = books.verified_bytes;
  accountant.on_claim([&bus](const accountant::MadeClaim& made, const std::filesystem::path& file) {
    auto event = accountant::claim_summary(made.document);
    event["file"] = file.string();
    bus.publish("claim.created", std::move(event));
  });
}

AccountantEvents::~AccountantEvents() { m_accountant.on_claim(nullptr); }

void AccountantEvents::tick() {
  const uint64_t accepted = m_accountant.receipts_accepted();
  if (accepted == m_accepted) return;
  const uint64_t count = accepted - m_accepted;
  m_accepted = accepted;
  uint64_t total = 0;
  auto torrents = nlohmann::json::array();
  for (const auto& [ih, books] : m_accountant.all_books()) {
    auto& seen = m_verified[ih];
    if (books.verified_bytes <= seen) continue;
    const uint64_t delta = books.verified_bytes - seen;
    seen = books.verified_bytes;
    total += delta;
    torrents.push_back({{"info_hash", crypto::to_hex(ih, false)}, {"verified_bytes", std::to_string(delta)}});
  }
  m_bus.publish("receipts.accepted", {{"receipts", count},
                                      {"verified_bytes", std::to_string(total)},
                                      {"torrents", std::move(torrents)}});
}

}  // namespace seedd::events
