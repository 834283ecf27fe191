#pragma once
// Small libtorrent helpers shared by the engine and the accountant's plugin (both already pay
// for libtorrent's headers). Not for rpc/.
#include <optional>
#include <string>

#include <libtorrent/address.hpp>
#include <libtorrent/fwd.hpp>
#include <libtorrent/info_hash.hpp>
#include <libtorrent/socket.hpp>

#include "daemon/engine/torrent_status.hpp"

namespace seedd::lt_util {

/// seedd's id of a torrent (docs/protocol.md 3): the v1 info-hash, or the first 20 bytes of the v2
/// info-hash for a v2-only torrent; 40 lowercase hex.
std::string id_of(const lt::info_hash_t& ih);
/// The info-hashes of the torrent that `atp` adds: its metadata's, or the magnet's.
lt::info_hash_t info_hashes_of(const lt::add_torrent_params& atp);
/// The 20 bytes behind id_of().
lt::sha1_hash id_bytes(const lt::info_hash_t& ih);
/// id_of() as the snapshot holds it.
TorrentId torrent_id_of(const lt::info_hash_t& ih);
/// Lowercases a user-given 40-hex id so lookups are case-insensitive.
std::string normalize_id(const std::string& id);
std::string endpoint_string(const lt::address& addr, int port);
/// Parses "1.2.3.4:6881" or "[::1]:6881"; nullopt if it is not an IP literal with a port.
std::optional<lt::tcp::endpoint> parse_endpoint(const std::string& s);
void name_this_thread(const char* name);

}  // namespace seedd::lt_util
