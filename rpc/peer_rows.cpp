#include "rpc/peer_rows.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "daemon/crypto/hex.hpp"
#include "daemon/util/endpoint.hpp"

namespace seedd::rpc {

using json = nlohmann::json;

std::string peer_endpoint(const PeerStatus& p) { return util::Endpoint{p.ip, static_cast<uint16_t>(p.port)}.to_string(); }

namespace {

void add_live_fields(json& row, const PeerStatus* p) {
  row["upload_rate"] = p ? p->upload_rate : 0;
  row["download_rate"] = p ? p->download_rate : 0;
  // Rounded to 0.1 %: libtorrent's float shows as 0.30000001 otherwise.
  row["progress"] = p ? std::round(p->progress * 1000) / 1000 : 0.0;
  row["connection"] = p ? json(p->utp ? "utp" : "tcp") : json(nullptr);
  row["encrypted"] = p ? p->encrypted : false;
  row["direction"] = p ? json(p->incoming ? "incoming" : "outgoing") : json(nullptr);
}

}  // namespace

std::string_view lane_of(const Accountant::PeerView& peer) { return accountant::lane_name(peer.lane); }

std::string_view pass_state_name(accountant::PassState state) {
  switch (state) {
    case accountant::PassState::none: return "none";
    case accountant::PassState::checking: return "checking";
    case accountant::PassState::valid: return "valid";
    case accountant::PassState::expired: return "expired";
    case accountant::PassState::invalid: return "invalid";
  }
  return "none";
}

json peer_rows(const std::vector<Accountant::PeerView>& booked, const std::vector<PeerStatus>& live) {
  std::map<std::string, const PeerStatus*> by_endpoint;
  for (const auto& p : live) by_endpoint[peer_endpoint(p)] = &p;
  json rows = json::array();
  for (const auto& b : booked) {
    auto it = by_endpoint.find(b.endpoint);
    const PeerStatus* p = it == by_endpoint.end() ? nullptr : it->second;
    json row = {{"endpoint", b.endpoint},
                {"client", !b.client.empty() || !p ? b.client : p->client},
                {"seedd_address", b.address ? json(crypto::to_checksum_address(*b.address)) : json(nullptr)},
                {"sent_bytes", std::to_string(b.sent_bytes)},
                {"received_bytes", std::to_string(b.received_bytes)},
                {"receipted_bytes", std::to_string(b.receipted_bytes)},
                {"unreceipted_bytes", std::to_string(b.sent_bytes - std::min(b.sent_bytes, b.receipted_bytes))},
                // libtorrent's own flag where the peer is in its list: the plugin's copy follows
                // the choke and unchoke hooks, which libtorrent may call in an order that leaves
                // it stale (an unchoked peer shown choked).
                {"choked", p ? p->choked : b.choked},
                {"interested", p ? p->interested : b.interested},
                {"lane", lane_of(b)},
                {"violations", b.violations},
                {"pass", pass_state_name(b.pass_state)},
                {"pass_expires_at", b.pass_holder ? json(b.pass_expires_at) : json(nullptr)}};
    add_live_fields(row, p);
    rows.push_back(std::move(row));
    if (p) by_endpoint.erase(it);
  }
  for (const auto& p : live) {
    if (!by_endpoint.count(peer_endpoint(p))) continue;  // shown above
    json row = {{"endpoint", peer_endpoint(p)},  {"client", p.client},       {"seedd_address", nullptr},
                {"sent_bytes", "0"},              {"received_bytes", "0"},    {"receipted_bytes", "0"},
                {"unreceipted_bytes", "0"},       {"choked", p.choked},       {"interested", p.interested},
                {"lane", "vanilla"},              {"pass", "none"},           {"pass_expires_at", nullptr},
                {"violations", 0}};
    add_live_fields(row, &p);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace seedd::rpc
