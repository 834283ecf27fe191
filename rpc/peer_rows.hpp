#pragma once
// torrent.peers' rows: the accountant's view of each connection (seedd address, bytes sent,
// received and receipted) joined with libtorrent's (rates, progress, TCP or uTP, encryption,
// direction, client) by endpoint.
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"

namespace seedd::rpc {

/// One row per connected peer, in the accountant's order, then peers only libtorrent lists.
/// Fields only one side knows take their zero values (a peer libtorrent no longer lists has
/// rates 0 and connection null).
nlohmann::json peer_rows(const std::vector<Accountant::PeerView>& booked, const std::vector<PeerStatus>& live);

/// The lane a peer is served in now (docs/protocol.md 9, accountant::lane_of): "pass" (its pass
/// counts), "receipt" (a seedd peer that signs receipts) or "vanilla" (any other client, and a
/// seedd node found not to sign).
std::string_view lane_of(const Accountant::PeerView& peer);
/// How torrent.peers names a PassState: none, checking, valid, expired, invalid.
std::string_view pass_state_name(accountant::PassState state);

/// "ip:port", IPv6 in brackets: how the accountant names a connection.
std::string peer_endpoint(const PeerStatus& p);

}  // namespace seedd::rpc
