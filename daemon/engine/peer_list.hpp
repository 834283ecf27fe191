#pragma once
// libtorrent's peer list as the engine's plain PeerStatus (torrent-get's `peers`).
#include <vector>

#include <libtorrent/peer_info.hpp>

#include "daemon/engine/engine.hpp"

namespace seedd {

/// The BitTorrent peers of `infos` (web and HTTP seeds, and connections still in their
/// handshake, are left out: they have no peer to show).
std::vector<PeerStatus> peer_statuses_of(const std::vector<lt::peer_info>& infos);

}  // namespace seedd
