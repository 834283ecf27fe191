#pragma once
// One tracker's state as seedctl trackers and torrent.trackers show it, from libtorrent's
// announce entry, which holds a result per local endpoint (listen socket). A tracker that
// answered on one endpoint works: an IPv6 link-local socket that cannot reach it ("skipping
// tracker announce (unreachable)") or an IPv4 tracker seen from an IPv6 socket say nothing
// about it. Engine-internal: it includes libtorrent.
#include <cstdint>

#include <libtorrent/address.hpp>
#include <libtorrent/announce_entry.hpp>
#include <libtorrent/time.hpp>

#include "daemon/engine/engine.hpp"

namespace seedd {

/// True for IPv6 fe80::/10 and IPv4 169.254.0.0/16: addresses that reach no tracker or peer
/// beyond the link, on which seedd neither listens nor announces.
bool is_link_local(const lt::address& address);

/// `ae` as a TrackerStatus: message, fails and the endpoint come from the endpoint that
/// answered when one did, else from the endpoints that tried and failed (link-local ones and
/// announces libtorrent skipped as unreachable count only when there is nothing else).
/// `now_lt`/`now_unix` turn libtorrent's next announce time into unix seconds.
TrackerStatus tracker_status_of(const lt::announce_entry& ae, lt::time_point now_lt, int64_t now_unix);

}  // namespace seedd
