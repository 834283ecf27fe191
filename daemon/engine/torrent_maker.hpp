#pragma once
// The hashing half of torrent.create: the .torrent of a file or directory, as v1, v2 or a
// hybrid. Engine::create_torrent adds what this makes; kept apart so that engine.cpp does not
// grow and the choice of format is in one place.
#include <filesystem>
#include <memory>
#include <string>

#include <libtorrent/torrent_info.hpp>

#include "daemon/engine/engine.hpp"

namespace seedd::torrent_maker {

struct Made {
  std::string bytes;                              // the bencoded .torrent
  std::shared_ptr<lt::torrent_info> info;  // the same, parsed
};

/// Hashes `resolved` (already confined to an allowed root) into a torrent of `req.version` with
/// `req`'s trackers and comment. `req.path` is only quoted in errors. Throws EngineError.
Made make(const std::filesystem::path& resolved, const CreateTorrentRequest& req,
          const std::vector<std::filesystem::path>& roots);

/// "v1", "v2" or "hybrid".
const char* version_name(TorrentVersion v);

}  // namespace seedd::torrent_maker
