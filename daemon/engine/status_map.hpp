#pragma once
// How libtorrent's view of a torrent maps onto seedd's: its status onto TorrentStatus, and
// seedd's own keys in a resume file. Engine-internal: it includes libtorrent.
#include <cstdint>
#include <string>

#include <libtorrent/bdecode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/torrent_flags.hpp>
#include <libtorrent/torrent_status.hpp>

#include "daemon/engine/engine.hpp"

namespace seedd {

/// Paused by the user (or a seeding goal), not waiting in libtorrent's queue.
bool paused_by_hand(lt::torrent_flags_t flags);
/// seedd's state of a torrent (TorrentStatus::state).
TorrentState state_of(const lt::torrent_status& st);
/// Copies what the snapshot shows of `st` into `out` (seedd's own fields are left alone).
/// `out.info_hash` is set already (the snapshot's key).
void fill_status(TorrentStatus& out, const lt::torrent_status& st);
/// Writes seedd's keys of `t` (labels, seeding limits) into a resume file's entry.
void write_extras(lt::entry& resume, const TorrentStatus& t);
/// Reads write_extras()'s keys back into `t`; a file without them leaves the defaults.
void read_extras(const lt::bdecode_node& resume, TorrentStatus& t);
/// libtorrent's "no limit" is -1 for per-torrent limits (and 2^24-1 for connections, as it
/// saves them); seedd says 0.
int64_t limit_or_zero(int v);

}  // namespace seedd
