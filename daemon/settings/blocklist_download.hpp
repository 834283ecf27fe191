#pragma once
// blocklist_url: a blocklist fetched over HTTP into the ip_filter file. The download is checked
// before it replaces anything, so a failed fetch, an error page or a truncated file leaves the
// blocklist in force as it was.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace seedd {

/// The largest blocklist taken, downloaded or unpacked (the ip_filter file's own limit).
constexpr size_t kMaxBlocklistBytes = 256ull * 1024 * 1024;
/// The whole download's deadline (a shutdown waits for one under way).
constexpr int kBlocklistDownloadTimeoutMs = 60000;

/// The text of a blocklist as served: gunzipped when it starts with gzip's magic (blocklist
/// sites serve .gz), else as is. Throws std::runtime_error when it does not unpack or unpacks
/// past kMaxBlocklistBytes.
std::string unpack_blocklist(std::string body);

/// Throws std::runtime_error unless `text` reads as a blocklist: at least one range, and fewer
/// bad lines than ranges (an HTML error page has none). Returns the number of ranges.
int64_t check_blocklist(std::string_view text);

/// Downloads `url` (http://), unpacks and checks it, and atomically replaces `dest` with it.
/// Returns the number of ranges. Throws std::runtime_error naming the URL and what failed;
/// `dest` is untouched then.
int64_t download_blocklist(const std::string& url, const std::filesystem::path& dest);

}  // namespace seedd
