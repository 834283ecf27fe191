// torrent.peer_totals' rows of closed connections: summed per peer, and bounded.
#include <catch2/catch.hpp>

#include "daemon/accountant/accountant.hpp"

using seedd::Accountant;

namespace {
Accountant::PeerTotalKey key(uint8_t torrent, std::optional<uint8_t> peer) {
  Accountant::PeerTotalKey k{};
  k.first.fill(torrent);
  if (peer) {
    seedd::crypto::Address a{};
    a.fill(*peer);
    k.second = a;
  }
  return k;
}
}  // namespace

TEST_CASE("peer totals sum a peer's closed connections in one row", "[peer_totals]") {
  Accountant::PeerTotalRows rows;
  Accountant::fold_peer_total(rows, key(1, 7), 100, 5, 4);
  Accountant::fold_peer_total(rows, key(1, 7), 50, 1, 4);
  Accountant::fold_peer_total(rows, key(1, std::nullopt), 9, 0, 4);
  REQUIRE(rows.size() == 2);
  const auto& t = rows.at(key(1, 7));
  CHECK(t.sent_bytes == 150);
  CHECK(t.received_bytes == 6);
  CHECK(t.connections == 2);
  CHECK(t.address == key(1, 7).second);
  CHECK(rows.at(key(1, std::nullopt)).connections == 1);
}

TEST_CASE("peer totals hold at most their bound: the row that moved the fewest bytes makes room", "[peer_totals]") {
  Accountant::PeerTotalRows rows;
  Accountant::fold_peer_total(rows, key(1, 1), 1000, 0, 3);
  Accountant::fold_peer_total(rows, key(1, 2), 10, 5, 3);  // 15 bytes: the smallest
  Accountant::fold_peer_total(rows, key(2, 3), 0, 500, 3);
  // A known row grows on a full table without dropping anything.
  Accountant::fold_peer_total(rows, key(1, 2), 1, 0, 3);
  REQUIRE(rows.size() == 3);
  CHECK(rows.at(key(1, 2)).connections == 2);
  // A new peer on a full table takes the place of the smallest row.
  Accountant::fold_peer_total(rows, key(2, 4), 20, 0, 3);
  CHECK(rows.size() == 3);
  CHECK_FALSE(rows.contains(key(1, 2)));
  CHECK(rows.contains(key(1, 1)));
  CHECK(rows.contains(key(2, 3)));
  CHECK(rows.at(key(2, 4)).sent_bytes == 20);
}
