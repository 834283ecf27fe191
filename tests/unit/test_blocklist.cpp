// The ip_filter file parser (p2p and dat blocklists) and the proxy option's URL parser.
#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "config/options.hpp"
#include "daemon/engine/blocklist.hpp"

using namespace seedd;

namespace {
std::string range_text(const BlockedRange& r) { return r.first.to_string() + "-" + r.last.to_string(); }
}  // namespace

TEST_CASE("a p2p blocklist line gives its range; the description may hold ':' and '-'", "[blocklist]") {
  const auto list = parse_blocklist("Some-Org: a:b:1.2.3.0-1.2.3.255\nlocal:127.0.0.1-127.0.0.1\n");
  REQUIRE(list.ranges.size() == 2);
  CHECK(range_text(list.ranges[0]) == "1.2.3.0-1.2.3.255");
  CHECK(range_text(list.ranges[1]) == "127.0.0.1-127.0.0.1");
  CHECK(list.bad_lines == 0);
}

TEST_CASE("a dat blocklist line gives its range; zero-padded parts and IPv6 parse", "[blocklist]") {
  const auto list = parse_blocklist(
      "001.002.003.000 - 001.002.003.255 , 000 , padded\r\n"
      "2001:db8:: - 2001:db8::ffff , 100 , six\n"
      "10.0.0.0 - 10.255.255.255\n");
  REQUIRE(list.ranges.size() == 3);
  CHECK(range_text(list.ranges[0]) == "1.2.3.0-1.2.3.255");
  CHECK(range_text(list.ranges[1]) == "2001:db8::-2001:db8::ffff");
  CHECK(range_text(list.ranges[2]) == "10.0.0.0-10.255.255.255");
  CHECK(list.bad_lines == 0);
}

TEST_CASE("a dat entry with an access level above 127 allows, so it is skipped but not bad", "[blocklist]") {
  const auto list = parse_blocklist("1.0.0.0 - 1.0.0.255 , 200 , allowed\n1.0.1.0 - 1.0.1.255 , 127 , blocked\n");
  REQUIRE(list.ranges.size() == 1);
  CHECK(range_text(list.ranges[0]) == "1.0.1.0-1.0.1.255");
  CHECK(list.bad_lines == 0);
}

TEST_CASE("blank lines and comments are skipped; lines that do not parse are counted with samples", "[blocklist]") {
  std::string text = "\xEF\xBB\xBF# a BOM first\n# comment\n\n// another\n";
  text += "garbage\n1.2.3.4-1.2.3\nx:5.6.7.8-5.6.7.1\n300.1.1.1 - 300.1.1.2 , 0 , x\n1.2.3.4 - ::1\n";
  for (int i = 0; i < 10; ++i) text += "more garbage " + std::to_string(i) + "\n";
  text += "ok:9.9.9.9-9.9.9.9";  // no final newline
  const auto list = parse_blocklist(text);
  REQUIRE(list.ranges.size() == 1);
  CHECK(range_text(list.ranges[0]) == "9.9.9.9-9.9.9.9");
  // garbage, a short address, a backwards range, a part past 255, mixed families, 10 more
  CHECK(list.bad_lines == 15);
  REQUIRE(list.bad_samples.size() == kBlocklistBadSamples);
  CHECK(list.bad_samples[0] == std::pair<int64_t, std::string>(5, "garbage"));
  CHECK(list.bad_samples[4] == std::pair<int64_t, std::string>(9, "1.2.3.4 - ::1"));
}

TEST_CASE("the proxy option takes socks5://[user:password@]host:port and nothing else", "[config]") {
  auto p = config::parse_proxy_url("SOCKS5://alice:p@ss:w0rd@proxy.lan:1080");
  REQUIRE(p);
  CHECK(p->user == "alice");
  CHECK(p->password == "p@ss:w0rd");
  CHECK(p->host == "proxy.lan");
  CHECK(p->port == 1080);
  CHECK(config::to_string(*p) == "socks5://alice:p@ss:w0rd@proxy.lan:1080");
  p = config::parse_proxy_url("socks5://[::1]:9050");
  REQUIRE(p);
  CHECK(p->host == "::1");
  CHECK(config::to_string(*p) == "socks5://[::1]:9050");
  for (const char* bad : {"", "socks5://", "http://h:1", "socks5://h", "socks5://h:0", "socks5://h:65536",
                          "socks5://:1", "socks5://user@h:1", "socks5://:pw@h:1", "socks5://u:@h:1",
                          "socks5://h h:1", "socks5://[::1:1", "socks5://[nothex]:1", "socks5://h:1x"}) {
    CAPTURE(bad);
    CHECK_FALSE(config::parse_proxy_url(bad));
  }
}

TEST_CASE("a bad proxy value is refused without echoing it (it may hold a password)", "[config]") {
  config::Config c;
  try {
    c.set("proxy", "socks5://u:hunter2@h", config::Source::cli);
    FAIL("accepted");
  } catch (const config::ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("proxy") && !Catch::Contains("hunter2"));
  }
  c.set("proxy", "socks5://u:hunter2@h:1", config::Source::cli);
  CHECK(c.get_string("proxy") == "socks5://u:hunter2@h:1");
  CHECK_THAT(c.print(), !Catch::Contains("hunter2"));
}
