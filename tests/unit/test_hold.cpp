// When a seeder may let a closing connection go (the hold for the last receipt, issue 14's swarm
// test): only once the peer's receipts cover every block handed to the socket for it.
#include <catch2/catch.hpp>

#include "daemon/accountant/peer_state.hpp"

using namespace seedd::accountant;

TEST_CASE("a seeder holds a connection until receipts cover the blocks queued for the peer, not only those reported sent",
          "[hold]") {
  PeerConnection c;
  // libtorrent reported 100 blocks written; 8 more are in the socket, which the peer may have.
  c.uploaded = 100 * 16384;
  c.queued = 108 * 16384;
  c.accepted_bytes = 100 * 16384;
  CHECK_FALSE(receipts_cover_upload(c));
  c.accepted_bytes = 108 * 16384 - 1;
  CHECK_FALSE(receipts_cover_upload(c));
  c.accepted_bytes = 108 * 16384;
  CHECK(receipts_cover_upload(c));
}

TEST_CASE("a completed write past the queued count still needs its receipt", "[hold]") {
  PeerConnection c;
  // Whichever count is ahead is the one the receipts must reach.
  c.queued = 10;
  c.uploaded = 20;
  c.accepted_bytes = 10;
  CHECK_FALSE(receipts_cover_upload(c));
  c.accepted_bytes = 20;
  CHECK(receipts_cover_upload(c));
}

TEST_CASE("a connection that sent nothing owes no receipt", "[hold]") {
  PeerConnection c;
  CHECK(receipts_cover_upload(c));
}
