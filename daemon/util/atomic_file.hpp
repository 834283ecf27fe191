#pragma once
// The one place state files are written: temp file in the same directory, fsync, rename over
// the target, fsync the directory. A reader (or a restart after kill -9) sees the old file or
// the new one, never a torn one.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace seedd::util {

/// Atomically replaces `path` with `contents`, creating it with permission bits `mode`.
/// Throws std::system_error on any failure; the old file is untouched then.
void write_file_atomic(const std::filesystem::path& path, std::string_view contents,
                       unsigned mode = 0644);

/// Reads a whole file; std::nullopt when it does not exist. Throws on other I/O errors.
std::optional<std::string> read_file(const std::filesystem::path& path);

/// Creates `dir` (and parents) with `mode` if missing; throws std::system_error on failure.
void ensure_directory(const std::filesystem::path& dir, unsigned mode = 0755);

/// fsyncs a directory so a rename or unlink inside it is durable.
void fsync_directory(const std::filesystem::path& dir);

}  // namespace seedd::util
