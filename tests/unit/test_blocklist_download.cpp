// blocklist_url's checks before a download replaces the ip_filter file: gzip is unpacked, and
// what does not read as a blocklist (an error page, an empty answer, damaged gzip) is refused.
#include <catch2/catch.hpp>

#include <zlib.h>

#include "daemon/settings/blocklist_download.hpp"

using namespace seedd;

namespace {
std::string gzipped(const std::string& text) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, text.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
}  // namespace

TEST_CASE("a gzipped blocklist is unpacked and a plain one is kept as it is", "[blocklist_download]") {
  const std::string list = "a:10.0.0.1-10.0.0.9\nb:10.1.0.1-10.1.0.9\n";
  CHECK(unpack_blocklist(list) == list);
  CHECK(unpack_blocklist(gzipped(list)) == list);
  CHECK(check_blocklist(unpack_blocklist(gzipped(list))) == 2);
}

TEST_CASE("damaged or cut gzip is refused", "[blocklist_download]") {
  auto gz = gzipped(std::string(100000, 'x'));
  CHECK_THROWS_WITH(unpack_blocklist(gz.substr(0, gz.size() / 2)), Catch::Contains("damaged or cut short"));
  // A changed byte is caught by gzip's CRC-32 (the trailer's first four bytes).
  gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 0x55);
  CHECK_THROWS_WITH(unpack_blocklist(gz), Catch::Contains("damaged"));
}

TEST_CASE("what does not read as a blocklist is refused", "[blocklist_download]") {
  CHECK_THROWS_WITH(check_blocklist(""), Catch::Contains("not a blocklist"));
  CHECK_THROWS_WITH(check_blocklist("<html>\n<body>503 Service Unavailable</body>\n</html>\n"),
                    Catch::Contains("not a blocklist"));
  // As many bad lines as ranges: more likely a page that happens to hold an address.
  CHECK_THROWS(check_blocklist("a:10.0.0.1-10.0.0.9\n<p>oops</p>\n"));
  CHECK(check_blocklist("# comment\na:10.0.0.1-10.0.0.9\nb:10.1.0.1-10.1.0.9\n<p>one stray line</p>\n") == 2);
}
