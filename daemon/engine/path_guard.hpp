#pragma once
// Every file seedd reads or writes for a torrent stays under the allowed roots (download_dir
// and data_roots) after symlinks are resolved (issue 16, item 9). A name that leads out
// through a link is refused before libtorrent is handed it: torrent.create does not follow a
// link out of the roots (a leecher must never get /tmp/secret.txt through one), and
// torrent.add/torrent.move refuse a save path whose folders or files are links out of them.
// Engine-internal: it includes libtorrent.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <libtorrent/file_storage.hpp>

namespace seedd::path_guard {

/// The allowed roots, resolved (symlinks followed). A root that cannot be resolved is left out.
std::vector<std::filesystem::path> resolve_roots(const std::filesystem::path& download_dir,
                                                 const std::vector<std::filesystem::path>& data_roots);

/// True if `resolved` (already canonical) is `root` or lies under it.
bool is_under(const std::filesystem::path& resolved, const std::filesystem::path& root);

/// `path` (relative ones against download_dir) resolved, symlinks followed, if it lies under one
/// of `roots`; throws EngineError(invalid_argument) naming `what` otherwise, and for an empty
/// path, a NUL byte or a ".." component.
std::filesystem::path confine(const std::filesystem::path& path, const std::filesystem::path& download_dir,
                              const std::vector<std::filesystem::path>& roots, bool have_data_roots,
                              const std::string& what);

/// Throws EngineError(invalid_argument) naming `what` if `dir` exists and is not a directory
/// (a FIFO, a file, a device), where a directory is expected (a save path).
void require_directory_or_absent(const std::filesystem::path& dir, const std::string& what);

/// The first link among `save_path`/`files`' folders and files that resolves outside `roots`,
/// as "'<path>' is a symbolic link to '<target>'"; empty when there is none. Names that do not
/// exist yet are fine: libtorrent makes them as plain folders and files.
std::string link_leaving_roots(const std::filesystem::path& save_path, const lt::file_storage& files,
                               const std::vector<std::filesystem::path>& roots);

/// Throws EngineError(invalid_argument) naming `what` if link_leaving_roots() finds a link.
void confine_files(const std::filesystem::path& save_path, const lt::file_storage& files,
                   const std::vector<std::filesystem::path>& roots, const std::string& what);

/// Makes the file list of `path` for torrent.create as lt::add_files does, except that a
/// symbolic link (at any depth, through linked folders too) that resolves outside `roots` makes
/// it throw EngineError(invalid_argument) naming it: refused, not skipped, so that a torrent
/// never silently lacks a file its maker expected in it.
void add_files_inside(lt::file_storage& files, const std::filesystem::path& path,
                      const std::vector<std::filesystem::path>& roots, const std::string& what);

}  // namespace seedd::path_guard
