#include <catch2/catch.hpp>

#include "daemon/util/endpoint.hpp"

using seedd::util::Endpoint;

TEST_CASE("an endpoint parses IPv4, bracketed IPv6 and localhost, and prints IPv6 in brackets", "[endpoint]") {
  CHECK(Endpoint::parse("1.2.3.4:80") == Endpoint{"1.2.3.4", 80});
  CHECK(Endpoint::parse("[0:0::1]:65535") == Endpoint{"::1", 65535});
  CHECK(Endpoint::parse("LocalHost:0") == Endpoint{"localhost", 0});
  CHECK(Endpoint{"::1", 8421}.to_string() == "[::1]:8421");
  CHECK(Endpoint{"127.0.0.1", 8421}.to_string() == "127.0.0.1:8421");
  CHECK(seedd::util::join_endpoints({{"0.0.0.0", 6881}, {"::", 6881}}) == "0.0.0.0:6881,[::]:6881");
}

TEST_CASE("an endpoint without a port, with a port past 65535, or with unbracketed IPv6 is refused", "[endpoint]") {
  for (const char* bad : {"1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "::1:80", "[::1]80", "[::1]:",
                          "example.org:80", "[1.2.3.4]:80", "1.2.3.4:8x", ":80"})
    CHECK_FALSE(Endpoint::parse(bad));
}

TEST_CASE("loopback endpoints are localhost, 127/8 and ::1", "[endpoint]") {
  CHECK(Endpoint{"localhost", 1}.is_loopback());
  CHECK(Endpoint{"127.3.2.1", 1}.is_loopback());
  CHECK(Endpoint{"::1", 1}.is_loopback());
  CHECK_FALSE(Endpoint{"0.0.0.0", 1}.is_loopback());
  CHECK_FALSE(Endpoint{"::", 1}.is_loopback());
  CHECK_FALSE(Endpoint{"192.168.1.2", 1}.is_loopback());
}
