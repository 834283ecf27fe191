#include <catch2/catch.hpp>

#include <thread>

#include "rpc/guards.hpp"

using seedd::rpc::AuthBackoff;
using seedd::rpc::ConnectionLimiter;
using seedd::rpc::LogRateLimit;
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

TEST_CASE("an Origin that is another machine's IP address is refused unless it is the Host", "[guards]") {
  RequestGuard g(GuardOptions{{}, {"nas.home", "192.168.1.5"}});
  CHECK_FALSE(g.origin_allowed("http://10.1.2.3"));
  CHECK_FALSE(g.origin_allowed("http://10.1.2.3:8421", "192.168.1.5:8421"));
  CHECK_FALSE(g.origin_allowed("http://[fd00::7]:8421"));
  CHECK(g.origin_allowed("http://10.1.2.3:8421", "10.1.2.3:8421"));  // the page seedd serves there
  CHECK(g.origin_allowed("http://[fd00::7]:8421", "[FD00::7]:8421"));
  CHECK(g.origin_allowed("http://192.168.1.5:9000"));  // a bind address
  CHECK(g.origin_allowed("http://[::1]:8421"));
  CHECK(g.origin_allowed("http://localhost:3000"));
}

TEST_CASE("sources are counted by IPv4 address and by IPv6 /64", "[guards]") {
  using seedd::rpc::source_key;
  CHECK(source_key("192.168.1.7") == "192.168.1.7");
  CHECK(source_key("::ffff:192.168.1.7") == "192.168.1.7");
  CHECK(source_key("2001:db8:1:2:aaaa::1") == source_key("2001:db8:1:2:bbbb::9"));
  CHECK(source_key("2001:db8:1:2::1") != source_key("2001:db8:1:3::1"));
  CHECK(source_key("not an address") == "not an address");
  CHECK(seedd::rpc::is_loopback("127.3.4.5"));
  CHECK(seedd::rpc::is_loopback("::ffff:127.0.0.1"));
  CHECK_FALSE(seedd::rpc::is_loopback("10.0.0.1"));
}

TEST_CASE("one address gets kMaxConnectionsPerAddress connections and no more", "[guards]") {
  using seedd::rpc::kMaxConnectionsPerAddress;
  ConnectionLimiter l(4096, nullptr);
  for (int i = 0; i < kMaxConnectionsPerAddress; ++i) REQUIRE(l.admit("192.168.1.7") == ConnectionLimiter::Verdict::admitted);
  CHECK(l.admit("192.168.1.7") == ConnectionLimiter::Verdict::source_full);
  CHECK(l.admit("::ffff:192.168.1.7") == ConnectionLimiter::Verdict::source_full);
  CHECK(l.admit("192.168.1.8") == ConnectionLimiter::Verdict::admitted);
  l.release("192.168.1.7");
  CHECK(l.admit("192.168.1.7") == ConnectionLimiter::Verdict::admitted);
  // One IPv6 host holds a /64: rotating addresses in it does not help.
  for (int i = 0; i < kMaxConnectionsPerAddress; ++i)
    REQUIRE(l.admit("2001:db8::" + std::to_string(i + 1)) == ConnectionLimiter::Verdict::admitted);
  CHECK(l.admit("2001:db8::ffff") == ConnectionLimiter::Verdict::source_full);
  // Loopback is not capped per address.
  for (int i = 0; i < 2 * kMaxConnectionsPerAddress; ++i) REQUIRE(l.admit("127.0.0.1") == ConnectionLimiter::Verdict::admitted);
}

TEST_CASE("the LAN cannot take the slots reserved for loopback", "[guards]") {
  using seedd::rpc::kLoopbackReservedConnections;
  using seedd::rpc::kMaxConnectionsPerAddress;
  constexpr int max = 1024;
  ConnectionLimiter l(max, nullptr);
  int lan = 0;
  for (int host = 1; lan < max; ++host) {
    const auto address = "10.0." + std::to_string(host / 256) + "." + std::to_string(host % 256);
    int taken = 0;
    while (taken < kMaxConnectionsPerAddress && l.admit(address) == ConnectionLimiter::Verdict::admitted) ++taken;
    lan += taken;
    if (taken < kMaxConnectionsPerAddress) break;
  }
  CHECK(lan == max - kLoopbackReservedConnections);
  CHECK(l.admit("10.9.9.9") == ConnectionLimiter::Verdict::server_full);
  for (int i = 0; i < kLoopbackReservedConnections; ++i) REQUIRE(l.admit("::1") == ConnectionLimiter::Verdict::admitted);
  CHECK(l.admit("127.0.0.1") == ConnectionLimiter::Verdict::server_full);
  CHECK(l.open() == max);
  l.release("::1");
  CHECK(l.admit("10.9.9.9") == ConnectionLimiter::Verdict::server_full);  // still the LAN's share
  CHECK(l.admit("127.0.0.1") == ConnectionLimiter::Verdict::admitted);
}

TEST_CASE("an address outside the allow-list is refused before it takes a slot", "[guards]") {
  RequestGuard g(GuardOptions{{"192.168.1.0/24"}, {}});
  ConnectionLimiter l(4096, [&g](const std::string& a) { return g.address_allowed(a); });
  for (int i = 0; i < 10; ++i) CHECK(l.admit("10.0.0.1") == ConnectionLimiter::Verdict::not_allowed);
  CHECK(l.open() == 0);
  CHECK(l.admit("192.168.1.9") == ConnectionLimiter::Verdict::admitted);
  CHECK(l.admit("127.0.0.1") == ConnectionLimiter::Verdict::admitted);
}

TEST_CASE("a failure locks its address until its delay has passed", "[guards]") {
  using namespace std::chrono_literals;
  AuthBackoff b;
  CHECK_FALSE(b.locked("10.0.0.1"));
  b.failure("10.0.0.1");
  const auto wait = b.locked("10.0.0.1");
  REQUIRE(wait);
  CHECK(*wait <= seedd::rpc::kBaseAuthDelay);
  CHECK(*wait > 0ms);
  CHECK_FALSE(b.locked("10.0.0.2"));
  std::this_thread::sleep_for(seedd::rpc::kBaseAuthDelay + 10ms);
  CHECK_FALSE(b.locked("10.0.0.1"));
  b.failure("2001:db8::1");
  CHECK(b.locked("2001:db8::2"));  // the same /64
}

TEST_CASE("a rate-limited log line is written at most N times per interval and counts the rest", "[guards]") {
  using namespace std::chrono_literals;
  LogRateLimit limit(3, 60s);
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t suppressed = 99;
  for (int i = 0; i < 3; ++i) {
    CHECK(limit.allow(suppressed, t0 + std::chrono::seconds(i)));
    CHECK(suppressed == 0);
  }
  for (int i = 0; i < 5; ++i) CHECK_FALSE(limit.allow(suppressed, t0 + 10s));
  CHECK(limit.allow(suppressed, t0 + 61s));
  CHECK(suppressed == 5);
}

TEST_CASE("repeated failures back off one address only, and the table stays bounded", "[guards]") {
  using namespace std::chrono_literals;
  AuthBackoff b;
  for (int i = 0; i < seedd::rpc::kAuthFailuresBeforeBackoff; ++i) CHECK(b.failure("10.0.0.1") == 250ms);
  CHECK(b.failure("10.0.0.1") == 500ms);
  CHECK(b.failure("10.0.0.1") == 1000ms);
  for (int i = 0; i < 20; ++i) b.failure("10.0.0.1");
  CHECK(b.failure("10.0.0.1") == seedd::rpc::kMaxAuthDelay);
  CHECK(b.failure("10.0.0.2") == 250ms);  // another address is not slowed
  b.success("10.0.0.1");
  CHECK(b.failure("10.0.0.1") == 250ms);
  for (size_t i = 0; i < seedd::rpc::kMaxBackoffEntries + 100; ++i) b.failure("192.0.2." + std::to_string(i));
  CHECK(b.size() == seedd::rpc::kMaxBackoffEntries);
}
