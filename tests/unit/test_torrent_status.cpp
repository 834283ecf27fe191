// The compact types of the snapshot's TorrentStatus: the id, shared text and labels, interning.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "daemon/engine/torrent_status.hpp"

using namespace seedd;

TEST_CASE("a torrent id is 40 hex digits in, lower case out", "[torrent_status]") {
  const std::string upper = "0123456789ABCDEF0123456789ABCDEF01234567";
  auto id = TorrentId::from_hex(upper);
  REQUIRE(id);
  CHECK(id->hex() == "0123456789abcdef0123456789abcdef01234567");
  CHECK(id->bytes()[0] == 0x01);
  CHECK(id->bytes()[19] == 0x67);
  std::string out = "x";
  id->append_hex(out);
  CHECK(out == "x0123456789abcdef0123456789abcdef01234567");

  CHECK_FALSE(TorrentId::from_hex(upper.substr(1)));            // 39 digits
  CHECK_FALSE(TorrentId::from_hex(upper + "0"));                // 41
  CHECK_FALSE(TorrentId::from_hex("0x" + upper.substr(2)));     // no prefix
  CHECK_FALSE(TorrentId::from_hex(std::string(39, 'a') + "g"));
  CHECK(TorrentId().empty());
  CHECK(TorrentId().hex().empty());
  CHECK_FALSE(id->empty());

  // Ordered as their hex digits are (Transmission's ids follow it for torrents added at once).
  const auto a = TorrentId::from_hex(std::string(40, 'a')).value();
  const auto b = TorrentId::from_hex(std::string(39, 'a') + "b").value();
  CHECK(a < b);
  CHECK_FALSE(b < a);
  CHECK(a != b);
  CHECK(a == TorrentId::from_hex(std::string(40, 'A')).value());
}

TEST_CASE("shared text copies a pointer and frees its characters with the last copy", "[torrent_status]") {
  SharedText none;
  CHECK(none.empty());
  CHECK(none.get().empty());
  CHECK(SharedText(std::string()).empty());  // "" holds nothing

  SharedText a(std::string(100, 'x'));
  CHECK_FALSE(a.empty());
  SharedText b = a;
  CHECK(&a.get() == &b.get());  // the same characters, not a copy
  a = std::string("other");
  CHECK(a.get() == "other");
  CHECK(b.get() == std::string(100, 'x'));
  SharedText c = std::move(b);
  CHECK(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  CHECK(c == std::string(100, 'x'));
  c = {};
  CHECK(c.empty());

  SharedLabels labels(std::vector<std::string>{"one", "two"});
  CHECK(labels.size() == 2);
  std::vector<std::string> seen(labels.begin(), labels.end());
  CHECK(seen == std::vector<std::string>{"one", "two"});
  CHECK(SharedLabels(std::vector<std::string>{}).empty());
}

TEST_CASE("interned text is held once for every caller that passes the same characters", "[torrent_status]") {
  const auto a = intern("/srv/torrents/intern-test");
  const auto b = intern(std::string("/srv/torrents/") + "intern-test");
  CHECK(&a.get() == &b.get());
  CHECK(&intern("/srv/other").get() != &a.get());
  CHECK(intern("").empty());

  // Texts nobody holds any more are dropped as the table grows; the ones held stay shared.
  for (int i = 0; i < 1000; ++i) intern("/tmp/gone-" + std::to_string(i));
  CHECK(&intern("/srv/torrents/intern-test").get() == &a.get());

  // From several threads at once (the engine's and the RPC threads assign save paths).
  std::vector<std::thread> threads;
  std::vector<std::vector<SharedText>> held(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &held] {
      for (int i = 0; i < 2000; ++i) held[t].push_back(intern("/data/" + std::to_string(i % 50)));
    });
  for (auto& t : threads) t.join();
  for (int t = 1; t < 4; ++t)
    for (int i = 0; i < 2000; ++i) CHECK(&held[t][i].get() == &held[0][i].get());
}
