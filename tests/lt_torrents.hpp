#pragma once
// Torrents for tests and benchmarks that drive libtorrent sessions directly (the unit tests of
// the engine's plugins, tests/bench/bench_lanes).
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>

namespace seedd::test {

/// A v1 torrent of the file `dir / file` (which must exist), `piece_bytes` a piece.
inline std::shared_ptr<libtorrent::torrent_info> torrent_of_file(const std::filesystem::path& dir,
                                                                 const std::string& file, int piece_bytes) {
  namespace lt = libtorrent;
  lt::file_storage files;
  lt::add_files(files, (dir / file).string());
  lt::create_torrent ct(files, piece_bytes, lt::create_torrent::v1_only);
  lt::set_piece_hashes(ct, dir.string());
  std::vector<char> buf;
  lt::bencode(std::back_inserter(buf), ct.generate());
  return std::make_shared<lt::torrent_info>(buf, lt::from_span);
}

/// Adds `ti` to `s`, started at once (not auto-managed, not paused); in seed mode with `seed`.
inline libtorrent::torrent_handle add_started(libtorrent::session& s, std::shared_ptr<libtorrent::torrent_info> ti,
                                              const std::filesystem::path& save, bool seed) {
  namespace lt = libtorrent;
  lt::add_torrent_params atp;
  atp.ti = std::move(ti);
  atp.save_path = save.string();
  atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
  if (seed) atp.flags |= lt::torrent_flags::seed_mode;
  return s.add_torrent(std::move(atp));
}

}  // namespace seedd::test
