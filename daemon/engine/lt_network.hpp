#pragma once
// NetworkSettings to and from libtorrent: the settings pack and the peer class filter. Engine
// internals (pulls in libtorrent); not for rpc/.
#include <libtorrent/ip_filter.hpp>
#include <libtorrent/settings_pack.hpp>

#include "daemon/engine/engine.hpp"

namespace seedd::lt_network {

/// Writes every NetworkSettings field that lives in the settings pack (all but rate_limit_lan).
void fill(lt::settings_pack& pack, const NetworkSettings& network);

/// The peer class filter for `rate_limit_lan`: false gives back `lan_exempt` (libtorrent's own
/// filter, which puts loopback and LAN addresses in the unlimited local class), true puts every
/// address in the global class, whose limits are upload_limit and download_limit.
lt::ip_filter peer_class_filter(bool rate_limit_lan, const lt::ip_filter& lan_exempt);

/// The settings read back from a live pack and peer class filter.
NetworkSettings read(const lt::settings_pack& pack, const lt::ip_filter& peer_class_filter);

}  // namespace seedd::lt_network
