#pragma once
// Reading a file whose name came from outside (torrent.add's path, a watch folder): nothing
// but a regular file is opened for reading, never in a way that can block (a FIFO would hang
// the caller in open()), and its size is checked on the opened descriptor before a byte is
// read, so a 1 GiB file costs no more memory than the limit (issue 16, items 7 and 8).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace seedd::util {

/// Why read_regular_file() refused a file that exists: it is not a regular file (a FIFO, a
/// socket, a device, a directory), or it is larger than the limit. The message says which,
/// with the path.
struct FileRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Reads the regular file at `path` (symlinks followed), at most `max_bytes` of it.
/// std::nullopt when it does not exist; throws FileRefused as above, and std::system_error on
/// other I/O errors.
std::optional<std::string> read_regular_file(const std::filesystem::path& path, uint64_t max_bytes);

/// "a FIFO", "a directory", "a socket", ... for a st_mode that is not a regular file's.
std::string file_kind_name(unsigned st_mode);

}  // namespace seedd::util
