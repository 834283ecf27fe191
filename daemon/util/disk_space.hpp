#pragma once
// Free space where seedd keeps its state (issue 16, item 10).
#include <cstdint>
#include <filesystem>
#include <optional>

namespace seedd::util {

/// Free space in data_dir below which seedd counts it as full: /healthz says degraded, and
/// torrent.add refuses (-32004) instead of adding a torrent whose resume file may not fit and
/// that would then be gone after a restart.
constexpr uint64_t kMinFreeDataDirBytes = 1024 * 1024;

/// Bytes an unprivileged process may still write on the file system holding `path`; nullopt
/// when statvfs fails.
std::optional<uint64_t> free_bytes(const std::filesystem::path& path);

}  // namespace seedd::util
