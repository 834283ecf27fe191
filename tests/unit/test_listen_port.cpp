// The port the listen option asks for, and the warning when libtorrent bound another (issue 19 item 13).
#include <catch2/catch.hpp>

#include "daemon/engine/listen_port.hpp"

using namespace seedd;

TEST_CASE("the requested port is the first listen item's, and 0 asks for none") {
  CHECK(requested_listen_port("0.0.0.0:6881,[::]:6881") == 6881);
  CHECK(requested_listen_port("[::]:51413") == 51413);
  CHECK(requested_listen_port("127.0.0.1:0") == std::nullopt);
  CHECK(requested_listen_port("[::1]") == std::nullopt);
  CHECK(requested_listen_port("host:65536") == std::nullopt);
  CHECK(requested_listen_port("") == std::nullopt);
}

TEST_CASE("a moved port is a warning naming both ports; the same port or port 0 is none") {
  const auto w = port_moved_warning("0.0.0.0:6881,[::]:6881", 6882);
  REQUIRE(w);
  CHECK(w->find("BitTorrent port 6881 was taken: listening on 6882 instead") == 0);
  CHECK_FALSE(port_moved_warning("0.0.0.0:6881", 6881));
  CHECK_FALSE(port_moved_warning("0.0.0.0:0", 40000));
  CHECK_FALSE(port_moved_warning("0.0.0.0:6881", 0));  // not bound yet
}
