#pragma once
// Guards seedd puts in front of known remote bugs of the libtorrent it runs on (Debian 12's
// 2.0.8). docs/operations.md, "Threat model", lists each bug and the guard that covers it.
#include <atomic>
#include <cstdint>
#include <memory>

namespace libtorrent {
struct plugin;
}
namespace lt = libtorrent;

namespace seedd {

/// What the guards have refused since start (read by any thread).
struct PeerGuardCounters {
  /// Incoming peers that set the v2-upgrade bit (reserved[7] & 0x10) on a torrent that has no
  /// metadata yet: refused, see make_peer_guard().
  std::atomic<uint64_t> v2_bit_without_metadata{0};
  /// Peers that sent more ALLOWED_FAST messages than kMaxAllowedFastPerConnection: 2.0.8
  /// keeps every one in a per-connection list with no bound (fixed upstream in 2.1.3, "limit the
  /// size of the allowed-fast set received from a peer").
  std::atomic<uint64_t> allowed_fast_flood{0};
};

/// ALLOWED_FAST messages (BEP 6) one connection may send. Clients send a handful (libtorrent's
/// allowed_fast_set_size is 5, others use 10); 2.0.8 itself stores each in a vector without a
/// bound, duplicates included, while the torrent has no metadata or lacks the piece.
inline constexpr int kMaxAllowedFastPerConnection = 256;

/// The session plugin holding the guards.
///
/// Each guard disconnects the peer, counts it, and logs at most one line a minute.
///
/// libtorrent 2.0.8 null-dereferences in the hash picker (libtorrent issue 8692, fixed in
/// 2.0.14 and 2.1.1) when an incoming plaintext peer sets the v2-upgrade bit for a torrent that
/// is still waiting for its metadata and then hands over v1-only metadata: the bit marks the
/// peer protocol_v2 before libtorrent knows whether the torrent has v2 hashes, and nothing
/// clears it. The guard disconnects such a peer in peer_plugin::on_handshake, which 2.0.8 calls
/// after the handshake is read and before the extended handshake (so before any metadata can
/// be asked of that peer). An honest v1 or hybrid peer loses nothing it needs: it can connect
/// again without the bit once we have the metadata, and metadata comes from other peers.
std::shared_ptr<lt::plugin> make_peer_guard(std::shared_ptr<PeerGuardCounters> counters);

}  // namespace seedd
