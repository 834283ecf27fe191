#include "daemon/settings/blocklist_download.hpp"

#include <stdexcept>

#include <zlib.h>

#include "daemon/engine/blocklist.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/http_client.hpp"

namespace seedd {

std::string unpack_blocklist(std::string body) {
  if (body.size() < 2 || static_cast<unsigned char>(body[0]) != 0x1f || static_cast<unsigned char>(body[1]) != 0x8b)
    return body;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("cannot start gunzip");
  std::string out;
  char chunk[1 << 16];
  zs.next_in = reinterpret_cast<Bytef*>(body.data());
  zs.avail_in = static_cast<uInt>(body.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      throw std::runtime_error("the gzip data is damaged or cut short");
    }
    out.append(chunk, sizeof chunk - zs.avail_out);
    if (out.size() > kMaxBlocklistBytes) {
      inflateEnd(&zs);
      throw std::runtime_error("it unpacks to more than " + std::to_string(kMaxBlocklistBytes) + " bytes");
    }
  }
  inflateEnd(&zs);
  return out;
}

int64_t check_blocklist(std::string_view text) {
  const auto list = parse_blocklist(text);
  const auto ranges = static_cast<int64_t>(list.ranges.size());
  if (ranges == 0 || list.bad_lines >= ranges)
    throw std::runtime_error("it is not a blocklist (" + std::to_string(ranges) + " ranges, " +
                             std::to_string(list.bad_lines) + " lines that are not ranges)");
  return ranges;
}

int64_t download_blocklist(const std::string& url, const std::filesystem::path& dest) {
  const auto shown = url.substr(0, 200);
  try {
    auto answer = util::http_get(url, kBlocklistDownloadTimeoutMs, kMaxBlocklistBytes, "seedd/" SEEDD_VERSION);
    if (answer.status != 200) throw std::runtime_error("the server answered HTTP " + std::to_string(answer.status));
    const auto text = unpack_blocklist(std::move(answer.body));
    const auto ranges = check_blocklist(text);
    util::write_file_atomic(dest, text, 0644);
    return ranges;
  } catch (const std::exception& e) {
    throw std::runtime_error("blocklist_url '" + shown + "': " + e.what());
  }
}

}  // namespace seedd
