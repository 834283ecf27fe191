#pragma once
// Every session plugin the engine runs, behind one: each torrent gets a single torrent plugin,
// which makes the inner plugins' torrent plugins at the torrent's first connection. Engine-
// internal; it includes no libtorrent header, but its users do.
#include <memory>
#include <vector>

namespace libtorrent {
struct plugin;
}
namespace lt = libtorrent;

namespace seedd {

/// One session plugin for all of `inner` (libtorrent's ut_metadata and ut_pex, the peer guard,
/// the receipt extension).
///
/// Why: libtorrent asks every session plugin for a torrent plugin when it adds a torrent, and
/// keeps each one in a list node of its own. At 10,000 seeding torrents most never see a peer,
/// yet each held ut_metadata's object, the receipt extension's, and three list nodes: ~270
/// bytes a torrent (docs/benchmarks.md, "Memory per seeding torrent"). Here a torrent holds
/// one 40-byte object and one list node until a peer connects; then every inner plugin's
/// `new_torrent` is called for it once, in `inner`'s order, and their peer plugins are attached
/// to that connection and to every later one in the same order, as libtorrent would have.
///
/// The torrent plugin callbacks (tick, piece passed or failed, pause, resume, state, files
/// checked, peer added) reach the inner torrent plugins once they exist: none of the inner
/// plugins needs one before its torrent has had a connection. Session callbacks (`added`,
/// `abort`, `on_tick`, `on_alert`, DHT requests, unknown torrents, unchoke priority, state) go
/// to every inner plugin that implements them, as libtorrent calls them.
std::shared_ptr<lt::plugin> make_torrent_extensions(std::vector<std::shared_ptr<lt::plugin>> inner);

}  // namespace seedd
