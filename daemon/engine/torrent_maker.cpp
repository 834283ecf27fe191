#include "daemon/engine/torrent_maker.hpp"

#include <iterator>
#include <vector>

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>

#include "daemon/engine/path_guard.hpp"

namespace seedd::torrent_maker {

namespace fs = std::filesystem;

const char* version_name(TorrentVersion v) {
  switch (v) {
    case TorrentVersion::v1:
      return "v1";
    case TorrentVersion::v2:
      return "v2";
    case TorrentVersion::hybrid:
      return "hybrid";
  }
  return "?";
}

Made make(const fs::path& resolved, const CreateTorrentRequest& req, const std::vector<fs::path>& roots) {
  using K = EngineError::Kind;
  std::error_code fec;
  if (!fs::exists(resolved, fec))
    throw EngineError(K::invalid_argument, "path: '" + req.path.string() + "' does not exist");
  lt::file_storage files;
  path_guard::add_files_inside(files, resolved, roots, "path");
  if (files.num_files() == 0 || files.total_size() == 0)
    throw EngineError(K::invalid_argument, "path: '" + req.path.string() + "' holds no data");
  // libtorrent's default (no flag) is the hybrid; v1_only and v2_only drop the other half.
  lt::create_flags_t flags{};
  if (req.version == TorrentVersion::v1) flags = lt::create_torrent::v1_only;
  if (req.version == TorrentVersion::v2) flags = lt::create_torrent::v2_only;
  lt::create_torrent ct(files, 0, flags);
  for (const auto& t : req.trackers) ct.add_tracker(t);
  if (!req.comment.empty()) ct.set_comment(req.comment.c_str());
  ct.set_creator("seedd/" SEEDD_VERSION);
  lt::error_code ec;
  lt::set_piece_hashes(ct, resolved.parent_path().string(), ec);
  if (ec) throw EngineError(K::io, "cannot hash '" + req.path.string() + "': " + ec.message());
  std::vector<char> buf;
  lt::bencode(std::back_inserter(buf), ct.generate());
  auto ti = std::make_shared<lt::torrent_info>(buf, ec, lt::from_span);
  if (ec) throw EngineError(K::io, "cannot load the new torrent: " + ec.message());
  return {std::string(buf.begin(), buf.end()), std::move(ti)};
}

}  // namespace seedd::torrent_maker
