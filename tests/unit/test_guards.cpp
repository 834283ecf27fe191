#include <catch2/catch.hpp>

#include "rpc/guards.hpp"

using seedd::rpc::AuthBackoff;
using seedd::rpc::GuardOptions;
using seedd::rpc::RequestGuard;

TEST_CASE("loopback is always allowed, other addresses only inside rpc_allow_ip", "[guards]") {
  RequestGuard g(GuardOptions{{"192.168.1.0/24", "10.0.0.7", "fd00::/8"}, {}});
  CHECK(g.address_allowed("127.0.0.1"));
  CHECK(g.address_allowed("127.8.9.1"));
  CHECK(g.address_allowed("::1"));
  CHECK(g.address_allowed("::ffff:127.0.0.1"));
  CHECK(g.address_allowed("192.168.1.200"));
  CHECK(g.address_allowed("::ffff:192.168.1.3"));
  CHECK_FALSE(g.address_allowed("192.168.2.1"));
  CHECK(g.address_allowed("10.0.0.7"));
  CHECK_FALSE(g.address_allowed("10.0.0.8"));
  CHECK(g.address_allowed("fd12::1"));
  CHECK_FALSE(g.address_allowed("fe80::1"));
  CHECK_FALSE(g.address_allowed("not an address"));
  RequestGuard none(GuardOptions{});
  CHECK_FALSE(none.address_allowed("192.168.1.200"));
}

TEST_CASE("a CIDR that does not parse is refused when the guard is made", "[guards]") {
  CHECK_THROWS_AS(RequestGuard(GuardOptions{{"192.168.1.0/33"}, {}}), std::invalid_argument);
  CHECK_THROWS_AS(RequestGuard(GuardOptions{{"nas.local/24"}, {}}), std::invalid_argument);
}

TEST_CASE("the Host header must be an IP literal, localhost or an allowed name", "[guards]") {
  RequestGuard g(GuardOptions{{}, {"nas.home", "0.0.0.0"}});
  CHECK(g.host_allowed("127.0.0.1:8421"));
  CHECK(g.host_allowed("[::1]:8421"));
  CHECK(g.host_allowed("192.168.1.5"));
  CHECK(g.host_allowed("localhost:8421"));
  CHECK(g.host_allowed("NAS.home:8421"));
  CHECK(g.host_allowed(""));
  CHECK_FALSE(g.host_allowed("evil.example"));
  CHECK_FALSE(g.host_allowed("evil.example:8421"));
  CHECK_FALSE(g.host_allowed("nas.home.evil.example"));
  CHECK_FALSE(g.host_allowed("[::1"));
}

TEST_CASE("an Origin is allowed only when its host is", "[guards]") {
  RequestGuard g(GuardOptions{{}, {"nas.home"}});
  CHECK(g.origin_allowed(""));
  CHECK(g.origin_allowed("http://127.0.0.1:8421"));
  CHECK(g.origin_allowed("https://nas.home"));
  CHECK_FALSE(g.origin_allowed("http://evil.example"));
  CHECK_FALSE(g.origin_allowed("null"));
  CHECK_FALSE(g.origin_allowed("http://"));
}

TEST_CASE("repeated failures back off one address only, and the table stays bounded", "[guards]") {
  using namespace std::chrono_literals;
  AuthBackoff b;
  for (int i = 0; i < seedd::rpc::AUTH_FAILURES_BEFORE_BACKOFF; ++i) CHECK(b.failure("10.0.0.1") == 250ms);
  CHECK(b.failure("10.0.0.1") == 500ms);
  CHECK(b.failure("10.0.0.1") == 1000ms);
  for (int i = 0; i < 20; ++i) b.failure("10.0.0.1");
  CHECK(b.failure("10.0.0.1") == seedd::rpc::MAX_AUTH_DELAY);
  CHECK(b.failure("10.0.0.2") == 250ms);  // another address is not slowed
  b.success("10.0.0.1");
  CHECK(b.failure("10.0.0.1") == 250ms);
  for (size_t i = 0; i < seedd::rpc::MAX_BACKOFF_ENTRIES + 100; ++i) b.failure("192.0.2." + std::to_string(i));
  CHECK(b.size() == seedd::rpc::MAX_BACKOFF_ENTRIES);
}
